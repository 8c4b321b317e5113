/** HTML text helpers: every string that reaches the report goes through `esc`. */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and double-quoted attribute values. */
export const esc = (value: unknown): string => String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]!);

/** Attributes from a record (values escaped; null/undefined skipped). */
export function attrs(record: Record<string, string | number | null | undefined>): string {
  return Object.entries(record)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => ` ${k}="${esc(v)}"`)
    .join('');
}

/** A coordinate for SVG paths: 2 decimals, no trailing zeros, no -0. */
export const coord = (x: number): string => {
  const r = Math.round(x * 100) / 100;
  return String(r === 0 ? 0 : r);
};
