/**
 * `JSON.stringify(value, null, 2)` as a sequence of chunks, byte for byte the same text,
 * so that a large result (100k signals: ~30 MB of JSON) is written piece by piece instead
 * of being built as one string first. Objects and arrays are walked; everything else (and
 * every array element below the top two levels) is stringified as usual and re-indented.
 */
const skipped = (v: unknown) => v === undefined || typeof v === 'function' || typeof v === 'symbol';

function walkable(v: unknown): v is Record<string, unknown> | unknown[] {
  return typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
}

const reindent = (text: string, indent: string) => (indent === '' ? text : text.replaceAll('\n', `\n${indent}`));

/** The pretty JSON of `value` (2-space indent, as JSON.stringify(value, null, 2)), in pieces. */
export function* prettyJsonChunks(value: unknown, indent = '', depth = 2): Generator<string> {
  if (depth === 0 || !walkable(value)) {
    yield reindent(JSON.stringify(value, null, 2) ?? 'null', indent);
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      yield '[]';
      return;
    }
    yield '[\n';
    for (let i = 0; i < value.length; i++) {
      yield inner;
      const el = value[i];
      if (skipped(el)) yield 'null';
      else yield* prettyJsonChunks(el, inner, depth - 1);
      yield i < value.length - 1 ? ',\n' : '\n';
    }
    yield `${indent}]`;
    return;
  }
  const keys = Object.keys(value).filter((k) => !skipped(value[k]));
  if (keys.length === 0) {
    yield '{}';
    return;
  }
  yield '{\n';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    yield `${inner}${JSON.stringify(k)}: `;
    yield* prettyJsonChunks(value[k], inner, depth - 1);
    yield i < keys.length - 1 ? ',\n' : '\n';
  }
  yield `${indent}}`;
}

/** Joins chunks into pieces of about `size` characters (fewer, larger writes). */
export function* batched(chunks: Iterable<string>, size = 1 << 20): Generator<string> {
  let pending: string[] = [];
  let length = 0;
  for (const c of chunks) {
    pending.push(c);
    length += c.length;
    if (length >= size) {
      yield pending.join('');
      pending = [];
      length = 0;
    }
  }
  if (pending.length > 0) yield pending.join('');
}
