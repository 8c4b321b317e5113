/**
 * `mia signals verify|performance`: check the hash-chained signal log (the published
 * track record) and compute the performance of its signals. Both read a file only, so
 * they run anywhere, beside a running MIA or on a copy of the log someone published.
 *
 * Exit codes: 0 intact; 1 broken (the first broken seq is printed), missing or unreadable;
 * 2 bad usage.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { registerSignalsSwitch } from './control.ts';
import { signalLogPath, verifySignalLog, type SignalLogVerification } from '../adapters/signals/signalLog.ts';
import { signalPerformance, type SignalPerformance } from '../adapters/signals/signalPerformance.ts';
import { resolveHome } from './home.ts';
import { EXIT_FAILURE, EXIT_OK } from './usage.ts';

interface SignalsOptions {
  file?: string;
  home?: string;
  json?: boolean;
}

type Loaded = { path: string; verification: SignalLogVerification } | { path: string; error: string };

async function load(opts: SignalsOptions): Promise<Loaded> {
  const path = opts.file ? resolve(opts.file) : signalLogPath(resolveHome(opts.home));
  try {
    return { path, verification: verifySignalLog(await readFile(path, 'utf8')) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { path, error: code === 'ENOENT' ? `no signal log at ${path}` : `cannot read ${path} (${code ?? (e as Error).message})` };
  }
}

const print = (json: boolean | undefined, value: unknown, human: string) => process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human}\n`);

/** `mia signals verify`: returns the exit code. */
export async function verifyAction(opts: SignalsOptions): Promise<number> {
  const loaded = await load(opts);
  if ('error' in loaded) {
    if (opts.json) print(true, { ok: false, file: loaded.path, error: loaded.error }, '');
    process.stderr.write(`mia: ${loaded.error}\n`);
    return EXIT_FAILURE;
  }
  const v = loaded.verification;
  if (!v.ok) {
    const message = `signal log ${loaded.path} is BROKEN at seq ${v.brokenSeq} (line ${v.line}): ${v.reason}`;
    if (opts.json) print(true, { ok: false, file: loaded.path, brokenSeq: v.brokenSeq, line: v.line, reason: v.reason, intactRecords: v.records.length }, '');
    process.stderr.write(`mia: ${message}\n`);
    return EXIT_FAILURE;
  }
  print(
    opts.json,
    { ok: true, file: loaded.path, records: v.records.length, head: v.head },
    `signal log ${loaded.path} is intact: ${v.records.length} records${v.head ? `, head #${v.head.seq} ${v.head.hash}` : ''}`,
  );
  return EXIT_OK;
}

function formatPerformance(p: SignalPerformance): string {
  const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);
  const usd = (x: number | null) => (x === null ? 'n/a' : `$${x.toFixed(2)}`);
  return [
    `signals        ${p.signals} (published: ${p.published.premium} premium, ${p.published.public} public)${p.from ? `, ${p.from} .. ${p.to}` : ''}`,
    `resolved       ${p.resolved}: ${p.wins} won, ${p.losses} lost, ${p.flats} flat; ${p.open} open, ${p.void} void`,
    `win rate       ${pct(p.winRate)}`,
    `pnl            ${usd(p.pnl)} per contract after commissions (${p.points} points)`,
    `average        win ${usd(p.averageWin)}, loss ${usd(p.averageLoss)}, profit factor ${p.profitFactor ?? 'n/a'}`,
  ].join('\n');
}

/** `mia signals performance`: returns the exit code. */
export async function performanceAction(opts: SignalsOptions): Promise<number> {
  const loaded = await load(opts);
  if ('error' in loaded) {
    process.stderr.write(`mia: ${loaded.error}\n`);
    return EXIT_FAILURE;
  }
  const v = loaded.verification;
  if (!v.ok) {
    // A track record computed from a broken log would be a claim nobody can check.
    process.stderr.write(`mia: signal log ${loaded.path} is BROKEN at seq ${v.brokenSeq}: ${v.reason}; no performance is computed from it\n`);
    return EXIT_FAILURE;
  }
  const p = signalPerformance(v.records);
  print(opts.json, { file: loaded.path, head: v.head, ...p }, formatPerformance(p));
  return EXIT_OK;
}

export function registerSignalsCommands(program: Command): void {
  const signals = program.command('signals').description('the hash-chained signal log (phase 6 track record)');
  registerSignalsSwitch(signals);
  const common = (c: Command) =>
    c
      .option('--file <file>', 'signal log to read (default: <home>/signals/signal-log.jsonl)')
      .option('--home <dir>', 'MIA home; also MIA_HOME (default: working directory)')
      .option('--json', 'print the result as JSON');
  common(signals.command('verify').description('check the hash chain; exit 1 naming the first broken seq')).action(async (opts: SignalsOptions) => {
    process.exitCode = await verifyAction(opts);
  });
  common(signals.command('performance').description('win rate and P&L of the published signals, from a verified log')).action(async (opts: SignalsOptions) => {
    process.exitCode = await performanceAction(opts);
  });
}
