/**
 * Terminal tables the backtest prints after its report: which features had data (a score
 * on price-only data uses a few of them), and the walk-forward windows, so that an
 * operator need not open the HTML report to read them.
 */
import type { BacktestMetrics } from '../backtest/result.ts';
import type { WalkForwardResult } from '../backtest/walkForward.ts';

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
const num = (x: number | null | undefined, digits = 2) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(digits));

/** `features 4 of 11 with data: volumeConfirmation 100% ...; none: gammaLevels, ...` */
export function featureAvailabilityLines(shares: Record<string, number>): string[] {
  const entries = Object.entries(shares);
  if (entries.length === 0) return [];
  const withData = entries.filter(([, s]) => s > 0).sort((a, b) => b[1] - a[1]);
  const none = entries.filter(([, s]) => s === 0).map(([k]) => k);
  const lines = [`features ${withData.length} of ${entries.length} had data (share of bars scored)`];
  if (withData.length > 0) lines.push(`  with data  ${withData.map(([k, s]) => `${k} ${pct(s)}`).join(', ')}`);
  if (none.length > 0) lines.push(`  no data    ${none.join(', ')} (they score nothing: their weight is idle)`);
  return lines;
}

const cells = (m: BacktestMetrics | null) => (m ? [String(m.trades), num(m.netProfit), num(m.sharpe), num(m.profitFactor)] : ['-', '-', '-', '-']);

/** One row per walk-forward window: periods, the chosen parameters, in- and out-of-sample results. */
export function walkForwardTable(wf: WalkForwardResult): string[] {
  const s = wf.settings;
  const header = ['#', 'in sample', 'out of sample', 'IS trades', 'IS net', 'IS sharpe', 'IS PF', 'OOS trades', 'OOS net', 'OOS sharpe', 'OOS PF', 'chosen'];
  const rows = wf.windows.map((w) => [
    String(w.index),
    `${w.inSample.from}..${w.inSample.to}`,
    `${w.outOfSample.from}..${w.outOfSample.to}`,
    ...cells(w.inSampleMetrics),
    ...cells(w.outOfSampleMetrics),
    w.chosen ? (Object.keys(w.chosen.params).length === 0 ? `#${w.chosen.index} (base config)` : `#${w.chosen.index} ${JSON.stringify(w.chosen.params)}`) : `none eligible (${w.eligible})`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : i <= 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  const oos = wf.outOfSample.metrics;
  return [
    `walk-forward ${s.from}..${s.to}: ${s.anchored ? 'anchored' : 'rolling'} ${s.inSample} in sample, ${s.outOfSample} out of sample, best by ${s.objective} (>= ${s.minTrades} trades) of ${s.candidates} candidate(s)`,
    line(header),
    ...rows.map(line),
    `stitched out of sample ${wf.outOfSample.period.from}..${wf.outOfSample.period.to}: trades ${oos.trades}, net ${num(oos.netProfit)}, sharpe ${num(oos.sharpe)}, PF ${num(oos.profitFactor)}, maxDD ${num(oos.maxDrawdown)}`,
    `robustness ${pct(wf.robustness)} of windows profitable out of sample`,
  ];
}
