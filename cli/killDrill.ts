/**
 * `mia kill --drill`: the phase-0 kill-switch drill on a paper venue. A session runs on the
 * simulated market through the embedded paper DTC server (its own state in memory: the
 * home's snapshots are never touched); the drill opens one position, then
 *
 *   kill -> verified flat (risk killed, every order cancelled, the position closed by the
 *   venue's fills) -> resume (risk back through reconciling: the venue's own reconciliation
 *   reports position 0) -> normal.
 *
 * Every step is logged to `<home>/logs/phase_0_setup/mia.log`, and the file is read back: the
 * drill's lines on disk are the `logsWritten` check. A drill that completed is recorded
 * through the evidence store as setup evidence `killSwitchTested` and `logsWritten`
 * (source `kill-drill`, provenance `dtc-paper`: the venue path drilled).
 * Exit codes: 0 drilled and recorded; 1 a step did not happen in time (named); 2 bad flags.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../config/load.ts';
import { phaseLogFolder } from '../config/gates.ts';
import { EMBEDDED_PAPER_ACCOUNT } from '../config/accounts.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { openMemoryStateStore } from '../adapters/store/memoryStateStore.ts';
import { openEvidenceStore } from '../adapters/store/evidenceStore.ts';
import { createLogger, logFilePath } from '../adapters/log/logger.ts';
import { sessionParts } from '../session/fromConfig.ts';
import { startSession, type Session } from '../session/session.ts';
import { riskStatus, type RiskSnapshot } from '../machines/risk.ts';
import { resolveHome } from './home.ts';
import { EXIT_FAILURE, EXIT_OK, UsageError, positiveInt } from './usage.ts';

const WHO = 'mia kill --drill';

export interface KillDrillFlags {
  drill?: boolean;
  home?: string;
  config?: string;
  json?: boolean;
  /** Longest wait for each step, wall-clock ms. */
  timeout?: number;
}

export interface KillDrillStep {
  step: 'venue-ready' | 'position-open' | 'killed-flat' | 'resumed-normal' | 'logs-written';
  ok: boolean;
  /** Wall-clock ms the step took. */
  ms: number;
  detail: string;
}

export interface KillDrillResult {
  ok: boolean;
  account: string;
  steps: KillDrillStep[];
  evidence?: string;
}

/** Thrown by a step that did not happen in time: the drill stops and says which. */
class StepFailed extends Error {}

function snapshotOf(session: Session) {
  const snap = session.actor.getSnapshot();
  const risk = snap.children.risk?.getSnapshot() as RiskSnapshot | undefined;
  return { ctx: snap.context, risk: risk ? riskStatus(risk) : null };
}

async function waitUntil(what: string, ok: () => boolean, timeoutMs: number, clock: Clock): Promise<number> {
  const started = clock.now();
  while (!ok()) {
    if (clock.now() - started > timeoutMs) throw new StepFailed(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return clock.now() - started;
}

/** Runs the drill; `clock` is the operator's (step timing and the evidence stamp). */
export async function runKillDrill(flags: KillDrillFlags, env: NodeJS.ProcessEnv = process.env, clock: Clock = systemClock): Promise<KillDrillResult> {
  if (flags.drill !== true) throw new UsageError('mia kill without a running session: only --drill (the kill-switch drill on a paper venue) runs here');
  const timeout = flags.timeout ?? 15_000;
  const home = resolveHome(flags.home, env);
  const base = loadConfig(flags.config ? { file: flags.config } : {});
  // The simulated market at 2 bars a second (speed 2: simulated minutes per second) through the embedded paper DTC server: paper by construction.
  const config = loadConfig({
    ...(flags.config ? { file: flags.config } : {}),
    overrides: { feed: { kind: 'simulated', speed: 2 }, venue: { kind: 'dtc', dtc: { host: null, account: null } } },
  });
  const folder = phaseLogFolder.setup;
  const logger = createLogger({ home, folder, level: base.log.level === 'silent' ? 'info' : base.log.level, name: 'mia' });
  const store = openMemoryStateStore({ clock });
  const parts = sessionParts(config, { store, logger, env, maxBars: Infinity });
  // Persisted into the memory store only: the venue watch (venueReady) rides on the persisting inspection.
  const session = startSession({ config, store, logger, parts });
  const steps: KillDrillStep[] = [];
  const step = async (name: KillDrillStep['step'], run: () => Promise<{ ms: number; detail: string }>) => {
    const { ms, detail } = await run();
    steps.push({ step: name, ok: true, ms, detail });
    logger.info({ drill: name, ms, detail }, `kill drill: ${name}`);
  };
  let failure: string | null = null;
  try {
    await step('venue-ready', async () => {
      const started = clock.now();
      const r = await session.venueReady(timeout);
      if (!r.ready) throw new StepFailed(`venue-ready: ${r.why}`);
      await waitUntil('a first price', () => snapshotOf(session).ctx.lastMark > 0 && snapshotOf(session).risk === 'normal', timeout, clock);
      return { ms: clock.now() - started, detail: `logged on to the paper DTC server, account ${EMBEDDED_PAPER_ACCOUNT}` };
    });
    await step('position-open', async () => {
      // One drill entry through the same path as a strategy signal: risk, the order actor, the venue.
      // (The strategy may have opened one already: then that position is the one drilled.)
      const { ctx } = snapshotOf(session);
      const time = session.clock.now();
      if (ctx.book.qty === 0) session.send({ type: 'SIGNAL', signal: { side: 'buy', score: 1, threshold: 0, time, price: ctx.lastMark, features: {}, available: [] } });
      const ms = await waitUntil('the drill position to fill', () => snapshotOf(session).ctx.book.qty !== 0, timeout, clock);
      return { ms, detail: `position ${snapshotOf(session).ctx.book.qty} (mark ${snapshotOf(session).ctx.lastMark})` };
    });
    await step('killed-flat', async () => {
      const open = snapshotOf(session).ctx.book.qty;
      session.send({ type: 'OPERATOR.KILL', who: WHO, reason: 'kill-switch drill', time: session.clock.now() });
      const ms = await waitUntil(
        'killed and flat (position 0, no order working)',
        () => {
          const s = snapshotOf(session);
          return s.risk === 'killed' && s.ctx.book.qty === 0 && Object.keys(s.ctx.live).length === 0;
        },
        timeout,
        clock,
      );
      return { ms, detail: `killed with position ${open}; flat, every order finished` };
    });
    await step('resumed-normal', async () => {
      session.send({ type: 'OPERATOR.RESUME', who: WHO, reason: 'kill-switch drill: flat verified', time: session.clock.now() });
      // Leaving killed goes through reconciling: normal only once the venue itself reported its position.
      const ms = await waitUntil('resumed: reconciled with the venue, risk normal', () => snapshotOf(session).risk === 'normal', timeout, clock);
      const qty = snapshotOf(session).ctx.book.qty;
      if (qty !== 0) throw new StepFailed(`resumed-normal: the venue reconciled a position of ${qty}, not flat`);
      return { ms, detail: 'risk normal after the venue reconciled at position 0' };
    });
  } catch (err) {
    failure = err instanceof Error ? err.message : String(err);
    logger.error({ drill: 'failed', why: failure }, 'kill drill failed');
  } finally {
    await session.stop('kill drill done');
    await store.close();
  }
  if (failure === null) {
    // The drill's own lines, read back from the file: the log pipeline writes to disk.
    const file = logFilePath(home, folder);
    const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.includes('"drill":'));
    const written = steps.every((s) => lines.some((l) => l.includes(`"drill":"${s.step}"`)));
    if (written) steps.push({ step: 'logs-written', ok: true, ms: 0, detail: `${lines.length} drill lines in ${file}` });
    else failure = `logs-written: the drill's lines are not all in ${file}`;
  }
  const result: KillDrillResult = { ok: failure === null, account: EMBEDDED_PAPER_ACCOUNT, steps };
  if (failure !== null) {
    steps.push({ step: steps.length === 0 ? 'venue-ready' : (['venue-ready', 'position-open', 'killed-flat', 'resumed-normal', 'logs-written'] as const)[steps.length]!, ok: false, ms: 0, detail: failure });
    return result;
  }
  const now = new Date(clock.now()).toISOString();
  result.evidence = await openEvidenceStore(home).record(
    {
      transition: 'setup->calibration',
      evidence: {
        metrics: {},
        provenance: [{ kind: 'dtc-paper' }],
        period: { from: now.slice(0, 10), to: now.slice(0, 10) },
        checks: { killSwitchTested: true, logsWritten: true },
        producedAt: now,
        source: 'kill-drill',
      },
      detail: { venue: 'embedded paper DTC server', account: EMBEDDED_PAPER_ACCOUNT, feed: 'simulated', steps: steps.map((s) => ({ step: s.step, ms: s.ms, detail: s.detail })) },
    },
    WHO,
  );
  return result;
}

function format(r: KillDrillResult): string {
  const lines = [`kill drill on the paper DTC server (${r.account})  ${r.ok ? 'OK' : 'FAILED'}`];
  for (const s of r.steps) lines.push(`${s.step.padEnd(15)} ${s.ok ? 'OK    ' : 'FAILED'} ${String(s.ms).padStart(6)} ms  ${s.detail}`);
  if (r.evidence) lines.push(`evidence: ${r.evidence}`);
  return `${lines.join('\n')}\n`;
}

export async function killDrillAction(flags: KillDrillFlags, env: NodeJS.ProcessEnv = process.env, clock: Clock = systemClock): Promise<number> {
  const result = await runKillDrill(flags, env, clock);
  process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : format(result));
  return result.ok ? EXIT_OK : EXIT_FAILURE;
}

/** `mia kill --drill` (cli/main.ts routes `kill --drill` here; plain `mia kill` is the control command). */
export function registerKillDrill(program: Command): Command {
  return program
    .command('kill')
    .description('the kill-switch drill on a paper venue: kill -> verified flat -> resume; recorded as phase-0 evidence (killSwitchTested, logsWritten)')
    .requiredOption('--drill', 'run the drill (needs no running session)')
    .option('--home <dir>', 'home for the evidence and the logs; also MIA_HOME (default: working directory)')
    .option('--config <file>', 'configuration file; also MIA_CONFIG')
    .option('--timeout <ms>', 'longest wait for each step', positiveInt('--timeout'), 15_000)
    .option('--json', 'print the result as JSON')
    .action(async (flags: KillDrillFlags) => {
      process.exitCode = await killDrillAction(flags);
    });
}
