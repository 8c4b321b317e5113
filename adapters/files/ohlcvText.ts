/**
 * OHLCV bars from delimited text: generic CSV (FirstRate's headerless
 * `YYYY-MM-DD HH:MM:SS,open,high,low,close,volume`, files with a header, vendor daily
 * files with separate date and time columns) and Sierra Chart's intraday text export
 * (`Date, Time, Open, High, Low, Last, Volume, NumberOfTrades, BidVolume, AskVolume`).
 *
 * Naive timestamps are read in `tz` (default America/New_York, FirstRate's and Sierra's
 * usual setting). Each row is checked (prices positive and on the tick grid, OHLC
 * consistent, volumes >= 0, time strictly increasing) and rejected with its reason.
 */
import type { Bar } from '../../core/types.ts';
import { missingBarRoles, rolesFromHeader, type ColumnMap } from './columnRoles.ts';
import { decodeText, detectSeparator, firstLines, forEachLineRange, splitFields, toNumber } from './delimitedText.ts';
import { FieldScanner } from './fieldScanner.ts';
import { IssueLog } from './issueLog.ts';
import { columnsOption, zoneFor } from './loaderOptions.ts';
import { checkBar } from './rowChecks.ts';
import { finishSeries, SeriesCollector, type FileBytes } from './seriesBuilder.ts';
import { DataFileError, type LoadedSeries, type LoaderOptions } from './seriesTypes.ts';
import { rootFromPath, tickSizeFor } from './symbolGuess.ts';
import { parseDateAndTime, parseStamp } from './timestampText.ts';
import type { ZoneClock } from '../../core/zonedTime.ts';

export const DEFAULT_TEXT_TZ = 'America/New_York';

/** The timestamp text of the current row, for messages. */
export function stampText(row: FieldScanner, map: ColumnMap): string {
  if (map.time !== undefined) return row.text(map.time).trim();
  if (map.clock !== undefined) return `${row.text(map.date!).trim()} ${row.text(map.clock).trim()}`;
  return row.text(map.date!).trim();
}

/**
 * The UTC time of a scanned row (one time column, or date + clock columns; naive stamps
 * read in `zone`), or null after rejecting the row with its reason.
 */
export function rowTime(row: FieldScanner, map: ColumnMap, zone: ZoneClock, lastTime: number, lineNo: number, log: IssueLog): number | null {
  let stampMs: number;
  let instant: boolean;
  if (map.clock === undefined) {
    stampMs = row.stampMs(map.time ?? map.date!);
    instant = row.lastStampInstant;
  } else {
    const stamp = parseDateAndTime(row.text(map.date!), row.text(map.clock));
    stampMs = stamp ? stamp.ms : Number.NaN;
    instant = stamp?.instant ?? false;
  }
  if (Number.isNaN(stampMs)) {
    log.reject(lineNo, 'parse', `unreadable timestamp "${stampText(row, map)}"`);
    return null;
  }
  const time = instant ? stampMs : zone.toUtc(stampMs, lastTime);
  if (Number.isNaN(time)) {
    log.reject(lineNo, 'parse', `local time "${stampText(row, map)}" does not exist in ${zone.timeZone} (DST jump)`);
    return null;
  }
  return time;
}

/** True when a line's time field (the first unless told) is data (a timestamp or a number), not a header name. */
export function looksLikeData(fields: readonly string[], timeIndex = 0): boolean {
  const first = fields[timeIndex]?.trim() ?? '';
  return parseStamp(first) !== null || (first !== '' && Number.isFinite(Number(first)));
}

/** Roles of a headerless file by its field count (FirstRate: 6 intraday, 7 daily with open interest). */
function rolesByCount(count: number): ColumnMap | undefined {
  if (count === 6 || count === 7) return { time: 0, open: 1, high: 2, low: 3, close: 4, volume: 5 };
  if (count === 5) return { time: 0, open: 1, high: 2, low: 3, close: 4 };
  return undefined;
}

export interface TextLayout {
  separator: string;
  decimalComma: boolean;
  /** Lines before the data (0 or 1). */
  headerLines: number;
  header: string[] | null;
}

/** Separator and header of a delimited file, from its first line (`timeIndex`: the time column, when known). */
export function textLayout(text: string, timeIndex = 0): TextLayout {
  const first = firstLines(text, 1)[0] ?? '';
  const separator = detectSeparator(first);
  const fields = splitFields(first, separator);
  const header = looksLikeData(fields, timeIndex) ? null : fields.map((f) => f.trim());
  return { separator, decimalComma: separator === ';', headerLines: header ? 1 : 0, header };
}

/**
 * How the rows of one OHLCV text file are read: its layout, column roles, zone, symbol and
 * tick, decided from its first lines. Shared by loadOhlcvText (the whole text at once) and
 * the columnar loader (barColumnsFile.ts, chunk by chunk).
 */
export class OhlcvRowReader {
  readonly layout: TextLayout;
  readonly map: ColumnMap;
  readonly zone: ZoneClock;
  readonly symbol: string;
  readonly tick: number | null;
  readonly notes: string[] = [];
  private readonly need: number;
  private readonly row = new FieldScanner();
  private readonly num: (i: number) => number;

  /** `head`: the text from the file's start (at least its first data line). */
  constructor(head: string, file: string, options: LoaderOptions) {
    const given = columnsOption(file, options);
    const layout = textLayout(head, given?.time ?? given?.date);
    const firstData = firstLines(head, layout.headerLines + 1).at(-1) ?? '';
    const map = given ?? (layout.header ? rolesFromHeader(layout.header, false) : rolesByCount(splitFields(firstData, layout.separator).length));
    if (!map) {
      throw new DataFileError('bad-option', file, `cannot tell the columns of ${file} (no header, ${splitFields(firstData, layout.separator).length} fields): pass --columns, e.g. time,open,high,low,close,volume`, 'columns');
    }
    const missing = missingBarRoles(map);
    if (missing) throw new DataFileError('bad-option', file, `${file}: no ${missing} (header: ${layout.header?.join(', ') ?? 'none'}); pass --columns`, 'columns');
    this.layout = layout;
    this.map = map;
    this.zone = zoneFor(file, options, DEFAULT_TEXT_TZ);
    const fileSymbolField = map.symbol !== undefined ? splitFields(firstData, layout.separator)[map.symbol]?.trim() : undefined;
    this.symbol = options.symbol ?? (fileSymbolField || rootFromPath(file) || 'ES');
    this.tick = tickSizeFor(this.symbol, options.tickSize);
    if (map.volume === undefined) this.notes.push('no volume column: volumes are 0');
    this.need = Math.max(...Object.values(map).filter((v): v is number => v !== undefined));
    const row = this.row;
    this.num = layout.decimalComma ? (i: number) => toNumber(row.text(i), true) : (i: number) => row.number(i);
  }

  /**
   * Reads the line `text[start, end)` (number `lineNo`, 1-based over the whole file) into
   * `bar` (every field set; askVolume/bidVolume only when the file has them). False after
   * rejecting it into `log`; header lines are skipped (false, nothing logged).
   */
  read(text: string, start: number, end: number, lineNo: number, lastTime: number, log: IssueLog, bar: Bar): boolean {
    if (lineNo <= this.layout.headerLines) return false;
    const { row, map, num } = this;
    const count = row.scanLine(text, start, end, this.layout.separator);
    if (count <= this.need) {
      log.reject(lineNo, 'parse', `expected at least ${this.need + 1} fields, got ${count}`);
      return false;
    }
    const time = rowTime(row, map, this.zone, lastTime, lineNo, log);
    if (time === null) return false;
    bar.symbol = map.symbol !== undefined ? row.text(map.symbol).trim() || this.symbol : this.symbol;
    bar.time = time;
    bar.open = num(map.open!);
    bar.high = num(map.high!);
    bar.low = num(map.low!);
    bar.close = num(map.close!);
    bar.volume = map.volume !== undefined ? num(map.volume) : 0;
    if (map.askVolume !== undefined) bar.askVolume = num(map.askVolume);
    if (map.bidVolume !== undefined) bar.bidVolume = num(map.bidVolume);
    return true;
  }
}

/** Loads OHLCV bars from CSV-like text or a Sierra Chart export. */
export function loadOhlcvText(src: FileBytes, format: 'csv' | 'sierra', options: LoaderOptions): LoadedSeries {
  const text = decodeText(src.bytes);
  const reader = new OhlcvRowReader(text, src.file, options);
  const log = new IssueLog();
  const out = new SeriesCollector<Bar>(log, false);
  const { tick } = reader;

  forEachLineRange(text, (start, end, lineNo) => {
    const bar = { symbol: '', time: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 } as Bar;
    if (!reader.read(text, start, end, lineNo, out.lastTime, log, bar)) return;
    out.offer(lineNo, bar, checkBar(bar, tick));
  });

  return finishSeries('bars', out.items, out, log, {
    format,
    file: src.file,
    sha256: src.sha256,
    timezone: reader.zone.timeZone,
    symbol: reader.symbol,
    tickSize: tick,
    notes: reader.notes,
  });
}
