/**
 * An append-only, write-ahead ledger: one JSON line per record, one file per CME trading
 * day (`<dir>/YYYY-MM-DD.jsonl`). An append is written with one `write` and, when `sync`
 * is on, `fdatasync`ed before it returns: whatever the caller does next (put an order on
 * the wire, save a snapshot that counts a fill) happens after the record is on disk.
 *
 * Appending never rewrites earlier bytes, so the cost of a record does not grow with the
 * history (a whole-document rewrite is quadratic over months). A process killed in the
 * middle of a write leaves at most one torn last line: it is reported (`torn`), moved
 * aside to `<file>.torn` and cut off when the ledger is opened for writing, never fatal.
 * A damaged line anywhere else is not a crash artefact: opening refuses it.
 */
import { appendFileSync, closeSync, existsSync, fdatasyncSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, truncateSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { TradingDayTracker } from '../../core/tradingDay.ts';
import { CorruptStateError } from './jsonDocument.ts';

const DAY_FILE = /^\d{4}-\d{2}-\d{2}\.jsonl$/;

/** A record cut short by a crash mid-write. */
export interface TornTail {
  file: string;
  /** 1-based line number of the torn line. */
  line: number;
  bytes: number;
  /** Where its bytes were kept (null when the ledger was opened read-only). */
  keptIn: string | null;
}

export interface LedgerEntry {
  file: string;
  line: number;
  value: unknown;
}

export interface Ledger {
  readonly dir: string;
  /** Torn last lines found at open (one per file at most). */
  readonly torn: readonly TornTail[];
  /** Every whole record found at open, oldest day first, in file order. */
  readonly entries: readonly LedgerEntry[];
  /**
   * Appends `value` as one line to the file of `time`'s trading day and, with `sync`,
   * makes it durable before returning. Synchronous on purpose: see the file comment.
   */
  append(value: unknown, time: number): void;
  /**
   * Creates, off the order path, the day file an append at `time` will need, and makes its
   * name durable (a directory fsync): the first record of a day then pays neither. The file
   * stays empty until a record comes, and an empty day file holds no records (reading it
   * finds nothing); one this ledger created and never wrote to is removed again at close.
   * Cheap when the file is ready. No-op when read-only.
   */
  prepare(time: number): void;
  /** Day files present, oldest first. */
  files(): string[];
  close(): void;
}

export interface LedgerOptions {
  /** fdatasync every append (default true). The backtest's memory store never gets here. */
  sync?: boolean;
  /** Read only: report torn tails without touching any file; append throws. */
  readOnly?: boolean;
}

function dayFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => DAY_FILE.test(f))
    .sort();
}

/** Opens (creating when writable) the ledger in `dir` and reads every record. */
export function openLedger(dir: string, { sync = true, readOnly = false }: LedgerOptions = {}): Ledger {
  if (!readOnly) mkdirSync(dir, { recursive: true });
  const torn: TornTail[] = [];
  const entries: LedgerEntry[] = [];
  for (const name of dayFiles(dir)) {
    const file = join(dir, name);
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n');
    // After the last newline: empty for a whole file, a torn record otherwise.
    const tail = lines.pop()!;
    lines.forEach((line, i) => {
      if (line.length === 0) return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (e) {
        throw new CorruptStateError(file, `line ${i + 1} is not JSON (${(e as Error).message}); only the last line may be torn by a crash`);
      }
      entries.push({ file, line: i + 1, value });
    });
    if (tail.length > 0) {
      const bytes = Buffer.byteLength(tail);
      let keptIn: string | null = null;
      if (!readOnly) {
        keptIn = `${file}.torn`;
        appendFileSync(keptIn, `${tail}\n`);
        truncateSync(file, Buffer.byteLength(text) - bytes);
      }
      torn.push({ file, line: lines.length + 1, bytes, keptIn });
    }
  }

  let fd: number | null = null;
  let fdDay = '';
  // Its own one-hour memo: the shared one in tradingDay() also serves risk at bar time, and
  // alternating with it (wall-clock appends, replayed bars) would make every append recompute.
  const days = new TradingDayTracker();
  // prepare() asks about a later time than append(): a memo of its own, so neither thrashes the other.
  const ahead = new TradingDayTracker();
  /** Days whose file exists with a durable name: opening them costs no directory fsync. */
  const ready = new Set<string>();
  /** Files prepare() created that no record has reached yet: removed at close if still empty. */
  const unwritten = new Set<string>();
  let closed = false;
  const fileFor = (day: string) => join(dir, `${day}.jsonl`);
  const syncDir = () => {
    const dirFd = openSync(dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  };
  /** Opens (creating) `day`'s file for appending; a new file's name is made durable too, not only its bytes. */
  const openDay = (day: string): { fd: number; created: boolean } => {
    const file = fileFor(day);
    const created = !ready.has(day) && !existsSync(file);
    const opened = openSync(file, 'a');
    if (created && sync) {
      try {
        syncDir();
      } catch (e) {
        closeSync(opened);
        throw e;
      }
    }
    ready.add(day);
    return { fd: opened, created };
  };

  return {
    dir,
    torn,
    entries,
    append(value, time) {
      if (readOnly) throw new Error(`ledger ${dir} is open read-only`);
      if (closed) throw new Error(`ledger ${dir} is closed`);
      const line = Buffer.from(`${JSON.stringify(value)}\n`);
      const day = days.dayOf(time);
      if (fd === null || day !== fdDay) {
        if (fd !== null) closeSync(fd);
        fd = null;
        fd = openDay(day).fd;
        fdDay = day;
      }
      unwritten.delete(day);
      // A regular file takes the whole buffer in one write; loop in case it does not.
      for (let off = 0; off < line.length; ) off += writeSync(fd, line, off);
      if (sync) fdatasyncSync(fd);
    },
    prepare(time) {
      if (readOnly || closed) return;
      const day = ahead.dayOf(time);
      if (day === fdDay || ready.has(day)) return;
      const opened = openDay(day);
      if (opened.created) unwritten.add(day);
      // Kept open when no day is: the first append then does not even open the file.
      if (fd === null) {
        fd = opened.fd;
        fdDay = day;
      } else closeSync(opened.fd);
    },
    files: () => dayFiles(dir).map((f) => join(dir, f)),
    close() {
      if (closed) return;
      closed = true;
      if (fd !== null) closeSync(fd);
      fd = null;
      // A prepared file no record reached leaves the directory as it would be without prepare().
      for (const day of unwritten) {
        const file = fileFor(day);
        try {
          if (statSync(file).size === 0) unlinkSync(file);
        } catch {
          // Gone already, or not ours to judge: an empty day file is harmless anyway.
        }
      }
      unwritten.clear();
    },
  };
}
