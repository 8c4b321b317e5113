/**
 * The self-contained HTML report of a backtest (issue 6, item 6): one file that opens
 * offline. Inline CSS, inline SVG charts drawn here, no script, no external URL (a
 * Content-Security-Policy forbids any fetch anyway). Every string from the result is
 * escaped: file names and configuration values may contain markup characters.
 * Deterministic: the same result gives the same bytes (no generation time).
 */
import { availabilityTokens } from '../availability.ts';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BacktestResult, DataProvenance } from '../result.ts';
import { featureBars } from './featureBars.ts';
import { count, HEADLINE_METRICS, money, NA, nullReason, num, pct, signedPct } from './format.ts';
import { attrs, esc } from './html.ts';
import { genericValue, monteCarloSection, walkForwardSection } from './looseSections.ts';
import { timeSeriesChart, type SeriesPoint } from './timeSeriesChart.ts';
import { researchSection, type ResearchInputs } from './researchSection.ts';

/** Most trade rows the report lists; the JSON result always has every trade. */
export const TRADE_ROW_CAP = 2_000;

/** Fields other modules may add to the result (rendered when present). */
type ExtendedResult = BacktestResult & { monteCarlo?: unknown; walkForward?: unknown; risk?: unknown };

/** The report as one HTML document. Throws on an equity point whose time or value is not usable. */
export function renderHtmlReport(result: BacktestResult, research?: ResearchInputs): string {
  const r = result as ExtendedResult;
  const title = `MIA backtest ${result.period.from} .. ${result.period.to}`;
  const sections = [
    header(result),
    metricsSection(result),
    equitySection(result),
    monthlySection(result),
    researchSection(result, research),
    tradesSection(result),
    `<section id="features"><h2>Feature availability</h2><p class="note">Share of bars on which each feature could be computed.</p>${featureBars(result.featureAvailability)}</section>`,
    r.monteCarlo !== undefined && r.monteCarlo !== null ? monteCarloSection(r.monteCarlo) : '',
    r.walkForward !== undefined && r.walkForward !== null ? walkForwardSection(r.walkForward, walkForwardEquity) : '',
    r.risk !== undefined && r.risk !== null ? `<section id="risk"><h2>Risk at the end of the run</h2>${genericValue(r.risk)}</section>` : '',
    provenanceSection(result),
  ];
  return (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">` +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${esc(title)}</title><style>${CSS}</style></head>\n<body>\n${sections.filter((s) => s !== '').join('\n')}\n</body></html>\n`
  );
}

/** Writes `<dir>/report.html` (creating dir; temporary file + rename) and returns its path. */
export async function writeHtmlReport(result: BacktestResult, dir: string, research?: ResearchInputs): Promise<string> {
  const html = renderHtmlReport(result, research);
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'report.html');
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, html);
  await rename(tmp, path);
  return path;
}

function header(result: BacktestResult): string {
  const p = result.provenance;
  const window = p.window.from || p.window.to ? ` · requested window ${esc(p.window.from ?? '…')} .. ${esc(p.window.to ?? '…')}` : '';
  return (
    `<header><h1>MIA backtest report</h1><p>Period <strong id="period">${esc(result.period.from)} .. ${esc(result.period.to)}</strong>` +
    ` (${esc(count(result.performance.tradingDays))} trading days)${window} · MIA ${esc(p.mia)}` +
    ` · configuration hash <code id="config-hash">${esc(p.configHash)}</code></p>` +
    (result.availability ? `<p id="availability" class="note"><strong>Confluence:</strong> ${esc(availabilityTokens(result.availability).join(' · '))}</p>` : '') +
    '<p class="note">Money in dollars after commissions; times ISO-8601 UTC; n/a marks a ratio this record cannot define (e.g. a profit factor without a losing trade).</p></header>'
  );
}

function metricsSection(result: BacktestResult): string {
  const headline = HEADLINE_METRICS.map(({ key, label, format }) => {
    const value = result.metrics[key];
    const reason = nullReason(key, result);
    return (
      `<tr${attrs({ 'data-metric': key, 'data-value': value === null ? 'null' : value })}><th>${esc(label)} <small>${esc(key)}</small></th>` +
      `<td>${esc(format(value))}${reason ? ` <small class="why">(${esc(reason)})</small>` : ''}</td></tr>`
    );
  });
  const p = result.performance;
  const more: Array<[string, string]> = [
    ['Starting equity', money(p.startingEquity)],
    ['Final equity', money(p.finalEquity)],
    ['Total return', pct(p.totalReturn)],
    ['Winners / losers', `${count(p.winners)} / ${count(p.losers)}`],
    ['Gross profit / loss', `${money(p.grossProfit)} / ${money(p.grossLoss)}`],
    ['Average win / loss', `${money(p.avgWin)} / ${money(p.avgLoss)}`],
    ['Expectancy', money(p.expectancy)],
    ['Longest losing streak', count(p.longestLosingStreak)],
    ['Calmar', num(p.calmar)],
    ['Mean monthly return', pct(p.monthlyReturn)],
    ['Monthly stability', num(p.monthlyStability)],
    ['Robustness (profitable months)', pct(p.robustness, 1)],
    ['Signals', p.signals === null ? NA : count(p.signals)],
  ];
  // The engine's own counters win; fills and signals are counted from the lists otherwise.
  const counts = Object.entries({ ...result.counts, fills: result.counts.fills ?? result.fills.length, signals: result.counts.signals ?? result.signals.length }).filter(
    ([, v]) => v !== undefined,
  );
  return (
    '<section id="summary"><h2>Headline metrics</h2><div class="cols">' +
    `<table id="metrics"><tbody>${headline.join('')}</tbody></table>` +
    `<table id="performance"><tbody>${more.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</tbody></table>` +
    `<table id="counts"><tbody>${counts.map(([k, v]) => `<tr${attrs({ 'data-count': k })}><th>${esc(k)}</th><td>${esc(typeof v === 'number' ? count(v) : String(v))}</td></tr>`).join('')}</tbody></table>` +
    '</div></section>'
  );
}

/** Equity points as chart points in time order; a bad point is an error naming it (`field[i]`). */
function equitySeries(equity: ReadonlyArray<{ time: string; equity: number }>, field = 'equity'): SeriesPoint[] {
  const points = equity.map((e, i) => {
    const t = Date.parse(e?.time);
    if (!Number.isFinite(t)) throw new RangeError(`${field}[${i}].time: not an ISO-8601 time: '${e?.time}'`);
    if (!Number.isFinite(e.equity)) throw new RangeError(`${field}[${i}].equity: not a finite amount: ${e.equity}`);
    return { t, v: e.equity };
  });
  return points.every((p, i) => i === 0 || points[i - 1]!.t <= p.t) ? points : points.slice().sort((a, b) => a.t - b.t);
}

/** The stitched out-of-sample equity of a walk-forward (loosely typed input). */
function walkForwardEquity(points: unknown): string {
  const series = equitySeries(points as Array<{ time: string; equity: number }>, 'walkForward.outOfSample.equity');
  return timeSeriesChart(series, { id: 'walk-forward-equity', title: 'Stitched out-of-sample equity (dollars)', kind: 'line', formatValue: shortMoney });
}

function equitySection(result: BacktestResult): string {
  const equity = equitySeries(result.equity);
  const start = result.performance.startingEquity;
  // Drawdown below the running peak (the peak starts at the starting equity, as in the metrics).
  let peak = start;
  const drawdown = equity.map((p) => {
    if (p.v > peak) peak = p.v;
    return { t: p.t, v: p.v - peak };
  });
  const m = result.metrics;
  return (
    '<section id="equity"><h2>Equity and drawdown</h2>' +
    timeSeriesChart(equity, { id: 'equity-curve', title: 'Equity (mark-to-market, dollars)', kind: 'line', formatValue: shortMoney, reference: { value: start, label: `start ${money(start)}` } }) +
    timeSeriesChart(drawdown, { id: 'drawdown-chart', title: `Drawdown from the running peak (max ${money(m.maxDrawdown)}, ${pct(m.maxDrawdownPct)})`, kind: 'area', formatValue: shortMoney, height: 200 }) +
    (equity.length > 2_000 ? `<p class="note">${count(equity.length)} equity points drawn as the lowest and highest of each interval, so no drawdown is hidden.</p>` : '') +
    '</section>'
  );
}

/** Axis labels: whole dollars with separators. */
const shortMoney = (v: number): string => money(Math.round(v)).replace(/\.00$/, '');

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function monthlySection(result: BacktestResult): string {
  const months = result.performance.monthlyReturns;
  if (months.length === 0) return '<section id="monthly"><h2>Monthly returns</h2><p class="note">No month in the period.</p></section>';
  const byMonth = new Map(months.map((m) => [m.month, m]));
  const years = [...new Set(months.map((m) => m.month.slice(0, 4)))].sort();
  const scale = Math.max(...months.map((m) => Math.abs(m.return)), 1e-12);
  const rows = years.map((year) => {
    const cells = MONTHS.map((_, i) => {
      const key = `${year}-${String(i + 1).padStart(2, '0')}`;
      const m = byMonth.get(key);
      if (!m) return '<td class="empty"></td>';
      const alpha = (0.12 + 0.6 * Math.min(1, Math.abs(m.return) / scale)).toFixed(2);
      const colour = m.return > 0 ? `rgba(22,163,74,${alpha})` : m.return < 0 ? `rgba(220,38,38,${alpha})` : 'transparent';
      return `<td${attrs({ 'data-month': key, 'data-return': m.return, style: `background:${colour}`, title: `${key}: ${money(m.pnl)}` })}>${esc(signedPct(m.return))}<br><small>${esc(money(m.pnl))}</small></td>`;
    });
    return `<tr><th>${esc(year)}</th>${cells.join('')}</tr>`;
  });
  return (
    '<section id="monthly"><h2>Monthly returns</h2>' +
    `<table id="monthly-returns"${attrs({ 'data-months': months.length })}><thead><tr><th></th>${MONTHS.map((m) => `<th>${m}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>` +
    '<p class="note">Per calendar month of the CME trading day; a partial first or last month is shown as it is.</p></section>'
  );
}

function tradesSection(result: BacktestResult): string {
  const trades = result.trades;
  if (trades.length === 0) {
    return '<section id="trades"><h2>Trades</h2><table id="trade-list" data-total="0" data-shown="0"><tbody></tbody></table><p class="note">No trades in the period.</p></section>';
  }
  const shown = trades.slice(0, TRADE_ROW_CAP);
  const rows = shown.map(
    (t, i) =>
      `<tr${attrs({ class: `trade ${t.pnl > 0 ? 'win' : t.pnl < 0 ? 'loss' : 'flat'}` })}><td>${i + 1}</td><td>${esc(t.side)}</td><td>${esc(count(t.qty))}</td>` +
      `<td>${esc(t.entryTime)}</td><td>${esc(t.exitTime)}</td><td>${esc(num(t.entryPrice))}</td><td>${esc(num(t.exitPrice))}</td>` +
      `<td>${esc(money(t.commission))}</td><td class="pnl">${esc(money(t.pnl))}</td><td>${esc(t.exitReason ?? '')}</td></tr>`,
  );
  const note =
    trades.length > shown.length
      ? `<p class="note" id="trade-cap-note">Showing the first ${count(shown.length)} of ${count(trades.length)} trades; every trade is in the JSON result.</p>`
      : '';
  return (
    `<section id="trades"><h2>Trades (${esc(count(trades.length))})</h2>${note}` +
    `<table id="trade-list"${attrs({ 'data-total': trades.length, 'data-shown': shown.length })}><thead><tr><th>#</th><th>Side</th><th>Qty</th><th>Entry (UTC)</th><th>Exit (UTC)</th><th>Entry</th><th>Exit</th><th>Commission</th><th>P&amp;L</th><th>Exit reason</th></tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table></section>`
  );
}

function provenanceRows(kind: string, files: readonly DataProvenance[]): string[] {
  return files.map(
    (f) =>
      `<tr${attrs({ class: 'provenance-file', 'data-kind': kind, 'data-sha256': f.sha256 })}><td>${esc(kind)}</td><td class="file">${esc(f.file)}</td><td>${esc(f.format)}</td>` +
      `<td><code class="sha256">${esc(f.sha256)}</code></td><td>${esc(count(f.rows))}</td><td>${esc(f.from ?? NA)}</td><td>${esc(f.to ?? NA)}</td></tr>` +
      `<tr class="provenance-label"><td></td><td colspan="6">provenance <code>${esc(f.label)}</code></td></tr>`,
  );
}

function provenanceSection(result: BacktestResult): string {
  const p = result.provenance;
  const rows = [...provenanceRows('data', p.data), ...provenanceRows('chains', p.chains)];
  const table =
    rows.length > 0
      ? `<table id="provenance-files"><colgroup><col style="width:52px"><col><col style="width:64px"><col style="width:240px"><col style="width:72px"><col style="width:190px"><col style="width:190px"></colgroup><thead><tr><th>Kind</th><th>File</th><th>Format</th><th>sha256</th><th>Rows</th><th>From</th><th>To</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
      : '<p class="note">No data file recorded.</p>';
  return (
    '<section id="provenance"><h2>Data provenance</h2>' +
    table +
    `<p>Configuration hash (sha256 of the canonical JSON of the effective configuration): <code>${esc(p.configHash)}</code></p>` +
    `<details id="config"><summary>Configuration sections that shaped the trades</summary><pre>${esc(JSON.stringify(result.config, null, 2))}</pre></details>` +
    '</section>'
  );
}

const CSS = `
:root{color-scheme:light;--fg:#1f2933;--muted:#616e7c;--line:#d9dee3;--accent:#1d4ed8;--win:#15803d;--loss:#b91c1c}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);margin:24px auto;max-width:1100px;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:15px;margin:16px 0 4px}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;word-break:break-all}
.note,small{color:var(--muted)}small.why{font-size:12px}
table{border-collapse:collapse;margin:6px 0}th,td{padding:3px 8px;border-bottom:1px solid var(--line);text-align:right;vertical-align:top}
th{font-weight:600}tbody th{text-align:left}table.kv th{text-align:left}
.cols{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
#trade-list td:nth-child(2),#trade-list td:nth-child(10){text-align:left}
tr.win td.pnl{color:var(--win)}tr.loss td.pnl{color:var(--loss)}
#provenance-files{table-layout:fixed;width:100%;font-size:13px}#provenance-files td{word-break:break-all}
#provenance-files td.file,#provenance-files tr.provenance-label td,#provenance-files th{text-align:left}tr.provenance-file td{border-bottom:none}
#monthly-returns td{min-width:62px;font-variant-numeric:tabular-nums}
td,th{font-variant-numeric:tabular-nums}
svg.chart{width:100%;height:auto;display:block;margin:8px 0;font-size:11px;fill:var(--fg)}
svg .grid{stroke:#eef1f4}svg .frame,svg .tick{stroke:#9aa5b1}
svg path.line{fill:none;stroke:var(--accent);stroke-width:1.4}
svg path.area{fill:rgba(185,28,28,.25);stroke:none}svg path.area-edge{fill:none;stroke:var(--loss);stroke-width:1}
svg .band{fill:#2e7d32;opacity:.15}svg .month .bar{fill:#3b6ea5}svg .month.in-band .bar{fill:#2e7d32}svg .line.hold{stroke:#9aa5b1;stroke-dasharray:5 4}svg .marker.long{fill:#2e7d32}svg .marker.short{fill:#c62828}svg .marker.exit-win{fill:#2e7d32;stroke:#fff}svg .marker.exit-loss{fill:#c62828;stroke:#fff}svg .legend{font-size:11px}
svg .reference{stroke:#9aa5b1;stroke-dasharray:4 3}svg .chart-title{font-weight:600;font-size:12px}
svg .bar-bg{fill:#eef1f4}svg .bar{fill:var(--accent)}
pre{background:#f6f8fa;padding:8px;overflow:auto;font-size:12px}
@media print{body{margin:0}section{break-inside:avoid}}
`;
