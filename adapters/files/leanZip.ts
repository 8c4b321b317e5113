/**
 * QuantConnect Lean future zips (../shared/data/es/lean, README §1): one headerless CSV
 * per contract, `YYYYMMDD_es_minute_<trade|quote>_<YYYYMM>.csv` in a minute zip (first
 * column = ms since 00:00 UTC of the file date) or `es_<trade|quote>_<YYYYMM>.csv` in an
 * hour/daily zip (first column `yyyyMMdd HH:mm`). Prices are not scaled. Times are UTC
 * (Lean's market-hours entry for ES); `tz` overrides for other Lean assets.
 *
 * - trade: `time, open, high, low, close, volume` -> Bar (time = bar open).
 * - quote: `time, bid O/H/L/C, last bid size, ask O/H/L/C, last ask size` -> Quote: the
 *   closing bid and ask with their sizes, stamped at the bar's END (when they were
 *   current; stamping them at the open would look ahead). A side Lean left empty
 *   rejects the row as `missing-side`.
 *
 * A zip holds several contracts: `symbol` keeps one, otherwise one contract per CME
 * trading day is chosen (most volume / most quote rows, or the calendar roll rule),
 * optionally back-adjusted (core/contractRoll.ts). A directory of zips is read as one
 * series (files in name order).
 */
import { createRequire } from 'node:module';
import type * as Fflate from 'fflate';

/** fflate loads when a zip is read: every `mia run` and `mia backtest` of a text file starts without it. */
let fflate: typeof Fflate | null = null;
const unzipSync: typeof Fflate.unzipSync = (...args) => (fflate ??= createRequire(import.meta.url)('fflate') as typeof Fflate).unzipSync(...args);
import { basename } from 'node:path';
import { buildContinuous, contractFromExpiryMonth, contractSymbol, parseContract } from '../../core/contractRoll.ts';
import type { Bar, Quote } from '../../core/types.ts';
import { decodeText, forEachLineRange } from './delimitedText.ts';
import { FieldScanner } from './fieldScanner.ts';
import { IssueLog } from './issueLog.ts';
import { zoneFor } from './loaderOptions.ts';
import { checkBar, checkQuote } from './rowChecks.ts';
import { finishSeries, SeriesCollector, type FileBytes } from './seriesBuilder.ts';
import { DataFileError, type ContractSummary, type LoadedSeries, type LoaderOptions } from './seriesTypes.ts';
import { tickSizeFor } from './symbolGuess.ts';
import type { ZoneClock } from '../../core/zonedTime.ts';

export type LeanTickType = 'trade' | 'quote';

const MINUTE_ENTRY = /^(\d{4})(\d{2})(\d{2})_([a-z]+)_(minute|second|tick)_(trade|quote|openinterest)_(\d{6})\.csv$/i;
const BAR_ENTRY = /^([a-z]+)_(trade|quote|openinterest)_(\d{6})\.csv$/i;
const RESOLUTION_MS: Record<string, number> = { minute: 60_000, second: 1_000 };
const COMMA = 44;

interface EntryInfo {
  name: string;
  tickType: string;
  contract: string;
  /** 00:00 UTC of the file date for minute files (times are offsets from it); null when rows carry dates. */
  dayStart: number | null;
  /** Bar period when the entry states it; null for hour/daily zips (inferred, or from the folder). */
  periodMs: number | null;
}

function entryInfo(name: string, zipPath: string): EntryInfo | null {
  const base = name.split('/').at(-1)!;
  let m = MINUTE_ENTRY.exec(base);
  if (m) {
    const c = contractFromExpiryMonth(m[4]!, m[7]!);
    if (!c) return null;
    return {
      name: base,
      tickType: m[6]!.toLowerCase(),
      contract: contractSymbol(c),
      dayStart: Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!),
      periodMs: RESOLUTION_MS[m[5]!.toLowerCase()] ?? null,
    };
  }
  m = BAR_ENTRY.exec(base);
  if (m) {
    const c = contractFromExpiryMonth(m[1]!, m[3]!);
    if (!c) return null;
    const folder = /(?:^|[/\\])(hour|daily)[/\\]/i.exec(zipPath)?.[1]?.toLowerCase();
    return { name: base, tickType: m[2]!.toLowerCase(), contract: contractSymbol(c), dayStart: null, periodMs: folder === 'hour' ? 3_600_000 : folder === 'daily' ? 86_400_000 : null };
  }
  return null;
}

/** Trade or quote, from the entry names of a zip; null when it is not a Lean future zip. */
export function leanZipTickType(bytes: Uint8Array, zipPath: string): LeanTickType | null {
  let kind: LeanTickType | null = null;
  try {
    // The filter sees every entry's name; returning false decompresses nothing.
    unzipSync(bytes, {
      filter: (f) => {
        const info = entryInfo(f.name, zipPath);
        if (!kind && info && (info.tickType === 'trade' || info.tickType === 'quote')) kind = info.tickType;
        return false;
      },
    });
  } catch {
    return null;
  }
  return kind;
}

interface ContractRows<T> {
  collector: SeriesCollector<T & { time: number }>;
  /** This contract's own issues: a report for one kept contract shows only its rows. */
  log: IssueLog;
  activity: number;
}

/** One Lean zip, or every zip of one tick type in a directory (`files` in order). */
export function loadLeanZips(files: readonly FileBytes[], tickType: LeanTickType, options: LoaderOptions, series: { file: string; sha256: string }): LoadedSeries {
  const zone = zoneFor(series.file, options, 'UTC');
  const byContract = new Map<string, ContractRows<Bar | Quote>>();
  let periodMs: number | null = null;
  const wanted = options.symbol ? wantedContract(options.symbol, series.file) : null;

  for (const src of files) {
    let entries: Record<string, Uint8Array>;
    try {
      entries = unzipSync(src.bytes);
    } catch (err) {
      throw new DataFileError('unreadable', src.file, `${src.file} is not a readable zip: ${(err as Error).message}`);
    }
    for (const name of Object.keys(entries).sort()) {
      const info = entryInfo(name, src.file);
      if (!info) throw new DataFileError('unsupported', src.file, `${src.file}: entry "${name}" is not a Lean future trade/quote file (YYYYMMDD_es_minute_trade_YYYYMM.csv)`);
      if (info.tickType !== tickType) continue;
      periodMs ??= info.periodMs;
      let rows = byContract.get(info.contract);
      if (!rows) {
        const log = new IssueLog();
        rows = { collector: new SeriesCollector(log, tickType === 'quote'), log, activity: 0 };
        byContract.set(info.contract, rows);
      }
      rows.log.entry = files.length > 1 ? `${basename(src.file)}:${info.name}` : info.name;
      const tick = tickSizeFor(info.contract, options.tickSize);
      const text = decodeText(entries[name]!);
      if (tickType === 'trade') readTrades(text, info, zone, tick, rows as ContractRows<Bar>, rows.log);
      else readQuotes(text, info, zone, tick, rows as ContractRows<Quote>, rows.log, periodMs);
      rows.log.entry = undefined;
    }
  }

  const contracts: ContractSummary[] = [...byContract].map(([symbol, r]) => ({
    symbol,
    rows: r.collector.items.length,
    rejected: r.log.rejected,
    activity: r.activity,
  }));
  const itemsOf = (symbol: string) => byContract.get(symbol)!.collector.items;

  let items: (Bar | Quote)[];
  let symbol: string;
  let rolls: ReturnType<typeof buildContinuous>['rolls'] = [];
  const notes: string[] = [];
  if (wanted) {
    if (!byContract.has(wanted)) {
      throw new DataFileError('bad-option', series.file, `contract ${wanted} is not in ${series.file} (found: ${[...byContract.keys()].join(', ') || 'none'})`, 'symbol');
    }
    items = itemsOf(wanted);
    symbol = wanted;
  } else if (byContract.size === 0) {
    items = [];
    symbol = 'ES';
  } else {
    const continuous = buildContinuous(new Map([...byContract].map(([s, r]) => [s, r.collector.items])), {
      roll: options.roll ?? 'volume',
      backAdjust: options.backAdjust ?? false,
      weight: tickType === 'trade' ? (b) => (b as Bar).volume : () => 1,
      price: tickType === 'trade' ? (b) => (b as Bar).close : (q) => ((q as Quote).bid + (q as Quote).ask) / 2,
      shift: tickType === 'trade' ? (b, d) => shiftBar(b as Bar, d) : (q, d) => shiftQuote(q as Quote, d),
    });
    items = continuous.items;
    rolls = continuous.rolls;
    symbol = items.at(-1)?.symbol ?? [...byContract.keys()][0]!;
    notes.push(
      `${byContract.size} contract(s) in the file; kept one per trading day by ${options.roll ?? 'volume'}${options.backAdjust ? ', back-adjusted' : ''}`,
    );
  }

  // Source rows of the kept items, for the gap report (keyed by contract and time: back-adjusted items are copies).
  const rowOf = new Map<string, [number, string | undefined]>();
  for (const [contract, r] of byContract) {
    const c = r.collector;
    for (let i = 0; i < c.items.length; i++) {
      const key = `${contract}@${c.items[i]!.time}`;
      if (!rowOf.has(key)) rowOf.set(key, [c.rows[i]!, c.entryOf(i)]);
    }
  }
  const sourceOf = items.map((it) => rowOf.get(`${it.symbol}@${it.time}`));
  const rows = sourceOf.map((src) => src?.[0] ?? 0);
  const entriesOf = sourceOf.map((src) => src?.[1]);

  // The report covers the kept contract, or every contract when the series draws from all.
  const log = new IssueLog();
  for (const [contract, r] of byContract) if (!wanted || contract === wanted) log.merge(r.log);

  const meta = {
    format: tickType === 'trade' ? ('lean-trade-zip' as const) : ('lean-quote-zip' as const),
    file: series.file,
    sha256: series.sha256,
    timezone: zone.timeZone,
    symbol,
    tickSize: tickSizeFor(symbol, options.tickSize),
    periodMs: tickType === 'trade' ? periodMs : null,
    contracts: contracts.sort((a, b) => b.activity - a.activity),
    rolls,
    notes,
  };
  const index = { rows, entryOf: (i: number) => entriesOf[i] };
  return tickType === 'trade' ? finishSeries('bars', items as Bar[], index, log, meta) : finishSeries('quotes', items as Quote[], index, log, meta);
}

/** `ESZ13`, `ESZ3`, or Lean's `201312` -> the contract symbol used in the zip. */
function wantedContract(option: string, file: string): string {
  const byMonth = /^\d{6}$/.test(option) ? contractFromExpiryMonth('ES', option) : null;
  const parsed = byMonth ?? parseContract(option);
  if (!parsed) throw new DataFileError('bad-option', file, `"${option}" is not a contract (ESZ13, ESZ3 or 201312)`, 'symbol');
  return contractSymbol(parsed);
}

const shiftBar = (b: Bar, d: number): Bar => ({ ...b, open: b.open + d, high: b.high + d, low: b.low + d, close: b.close + d });
const shiftQuote = (q: Quote, d: number): Quote => ({ ...q, bid: q.bid + d, ask: q.ask + d });

/** Row time: an offset from the file's UTC midnight, or a `yyyyMMdd HH:mm` stamp in the zone. */
function rowTime(row: FieldScanner, info: EntryInfo, zone: ZoneClock, notBefore: number): number {
  if (info.dayStart !== null) {
    const ms = row.number(0);
    return Number.isInteger(ms) && ms >= 0 && ms < 86_400_000 ? info.dayStart + ms : Number.NaN;
  }
  const stamp = row.stamp(0);
  if (!stamp) return Number.NaN;
  return stamp.instant ? stamp.ms : zone.toUtc(stamp.ms, notBefore);
}

function readTrades(text: string, info: EntryInfo, zone: ZoneClock, tick: number | null, rows: ContractRows<Bar>, log: IssueLog): void {
  const out = rows.collector;
  const row = new FieldScanner();
  forEachLineRange(text, (start, end, lineNo) => {
    const count = row.scanRange(text, start, end, COMMA);
    if (count < 6) {
      log.reject(lineNo, 'parse', `expected 6 fields, got ${count}`);
      return;
    }
    const time = rowTime(row, info, zone, out.lastTime);
    if (Number.isNaN(time)) {
      log.reject(lineNo, 'parse', `unreadable time "${row.text(0)}"`);
      return;
    }
    const bar: Bar = { symbol: info.contract, time, open: row.number(1), high: row.number(2), low: row.number(3), close: row.number(4), volume: row.number(5) };
    if (out.offer(lineNo, bar, checkBar(bar, tick))) rows.activity += bar.volume;
  });
}

function readQuotes(text: string, info: EntryInfo, zone: ZoneClock, tick: number | null, rows: ContractRows<Quote>, log: IssueLog, periodMs: number | null): void {
  const out = rows.collector;
  const period = info.periodMs ?? periodMs;
  const row = new FieldScanner();
  forEachLineRange(text, (start, end, lineNo) => {
    const count = row.scanRange(text, start, end, COMMA);
    if (count < 11) {
      log.reject(lineNo, 'parse', `expected 11 fields, got ${count}`);
      return;
    }
    const open = rowTime(row, info, zone, out.lastTime);
    if (Number.isNaN(open)) {
      log.reject(lineNo, 'parse', `unreadable time "${row.text(0)}"`);
      return;
    }
    if (period === null) {
      log.reject(lineNo, 'parse', 'bar period unknown (not a minute zip, not under an hour/ or daily/ folder): cannot stamp the closing quote');
      return;
    }
    const quote: Quote = {
      symbol: info.contract,
      time: open + period,
      bid: row.number(4),
      bidSize: row.number(5),
      ask: row.number(9),
      askSize: row.number(10),
    };
    if (out.offer(lineNo, quote, checkQuote(quote, tick))) rows.activity += 1;
  });
}
