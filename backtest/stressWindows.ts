/**
 * Named stress windows: periods of market stress the strategy is judged on by themselves.
 * Each runs on the trading days the data covers (a window the data covers in part runs on
 * that part and says so); a window the data does not reach is reported as skipped.
 * The built-in list (real dates) can be replaced by `backtest.stressWindows` in the
 * configuration.
 */
import type { StressWindowSetting } from '../config/backtestSchema.ts';
import type { MiaConfig } from '../config/schema.ts';
import type { BacktestMetrics } from './result.ts';
import type { BatchRunner } from './sweepRunner.ts';
import { weekdays } from './walkForwardWindows.ts';

export type StressWindow = StressWindowSetting;

/** Well-known stress periods (trading days, inclusive). */
export const BUILTIN_STRESS_WINDOWS: readonly StressWindow[] = [
  { name: 'lehman-2008', from: '2008-09-15', to: '2008-10-10', description: 'Lehman Brothers bankruptcy and the October 2008 crash' },
  { name: 'flash-crash-2010', from: '2010-05-06', to: '2010-05-07', description: 'the 6 May 2010 flash crash' },
  { name: 'us-downgrade-2011', from: '2011-08-01', to: '2011-08-12', description: 'S&P downgrade of the US credit rating' },
  { name: 'shutdown-2013', from: '2013-10-01', to: '2013-10-17', description: 'US government shutdown and debt-ceiling standoff' },
  { name: 'china-devaluation-2015', from: '2015-08-20', to: '2015-08-26', description: 'yuan devaluation sell-off and the 24 August 2015 open' },
  { name: 'brexit-2016', from: '2016-06-23', to: '2016-06-28', description: 'the Brexit referendum result' },
  { name: 'volmageddon-2018', from: '2018-02-02', to: '2018-02-09', description: 'short-volatility blow-up (XIV) of February 2018' },
  { name: 'covid-crash-2020', from: '2020-02-20', to: '2020-03-23', description: 'COVID-19 crash, peak to trough' },
  { name: 'cpi-shock-2022', from: '2022-09-13', to: '2022-09-16', description: 'hot August CPI print of 13 September 2022' },
  { name: 'regional-banks-2023', from: '2023-03-09', to: '2023-03-24', description: 'Silicon Valley Bank failure and the regional-bank crisis' },
  { name: 'yields-2023', from: '2023-10-02', to: '2023-10-06', description: 'Treasury yields at 16-year highs, early October 2023' },
  { name: 'yen-carry-2024', from: '2024-08-01', to: '2024-08-07', description: 'yen carry-trade unwind and the 5 August 2024 VIX spike' },
];

export interface StressPlan {
  window: StressWindow;
  /** Covered trading days the run judges (first and last). */
  from: string;
  to: string;
  /** Share of the window's weekdays that have data, in (0, 1]. */
  coverage: number;
}

export interface StressSkip {
  window: StressWindow;
  reason: string;
}

/** Which windows the data covers (`dataDays`: trading days with bars, sorted), and on which days. */
export function planStress(windows: readonly StressWindow[], dataDays: readonly string[]): { run: StressPlan[]; skipped: StressSkip[] } {
  const have = new Set(dataDays);
  const run: StressPlan[] = [];
  const skipped: StressSkip[] = [];
  for (const w of windows) {
    const days = weekdays(w.from, w.to);
    const covered = days.filter((d) => have.has(d));
    if (covered.length === 0) {
      const span = dataDays.length > 0 ? `${dataDays[0]} .. ${dataDays.at(-1)}` : 'no days';
      skipped.push({ window: w, reason: `not covered by the data (${span})` });
      continue;
    }
    run.push({ window: w, from: covered[0]!, to: covered.at(-1)!, coverage: covered.length / days.length });
  }
  return { run, skipped };
}

export interface StressWindowResult {
  name: string;
  description: string;
  window: { from: string; to: string };
  /** Days actually judged. */
  period: { from: string; to: string };
  coverage: number;
  partial: boolean;
  metrics: BacktestMetrics;
}

export interface StressReport {
  windows: StressWindowResult[];
  skipped: Array<{ name: string; window: { from: string; to: string }; reason: string }>;
}

/** Runs `config` on every covered window (in parallel on a pool). */
export async function runStress(batch: BatchRunner, config: MiaConfig, windows: readonly StressWindow[], dataDays: readonly string[]): Promise<StressReport> {
  const plan = planStress(windows, dataDays);
  const outcomes = await batch(plan.run.map((p) => ({ config, from: p.from, to: p.to, detail: 'summary' as const })));
  return {
    windows: plan.run.map((p, i) => ({
      name: p.window.name,
      description: p.window.description,
      window: { from: p.window.from, to: p.window.to },
      period: outcomes[i]!.period,
      coverage: p.coverage,
      partial: p.coverage < 1,
      metrics: outcomes[i]!.metrics,
    })),
    skipped: plan.skipped.map((s) => ({ name: s.window.name, window: { from: s.window.from, to: s.window.to }, reason: s.reason })),
  };
}
