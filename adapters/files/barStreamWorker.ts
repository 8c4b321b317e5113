/**
 * Inside the worker thread of barStream.ts: scans one CSV/Sierra bar file
 * (textRowScan.ts: the same reader, checks and rejections) and posts its
 * bars in segments of columns as they fill, each segment's memory transferred (never
 * copied), then the file's hash and rejection count. Every message is followed by a bump
 * of the shared counter, so that the reading thread can block on it (Atomics.wait) and take
 * the message synchronously (receiveMessageOnPort) in the middle of its own loop.
 *
 * Messages, in order: `head` (or `decline`), `segment`..., `end`; `error` at any point.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { BarColumns, mapColumns, type Column, type ColumnSet } from '../../core/barColumns.ts';
import { scanTextRows } from './textRowScan.ts';
import type { ReplayOptions } from './replaySource.ts';
import { DataFileError } from './seriesTypes.ts';

export interface BarStreamJob {
  file: string;
  options: ReplayOptions;
  chunkBytes: number;
  /** Bars per segment (a power of two). */
  segment: number;
  port: MessagePort;
  /** Int32Array over a SharedArrayBuffer: [0] messages posted. */
  signal: Int32Array;
}

export type SegmentColumns = ColumnSet;

export type BarStreamMessage =
  | { kind: 'head'; format: string; symbol: string; sides: boolean; oneSymbol: boolean; estimate: number }
  | { kind: 'decline' }
  | { kind: 'segment'; length: number; columns: SegmentColumns }
  | { kind: 'end'; sha256: string; rejected: number }
  | { kind: 'error'; name: string; code?: string; file?: string; option?: string; message: string };

export async function runBarStream(job: BarStreamJob): Promise<void> {
  const { port, signal } = job;
  const post = (m: BarStreamMessage, transfer: ArrayBuffer[] = []) => {
    port.postMessage(m, transfer);
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  };
  let symbol = '';
  let sides = false;
  let seg: BarColumns | null = null;
  const flush = () => {
    if (!seg || seg.length === 0) return;
    const n = seg.length;
    const cut = <C extends Column>(c: C): C => (c.length === n ? c : (c.slice(0, n) as C));
    const columns = mapColumns(seg, cut);
    const buffers = Object.values(columns).filter((c): c is Column => c !== null).map((c) => c.buffer as ArrayBuffer);
    post({ kind: 'segment', length: n, columns }, buffers);
    seg = null;
  };
  try {
    const tail = await scanTextRows(job.file, job.options, job.chunkBytes, {
      start(h) {
        // A file whose rows name their symbol could turn out mixed half-way: the full loader takes it.
        if (!h.oneSymbol) return false;
        symbol = h.symbol;
        sides = h.sides;
        post({ kind: 'head', format: h.format, symbol: h.symbol, sides: h.sides, oneSymbol: h.oneSymbol, estimate: h.estimate });
        return true;
      },
      row(bar) {
        if (!seg) seg = new BarColumns(symbol, job.segment, sides);
        seg.push(bar);
        if (seg.length === job.segment) flush();
      },
    });
    if (!tail) {
      post({ kind: 'decline' });
      return;
    }
    flush();
    post({ kind: 'end', sha256: tail.sha256, rejected: tail.rejected });
  } catch (err) {
    const e = err as Error;
    post({
      kind: 'error',
      name: e.name,
      message: e.message,
      ...(err instanceof DataFileError ? { code: err.code, file: err.file, ...(err.option !== undefined ? { option: err.option } : {}) } : {}),
    });
  } finally {
    port.close();
  }
}

if (workerData && (workerData as { barStream?: BarStreamJob }).barStream) await runBarStream((workerData as { barStream: BarStreamJob }).barStream);
