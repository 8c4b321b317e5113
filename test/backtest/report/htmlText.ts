/** Test helper: reading the report's HTML text without a DOM (tags by id, attributes, path points). */

/** The opening tag of the element with `id`. */
export function openingTag(html: string, id: string): string {
  const m = new RegExp(`<[a-z]+[^>]*\\sid="${id}"[^>]*>`).exec(html);
  if (!m) throw new Error(`no element with id ${id}`);
  return m[0];
}

/** An attribute of the element with `id` (raw, still escaped). */
export function attrOf(html: string, id: string, name: string): string | null {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(openingTag(html, id));
  return m ? m[1]! : null;
}

/** The `d` of the path with `id`. */
export function pathData(html: string, id: string): string {
  const d = attrOf(html, id, 'd');
  if (d === null) throw new Error(`path ${id} has no d`);
  return d;
}

/** Points of the report's step paths: the first point's M, then one `H x V y` per point. */
export const pathPoints = (d: string): number => (d.match(/[MV]/g) ?? []).length;

/** Everything between the opening tag with `id` and the matching `</tag>` (no nesting of the same tag inside). */
export function elementText(html: string, id: string): string {
  const tag = openingTag(html, id);
  const name = /^<([a-z]+)/.exec(tag)![1]!;
  const start = html.indexOf(tag) + tag.length;
  return html.slice(start, html.indexOf(`</${name}>`, start));
}
