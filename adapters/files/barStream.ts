/**
 * A bar file parsed in a worker thread while the replay already runs on its first bars
 * (issue 16: a backtest as fast as reading its CSV). The worker (barStreamWorker.ts) scans
 * the file with the loader of barColumnsFile.ts and hands over segments of columns as they
 * fill; this side is a BarTable (core/barColumns.ts) whose reads wait, synchronously, for
 * the bar they ask for: `has(i)` and `barAt(i)` block only until bar i is parsed, `length`
 * until the whole file is. The bars are the ones the in-thread loader gives, in the same
 * order, with the same rejections, hash and symbol; a file it would not stream (not CSV or
 * Sierra text, rows naming their symbol) is declined before any bar.
 *
 * Blocking is Atomics.wait on a counter the worker bumps after each message, and messages
 * are taken with receiveMessageOnPort: the replay's loop stays synchronous.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { BarColumns, type BarTable } from '../../core/barColumns.ts';
import type { Bar } from '../../core/types.ts';
import type { BarStreamJob, BarStreamMessage } from './barStreamWorker.ts';
import type { ReplayOptions } from './replaySource.ts';
import { DataFileError, type DataFileErrorCode, type SeriesFormat } from './seriesTypes.ts';

const SEGMENT_SHIFT = 13; // 8,192 bars a segment: the replay starts after ~400 KB of text
const CHUNK = 1 << 20;
/** A worker silent this long while a bar is awaited has died: fail rather than hang. */
const STALL_MS = 60_000;

/** Where bin/mia.js says the bundle is (dist/), when `mia` runs from it. */
const BUNDLE_DIR = Symbol.for('mia.bundleDir');

function workerEntry(): URL {
  const dist = (globalThis as Record<symbol, unknown>)[BUNDLE_DIR];
  return typeof dist === 'string' ? new URL('barStreamWorker.js', dist) : new URL('./barStreamBoot.mjs', import.meta.url);
}

/** Atomics.waitAsync: in Node 20, not yet in this TypeScript lib. */
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number, t: number): { async: false; value: string } | { async: true; value: Promise<string> } }).waitAsync;

export interface StreamedTail {
  sha256: string;
  rejected: number;
  rows: number;
}

export class StreamedBars implements BarTable {
  private readonly segments: BarColumns[] = [];
  private ready = 0;
  private taken = 0;
  private tail: { sha256: string; rejected: number } | null = null;
  private failure: Error | null = null;
  /** barAt: a new Bar at every call (from the segment's columns). */
  readonly freshBars = true;

  private constructor(
    private readonly port: MessagePort,
    private readonly signal: Int32Array,
    readonly file: string,
    readonly format: SeriesFormat,
    readonly symbol: string,
    /** Expected bars (file size over the first lines' length): for progress only. */
    readonly estimate: number,
  ) {}

  /**
   * Starts the worker on `file`; resolves once it has read the head (the format and symbol
   * known), or null when the file is not for streaming. Rejects with the loader's error.
   */
  static async open(file: string, options: ReplayOptions): Promise<StreamedBars | null> {
    const { port1, port2 } = new MessageChannel();
    const signal = new Int32Array(new SharedArrayBuffer(4));
    const job: BarStreamJob = { file, options, chunkBytes: CHUNK, segment: 1 << SEGMENT_SHIFT, port: port2, signal };
    const worker = new Worker(workerEntry(), { workerData: { barStream: job }, transferList: [port2] });
    let died: Error | null = null;
    worker.on('error', (err) => (died = err));
    // The first message, waited for without blocking: a worker that fails to start is an error, not a hang.
    const first = await new Promise<BarStreamMessage>((resolve, reject) => {
      const exited = () => reject(died ?? new Error(`${file}: the bar stream's worker stopped before reading`));
      worker.once('exit', exited);
      const poll = () => {
        if (Atomics.load(signal, 0) > 0) {
          worker.off('exit', exited);
          const m = receiveMessageOnPort(port1);
          if (m) return resolve(m.message as BarStreamMessage);
        }
        const w = waitAsync(signal, 0, 0, 1_000);
        if (w.async) void w.value.then(poll);
        else setImmediate(poll);
      };
      poll();
    });
    // Referenced until its first message (Atomics.waitAsync alone keeps no process alive), then
    // never what keeps the process running: the replay waits for it, synchronously, when it must.
    worker.unref();
    if (first.kind === 'decline') {
      port1.close();
      return null;
    }
    if (first.kind === 'error') throw rebuild(first);
    if (first.kind !== 'head') throw new Error(`${file}: bar stream began with ${first.kind}`);
    const table = new StreamedBars(port1, signal, file, first.format as SeriesFormat, first.symbol, first.estimate);
    table.taken = 1;
    return table;
  }

  /** True once bar `i` is parsed; false when the file has fewer bars. Waits for it. */
  has(i: number): boolean {
    while (i >= this.ready) {
      if (this.tail) return false;
      this.next();
    }
    return true;
  }

  /**
   * has(i) without blocking the thread: resolves once bar `i` is parsed (true) or the file
   * ends before it (false). The thread meanwhile goes on with its other work (loading the
   * engine's modules while the worker starts and parses its first segment).
   */
  async whenHas(i: number): Promise<boolean> {
    let waited = 0;
    // Atomics.waitAsync keeps no process alive (nor does the unreferenced worker): this timer does, while waiting.
    const alive = setInterval(() => undefined, 1 << 30);
    try {
      for (;;) {
        this.drain();
        if (this.failure) throw this.failure;
        if (i < this.ready) return true;
        if (this.tail) return false;
        const w = waitAsync(this.signal, 0, this.taken, 1_000);
        if (!w.async) {
          await new Promise((resolve) => setImmediate(resolve)); // posted, not yet visible: look again
        } else if ((await w.value) === 'timed-out' && Atomics.load(this.signal, 0) === this.taken) {
          waited += 1_000;
          if (waited >= STALL_MS) this.fail(new Error(`${this.file}: the bar stream's worker stalled`));
        }
      }
    } finally {
      clearInterval(alive);
    }
  }

  /** Bars parsed so far (never waits). */
  get parsed(): number {
    return this.ready;
  }

  /** True once the whole file is parsed. */
  get settled(): boolean {
    if (!this.tail && !this.failure) this.drain();
    return this.tail !== null;
  }

  /** Every bar of the file: waits for the end of the parse. */
  get length(): number {
    while (!this.tail) this.next();
    return this.ready;
  }

  /** The file's hash, rejected rows and bars: waits for the end of the parse. */
  finish(): StreamedTail {
    const rows = this.length;
    return { ...this.tail!, rows };
  }

  timeAt(i: number): number {
    if (i >= this.ready && !this.has(i)) throw new RangeError(`bar ${i} of ${this.ready}`);
    return this.segments[i >>> SEGMENT_SHIFT]!.time[i & ((1 << SEGMENT_SHIFT) - 1)]!;
  }

  barAt(i: number): Bar {
    if (i >= this.ready && !this.has(i)) throw new RangeError(`bar ${i} of ${this.ready}`);
    return this.segments[i >>> SEGMENT_SHIFT]!.barAt(i & ((1 << SEGMENT_SHIFT) - 1));
  }

  /** Takes every message posted so far, without waiting. */
  private drain(): void {
    while (!this.failure && !this.tail && this.taken < Atomics.load(this.signal, 0)) {
      const m = receiveMessageOnPort(this.port);
      if (!m) return; // posted, bumped, not yet visible: the next wait takes it
      this.taken++;
      this.take(m.message as BarStreamMessage);
    }
  }

  /** Waits for at least one more message and takes what came. */
  private next(): void {
    if (this.failure) throw this.failure;
    const before = this.taken;
    this.drain();
    let waited = 0;
    while (this.taken === before && !this.failure) {
      if (Atomics.wait(this.signal, 0, this.taken, 1_000) === 'timed-out' && Atomics.load(this.signal, 0) === this.taken) {
        waited += 1_000;
        if (waited >= STALL_MS) this.fail(new Error(`${this.file}: the bar stream's worker stalled`));
      }
      this.drain();
    }
    if (this.failure) throw this.failure;
  }

  private take(m: BarStreamMessage): void {
    switch (m.kind) {
      case 'segment':
        this.segments.push(BarColumns.over(this.symbol, m.length, m.columns));
        this.ready += m.length;
        return;
      case 'end':
        this.tail = { sha256: m.sha256, rejected: m.rejected };
        this.port.close();
        return;
      case 'error':
        this.failure = rebuild(m);
        this.port.close();
        return;
      default:
        this.failure = new Error(`${this.file}: unexpected bar stream message ${m.kind}`);
        this.port.close();
    }
  }

  private fail(err: Error): never {
    this.failure = err;
    this.port.close();
    throw err;
  }

  /** The loader's error, if the parse failed (the replay then failed on it). */
  get error(): Error | null {
    if (!this.tail && !this.failure) this.drain();
    return this.failure;
  }
}

function rebuild(m: Extract<BarStreamMessage, { kind: 'error' }>): Error {
  if (m.code !== undefined) return new DataFileError(m.code as DataFileErrorCode, m.file ?? '', m.message, m.option);
  const err = new Error(m.message);
  err.name = m.name;
  return err;
}
