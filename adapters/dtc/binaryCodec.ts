/**
 * Binary encoding (EncodingEnum.BINARY): little-endian packed C structs. Each message
 * type gets a decoder and an encoder compiled once from its layout: decoding a frame is
 * one object literal of direct reads, with no per-field closures, and strings are only
 * allocated when they differ from the previous message's.
 *
 * The decoder first copies the frame into an 8-byte aligned scratch buffer: struct
 * members are naturally aligned, so every number is then a typed-array load (about ten
 * times cheaper than Buffer.readDoubleLE). Typed arrays use the host's byte order, so
 * the module refuses to load on a big-endian host rather than misread every number.
 *
 * Compatibility rules: a message shorter than our layout leaves the missing members at
 * their defaults (a char array cut short keeps its leading bytes); a longer one has its
 * extra bytes ignored. Nothing at or past `Size` is ever read.
 */
import { encodableValue } from './encodableValue.ts';
import {
  DBL_MAX,
  HEADER_SIZE as IMPORTED_HEADER_SIZE,
  KIND_WIDTH,
  type FieldSpec,
  type MessageLayout,
} from './fieldLayout.ts';
import { FixedStringReader, writeFixedString } from './fixedString.ts';
import { DtcFrameError } from './frameError.ts';
import { MESSAGE_LAYOUTS } from './messageLayouts.ts';
import type { DtcMessage } from './messages.ts';

/** Decodes the message whose first byte is `buf[start]` and whose Size is `size` (≥ 4, all present). */
export type BinaryBodyDecoder = (buf: Buffer, start: number, size: number) => DtcMessage;
type BinaryEncoder = (message: DtcMessage, buf: Buffer) => void;

const TWO_32 = 2 ** 32;
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('the DTC binary codec needs a little-endian host');
}

const LARGEST_LAYOUT = Math.max(...[...MESSAGE_LAYOUTS.values()].map((l) => l.size));
/** Aligned copy of the frame being decoded, with typed views over it. */
const scratchMemory = new ArrayBuffer(LARGEST_LAYOUT + 8);
const scratch = {
  bytes: Buffer.from(scratchMemory),
  i8: new Int8Array(scratchMemory),
  u16: new Uint16Array(scratchMemory),
  i32: new Int32Array(scratchMemory),
  u32: new Uint32Array(scratchMemory),
  f32: new Float32Array(scratchMemory),
  f64: new Float64Array(scratchMemory),
};

// Module-local copies: imported bindings may compile to getters (tsx, vitest) on the hot path.
const UNSET_DOUBLE: number = DBL_MAX;
const HEADER_SIZE: number = IMPORTED_HEADER_SIZE;

function absent(value: number): number | undefined {
  return value === UNSET_DOUBLE ? undefined : value;
}

/** Source of an expression reading `field` from the aligned scratch copy (`s`). */
function typedRead(field: FieldSpec): string {
  const at = field.offset;
  switch (field.kind) {
    case 'int8':
      return `s.i8[${at}]`;
    case 'uint8':
      return `s.bytes[${at}]`;
    case 'uint16':
      return `s.u16[${at / 2}]`;
    case 'int32':
      return `s.i32[${at / 4}]`;
    case 'uint32':
      return `s.u32[${at / 4}]`;
    case 'int64':
      return `(s.u32[${at / 4}] + s.i32[${at / 4 + 1}] * ${TWO_32})`;
    case 'uint64':
      return `(s.u32[${at / 4}] + s.u32[${at / 4 + 1}] * ${TWO_32})`;
    case 'double':
      return field.absent ? `absent(s.f64[${at / 8}])` : `s.f64[${at / 8}]`;
    case 'float':
      return `s.f32[${at / 4}]`;
    case 'char':
      throw new Error('strings are read by FixedStringReader');
  }
}

/** Reads `field` (index `index` of its layout), which the copied bytes fully contain. */
function fullRead(field: FieldSpec, index: number): string {
  if (field.kind !== 'char') return typedRead(field);
  return `strings[${index}].read(s.bytes, ${field.offset}, ${field.offset + field.size})`;
}

/** Reads `field` when the message's Size (`size`) may end before or inside it. */
function guardedRead(field: FieldSpec, index: number): string {
  const dflt = field.default === undefined ? 'undefined' : JSON.stringify(field.default);
  const end = field.offset + field.size;
  if (field.kind === 'char') {
    const read = `strings[${index}].read(s.bytes, ${field.offset}, size < ${end} ? size : ${end})`;
    return `(size > ${field.offset} ? ${read} : ${dflt})`;
  }
  return `(size >= ${field.offset + KIND_WIDTH[field.kind]} ? ${typedRead(field)} : ${dflt})`;
}

function compileDecoder(layout: MessageLayout): BinaryBodyDecoder {
  const strings = layout.fields.map((f) => (f.kind === 'char' ? new FixedStringReader(f.size) : undefined));
  const literal = (read: (f: FieldSpec, i: number) => string) =>
    `{ Type: ${layout.type}, ${layout.fields.map((f, i) => `${f.name}: ${read(f, i)}`).join(', ')} }`;
  const body = `return function decode_${layout.name}(buf, start, size) {
    buf.copy(s.bytes, 0, start, start + (size < ${layout.size} ? size : ${layout.size}));
    if (size >= ${layout.size}) return ${literal(fullRead)};
    return ${literal(guardedRead)};
  };`;
  return new Function('s', 'strings', 'absent', body)(scratch, strings, absent) as BinaryBodyDecoder;
}

function writeInt64(buf: Buffer, at: number, value: number): void {
  const high = Math.floor(value / TWO_32);
  buf.writeUInt32LE(value - high * TWO_32, at);
  buf.writeInt32LE(high, at + 4);
}

function writeUint64(buf: Buffer, at: number, value: number): void {
  const high = Math.floor(value / TWO_32);
  buf.writeUInt32LE(value - high * TWO_32, at);
  buf.writeUInt32LE(high, at + 4);
}

/** Source of statements writing `v` (already validated) for `field` into a zeroed buffer. */
function writeStatement(field: FieldSpec): string {
  const at = field.offset;
  switch (field.kind) {
    case 'int8':
      return `buf.writeInt8(v, ${at});`;
    case 'uint8':
      return `buf[${at}] = v;`;
    case 'uint16':
      return `buf.writeUInt16LE(v, ${at});`;
    case 'int32':
      return `buf.writeInt32LE(v, ${at});`;
    case 'uint32':
      return `buf.writeUInt32LE(v, ${at});`;
    case 'int64':
      return `writeInt64(buf, ${at}, v);`;
    case 'uint64':
      return `writeUint64(buf, ${at}, v);`;
    case 'double':
      return field.absent
        ? `buf.writeDoubleLE(v === undefined ? ${DBL_MAX} : v, ${at});`
        : `buf.writeDoubleLE(v, ${at});`;
    case 'float':
      return `buf.writeFloatLE(v, ${at});`;
    case 'char':
      return `writeString(buf, ${at}, ${field.size}, v);`;
  }
}

function compileEncoder(layout: MessageLayout): BinaryEncoder {
  const statements = layout.fields.map(
    (f, i) => `v = value(fields[${i}], message.${f.name}, ${layout.type}); ${writeStatement(f)}`,
  );
  const body = `return function encode_${layout.name}(message, buf) {
    let v;
    ${statements.join('\n    ')}
  };`;
  return new Function('fields', 'value', 'writeString', 'writeInt64', 'writeUint64', body)(
    layout.fields,
    encodableValue,
    writeFixedString,
    writeInt64,
    writeUint64,
  ) as BinaryEncoder;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function compile<T>(make: (layout: MessageLayout) => T): ReadonlyMap<number, T> {
  const compiled = new Map<number, T>();
  for (const layout of MESSAGE_LAYOUTS.values()) {
    // Names are spliced into generated source: accept identifiers only.
    if (!IDENTIFIER.test(layout.name) || !layout.fields.every((f) => IDENTIFIER.test(f.name))) {
      throw new Error(`DTC layout ${layout.name} has a name that is not an identifier`);
    }
    compiled.set(layout.type, make(layout));
  }
  return compiled;
}

const DECODERS = compile(compileDecoder);
const ENCODERS = compile(compileEncoder);

/** The compiled decoder for a message type, or undefined when the type is unknown. */
export const binaryBodyDecoder = (type: number): BinaryBodyDecoder | undefined => DECODERS.get(type);

/**
 * Encodes one message as a binary frame of our layout's size.
 * @throws DtcFrameError UNKNOWN_TYPE, or BAD_FIELD for an unencodable member.
 */
export function encodeBinary(message: DtcMessage): Buffer {
  const layout = MESSAGE_LAYOUTS.get(message.Type);
  const encode = ENCODERS.get(message.Type);
  if (layout === undefined || encode === undefined) {
    throw new DtcFrameError('UNKNOWN_TYPE', `no layout for message type ${String(message.Type)}`, {
      messageType: message.Type,
    });
  }
  const buf = Buffer.alloc(layout.size);
  buf.writeUInt16LE(layout.size, 0);
  buf.writeUInt16LE(layout.type, 2);
  encode(message, buf);
  return buf;
}

/**
 * Decodes the single binary message at the start of `frame` (bytes after its Size are ignored).
 * @throws DtcFrameError SIZE_TOO_SMALL, TRUNCATED (Size beyond the bytes given) or UNKNOWN_TYPE.
 */
export function decodeBinary(frame: Buffer): DtcMessage {
  if (frame.length < HEADER_SIZE) {
    throw new DtcFrameError('TRUNCATED', `binary frame of ${frame.length} bytes has no complete header`);
  }
  const size = frame.readUInt16LE(0);
  const type = frame.readUInt16LE(2);
  if (size < HEADER_SIZE) throw new DtcFrameError('SIZE_TOO_SMALL', `binary Size ${size} is below the header size`);
  if (size > frame.length) {
    throw new DtcFrameError('TRUNCATED', `binary Size ${size} exceeds the ${frame.length} bytes given`, {
      messageType: type,
    });
  }
  const decode = DECODERS.get(type);
  if (decode === undefined) {
    throw new DtcFrameError('UNKNOWN_TYPE', `unknown message type ${type}`, { messageType: type });
  }
  return decode(frame, 0, size);
}
