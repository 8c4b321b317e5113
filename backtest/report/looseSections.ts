/**
 * Sections for result fields other modules add (`monteCarlo` from backtest/monteCarlo.ts,
 * `walkForward` from the walk-forward): typed loosely on purpose, so a report still renders
 * when their shape grows. A Monte Carlo distribution gets its percentile table; anything
 * else is rendered generically (objects as key/value tables, arrays of objects as tables),
 * every string escaped.
 */
import { count, HEADLINE_METRICS, money, NA, num, pct } from './format.ts';
import { attrs, esc } from './html.ts';

type Json = Record<string, unknown>;

const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
const isPercentiles = (x: unknown): x is { p5: number; p50: number; p95: number } =>
  isObject(x) && typeof x.p5 === 'number' && typeof x.p50 === 'number' && typeof x.p95 === 'number';

/** Rows cap of a generic table (a walk-forward has tens of windows, not thousands). */
const GENERIC_ROW_CAP = 200;
const MAX_DEPTH = 4;

function scalar(value: unknown): string {
  if (value === null || value === undefined) return NA;
  if (typeof value === 'number') return Number.isInteger(value) ? count(value) : num(value, Math.abs(value) < 10 ? 4 : 2);
  if (typeof value === 'string' || typeof value === 'boolean') return esc(value);
  return `<code>${esc(JSON.stringify(value))}</code>`;
}

/** Any JSON value as HTML. */
export function genericValue(value: unknown, depth = 0): string {
  if (!isObject(value) && !Array.isArray(value)) return scalar(value);
  if (depth >= MAX_DEPTH) return `<code>${esc(JSON.stringify(value))}</code>`;
  if (Array.isArray(value)) {
    if (value.length === 0) return '<span class="note">none</span>';
    if (!value.every(isObject)) {
      const shown = value.slice(0, GENERIC_ROW_CAP).map((v) => genericValue(v, depth + 1));
      return shown.join(', ') + (value.length > GENERIC_ROW_CAP ? ` <span class="note">(${count(GENERIC_ROW_CAP)} of ${count(value.length)} shown)</span>` : '');
    }
    const columns = [...new Set(value.flatMap((row) => Object.keys(row as Json)))];
    const rows = value.slice(0, GENERIC_ROW_CAP).map(
      (row) => `<tr>${columns.map((c) => `<td>${genericValue((row as Json)[c], depth + 1)}</td>`).join('')}</tr>`,
    );
    const note = value.length > GENERIC_ROW_CAP ? `<p class="note">${count(GENERIC_ROW_CAP)} of ${count(value.length)} rows shown.</p>` : '';
    return `<table class="generic"${attrs({ 'data-rows': value.length })}><thead><tr>${columns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>${note}`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '<span class="note">empty</span>';
  return `<table class="generic kv"><tbody>${entries
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${genericValue(v, depth + 1)}</td></tr>`)
    .join('')}</tbody></table>`;
}

/** Monte Carlo distribution fields and how their percentiles are shown. */
const DISTRIBUTION_ROWS: ReadonlyArray<[string, (x: number) => string]> = [
  ['totalReturn', (x) => pct(x)],
  ['netProfit', money],
  ['maxDrawdown', money],
  ['maxDrawdownPct', (x) => pct(x)],
];

function distributionTable(name: string, d: Json): string {
  const rows = DISTRIBUTION_ROWS.filter(([field]) => isPercentiles(d[field])).map(([field, format]) => {
    const p = d[field] as { p5: number; p50: number; p95: number };
    return `<tr${attrs({ 'data-field': field })}><th>${esc(field)}</th><td>${esc(format(p.p5))}</td><td>${esc(format(p.p50))}</td><td>${esc(format(p.p95))}</td></tr>`;
  });
  const facts = [
    typeof d.runs === 'number' ? `${count(d.runs)} runs` : null,
    typeof d.trades === 'number' ? `${count(d.trades)} trades per run` : null,
    typeof d.seed === 'number' ? `seed ${d.seed}` : null,
    typeof d.probabilityOfLoss === 'number' ? `probability of a net loss ${pct(d.probabilityOfLoss, 1)}` : null,
  ].filter((f) => f !== null);
  return (
    `<h3>${esc(name)}</h3><p class="note">${esc(facts.join(' · '))}</p>` +
    `<table${attrs({ class: 'monte-carlo', 'data-method': name })}><thead><tr><th></th><th>p5</th><th>p50</th><th>p95</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
  );
}

export function monteCarloSection(value: unknown): string {
  const body = isObject(value)
    ? Object.entries(value)
        .map(([name, d]) => (isObject(d) && DISTRIBUTION_ROWS.some(([f]) => isPercentiles(d[f])) ? distributionTable(name, d) : `<h3>${esc(name)}</h3>${genericValue(d, 1)}`))
        .join('')
    : genericValue(value);
  return (
    '<section id="monte-carlo"><h2>Monte Carlo</h2>' +
    '<p class="note">Trade-order shuffling and bootstrap resampling of the trades\' P&amp;L; for drawdowns p95 is the pessimistic end.</p>' +
    `${body}</section>`
  );
}

const range = (x: unknown): string =>
  isObject(x) && typeof x.from === 'string' && typeof x.to === 'string' ? `${esc(x.from)} .. ${esc(x.to)}` : genericValue(x, 2);
const metric = (m: unknown, key: string, format: (x: number | null) => string): string => {
  if (!isObject(m)) return NA;
  const v = m[key];
  return esc(format(typeof v === 'number' ? v : null));
};

/** Parameters on one line (`path = value`), nested values as JSON. */
const compactParams = (params: unknown): string =>
  isObject(params)
    ? Object.entries(params)
        .map(([k, v]) => `<code>${esc(k)}</code> = ${typeof v === 'object' && v !== null ? `<code>${esc(JSON.stringify(v))}</code>` : scalar(v)}`)
        .join('<br>') || '<span class="note">base configuration</span>'
    : genericValue(params, 3);

/** The walk-forward windows as one row each (backtest/walkForward.ts shape, read loosely). */
function windowsTable(windows: unknown[]): string {
  const rows = windows.map((w, i) => {
    if (!isObject(w)) return `<tr><td>${i + 1}</td><td colspan="9">${genericValue(w, 2)}</td></tr>`;
    const chosen = isObject(w.chosen) ? compactParams(w.chosen.params ?? w.chosen) : w.chosen === null ? '<span class="note">none eligible</span>' : genericValue(w.chosen, 2);
    const profitable = typeof w.profitable === 'boolean' ? (w.profitable ? 'yes' : 'no') : NA;
    return (
      `<tr${attrs({ class: 'wf-window', 'data-window': i })}><td>${i + 1}</td><td>${range(w.inSample)}</td><td>${range(w.outOfSample)}</td><td class="params">${chosen}</td>` +
      `<td>${typeof w.eligible === 'number' ? count(w.eligible) : NA}</td>` +
      `<td>${metric(w.inSampleMetrics, 'sharpe', (x) => num(x))}</td><td>${metric(w.outOfSampleMetrics, 'sharpe', (x) => num(x))}</td>` +
      `<td>${metric(w.outOfSampleMetrics, 'trades', count)}</td><td>${typeof w.netProfit === 'number' ? esc(money(w.netProfit)) : metric(w.outOfSampleMetrics, 'netProfit', money)}</td><td>${profitable}</td></tr>`
    );
  });
  return (
    `<table id="walk-forward-windows"${attrs({ 'data-rows': windows.length })}><thead><tr><th>#</th><th>In sample</th><th>Out of sample</th><th>Chosen parameters</th><th>Eligible</th>` +
    `<th>IS Sharpe</th><th>OOS Sharpe</th><th>OOS trades</th><th>OOS net profit</th><th>Profitable</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
  );
}

/** Headline metrics of a metrics object, in the contract's order. */
function metricsTable(id: string, m: Json): string {
  const rows = HEADLINE_METRICS.filter(({ key }) => key in m).map(({ key, label, format }) => {
    const v = m[key];
    return `<tr${attrs({ 'data-metric': key })}><th>${esc(label)} <small>${esc(key)}</small></th><td>${esc(format(typeof v === 'number' ? v : null))}</td></tr>`;
  });
  return `<table${attrs({ id })}><tbody>${rows.join('')}</tbody></table>`;
}

/**
 * Walk-forward: settings, one row per window, the stitched out-of-sample record (headline
 * metrics and equity chart) and the robustness; fields it does not know are shown generically.
 */
export function walkForwardSection(value: unknown, equityChart: (points: unknown) => string): string {
  if (!isObject(value)) return `<section id="walk-forward"><h2>Walk-forward</h2>${genericValue(value)}</section>`;
  const parts: string[] = [];
  const known = new Set(['settings', 'windows', 'outOfSample', 'robustness']);
  if (isObject(value.settings)) parts.push(`<h3>Settings</h3>${genericValue(value.settings, 1)}`);
  if (typeof value.robustness === 'number') parts.push(`<p id="walk-forward-robustness">Robustness (profitable out-of-sample windows): <strong>${esc(pct(value.robustness, 1))}</strong></p>`);
  if (Array.isArray(value.windows)) parts.push(`<h3>Windows</h3>${windowsTable(value.windows)}`);
  const oos = value.outOfSample;
  if (isObject(oos)) {
    parts.push(`<h3>Stitched out-of-sample record${isObject(oos.period) ? ` ${range(oos.period)}` : ''}</h3>`);
    if (isObject(oos.metrics)) parts.push(metricsTable('walk-forward-metrics', oos.metrics));
    if (Array.isArray(oos.equity)) parts.push(equityChart(oos.equity));
    if (Array.isArray(oos.trades)) parts.push(`<p class="note">${count(oos.trades.length)} out-of-sample trades (listed in the JSON result).</p>`);
  } else if (oos !== undefined) {
    known.delete('outOfSample');
  }
  for (const [k, v] of Object.entries(value)) if (!known.has(k)) parts.push(`<h3>${esc(k)}</h3>${genericValue(v, 1)}`);
  return `<section id="walk-forward"><h2>Walk-forward</h2>${parts.join('')}</section>`;
}
