/** Feature availability (share of bars each feature could be computed on) as SVG bars. */
import { pct } from './format.ts';
import { attrs, coord, esc } from './html.ts';

const ROW = 22;
const LABEL_W = 180;
const BAR_W = 600;

export function featureBars(availability: Record<string, number>): string {
  const names = Object.keys(availability).sort();
  if (names.length === 0) return '<p class="note" id="feature-availability-empty">No feature availability was recorded.</p>';
  const height = names.length * ROW + 8;
  const rows = names.map((name, i) => {
    const raw = availability[name]!;
    const share = Number.isFinite(raw) ? Math.min(1, Math.max(0, raw)) : 0;
    const y = 4 + i * ROW;
    return (
      `<g${attrs({ class: 'feature', 'data-feature': name, 'data-availability': raw })}>` +
      `<text x="${LABEL_W - 8}" y="${y + ROW / 2}" dy="0.32em" text-anchor="end">${esc(name)}</text>` +
      `<rect class="bar-bg" x="${LABEL_W}" y="${y + 3}" width="${BAR_W}" height="${ROW - 6}"/>` +
      `<rect class="bar" x="${LABEL_W}" y="${y + 3}" width="${coord(share * BAR_W)}" height="${ROW - 6}"/>` +
      `<text x="${LABEL_W + BAR_W + 8}" y="${y + ROW / 2}" dy="0.32em">${esc(Number.isFinite(raw) ? pct(raw, 1) : 'n/a')}</text>` +
      '</g>'
    );
  });
  return `<svg${attrs({ id: 'feature-availability', class: 'chart', viewBox: `0 0 ${LABEL_W + BAR_W + 70} ${height}`, role: 'img', 'aria-label': 'Feature availability', 'data-features': names.length })}>${rows.join('')}</svg>`;
}
