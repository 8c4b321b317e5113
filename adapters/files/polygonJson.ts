/**
 * Polygon.io / Massive.com REST responses saved as JSON (../shared/data/polygon, README §10):
 *
 * - aggregates: stocks v2 `{o,h,l,c,v,t}` (t in ms) and futures `{open,high,low,close,volume,window_start}`
 *   (window_start in ns) -> Bar;
 * - trades: v3 `{price,size,sip_timestamp}` and futures `{price,size,timestamp}` (ns) -> TradeTick
 *   (REST trades carry no aggressor side);
 * - quotes: v3 and futures `{bid_price,bid_size,ask_price,ask_size,sip_timestamp|timestamp}` -> Quote.
 *
 * Nanosecond integers exceed 2^53 and JSON.parse would round them: they are quoted before
 * parsing and divided exactly with BigInt. Polygon returns trades and quotes newest first
 * by default; a page entirely in descending order is replayed ascending (and noted),
 * while a row out of order inside an ascending page is rejected like anywhere else.
 * Row numbers are 1-based positions in `results` as stored.
 */
import { basename } from 'node:path';
import type { Bar, Quote, TradeTick } from '../../core/types.ts';
import { decodeText } from './delimitedText.ts';
import { IssueLog } from './issueLog.ts';
import { checkBar, checkQuote, checkTrade, type Rejection } from './rowChecks.ts';
import { finishSeries, SeriesCollector, type FileBytes } from './seriesBuilder.ts';
import { DataFileError, type LoadedSeries, type LoaderOptions } from './seriesTypes.ts';
import { tickSizeFor } from './symbolGuess.ts';

export type PolygonShape = 'aggs' | 'trades' | 'quotes';

type Row = Record<string, unknown>;

/** Integers of 16+ digits after a key become strings, so that no precision is lost. */
const BIG_INT = /(:\s*)(-?\d{16,})(?=\s*[,}\]])/g;

/** Parses Polygon JSON keeping nanosecond integers exact (as strings). */
export function parsePolygonJson(text: string): unknown {
  return JSON.parse(text.replace(BIG_INT, '$1"$2"'));
}

/** The shape of a parsed response, from its first result; null when it is not an aggs/trades/quotes page. */
export function polygonShape(doc: unknown): PolygonShape | null {
  const results = (doc as { results?: unknown } | null)?.results;
  if (!Array.isArray(results)) return null;
  const first = results.find((r) => r && typeof r === 'object') as Row | undefined;
  if (!first) return null;
  if (('o' in first && 'c' in first) || ('open' in first && 'close' in first)) return 'aggs';
  if ('bid_price' in first || 'ask_price' in first || 'bid_size' in first) return 'quotes';
  if ('price' in first && 'size' in first) return 'trades';
  return null;
}

/** ms from a Polygon time: ns as a (quoted) 19-digit integer, else ms. */
function nsToMs(v: unknown): number {
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(BigInt(v) / 1_000_000n);
  if (typeof v === 'number' && Number.isFinite(v)) return v > 1e17 ? Math.floor(v / 1e6) : v;
  return Number.NaN;
}

const num = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN);
/** A quote side Polygon omitted stays absent (NaN), and rejects the row as missing-side. */
const optionalNum = (v: unknown): number => (v === undefined || v === null ? Number.NaN : num(v));

function rowTime(r: Row): number {
  if (r.t !== undefined) return nsToMs(r.t);
  for (const key of ['window_start', 'sip_timestamp', 'timestamp', 'participant_timestamp']) if (r[key] !== undefined) return nsToMs(r[key]);
  return Number.NaN;
}

/** The symbol a page is about: the option, the rows' ticker, the page's, else the file name (`AAPL&limit=2.json` -> AAPL). */
function pageSymbol(doc: Row, results: Row[], file: string, option: string | undefined): string {
  if (option) return option;
  const rowTicker = results.find((r) => typeof r?.ticker === 'string')?.ticker;
  if (typeof rowTicker === 'string') return rowTicker;
  if (typeof doc.ticker === 'string') return doc.ticker;
  const name = basename(file).replace(/\.json$/i, '').split(/[&?]/)[0]!;
  return /^[A-Za-z][A-Za-z0-9.:]*$/.test(name) ? name.toUpperCase() : 'UNKNOWN';
}

export function loadPolygonJson(src: FileBytes, options: LoaderOptions, expected?: PolygonShape): LoadedSeries {
  let doc: unknown;
  try {
    doc = parsePolygonJson(decodeText(src.bytes));
  } catch (err) {
    throw new DataFileError('unreadable', src.file, `${src.file} is not valid JSON: ${(err as Error).message}`);
  }
  const shape = polygonShape(doc);
  if (!shape) throw new DataFileError('unknown-format', src.file, `${src.file}: not a Polygon aggregates/trades/quotes response (no results[] of a known shape)`);
  if (expected && shape !== expected) {
    throw new DataFileError('bad-option', src.file, `${src.file} holds Polygon ${shape}, not ${expected}`, 'format');
  }
  const page = doc as Row;
  const results = (page.results as unknown[]).map((r) => (r && typeof r === 'object' ? (r as Row) : ({} as Row)));
  const symbol = pageSymbol(page, results, src.file, options.symbol);
  const tick = tickSizeFor(symbol, options.tickSize);
  const notes: string[] = [];

  // Newest-first pages are read oldest first.
  let order = results.map((_, i) => i);
  const times = results.map(rowTime).filter(Number.isFinite);
  if (times.length > 1 && times.every((t, i) => i === 0 || t <= times[i - 1]!) && times[0]! > times.at(-1)!) {
    order = order.reverse();
    notes.push('results were newest first (Polygon sort=desc): read in ascending time order');
  }

  const log = new IssueLog();
  const rowSymbol = (r: Row) => (typeof r.ticker === 'string' ? r.ticker : symbol);
  const meta = { format: `polygon-${shape}` as const, file: src.file, sha256: src.sha256, timezone: 'UTC', symbol, tickSize: tick, notes };

  if (shape === 'aggs') {
    const out = new SeriesCollector<Bar>(log, false);
    for (const i of order) {
      const r = results[i]!;
      const bar: Bar = {
        symbol: rowSymbol(r),
        time: rowTime(r),
        open: num(r.o ?? r.open),
        high: num(r.h ?? r.high),
        low: num(r.l ?? r.low),
        close: num(r.c ?? r.close),
        volume: num(r.v ?? r.volume ?? 0),
      };
      out.offer(i + 1, bar, timeProblem(bar.time) ?? checkBar(bar, tick));
    }
    return finishSeries('bars', out.items, out, log, meta);
  }
  if (shape === 'trades') {
    const out = new SeriesCollector<TradeTick>(log, true);
    for (const i of order) {
      const r = results[i]!;
      const trade: TradeTick = { symbol: rowSymbol(r), time: rowTime(r), price: num(r.price), size: num(r.size) };
      out.offer(i + 1, trade, timeProblem(trade.time) ?? checkTrade(trade, tick));
    }
    return finishSeries('trades', out.items, out, log, meta);
  }
  const out = new SeriesCollector<Quote>(log, true);
  for (const i of order) {
    const r = results[i]!;
    const quote: Quote = {
      symbol: rowSymbol(r),
      time: rowTime(r),
      bid: optionalNum(r.bid_price),
      bidSize: num(r.bid_size ?? 0),
      ask: optionalNum(r.ask_price),
      askSize: num(r.ask_size ?? 0),
    };
    out.offer(i + 1, quote, timeProblem(quote.time) ?? checkQuote(quote, tick));
  }
  return finishSeries('quotes', out.items, out, log, meta);
}

function timeProblem(time: number): Rejection | null {
  return Number.isFinite(time) ? null : ['parse', 'no readable timestamp (t, window_start, sip_timestamp or timestamp)'];
}
