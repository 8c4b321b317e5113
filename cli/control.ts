/**
 * The operator commands that reach a running `mia run` over its control channel:
 * `mia status`, `pause`, `resume`, `kill`, `flatten`, `phase status|advance|override`.
 * They never open the home's store (the running process owns it): they read
 * `<home>/control.json` and ask. Human output, or `--json`.
 *
 * Exit codes: 0 done; 1 refused (by a machine or the channel), failed, or no running mia
 * at the home; 2 bad usage (a missing required flag).
 *
 * Also adds the channel's own flags to `mia run` (`--control-port`, `--control-socket`).
 */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { systemClock } from '../core/clock.ts';
import { sendControlCommand, ControlUnavailableError } from '../adapters/control/controlClient.ts';
import { ControlFileError } from '../adapters/control/controlFile.ts';
import type { ControlCommand, ControlRequest, ControlResponse, ControlStatus } from '../adapters/control/controlProtocol.ts';
import { formatGateEvaluation, formatStatus, type EvaluationView } from '../adapters/control/formatStatus.ts';
import { resolveHome } from './home.ts';
import { EXIT_FAILURE, EXIT_OK, portNumber } from './usage.ts';

interface CommonOptions {
  home?: string;
  json?: boolean;
  reason?: string;
  /** flatten: leave entries allowed (commander's `--keep-trading`). */
  keepTrading?: boolean;
  /** Phase commands without a running mia: the configuration to judge with. */
  config?: string;
}

/** `cli:<user>`: the operator as the operating system knows them. */
export function cliOperator(env: NodeJS.ProcessEnv = process.env): string {
  let name: string | undefined;
  try {
    name = userInfo().username;
  } catch {
    name = env.USER ?? env.LOGNAME;
  }
  return `cli:${name && name.trim() !== '' ? name : 'unknown'}`;
}

interface GateTable {
  transition: string;
  pass: boolean;
  criteria: Array<{ criterion: string; op: string; threshold: unknown; measured: unknown; progress: number; pass: boolean }>;
  refusals: string[];
  notes: string[];
  evidence: { ids: string[]; source: string; producedAt: string; period: { from: string; to: string } } | null;
}

const fmt = (v: unknown) => (v === null || v === undefined ? 'missing' : typeof v === 'number' ? String(Math.round(v * 10_000) / 10_000) : String(v));

/** The next gate as a table: criterion, threshold, measured, progress, pass. */
export function formatGateTable(g: GateTable): string {
  const rows = [['criterion', 'threshold', 'measured', 'progress', 'pass'], ...g.criteria.map((c) => [c.criterion, `${c.op} ${fmt(c.threshold)}`, fmt(c.measured), `${Math.round(c.progress * 100)}%`, c.pass ? 'yes' : 'NO'])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = [`gate      ${g.transition}: ${g.pass ? 'passes' : 'not met'}`];
  lines.push(g.evidence ? `evidence  ${g.evidence.source} produced ${g.evidence.producedAt}, period ${g.evidence.period.from}..${g.evidence.period.to} (${g.evidence.ids.map((id) => id.slice(0, 12)).join(', ')})` : 'evidence  none on file for this gate (mia evidence list)');
  for (const r of rows) lines.push(`          ${r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')}`.trimEnd());
  for (const r of g.refusals) lines.push(`          refused: ${r}`);
  for (const n of g.notes) lines.push(`          note: ${n}`);
  return lines.join('\n');
}

interface PhaseData {
  phase?: { id: number; name: string };
  signals?: string;
  nextGate?: string | null;
  gate?: GateTable | null;
  lastEvaluation?: { transition: string; pass: boolean; criteria: Array<{ name: string; actual: unknown; op: string; threshold: unknown; pass: boolean }>; refusals: string[] } | null;
  history?: Array<{ at: string; who: string; command: string; kind: string; from: string; to: string; reason?: string }>;
}

function formatPhaseStatus(data: PhaseData): string {
  const lines = [`phase     ${data.phase?.id} ${data.phase?.name} (signals ${data.signals})`, `next gate ${data.nextGate ?? 'none (last phase)'}`];
  if (data.gate) lines.push(formatGateTable(data.gate));
  const ev = data.lastEvaluation;
  if (ev) {
    lines.push(`last gate ${ev.transition}: ${ev.pass ? 'passed' : 'not met'}`);
    for (const c of ev.criteria) lines.push(`          ${c.pass ? 'ok  ' : 'FAIL'} ${c.name} = ${c.actual === null ? 'missing' : String(c.actual)} (needs ${c.op} ${String(c.threshold)})`);
    for (const r of ev.refusals) lines.push(`          refused: ${r}`);
  }
  for (const h of data.history ?? []) lines.push(`history   ${h.at} ${h.who} ${h.command} ${h.kind} ${h.from} -> ${h.to}${h.reason ? `: ${h.reason}` : ''}`);
  return lines.join('\n');
}

function formatPhaseHistory(data: PhaseData): string {
  const lines = [`phase     ${data.phase?.id} ${data.phase?.name} (signals ${data.signals})`];
  if ((data.history ?? []).length === 0) lines.push('history   none');
  for (const h of data.history ?? []) {
    const ids = (h as { evidenceIds?: string[] }).evidenceIds;
    lines.push(`history   ${h.at} ${h.who} ${h.command} ${h.kind} ${h.from} -> ${h.to}${h.reason ? `: ${h.reason}` : ''}${ids ? ` [evidence ${ids.map((id) => id.slice(0, 12)).join(', ')}]` : ''}`);
  }
  return lines.join('\n');
}

interface AdvanceData {
  record?: { evaluation?: EvaluationView };
  /** The evidence judged (null: none on file), when the running mia says. */
  evidence?: { source: string; producedAt: string; period: { from: string; to: string }; provenance: Array<{ kind: string; file?: string; seed?: number }> } | null;
}

/** What an advance was judged on and every criterion, pass or fail (printed even when refused). */
function formatAdvance(data: AdvanceData): string {
  const lines: string[] = [];
  const ev = data.evidence;
  if (ev === null) lines.push('evidence  none on file for this gate (mia evidence list)');
  else if (ev) {
    const on = ev.provenance.length === 0 ? 'unknown data' : ev.provenance.map((p) => (p.kind === 'replay' ? `replay:${p.file}` : p.kind === 'simulated' ? `simulated:seed=${p.seed}` : p.kind)).join(', ');
    lines.push(`evidence  ${ev.source} produced ${ev.producedAt}, period ${ev.period.from}..${ev.period.to}, on ${on}`);
  }
  if (data.record?.evaluation) lines.push(formatGateEvaluation(data.record.evaluation));
  return lines.join('\n');
}

function render(response: ControlResponse): string {
  if (response.command === 'status' && response.ok && response.data) return formatStatus(response.data as unknown as ControlStatus);
  if (response.command === 'phase.status' && response.ok && response.data) return formatPhaseStatus(response.data as PhaseData);
  if (response.command === 'phase.history' && response.ok && response.data) return formatPhaseHistory(response.data as PhaseData);
  if (response.command === 'phase.advance' && response.data) return [response.ok ? response.message : '', formatAdvance(response.data as AdvanceData)].filter((l) => l !== '').join('\n');
  return response.message;
}

/** Sends one command to the MIA at the home and prints the answer; returns the exit code. */
export async function controlAction(command: ControlCommand, opts: CommonOptions): Promise<number> {
  const home = resolveHome(opts.home);
  const request = { command, who: cliOperator(), ...(opts.reason !== undefined ? { reason: opts.reason } : {}), ...(opts.keepTrading ? { keepTrading: true } : {}) };
  let response: ControlResponse;
  try {
    response = (await sendControlCommand(home, request)).response;
  } catch (e) {
    if (e instanceof ControlUnavailableError && (command.startsWith('phase.') || command.startsWith('signals.'))) return offlineAction(command, request, opts, home);
    const known = e instanceof ControlUnavailableError || e instanceof ControlFileError;
    const message = known ? (e as Error).message : `control channel failed: ${(e as Error).message ?? String(e)}`;
    response = { ok: false, command, message };
  }
  // A judged advance shows its criteria either way; the refusal itself goes to stderr.
  return print(command, response, opts);
}


/** A phase command with no mia running at the home: on its persisted state, under the home lock. */
async function offlineAction(command: ControlCommand, request: ControlRequest, opts: CommonOptions, home: string): Promise<number> {
  // Bad configuration is exit 2 (ConfigError), like every other command.
  // Loaded here, not at start: `mia status` and friends need neither the schema nor the machines.
  const [{ loadConfig }, { offlinePhaseCommand }, { HomeLockedError }] = await Promise.all([
    import('../config/load.ts'),
    import('./phaseOffline.ts'),
    import('../adapters/store/homeLock.ts'),
  ]);
  const config = loadConfig(opts.config ? { file: opts.config } : {});
  let response: ControlResponse;
  try {
    response = await offlinePhaseCommand(request, { home, config, clock: systemClock });
  } catch (e) {
    response = { ok: false, command, message: e instanceof HomeLockedError ? `${e.message} (a mia started meanwhile: retry)` : `phase command failed: ${(e as Error).message}` };
  }
  return print(command, response, opts);
}

/** Prints an answer (human or --json); returns the exit code. */
function print(command: ControlCommand, response: ControlResponse, opts: CommonOptions): number {
  if (opts.json) process.stdout.write(`${JSON.stringify(response, null, 2)}\n`);
  else if (response.ok || (command === 'phase.advance' && response.data)) process.stdout.write(`${render(response)}\n`);
  // A refused advance's message repeats the criteria just printed: its first line is enough.
  const shown = response.ok || opts.json || command !== 'phase.advance' || !response.data ? response.message : response.message.split('\n')[0];
  if (!response.ok) process.stderr.write(`mia: ${shown}\n`);
  return response.ok ? EXIT_OK : EXIT_FAILURE;
}

/** `mia signals start|stop` on the `signals` command: phase 6 on or off (the deployment machine decides). */
export function registerSignalsSwitch(signals: Command): void {
  for (const [name, command, what] of [
    ['start', 'signals.start', 'Discord signals on (phase 6), beside ownAccount, once the signals gate passes on the evidence'],
    ['stop', 'signals.stop', 'Discord signals off'],
  ] as const) {
    signals
      .command(name)
      .description(what)
      .option('--home <dir>', 'home; also MIA_HOME (default: working directory)')
      .option('--config <file>', 'configuration to judge with when no mia runs; also MIA_CONFIG')
      .option('--json', 'print the answer as JSON')
      .action(async (opts: CommonOptions) => {
        process.exitCode = await controlAction(command, opts);
      });
  }
}

/** Registers the control commands on `program` and the channel's flags on `mia run`. */
export function registerControlCommands(program: Command): void {
  const run = program.commands.find((c) => c.name() === 'run');
  run
    ?.option('--control-port <n>', 'control channel TCP port on 127.0.0.1 (default: an ephemeral port)', portNumber('--control-port'))
    .option('--control-socket <path>', 'serve the control channel on this unix socket instead of TCP');

  const common = (c: Command) =>
    c.option('--home <dir>', 'home of the running mia; also MIA_HOME (default: working directory)').option('--json', 'print the answer as JSON');
  const action = (command: ControlCommand) => async (opts: CommonOptions) => {
    process.exitCode = await controlAction(command, opts);
  };

  common(program.command('status').description('status of the running mia: phase, risk, position, P&L, orders, feed, venue')).action(action('status'));
  common(program.command('pause').description('stop new entries (risk limited); exits and protection continue'))
    .option('--reason <text>', 'why')
    .action(action('pause'));
  common(program.command('resume').description('lift a pause; leaving killed needs --reason'))
    .option('--reason <text>', 'why (required to leave killed)')
    .action(action('resume'));
  common(program.command('kill').description('kill switch: cancel all, flatten, refuse orders; latched across restarts (`mia kill --drill`: the kill-switch drill on a paper venue, see `mia kill --drill --help`)'))
    .requiredOption('--reason <text>', 'why')
    .action(action('kill'));
  common(program.command('flatten').description('cancel working orders, close the position at market, and pause entries until resume'))
    .option('--reason <text>', 'why')
    .option('--keep-trading', 'close the position but let the strategy enter again')
    .action(action('flatten'));

  // Through the running mia when there is one, else on the home's state under its lock.
  const phase = program.command('phase').description("deployment phase of the home (the running mia's, or the persisted state when none runs)");
  const phaseCommon = (c: Command) => common(c).option('--config <file>', 'configuration to judge with when no mia runs; also MIA_CONFIG');
  phaseCommon(phase.command('status').description('current phase, the next gate as a table (criterion, threshold, measured, progress, pass), recent history')).action(action('phase.status'));
  phaseCommon(phase.command('advance').description('promote to the next phase if its gate passes on the verified evidence')).action(action('phase.advance'));
  phaseCommon(phase.command('override').description('promote to the next phase regardless of the gate (recorded)'))
    .requiredOption('--reason <text>', 'why the gate is overridden')
    .action(action('phase.override'));
  phaseCommon(phase.command('history').description('every deployment record: promotions (with the evidence ids), overrides, refusals')).action(action('phase.history'));
}
