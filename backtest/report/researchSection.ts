/**
 * The research part of the HTML report (issue 15, item 7): the price with every entry and
 * exit, equity against buy-and-hold (one contract of the instrument held from the first
 * bar's close, marked at each close), signals per month against the plan's band, and each
 * feature's contribution (trades whose entry signal had it available vs not). Price and
 * buy-and-hold need the bars' closes, which the result does not keep: the caller passes them
 * (`ResearchInputs`); without them those two charts say so.
 */
import type { BacktestResult } from '../result.ts';
import { downsampleMinMax } from './downsample.ts';
import { money, num, pct } from './format.ts';
import { attrs, coord, esc } from './html.ts';
import { featureContribution, signalsByMonth } from './researchStats.ts';
import { timeSeriesChart, type SeriesPoint } from './timeSeriesChart.ts';

export interface ResearchInputs {
  /** Bar closes (ms UTC of the close, price), in time order; downsampled here. */
  closes: readonly SeriesPoint[];
  /** Dollars per point of the instrument traded (buy-and-hold of one contract). */
  pointValue: number;
  /** Band of signals per month drawn on the signals chart (default the plan's 25-35). */
  band?: { min: number; max: number };
}

const shortMoney = (v: number): string => money(Math.round(v)).replace(/\.00$/, '');

/** Closes for a report: min/max downsampled (the extremes stay) to a few thousand points. */
export const reportCloses = (closes: readonly SeriesPoint[]): SeriesPoint[] => downsampleMinMax(closes, 4_000, (p) => p.v);

function priceChart(result: BacktestResult, closes: readonly SeriesPoint[]): string {
  const markers = result.trades.flatMap((t) => [
    { t: Date.parse(t.entryTime), v: t.entryPrice, kind: t.side, title: `${t.side} entry ${t.entryTime} at ${t.entryPrice}` } as const,
    { t: Date.parse(t.exitTime), v: t.exitPrice, kind: t.pnl > 0 ? ('exit-win' as const) : ('exit-loss' as const), title: `exit ${t.exitTime} at ${t.exitPrice} (${t.exitReason ?? 'exit'}), ${money(t.pnl)}` },
  ]);
  return timeSeriesChart(closes, { id: 'price-chart', title: `Price with ${result.trades.length} entries (triangles) and exits (circles: green win, red loss)`, kind: 'line', formatValue: (v) => num(v, 2), markers });
}

function equityVsHold(result: BacktestResult, closes: readonly SeriesPoint[], pointValue: number): string {
  const start = result.performance.startingEquity;
  const first = closes[0]!.v;
  const hold = closes.map((p) => ({ t: p.t, v: start + (p.v - first) * pointValue }));
  const equity = result.equity.map((e) => ({ t: Date.parse(e.time), v: e.equity })).filter((p) => Number.isFinite(p.t) && Number.isFinite(p.v));
  const holdEnd = hold.at(-1)!.v;
  return timeSeriesChart(equity.length > 0 ? equity : [{ t: closes[0]!.t, v: start }], {
    id: 'equity-vs-hold',
    title: `Equity (line) against buy-and-hold of one contract (dashed): ${money(result.performance.finalEquity - start)} vs ${money(holdEnd - start)}`,
    kind: 'line',
    formatValue: shortMoney,
    reference: { value: start, label: `start ${money(start)}` },
    overlays: [{ id: 'buy-and-hold', className: 'hold', label: 'buy-and-hold', points: hold }],
  });
}

function signalsChart(result: BacktestResult, band: { min: number; max: number }): string {
  const months = signalsByMonth(result.signals, result.period);
  const W = 960;
  const H = 240;
  const left = 60;
  const top = 28;
  const plotH = H - top - 40;
  const hi = Math.max(band.max, ...months.map((m) => m.perMonth)) * 1.2;
  const y = (v: number) => top + plotH - (v / hi) * plotH;
  const slot = (W - left - 16) / Math.max(1, months.length);
  const parts = months.map((m, i) => {
    const x = left + i * slot + slot * 0.2;
    const inBand = m.perMonth >= band.min && m.perMonth <= band.max;
    return (
      `<g${attrs({ class: `month ${inBand ? 'in-band' : 'out-band'}`, 'data-month': m.month, 'data-signals': m.signals, 'data-per-month': Number(m.perMonth.toFixed(3)) })}>` +
      `<rect class="bar" x="${coord(x)}" y="${coord(y(m.perMonth))}" width="${coord(slot * 0.6)}" height="${coord(top + plotH - y(m.perMonth))}"/>` +
      `<text x="${coord(x + slot * 0.3)}" y="${coord(y(m.perMonth) - 4)}" text-anchor="middle">${esc(num(m.perMonth, 1))}</text>` +
      `<text x="${coord(x + slot * 0.3)}" y="${H - 22}" text-anchor="middle">${esc(m.month)} (${esc(m.signals)} in ${esc(pct(m.covered, 0))})</text></g>`
    );
  });
  const bandRect = `<rect class="band" x="${left}" y="${coord(y(band.max))}" width="${W - left - 16}" height="${coord(y(band.min) - y(band.max))}"/>`;
  return (
    `<svg${attrs({ id: 'signals-per-month', class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'Signals per month against the band', 'data-band': `${band.min}-${band.max}`, 'data-months': months.length })}>` +
    `<text class="chart-title" x="${left}" y="${top - 10}">Signals per month (a partial month at its rate) against the band ${esc(band.min)}-${esc(band.max)} (shaded)</text>` +
    `${bandRect}<line class="frame" x1="${left}" x2="${W - 16}" y1="${top + plotH}" y2="${top + plotH}"/>${parts.join('')}</svg>`
  );
}

function contributionTable(result: BacktestResult): string {
  const features = Object.keys(result.featureAvailability ?? {}).sort();
  if (result.trades.length === 0 || features.length === 0) return '<p class="note" id="contribution-empty">No trades: no feature contribution to show.</p>';
  const rows = featureContribution(result.trades, result.signals, features).map(
    (c) =>
      `<tr${attrs({ 'data-feature': c.feature })}><td>${esc(c.feature)}</td><td>${esc(c.present.trades)}</td><td>${esc(pct(c.present.winRate, 1))}</td><td>${esc(money(c.present.pnl))}</td>` +
      `<td>${esc(c.absent.trades)}</td><td>${esc(pct(c.absent.winRate, 1))}</td><td>${esc(money(c.absent.pnl))}</td></tr>`,
  );
  return (
    '<table id="feature-contribution"><thead><tr><th>feature</th><th>trades with it</th><th>win rate</th><th>P&amp;L</th><th>trades without</th><th>win rate</th><th>P&amp;L</th></tr></thead>' +
    `<tbody>${rows.join('')}</tbody></table>` +
    '<p class="note">A trade counts "with" a feature when its entry signal (the latest signal of its direction at or before the entry) had the feature available. Descriptive only: the two groups differ in more than the feature.</p>'
  );
}

export function researchSection(result: BacktestResult, research?: ResearchInputs): string {
  const band = research?.band ?? { min: 25, max: 35 };
  const closes = research ? reportCloses(research.closes) : [];
  const priced = closes.length > 0;
  return (
    '<section id="research"><h2>Research</h2>' +
    (priced ? priceChart(result, closes) + equityVsHold(result, closes, research!.pointValue) : '<p class="note" id="no-prices">The bars were not given to the report: no price or buy-and-hold chart.</p>') +
    signalsChart(result, band) +
    '<h3>Feature contribution</h3>' +
    contributionTable(result) +
    '</section>'
  );
}
