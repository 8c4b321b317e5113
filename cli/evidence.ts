/**
 * `mia evidence paper|list`: the evidence the deployment gates judge, kept in
 * `<home>/evidence/` (adapters/store/evidenceStore.ts). `mia phase advance` on a running
 * MIA judges the latest piece for its gate.
 *
 * - `paper` records the home's paper journal (and the sessions its logs name) as evidence
 *   for `simulation->propFirm`, and shows how that gate judges it now.
 * - `list` prints every piece, and every corrupt file (exit 1 while there is one).
 *
 * Both only read the state files, so they run beside a running `mia run`.
 * Exit codes: 0 done; 1 nothing to judge, corrupt or unreadable files; 2 bad usage or configuration.
 */
import { readAuditTrail } from '../adapters/store/auditTrail.ts';
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config/load.ts';
import { evaluateGate } from '../config/gates.ts';
import { evidenceConfigHash } from '../config/evidenceAdmission.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import type { Trade } from '../core/types.ts';
import { journalDir, journalExists, openJournal } from '../adapters/store/journal.ts';
import { openEvidenceStore, verifyEvidence, type EvidenceEntry, type StoredEvidence } from '../adapters/store/evidenceStore.ts';
import { dataFileRefusals } from '../adapters/store/evidenceJudge.ts';
import { formatGateEvaluation } from '../adapters/control/formatStatus.ts';
import { paperEvidence, PaperEvidenceError } from '../backtest/evidencePaper.ts';
import { propFirmEvidence, type RiskBreach } from '../backtest/evidencePropFirm.ts';
import { signalsEvidence } from '../backtest/evidenceSignals.ts';
import { distinctProvenance, provenanceFromLabel } from '../backtest/evidenceProvenance.ts';
import { readSignalLog, signalLogPath } from '../adapters/signals/signalLog.ts';
import { readSessionLog } from '../backtest/evidenceSessionLog.ts';
import { resolveHome } from './home.ts';
import { EXIT_FAILURE, EXIT_OK } from './usage.ts';

interface EvidenceOptions {
  home?: string;
  config?: string;
  json?: boolean;
}

const write = (text: string) => process.stdout.write(`${text}\n`);

/** One piece in a line or three: gate, source, period, data, file. */
function describeEntry(e: EvidenceEntry): string {
  const data = e.evidence.provenance.length === 0 ? 'unknown data' : e.evidence.provenance.map((p) => (p.kind === 'replay' ? `replay:${p.file}` : p.kind === 'simulated' ? `simulated:seed=${p.seed}` : p.kind)).join(', ');
  return [
    `${e.evidence.producedAt}  ${e.transition}  ${e.evidence.source}  ${e.evidence.period.from}..${e.evidence.period.to}`,
    `          data ${data}`,
    `          file ${e.file}`,
  ].join('\n');
}

/** `mia evidence paper`: returns the exit code. */
export async function paperEvidenceAction(opts: EvidenceOptions, clock: Clock = systemClock): Promise<number> {
  const home = resolveHome(opts.home);
  const config = loadConfig(opts.config ? { file: opts.config } : {});
  const journal = await readOnlyJournal(home, clock, 'no paper journal at PATH: run a paper session (mia run) on this home first');
  if (!journal) return EXIT_FAILURE;
  const trades = journal.trades() as readonly Trade[];
  const sessions = await readSessionLog(home);
  return produce(home, config, () => paperEvidence({ trades, sessions, startingEquity: config.startingEquity, producedAt: new Date(clock.now()).toISOString() }), 'mia evidence paper', opts, `, ${trades.length} trades`);
}

/** `mia evidence list`: returns the exit code (1 while a corrupt file is present). */
export function listEvidenceAction(opts: EvidenceOptions): number {
  const home = resolveHome(opts.home);
  const store = openEvidenceStore(home);
  const { entries, corrupt } = store.list();
  if (opts.json) write(JSON.stringify({ dir: store.dir, entries, corrupt }, null, 2));
  else {
    if (entries.length === 0) write(`no evidence in ${store.dir}`);
    for (const e of entries) write(describeEntry(e));
  }
  for (const c of corrupt) process.stderr.write(`mia: corrupt evidence file ${c.file}: ${c.reason}\n`);
  return corrupt.length > 0 ? EXIT_FAILURE : EXIT_OK;
}

/** Risk kills from the home's audit trail (`state/audit.jsonl`; read only: a running session may own it). */
export function riskBreaches(home: string): RiskBreach[] {
  return readAuditTrail(join(home, 'state', 'audit.jsonl')).flatMap((e) => {
    const args = e.args as { detail?: unknown; time?: unknown } | null;
    // `normal -> killed` (older trails) or `normal -> killed: risk: <rule>`.
    const killed = typeof args?.detail === 'string' && /-> killed(:|$)/.test(args.detail);
    return e.who === 'risk' && e.action === 'risk-state' && killed && typeof args?.time === 'number' ? [{ time: args.time, detail: args.detail as string }] : [];
  });
}

/** The home's journal, read only (a running session may own it), or null after saying it is missing (`PATH` in `missing`). */
async function readOnlyJournal(home: string, clock: Clock, missing: string) {
  const state = join(home, 'state');
  if (!journalExists(state)) {
    process.stderr.write(`mia: ${missing.replace('PATH', journalDir(state))}\n`);
    return null;
  }
  return openJournal(journalDir(state), clock, { readOnly: true });
}

/**
 * Records the piece `build` makes (with the configuration hash) and prints how its gate
 * judges it now; a producer with nothing to judge (PaperEvidenceError) is exit 1 with its reason.
 */
async function produce(home: string, config: ReturnType<typeof loadConfig>, build: () => StoredEvidence, producedBy: string, opts: EvidenceOptions, periodNote = ''): Promise<number> {
  let piece: StoredEvidence;
  try {
    piece = build();
  } catch (e) {
    if (!(e instanceof PaperEvidenceError)) throw e;
    process.stderr.write(`mia: ${e.message}\n`);
    return EXIT_FAILURE;
  }
  const file = await openEvidenceStore(home).record({ ...piece, detail: { ...piece.detail, configHash: evidenceConfigHash(config) } }, producedBy);
  const evaluation = evaluateGate(piece.transition, piece.evidence, config.gates);
  if (opts.json) write(JSON.stringify({ file, ...piece, evaluation }, null, 2));
  else write([`recorded ${piece.evidence.source} evidence for ${piece.transition}: ${file}`, `period    ${piece.evidence.period.from}..${piece.evidence.period.to}${periodNote}`, formatGateEvaluation(evaluation)].join('\n'));
  return EXIT_OK;
}

/** `mia evidence propfirm`: the prop-firm account's journal, sessions and risk kills. */
export async function propFirmEvidenceAction(opts: EvidenceOptions, clock: Clock = systemClock): Promise<number> {
  const home = resolveHome(opts.home);
  const config = loadConfig(opts.config ? { file: opts.config } : {});
  const journal = await readOnlyJournal(home, clock, 'no journal at PATH: run the prop-firm account (mia run) on this home first');
  if (!journal) return EXIT_FAILURE;
  const sessions = await readSessionLog(home);
  const build = () => propFirmEvidence({ trades: journal.trades() as readonly Trade[], sessions, breaches: riskBreaches(home), startingEquity: config.startingEquity, producedAt: new Date(clock.now()).toISOString() });
  return produce(home, config, build, 'mia evidence propfirm', opts);
}

/** `mia evidence signals`: the verified signal log of phase 6. */
export async function signalsEvidenceAction(opts: EvidenceOptions, clock: Clock = systemClock): Promise<number> {
  const home = resolveHome(opts.home);
  const config = loadConfig(opts.config ? { file: opts.config } : {});
  const log = await readSignalLog(signalLogPath(home));
  if (!log.ok) {
    process.stderr.write(`mia: the signal log ${signalLogPath(home)} does not verify: it is no evidence (mia signals verify)\n`);
    return EXIT_FAILURE;
  }
  // The data the signals were computed on: the sessions that traded a live account.
  const labels = (await readSessionLog(home)).filter((s) => s.account?.kind === 'live').map((s) => s.provenance).filter((p): p is string => p !== null);
  return produce(home, config, () => signalsEvidence(log.records, distinctProvenance(labels.map(provenanceFromLabel)), new Date(clock.now()).toISOString()), 'mia evidence signals', opts);
}

/**
 * `mia evidence verify`: re-checks the whole chain (content hashes, links, authentication)
 * and the data files its records name; names every record edited or added by hand.
 * Exit 0 when everything verifies, 1 otherwise.
 */
export function verifyEvidenceAction(opts: EvidenceOptions): number {
  const home = resolveHome(opts.home);
  const { entries, corrupt, head } = verifyEvidence(home);
  const data = entries.map((e) => ({ id: e.id, seq: e.seq, transition: e.transition, source: e.evidence.source, producedBy: e.producedBy, ...dataFileRefusals(e.evidence.provenance) }));
  const changed = data.filter((d) => d.refusals.length > 0);
  const ok = corrupt.length === 0 && changed.length === 0;
  if (opts.json) write(JSON.stringify({ ok, head, records: data, problems: corrupt }, null, 2));
  else {
    write(`${entries.length} record(s) verified${head ? ` (chain head ${head.id.slice(0, 12)}, seq ${head.seq})` : ''}`);
    for (const d of data) {
      write(`${String(d.seq).padStart(4)} ${d.id.slice(0, 12)}  ${d.transition}  ${d.source}  by ${d.producedBy}`);
      for (const r of d.refusals) write(`       DATA CHANGED: ${r}`);
      for (const n of d.notes) write(`       note: ${n}`);
    }
  }
  for (const c of corrupt) process.stderr.write(`mia: evidence not trusted: ${c.file}: ${c.reason}\n`);
  return ok ? EXIT_OK : EXIT_FAILURE;
}

/** Registers `mia evidence paper|list|verify` on `program`. */
export function registerEvidenceCommands(program: Command): void {
  const evidence = program.command('evidence').description('evidence for the deployment gates, kept in <home>/evidence');
  evidence
    .command('paper')
    .description("record the home's paper journal as evidence for simulation->propFirm, and show how the gate judges it")
    .option('--home <dir>', 'home of the paper sessions; also MIA_HOME (default: working directory)')
    .option('--config <file>', 'configuration (starting equity, gate thresholds); also MIA_CONFIG')
    .option('--json', 'print the recorded evidence and its evaluation as JSON')
    .action(async (opts: EvidenceOptions) => {
      process.exitCode = await paperEvidenceAction(opts);
    });
  evidence
    .command('list')
    .description('every piece of evidence in <home>/evidence, and every corrupt file')
    .option('--home <dir>', 'home; also MIA_HOME (default: working directory)')
    .option('--json', 'print as JSON')
    .action((opts: EvidenceOptions) => {
      process.exitCode = listEvidenceAction(opts);
    });
  for (const [name, what, fn] of [
    ['propfirm', "record the prop-firm account's journal (monthly return, win rate, trading days, risk breaches) as evidence for propFirm->ownAccount", propFirmEvidenceAction],
    ['signals', 'record the verified signal log (signal win rate, closed signals) as evidence for the signals gate', signalsEvidenceAction],
  ] as const) {
    evidence
      .command(name)
      .description(what)
      .option('--home <dir>', 'home; also MIA_HOME (default: working directory)')
      .option('--config <file>', 'configuration; also MIA_CONFIG')
      .option('--json', 'print the recorded evidence and its evaluation as JSON')
      .action(async (opts: EvidenceOptions) => {
        process.exitCode = await fn(opts);
      });
  }
  evidence
    .command('verify')
    .description('verify the evidence chain and its data files; names every record edited or added by hand (exit 1)')
    .option('--home <dir>', 'home; also MIA_HOME (default: working directory)')
    .option('--json', 'print as JSON')
    .action((opts: EvidenceOptions) => {
      process.exitCode = verifyEvidenceAction(opts);
    });
}
