/**
 * A market-data file as a stream beside the bars of a replay (`mia backtest --stream`):
 * trades with their aggressor (tick files), quotes (Lean quote zips, Polygon quotes, CSV
 * bid/ask with sizes: quoteText.ts) and order-book snapshots (the depth columns of a DOM file such as the NQ
 * `Timestamp,Price,Size,Side,DOM_BID,DOM_ASK` export). Any format `mia data inspect`
 * reads is accepted through loadSeries; a file of bars is refused (bars go to --data).
 *
 * Book snapshots: each row's depth is unquoted JSON after the fourth field
 * (`{"25313.5": 6, ...},{"25314.0": 3, ...}`); bids best (highest) first, asks best
 * (lowest) first. A snapshot takes the time of its row's trade as the tick loader read it
 * (same zone), so the file must load without a rejected row for the two to line up.
 */
import type { BookLevel, BookSnapshot, Quote, TradeTick } from '../../core/types.ts';
import { decodeText } from './delimitedText.ts';
import { loadSeries } from './loadSeries.ts';
import { readDataFile } from './seriesBuilder.ts';
import { isQuoteHeader, loadQuoteText } from './quoteText.ts';
import { textLayout } from './ohlcvText.ts';
import { DataFileError, type LoadedSeries, type LoaderOptions } from './seriesTypes.ts';

export interface MarketStream {
  series: Exclude<LoadedSeries, { kind: 'bars' }>;
  trades: TradeTick[];
  quotes: Quote[];
  books: BookSnapshot[];
}

function levels(json: string, file: string, line: number, descending: boolean): BookLevel[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new DataFileError('unreadable', file, `${file} line ${line}: the depth is not JSON`);
  }
  if (!parsed || typeof parsed !== 'object') throw new DataFileError('unreadable', file, `${file} line ${line}: the depth is not a price -> size object`);
  const out = Object.entries(parsed as Record<string, unknown>).map(([p, s]) => ({ price: Number(p), size: Number(s) }));
  if (out.some((l) => !(Number.isFinite(l.price) && l.price > 0 && Number.isFinite(l.size) && l.size >= 0))) {
    throw new DataFileError('unreadable', file, `${file} line ${line}: a depth level is not a price and a size`);
  }
  return out.sort((a, b) => (descending ? b.price - a.price : a.price - b.price));
}

/** Book snapshots of a DOM file's rows, timed by the rows' trades (see the module notes); [] when it has no depth columns. */
export function domSnapshots(text: string, file: string, trades: readonly TradeTick[], symbol: string): BookSnapshot[] {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().toUpperCase());
  if (header[4] !== 'DOM_BID' || header[5] !== 'DOM_ASK') return [];
  const books: BookSnapshot[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    let at = -1;
    for (let k = 0; k < 4; k++) at = line.indexOf(',', at + 1);
    const depth = at < 0 ? '' : line.slice(at + 1);
    const cut = depth.indexOf('},{');
    if (cut < 0) throw new DataFileError('unreadable', file, `${file} line ${i + 1}: expected DOM_BID and DOM_ASK objects after the fourth field`);
    const trade = trades[books.length];
    if (!trade) throw new DataFileError('unreadable', file, `${file}: more depth rows than trades read (a row was rejected): depth cannot be timed`);
    books.push({ symbol, time: trade.time, bids: levels(depth.slice(0, cut + 1), file, i + 1, true), asks: levels(depth.slice(cut + 2), file, i + 1, false) });
  }
  if (books.length !== trades.length) throw new DataFileError('unreadable', file, `${file}: ${books.length} depth rows but ${trades.length} trades: depth cannot be timed`);
  return books;
}

export async function loadMarketStream(path: string, options: LoaderOptions = {}): Promise<MarketStream> {
  if (options.format === undefined) {
    // CSV bid/ask with sizes: not a format of loadSeries (which reads bars and ticks from text).
    const src = await readDataFile(path).catch(() => null);
    if (src && !/\.(zip|json|bin|gz)$/i.test(src.file) && isQuoteHeader(textLayout(decodeText(src.bytes.subarray(0, 4096))).header)) {
      const series = loadQuoteText(src, options);
      return { series, trades: [], quotes: series.items, books: [] };
    }
  }
  const series = await loadSeries(path, options);
  if (series.kind === 'bars') throw new DataFileError('unsupported', series.file, `${series.file} holds bars (${series.format}): bars go to --data, a stream carries trades, quotes or book snapshots`);
  if (series.kind === 'quotes') return { series, trades: [], quotes: series.items, books: [] };
  let books: BookSnapshot[] = [];
  if (series.format === 'ticks') {
    const { bytes } = await readDataFile(series.file);
    books = domSnapshots(decodeText(bytes), series.file, series.items, series.symbol);
  }
  return { series, trades: series.items, quotes: [], books };
}
