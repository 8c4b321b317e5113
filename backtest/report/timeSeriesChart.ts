/**
 * An inline SVG chart of a time series, drawn server-side (no script, no external asset):
 * a line (equity) or an area down from zero (drawdown), with a UTC time axis and a value
 * axis. Long series are min/max downsampled first (downsample.ts); the drawn point count
 * is exposed as `data-points` on the <svg> and on its <path> (a step path: one M or V
 * command per point).
 */
import { timeTicks, valueTicks } from './axisTicks.ts';
import { downsampleMinMax, MAX_CHART_POINTS } from './downsample.ts';
import { attrs, coord, esc } from './html.ts';

export interface SeriesPoint {
  /** ms UTC. */
  t: number;
  v: number;
}

export interface ChartOptions {
  id: string;
  title: string;
  kind: 'line' | 'area';
  formatValue: (v: number) => string;
  /** A horizontal reference line (e.g. the starting equity), labelled. */
  reference?: { value: number; label: string };
  maxPoints?: number;
  width?: number;
  height?: number;
  /** More lines on the same axes (e.g. buy-and-hold beside equity), each downsampled alike. */
  overlays?: ReadonlyArray<{ id: string; className: string; label: string; points: readonly SeriesPoint[] }>;
  /** Point marks on the same axes (e.g. trade entries and exits), drawn as small shapes with a tooltip. */
  markers?: ReadonlyArray<{ t: number; v: number; kind: 'long' | 'short' | 'exit-win' | 'exit-loss'; title: string }>;
}

const MARGIN = { left: 92, right: 16, top: 28, bottom: 40 };

export function timeSeriesChart(series: readonly SeriesPoint[], options: ChartOptions): string {
  const width = options.width ?? 960;
  const height = options.height ?? 300;
  const points = downsampleMinMax(series, options.maxPoints ?? MAX_CHART_POINTS, (p) => p.v);
  const head = (extra: Record<string, string | number>) =>
    `<svg${attrs({ id: options.id, class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': options.title, 'data-points': points.length, 'data-source-points': series.length, ...extra })}>` +
    `<title>${esc(options.title)}</title>`;
  if (points.length === 0) {
    return `${head({})}<text class="empty" x="${width / 2}" y="${height / 2}" text-anchor="middle">no points to draw</text></svg>`;
  }

  const t0 = points[0]!.t;
  const t1 = points[points.length - 1]!.t;
  const overlays = (options.overlays ?? []).map((o) => ({ ...o, points: downsampleMinMax(o.points, options.maxPoints ?? MAX_CHART_POINTS, (p) => p.v) }));
  const markers = options.markers ?? [];
  const extraValues = [...overlays.flatMap((o) => o.points.map((p) => p.v)), ...markers.map((m) => m.v)];
  let lo = Math.min(...points.map((p) => p.v), ...extraValues, options.kind === 'area' ? 0 : Infinity);
  let hi = Math.max(...points.map((p) => p.v), ...extraValues, options.kind === 'area' ? 0 : -Infinity);
  if (options.reference) {
    lo = Math.min(lo, options.reference.value);
    hi = Math.max(hi, options.reference.value);
  }
  if (hi === lo) {
    // A flat series: give it a band so it is drawn mid-height, not on the frame.
    const pad = Math.max(1, Math.abs(hi) * 0.01);
    lo -= pad;
    hi += pad;
  }
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const x = (t: number) => MARGIN.left + (t1 === t0 ? plotW / 2 : ((t - t0) / (t1 - t0)) * plotW);
  const y = (v: number) => MARGIN.top + ((hi - v) / (hi - lo)) * plotH;
  const bottom = MARGIN.top + plotH;

  const parts: string[] = [];
  const yTicks = valueTicks(lo, hi, 6, options.formatValue);
  parts.push('<g class="axis y-axis">');
  for (const tick of yTicks) {
    const yy = coord(y(tick.value));
    parts.push(`<line class="grid" x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${yy}" y2="${yy}"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${yy}" dy="0.32em" text-anchor="end">${esc(tick.label)}</text>`);
  }
  parts.push('</g>');
  parts.push('<g class="axis x-axis">');
  parts.push(`<line class="frame" x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${bottom}" y2="${bottom}"/>`);
  for (const tick of t1 > t0 ? timeTicks(t0, t1, 8) : timeTicks(t0, t0, 1)) {
    const xx = coord(x(tick.value));
    parts.push(`<line class="tick" x1="${xx}" x2="${xx}" y1="${bottom}" y2="${bottom + 5}"/>`);
    parts.push(`<text x="${xx}" y="${bottom + 18}" text-anchor="middle">${esc(tick.label)}</text>`);
  }
  parts.push(`<text class="axis-title" x="${width - MARGIN.right}" y="${height - 4}" text-anchor="end">time (UTC)</text>`);
  parts.push('</g>');
  parts.push(`<line class="frame" x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${bottom}"/>`);

  if (options.reference) {
    const yy = coord(y(options.reference.value));
    parts.push(`<line class="reference" x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${yy}" y2="${yy}"/>`);
    parts.push(`<text class="reference-label" x="${width - MARGIN.right}" y="${yy}" dy="-0.4em" text-anchor="end">${esc(options.reference.label)}</text>`);
  }

  // Steps, not slopes: between two marks the value did not change (the result records a
  // point where equity changed), so a straight line across a weekend would invent a trend.
  // One point = the M of the first, then one `H x V y` per point (count the M and V commands).
  const line = points.map((p, i) => (i === 0 ? `M${coord(x(p.t))} ${coord(y(p.v))}` : `H${coord(x(p.t))}V${coord(y(p.v))}`)).join('');
  if (options.kind === 'area') {
    const zero = coord(y(0));
    const first = coord(x(points[0]!.t));
    const last = coord(x(points[points.length - 1]!.t));
    parts.push(`<path class="area" d="M${first} ${zero}${line.replace(/^M/, 'L')}L${last} ${zero}Z"/>`);
  }
  parts.push(`<path${attrs({ id: `${options.id}-path`, class: options.kind === 'area' ? 'area-edge' : 'line', 'data-points': points.length })} d="${line}"/>`);
  overlays.forEach((o, k) => {
    const d = o.points.map((p, i) => (i === 0 ? `M${coord(x(p.t))} ${coord(y(p.v))}` : `H${coord(x(p.t))}V${coord(y(p.v))}`)).join('');
    if (d !== '') parts.push(`<path${attrs({ id: o.id, class: `line ${o.className}`, 'data-points': o.points.length })} d="${d}"/>`);
    parts.push(`<text${attrs({ class: `legend ${o.className}`, x: width - MARGIN.right, y: MARGIN.top - 10 - 14 * k, 'text-anchor': 'end' })}>${esc(o.label)}</text>`);
  });
  if (markers.length > 0) {
    parts.push(`<g${attrs({ class: 'markers', 'data-markers': markers.length })}>`);
    for (const m of markers) {
      const cx = coord(x(m.t));
      const cy = coord(y(m.v));
      const shape =
        m.kind === 'long' ? `<path class="marker long" d="M${cx} ${coord(y(m.v) - 6)}l5 9h-10z">`
        : m.kind === 'short' ? `<path class="marker short" d="M${cx} ${coord(y(m.v) + 6)}l5 -9h-10z">`
        : `<circle class="marker ${m.kind}" cx="${cx}" cy="${cy}" r="3.5">`;
      parts.push(`${shape}<title>${esc(m.title)}</title>${shape.startsWith('<path') ? '</path>' : '</circle>'}`);
    }
    parts.push('</g>');
  }
  parts.push(`<text class="chart-title" x="${MARGIN.left}" y="${MARGIN.top - 10}">${esc(options.title)}</text>`);
  return `${head({ 'data-from': new Date(t0).toISOString(), 'data-to': new Date(t1).toISOString() })}${parts.join('')}</svg>`;
}
