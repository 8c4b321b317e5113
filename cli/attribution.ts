/**
 * Issue 6's evidence and attribution commands: `mia evidence paper|list` (cli/evidence.ts)
 * and `mia attribution --home PAPER_HOME --data FILE [--config FILE] [--json OUT]`: the
 * paper session's fills against a backtest of the same data over the journal's period
 * (first to last fill, widened to whole CME trading days), fill by fill
 * (backtest/attribution.ts).
 *
 * The backtest plays no automatic operator (`operatorResume: never`), as `mia run` has
 * none: a limit that latches in the paper session latches in the backtest too. Pass the
 * paper session's configuration with --config (and the same loader options) so both
 * trade the same strategy and costs; a different configuration shows as the differences.
 *
 * Exit codes: 0 compared (the verdict is in the output); 1 nothing to compare or an
 * unreadable journal; 2 bad usage, configuration or data file.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../config/load.ts';
import { instrumentFor } from '../config/instruments.ts';
import { systemClock } from '../core/clock.ts';
import { tradingDay } from '../core/tradingDay.ts';
import type { Trade } from '../core/types.ts';
import { journalDir, journalExists, openJournal } from '../adapters/store/journal.ts';
import { BacktestEmptyError, runBacktest } from '../backtest/engine.ts';
import { BacktestInputError, loadBacktestData } from '../backtest/engineData.ts';
import { attribute, type Attribution, type PaperFill } from '../backtest/attribution.ts';
import { readSessionLog } from '../backtest/evidenceSessionLog.ts';
import { registerEvidenceCommands } from './evidence.ts';
import { addLoaderOptions, loaderErrorForCli, loaderOptionsFrom } from './loaderOptions.ts';
import { resolveHome } from './home.ts';
import { EXIT_FAILURE, EXIT_OK, UsageError } from './usage.ts';

interface AttributionOptions extends Record<string, unknown> {
  home?: string;
  data: string;
  config?: string;
  json?: string;
  toleranceTicks?: number;
}

function nonNegative(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${flag} must be a number >= 0, got "${value}"`);
    return n;
  };
}

const sign = (x: number) => (x > 0 ? `+${x}` : String(x));

function formatAttribution(a: Attribution, meta: { home: string; data: string; window: { from: string; to: string } }): string {
  const s = a.summary;
  const lines = [
    `paper ${meta.home} vs backtest of ${meta.data}, trading days ${meta.window.from}..${meta.window.to}`,
    `fills     paper ${s.paperFills}, backtest ${s.backtestFills} (+${s.backtestOutsidePaper} outside the paper sessions), matched ${s.matched}, unmatched ${s.unmatchedPaper} paper / ${s.unmatchedBacktest} backtest`,
    `price     |diff| ticks mean ${s.meanAbsTicks ?? 'n/a'}, median ${s.medianAbsTicks ?? 'n/a'}, max ${s.maxAbsTicks ?? 'n/a'}; max |time diff| ${s.maxAbsTimeDiffMs ?? 'n/a'} ms`,
    `P&L       paper $${s.paperPnl.toFixed(2)}, backtest $${s.backtestPnl.toFixed(2)}, difference $${s.pnlDifference.toFixed(2)}`,
    `verdict   ${s.matches ? `MATCHES within ${s.toleranceTicks} tick(s) and ${s.toleranceMs} ms` : `DIFFERS: ${s.reasons.join('; ')}`}`,
  ];
  for (const p of a.pairs) {
    const slip = p.slippageTicks ? `  slippage vs signal ${p.slippageTicks.paper ?? 'n/a'} / ${p.slippageTicks.backtest ?? 'n/a'} ticks` : '';
    lines.push(`  ${p.paper.time} ${p.purpose} ${p.side} ${p.qty} @ ${p.paper.price} | backtest @ ${p.backtest.price} ${sign(p.ticks)} ticks ($${p.dollars.toFixed(2)} adverse), ${sign(p.timeDiffMs)} ms${slip}`);
  }
  for (const u of a.unmatched.paper) lines.push(`  UNMATCHED paper    ${u.time} ${u.purpose} ${u.side} ${u.qty} @ ${u.price}`);
  for (const u of a.unmatched.backtest) lines.push(`  UNMATCHED backtest ${u.time} ${u.purpose} ${u.side} ${u.qty} @ ${u.price}`);
  return lines.join('\n');
}

/** `mia attribution`: returns the exit code. */
export async function attributionCommand(opts: AttributionOptions): Promise<number> {
  const home = resolveHome(opts.home);
  const config = loadConfig({ ...(opts.config ? { file: opts.config } : {}), overrides: { venue: { kind: 'simulated' }, feed: { kind: 'replay', speed: 'max' } } });
  const journalPath = journalDir(join(home, 'state'));
  if (!journalExists(join(home, 'state'))) {
    process.stderr.write(`mia: no paper journal at ${journalPath}: --home must be the home of a paper session\n`);
    return EXIT_FAILURE;
  }
  // Read only: a running session may own the journal.
  const journal = await openJournal(journalPath, systemClock, { readOnly: true });
  const fills: PaperFill[] = journal.fills().map((f) => {
    const order = journal.order(f.clientOrderId);
    return {
      clientOrderId: f.clientOrderId,
      executionId: f.executionId,
      purpose: order?.request.purpose ?? 'unknown',
      side: f.side,
      qty: f.qty,
      price: f.price,
      time: f.time,
      ...(order ? { orderCreatedAt: order.request.createdAt } : {}),
    };
  });
  if (fills.length === 0) {
    process.stderr.write(`mia: the paper journal ${journalPath} has no fills: nothing to attribute\n`);
    return EXIT_FAILURE;
  }
  const times = fills.map((f) => f.time);
  const window = { from: tradingDay(Math.min(...times)), to: tradingDay(Math.max(...times)) };

  let data;
  try {
    data = await loadBacktestData([opts.data], loaderOptionsFrom(opts), window);
  } catch (err) {
    throw err instanceof BacktestInputError ? new UsageError(err.message) : loaderErrorForCli(err);
  }
  if (data.bars.length === 0) throw new UsageError(`--data ${opts.data}: no bar in the paper period ${window.from}..${window.to}`);
  let result;
  try {
    result = await runBacktest({ config, bars: data.bars, barMs: data.barMs, data: data.data, window, operatorResume: 'never', featureAvailability: false });
  } catch (err) {
    if (err instanceof BacktestEmptyError) throw new UsageError(err.message);
    throw err;
  }

  // The paper sessions' spans (first bar .. end of last bar): the backtest ran whole days.
  const sessions = await readSessionLog(home);
  const spans = sessions
    .filter((s) => s.from !== null && s.to !== null)
    .map((s) => ({ from: Date.parse(s.from!), to: Date.parse(s.to!) + data.barMs }));
  const paperData = [...new Set(sessions.map((s) => s.provenance).filter((p): p is string => p !== null))];
  const instrument = instrumentFor(config.symbol);
  const attribution = attribute({
    paper: { fills, trades: journal.trades() as readonly Trade[] },
    backtest: result,
    tickSize: instrument.tickSize,
    pointValue: instrument.pointValue,
    spans,
    ...(opts.toleranceTicks !== undefined ? { toleranceTicks: opts.toleranceTicks } : {}),
  });
  const backtestData = data.data.map((d) => d.label);
  const sameData = paperData.length === 0 ? null : paperData.every((p) => backtestData.some((b) => b.split('#').at(-1) === p.split('#').at(-1)));
  const meta = { home, data: opts.data, window };
  const human = formatAttribution(attribution, meta);
  if (opts.json) {
    const out = resolve(opts.json);
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, `${JSON.stringify({ paper: { home, data: paperData }, backtest: { data: backtestData, configHash: result.provenance.configHash }, sameData, window, ...attribution }, null, 2)}\n`);
  }
  process.stdout.write(`${human}\n`);
  if (sameData === false) process.stderr.write(`mia: warning: the paper sessions traded ${paperData.join(', ')}, not ${backtestData.join(', ')}\n`);
  return EXIT_OK;
}

/** Registers `mia evidence ...` and `mia attribution` on `program`. */
export function registerAttribution(program: Command): void {
  registerEvidenceCommands(program);
  const cmd = program
    .command('attribution')
    .description("paper vs backtest: re-run the paper journal's period as a backtest and compare fill by fill")
    .requiredOption('--data <file>', 'the market-data file the paper session traded')
    .option('--home <dir>', 'home of the paper session; also MIA_HOME (default: working directory)')
    .option('--config <file>', 'configuration of the backtest (use the paper session\'s); also MIA_CONFIG')
    .option('--json <out>', 'write the comparison as JSON to OUT')
    .option('--tolerance-ticks <n>', 'largest price difference still called a match (default 1)', nonNegative('--tolerance-ticks'));
  addLoaderOptions(cmd).action(async (opts: AttributionOptions) => {
    process.exitCode = await attributionCommand(opts);
  });
}
