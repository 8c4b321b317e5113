/**
 * Time & sales with the aggressor side: one trade per line, `time, price, size, side`
 * (plus columns that are ignored, such as the attached quote or a depth snapshot).
 * Known dialects: the NQ files of ../shared/data/nq_ticks, `Timestamp;Precio;Volumen;Lado;Bid;Ask`
 * (semicolons, decimal comma, Madrid wall clock per the vendor's documentation) and
 * `Timestamp,Price,Size,Side,DOM_BID,DOM_ASK` (unquoted JSON depth after the 4th field).
 *
 * Side: ASK/BUY/B = buyer-initiated (lifted the offer), BID/SELL/S = seller-initiated;
 * an empty side leaves the aggressor unknown; anything else rejects the row. Prints that
 * share a millisecond are kept (one aggressive order filling several resting orders):
 * only a print earlier than the previous one is rejected.
 */
import type { Side, TradeTick } from '../../core/types.ts';
import { missingTickRoles, rolesFromHeader } from './columnRoles.ts';
import { decodeText, forEachLineRange, toNumber } from './delimitedText.ts';
import { FieldScanner } from './fieldScanner.ts';
import { IssueLog } from './issueLog.ts';
import { columnsOption, zoneFor } from './loaderOptions.ts';
import { rowTime, textLayout } from './ohlcvText.ts';
import { checkTrade } from './rowChecks.ts';
import { finishSeries, SeriesCollector, type FileBytes } from './seriesBuilder.ts';
import { DataFileError, type LoadedSeries, type LoaderOptions } from './seriesTypes.ts';
import { rootFromPath, tickSizeFor } from './symbolGuess.ts';

/** The Spanish-header vendor documents its clock as Madrid time; others default to New York. */
function defaultZone(header: readonly string[] | null): string {
  const names = (header ?? []).map((h) => h.toLowerCase());
  return names.includes('precio') || names.includes('lado') ? 'Europe/Madrid' : 'America/New_York';
}

const SIDES = new Map<string, Side>([
  ['ask', 'buy'],
  ['buy', 'buy'],
  ['b', 'buy'],
  ['a', 'buy'],
  ['bid', 'sell'],
  ['sell', 'sell'],
  ['s', 'sell'],
]);

/** True when the header names a side/aggressor column: a trade file rather than bars. */
export function looksLikeTickHeader(header: readonly string[]): boolean {
  const map = rolesFromHeader(header, true);
  return map.price !== undefined && map.side !== undefined && map.open === undefined;
}

export function loadTickText(src: FileBytes, options: LoaderOptions): LoadedSeries {
  const text = decodeText(src.bytes);
  const given = columnsOption(src.file, options);
  const layout = textLayout(text, given?.time ?? given?.date);
  const map = given ?? (layout.header ? rolesFromHeader(layout.header, true) : { time: 0, price: 1, size: 2, side: 3 });
  const missing = missingTickRoles(map);
  if (missing) throw new DataFileError('bad-option', src.file, `${src.file}: no ${missing} (header: ${layout.header?.join(', ') ?? 'none'}); pass --columns, e.g. time,price,size,side`, 'columns');

  const zone = zoneFor(src.file, options, defaultZone(layout.header));
  const symbol = options.symbol ?? rootFromPath(src.file) ?? 'ES';
  const tick = tickSizeFor(symbol, options.tickSize);
  const log = new IssueLog();
  const out = new SeriesCollector<TradeTick>(log, true);
  const { separator: sep, decimalComma } = layout;
  const iTime = map.time;
  const iDate = map.date;
  const iClock = map.clock;
  const iPrice = map.price!;
  const iSize = map.size!;
  const iSide = map.side;
  const need = Math.max(iTime ?? iDate ?? 0, iClock ?? 0, iPrice, iSize, iSide ?? 0);
  const row = new FieldScanner();
  const num = decimalComma ? (i: number) => toNumber(row.text(i), true) : (i: number) => row.number(i);

  forEachLineRange(text, (start, end, lineNo) => {
    if (lineNo <= layout.headerLines) return;
    const count = row.scanLine(text, start, end, sep);
    if (count <= need) {
      log.reject(lineNo, 'parse', `expected at least ${need + 1} fields, got ${count}`);
      return;
    }
    const time = rowTime(row, map, zone, out.lastTime, lineNo, log);
    if (time === null) return;
    const trade: TradeTick = { symbol, time, price: num(iPrice), size: num(iSize) };
    if (iSide !== undefined) {
      const sideText = row.text(iSide).trim();
      if (sideText !== '') {
        const side = SIDES.get(sideText.toLowerCase());
        if (!side) {
          log.reject(lineNo, 'parse', `unknown aggressor side "${sideText}" (expected ASK/BUY or BID/SELL)`);
          return;
        }
        trade.aggressor = side;
      }
    }
    out.offer(lineNo, trade, checkTrade(trade, tick));
  });

  return finishSeries('trades', out.items, out, log, {
    format: 'ticks',
    file: src.file,
    sha256: src.sha256,
    timezone: zone.timeZone,
    symbol,
    tickSize: tick,
  });
}
