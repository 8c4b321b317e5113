/**
 * The streaming scan of a CSV or Sierra Chart bar file: read in chunks, hashed, every row
 * read and checked by ohlcvText.ts's reader and rowChecks.ts as it streams, accepted bars
 * handed to a sink. barColumnsFile.ts fills columns from it in the calling thread;
 * barStreamWorker.ts fills segments in a worker thread (kept apart from the full loaders,
 * so that the worker loads only this).
 */
import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import type { Bar } from '../../core/types.ts';
import { detectFormat } from './detectFormat.ts';
import { IssueLog } from './issueLog.ts';
import { OhlcvByteReader } from './ohlcvBytes.ts';
import { OhlcvRowReader } from './ohlcvText.ts';
import type { ReplayOptions } from './replaySource.ts';
import { checkBar, TimeOrder } from './rowChecks.ts';
import { DataFileError, type SeriesFormat } from './seriesTypes.ts';

/** What the streaming scan learnt of a file from its first chunk. */
export interface StreamHead {
  format: SeriesFormat;
  symbol: string;
  /** Every row carries ask and bid volumes. */
  sides: boolean;
  /** The file names no symbol per row: every bar is `symbol` (a streamed replay can never meet a second one). */
  oneSymbol: boolean;
  /** Expected bars, from the file size and the first lines' length. */
  estimate: number;
}

/** Where the streaming scan puts accepted rows (the Bar is reused: copy what you keep). */
export interface RowSink {
  /** Called once, before the first row; false declines the file (the full loader takes it). */
  start(head: StreamHead): boolean;
  row(bar: Bar): void;
}

/** What a streaming scan ends with (rows went to the sink). */
export interface StreamTail {
  sha256: string;
  rejected: number;
}

/**
 * Reads CSV or Sierra text `file` in chunks of `chunkBytes`, hashing it and handing every
 * accepted row to `sink` in file order, with the checks of ohlcvText.ts. Null when the file
 * is not such text, its rows name several symbols, or the sink declines it.
 */
export async function scanTextRows(file: string, options: ReplayOptions, chunkBytes: number, sink: RowSink): Promise<StreamTail | null> {
  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) return null;
    size = st.size;
  } catch {
    return null; // the full loader names the problem
  }
  const fh = await open(file, 'r').catch(() => null);
  if (!fh) return null;
  try {
    const hash = createHash('sha256');
    let buf = Buffer.allocUnsafe(Math.min(chunkBytes, Math.max(size, 1)));
    let filled = 0;
    let eof = false;
    const fill = async () => {
      while (filled < buf.length && !eof) {
        const { bytesRead } = await fh.read(buf, filled, buf.length - filled, null);
        if (bytesRead === 0) eof = true;
        else {
          hash.update(buf.subarray(filled, filled + bytesRead));
          filled += bytesRead;
        }
      }
    };
    await fill();
    const head = buf.subarray(0, filled);
    if (head[0] === 0x7b || head[0] === 0x5b) return null; // JSON: the full loader
    const format = options.format ?? detectFormat(head, file, options.columns);
    if (format !== 'csv' && format !== 'sierra') return null;

    let bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
    const reader = new OhlcvRowReader(head.toString('utf8', bom ? 3 : 0, Math.min(filled, 1 << 16)), file, options);
    const sides = reader.map.askVolume !== undefined && reader.map.bidVolume !== undefined;
    if (sides !== (reader.map.askVolume !== undefined || reader.map.bidVolume !== undefined)) return null;
    // The mean line length of the first 64 KiB (not of the whole first chunk: that made the estimate ~60x short).
    const sampled = Math.min(filled, 1 << 16);
    let newlines = 0;
    for (let i = 0; i < sampled; i++) if (head[i] === 10) newlines++;
    const avgLine = Math.max(16, sampled / Math.max(1, newlines));
    if (!sink.start({ format, symbol: reader.symbol, sides, oneSymbol: reader.map.symbol === undefined, estimate: (size / avgLine) * 1.02 + 16 })) return null;
    const log = new IssueLog();
    const order = new TimeOrder(false);
    const scratch = { symbol: '', time: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 } as Bar;
    let lineNo = 0;
    let mixed = false;

    const bytes = OhlcvByteReader.of(reader);
    /** A line the byte reader does not take, as text: the string path (blank lines skipped as forEachLineRange does). */
    const textLine = (from: number, stop: number) => {
      const text = buf.toString('utf8', from, stop);
      const first = text.charCodeAt(0);
      if ((first === 32 || first === 9) && text.trim().length === 0) return;
      row(text, 0, text.length);
    };
    const row = (text: string, start: number, stop: number) => {
      if (mixed || !reader.read(text, start, stop, lineNo, order.lastTime, log, scratch)) return;
      accept();
    };
    const accept = () => {
      const why = checkBar(scratch, reader.tick) ?? order.check(scratch.time);
      if (why) {
        log.reject(lineNo, why[0], why[1]);
        return;
      }
      order.accept(scratch.time);
      if (scratch.symbol !== reader.symbol) {
        mixed = true;
        return;
      }
      sink.row(scratch);
    };
    /** The complete lines of `buf[from, to)` (it ends with a newline unless it is the file's tail), numbered on from `lineNo`. */
    const lines = (from: number, to: number) => {
      let start = from;
      while (start < to) {
        let end = buf.indexOf(10, start);
        if (end < 0 || end > to) end = to;
        lineNo++;
        let stop = end;
        if (stop > start && buf[stop - 1] === 13) stop--;
        if (stop > start) {
          if (bytes && !mixed && bytes.read(buf, start, stop, lineNo, order.lastTime, scratch)) accept();
          else textLine(start, stop);
        }
        start = end + 1;
      }
    };

    for (;;) {
      const last = eof ? filled : buf.lastIndexOf(10, filled - 1) + 1;
      if (last === 0 && !eof) {
        // A line longer than the buffer: grow it.
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, filled);
        buf = bigger;
      } else {
        lines(bom ? 3 : 0, last);
        if (mixed) return null;
        bom = false;
        buf.copy(buf, 0, last, filled);
        filled -= last;
        if (eof) break;
      }
      await fill();
      if (eof && filled === 0) break;
    }
    return { sha256: hash.digest('hex'), rejected: log.rejected };
  } catch (err) {
    if (err instanceof DataFileError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataFileError('unreadable', file, `cannot read ${file}: ${code ?? (err as Error).message}`);
  } finally {
    await fh.close();
  }
}
