/**
 * Appends live market data to daily files, so that a user builds their own history in the
 * format the replay reads (historyCsv.ts):
 *   <dir>/<YYYY-MM-DD>/<symbol>.bars.csv | .quotes.csv | .trades.csv | .values.csv
 *   <dir>/<YYYY-MM-DD>/chain-<underlying>.json   (Polygon's option chain snapshot, once a day)
 * The date is the item's UTC date. A restarted recorder appends to the day's files and
 * skips bars at or before the last one already there (a bar is never recorded twice).
 */
import { closeSync, createWriteStream, existsSync, fstatSync, mkdirSync, openSync, readSync, statSync, type WriteStream } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Bar, Quote, TradeTick } from '../../core/types.ts';
import {
  BAR_CSV_HEADER,
  INDEX_VALUE_CSV_HEADER,
  QUOTE_CSV_HEADER,
  TRADE_CSV_HEADER,
  barCsvLine,
  fileSafe,
  indexValueCsvLine,
  quoteCsvLine,
  tradeCsvLine,
} from './historyCsv.ts';

export const utcDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export interface RecordedCounts {
  bars: number;
  quotes: number;
  trades: number;
  values: number;
  chains: number;
}

/** Time of the last row of a CSV we wrote (its first column), or undefined. */
function lastRowTime(path: string): number | undefined {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, 4096);
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, size - length);
    const lines = buf.toString('utf8').split('\n').filter((l) => l.length > 0);
    const time = Date.parse(lines.at(-1)?.split(',')[0] ?? '');
    return Number.isFinite(time) ? time : undefined;
  } finally {
    closeSync(fd);
  }
}

export class DailyRecorder {
  readonly counts: RecordedCounts = { bars: 0, quotes: 0, trades: 0, values: 0, chains: 0 };
  private readonly files = new Map<string, WriteStream>();
  private readonly lastBar = new Map<string, number>();
  private failure: Error | null = null;
  private readonly ending: Promise<void>[] = [];

  /** @param onError told once per failing file (disk full, permissions); recording of other files goes on */
  constructor(
    readonly dir: string,
    private readonly onError: (error: Error) => void = () => undefined,
  ) {}

  /** The first write error, if any (the command exits 1 with it). */
  get error(): Error | null {
    return this.failure;
  }

  bar(bar: Bar): boolean {
    const path = this.pathOf(bar.time, bar.symbol, 'bars');
    const stream = this.fileFor(path, BAR_CSV_HEADER);
    const last = this.lastBar.get(path);
    if (last !== undefined && bar.time <= last) return false;
    this.lastBar.set(path, bar.time);
    stream.write(barCsvLine(bar));
    this.counts.bars++;
    return true;
  }

  quote(quote: Quote): void {
    this.fileFor(this.pathOf(quote.time, quote.symbol, 'quotes'), QUOTE_CSV_HEADER).write(quoteCsvLine(quote));
    this.counts.quotes++;
  }

  trade(trade: TradeTick): void {
    this.fileFor(this.pathOf(trade.time, trade.symbol, 'trades'), TRADE_CSV_HEADER).write(tradeCsvLine(trade));
    this.counts.trades++;
  }

  indexValue(value: { symbol: string; time: number; value: number }): void {
    this.fileFor(this.pathOf(value.time, value.symbol, 'values'), INDEX_VALUE_CSV_HEADER).write(indexValueCsvLine(value));
    this.counts.values++;
  }

  chainPath(date: string, underlying: string): string {
    return join(this.dir, date, `chain-${fileSafe(underlying)}.json`);
  }

  hasChain(date: string, underlying: string): boolean {
    return existsSync(this.chainPath(date, underlying));
  }

  /** Writes the day's chain snapshot (atomically) unless the day already has one. */
  async chain(date: string, underlying: string, body: unknown): Promise<boolean> {
    const path = this.chainPath(date, underlying);
    if (existsSync(path)) return false;
    mkdirSync(dirname(path), { recursive: true });
    await writeFile(`${path}.tmp`, `${JSON.stringify(body)}\n`);
    await rename(`${path}.tmp`, path);
    this.counts.chains++;
    return true;
  }

  /** Flushes and closes every file. */
  async close(): Promise<void> {
    const streams = [...this.files.values()];
    this.files.clear();
    await Promise.all([...this.ending, ...streams.map((s) => new Promise<void>((resolve) => s.end(() => resolve())))]);
  }

  private pathOf(time: number, symbol: string, kind: 'bars' | 'quotes' | 'trades' | 'values'): string {
    return join(this.dir, utcDate(time), `${fileSafe(symbol)}.${kind}.csv`);
  }

  private fileFor(path: string, header: string): WriteStream {
    const open = this.files.get(path);
    if (open) return open;
    // A new day: the previous days' files are done (a late item reopens its file).
    for (const [other, stream] of this.files) {
      if (dirname(other) !== dirname(path)) {
        this.ending.push(new Promise<void>((resolve) => stream.end(() => resolve())));
        this.files.delete(other);
      }
    }
    mkdirSync(dirname(path), { recursive: true });
    const isNew = !existsSync(path) || statSync(path).size === 0;
    const existing = isNew ? undefined : lastRowTime(path);
    if (existing !== undefined && path.endsWith('.bars.csv')) this.lastBar.set(path, existing);
    const stream = createWriteStream(path, { flags: 'a' });
    stream.on('error', (err) => {
      if (!this.failure) this.failure = err;
      this.onError(new Error(`cannot write ${path}: ${err.message}`));
    });
    if (isNew) stream.write(`${header}\n`);
    this.files.set(path, stream);
    return stream;
  }
}
