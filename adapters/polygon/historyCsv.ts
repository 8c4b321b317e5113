/**
 * The CSV files `mia data download` and `mia data record` write, read back by the replay's
 * generic CSV loader: a header line, one row per item, ISO-8601 UTC times (bar time = bar
 * open), numbers in their shortest exact decimal form.
 */
import type { Bar, Quote, TradeTick } from '../../core/types.ts';

export const BAR_CSV_HEADER = 'time,open,high,low,close,volume';
export const QUOTE_CSV_HEADER = 'time,bid,ask,bidSize,askSize';
export const TRADE_CSV_HEADER = 'time,price,size';
export const INDEX_VALUE_CSV_HEADER = 'time,value';

const iso = (ms: number) => new Date(ms).toISOString();

export const barCsvLine = (b: Bar): string => `${iso(b.time)},${b.open},${b.high},${b.low},${b.close},${b.volume}\n`;
export const quoteCsvLine = (q: Quote): string => `${iso(q.time)},${q.bid},${q.ask},${q.bidSize},${q.askSize}\n`;
export const tradeCsvLine = (t: TradeTick): string => `${iso(t.time)},${t.price},${t.size}\n`;
export const indexValueCsvLine = (v: { time: number; value: number }): string => `${iso(v.time)},${v.value}\n`;

/** A symbol as a file name part: `I:SPX` -> `I_SPX`. */
export const fileSafe = (symbol: string): string => symbol.replace(/[^A-Za-z0-9._-]/g, '_');
