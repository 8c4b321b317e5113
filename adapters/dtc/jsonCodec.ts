/**
 * JSON encodings, both NUL-terminated (Sierra Chart requires the terminator):
 * - JSON (2): `{"Type":N,"Member":value,...}`, "Type" first, members in struct order.
 *   `Unused*` members are left out (as Sierra does) and absent doubles are omitted.
 * - JSON compact (3): `{"Type":N,"F":[v1,v2,...]}` with every member in struct order,
 *   `Unused*` included; an absent double is written as DBL_MAX.
 * Decoding accepts either form whatever the negotiated encoding: missing members (or a
 * short F array) take their defaults, `null` counts as missing, unknown keys are ignored.
 */
import { encodableValue } from './encodableValue.ts';
import { DBL_MAX, INTEGER_RANGE, type FieldSpec, type MessageLayout } from './fieldLayout.ts';
import { fitFixedString } from './fixedString.ts';
import { describeValue, DtcFrameError } from './frameError.ts';
import { MESSAGE_LAYOUTS } from './messageLayouts.ts';
import type { DtcMessage } from './messages.ts';

/**
 * Doubles this close to DBL_MAX can only be a DBL_MAX printed with fewer digits (e.g.
 * `1.79769e+308`): an absent double must still read as absent.
 */
const ABSENT_THRESHOLD = 1.7976e308;

const NUL = '\0';

function layoutFor(message: DtcMessage): MessageLayout {
  const layout = MESSAGE_LAYOUTS.get(message.Type);
  if (layout !== undefined) return layout;
  throw new DtcFrameError('UNKNOWN_TYPE', `no layout for message type ${String(message.Type)}`, {
    messageType: message.Type,
  });
}

/** JSON text for an already validated value; keeps -0 and DBL_MAX exact. */
function jsonValue(field: FieldSpec, value: number | string | undefined): string {
  if (typeof value === 'string') return JSON.stringify(fitFixedString(value, field.size));
  if (value === undefined) return String(DBL_MAX);
  return value === 0 && 1 / value < 0 ? '-0' : String(value);
}

const memberValue = (message: DtcMessage, field: FieldSpec): unknown =>
  (message as unknown as Record<string, unknown>)[field.name];

/**
 * Encodes a message as named JSON followed by NUL.
 * @throws DtcFrameError UNKNOWN_TYPE, or BAD_FIELD for an unencodable member.
 */
export function encodeJson(message: DtcMessage): Buffer {
  const layout = layoutFor(message);
  let text = `{"Type":${layout.type}`;
  for (const field of layout.fields) {
    if (field.unused) continue;
    const value = encodableValue(field, memberValue(message, field), layout.type);
    if (value === undefined) continue;
    text += `,"${field.name}":${jsonValue(field, value)}`;
  }
  return Buffer.from(text + '}' + NUL, 'utf8');
}

/**
 * Encodes a message as compact JSON followed by NUL.
 * @throws DtcFrameError UNKNOWN_TYPE, or BAD_FIELD for an unencodable member.
 */
export function encodeJsonCompact(message: DtcMessage): Buffer {
  const layout = layoutFor(message);
  const values = layout.fields.map((field) =>
    jsonValue(field, encodableValue(field, memberValue(message, field), layout.type)),
  );
  return Buffer.from(`{"Type":${layout.type},"F":[${values.join(',')}]}${NUL}`, 'utf8');
}

function badField(field: FieldSpec, raw: unknown, type: number): DtcFrameError {
  const shown = describeValue(raw);
  return new DtcFrameError('BAD_FIELD', `message type ${type}: ${field.name}=${shown} is not a valid ${field.kind}`, {
    messageType: type,
    field: field.name,
  });
}

/** The model value of one decoded JSON member. */
function memberFromJson(field: FieldSpec, raw: unknown, type: number): number | string | undefined {
  if (raw === undefined || raw === null) return field.default;
  switch (field.kind) {
    case 'char':
      if (typeof raw === 'string') return raw;
      break;
    case 'float':
      if (typeof raw === 'number' && Number.isFinite(raw) && Math.abs(raw) <= 3.4028234663852886e38) return raw;
      break;
    case 'double':
      if (typeof raw === 'number') {
        if (field.absent && raw >= ABSENT_THRESHOLD) return undefined;
        if (Number.isFinite(raw)) return raw;
      }
      break;
    default: {
      const [min, maxExclusive] = INTEGER_RANGE[field.kind];
      if (typeof raw === 'number' && Number.isInteger(raw) && raw >= min && raw < maxExclusive) return raw;
    }
  }
  throw badField(field, raw, type);
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Decodes the text of one JSON or compact JSON message (without its NUL terminator).
 * @throws DtcFrameError BAD_JSON, UNKNOWN_TYPE or BAD_FIELD.
 */
export function decodeJsonText(text: string): DtcMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new DtcFrameError('BAD_JSON', `message is not valid JSON: ${JSON.stringify(text.slice(0, 80))}`, { cause });
  }
  if (!isRecord(parsed)) throw new DtcFrameError('BAD_JSON', 'JSON message is not an object');
  const type = parsed['Type'];
  if (typeof type !== 'number' || !Number.isInteger(type)) {
    throw new DtcFrameError('BAD_JSON', 'JSON message has no integer Type');
  }
  const layout = MESSAGE_LAYOUTS.get(type);
  if (layout === undefined) {
    throw new DtcFrameError('UNKNOWN_TYPE', `unknown message type ${type}`, { messageType: type });
  }

  const compact = parsed['F'];
  if (compact !== undefined && !Array.isArray(compact)) {
    throw new DtcFrameError('BAD_JSON', `message type ${type}: F is not an array`, { messageType: type });
  }
  const message: Record<string, unknown> = { Type: type };
  layout.fields.forEach((field, index) => {
    const named = Object.hasOwn(parsed, field.name) ? parsed[field.name] : undefined;
    message[field.name] = memberFromJson(field, compact === undefined ? named : compact[index], type);
  });
  return message as unknown as DtcMessage;
}

/**
 * Decodes one NUL-terminated (or bare) JSON message held in `frame`.
 * @throws DtcFrameError BAD_JSON, UNKNOWN_TYPE or BAD_FIELD.
 */
export function decodeJson(frame: Buffer): DtcMessage {
  const nul = frame.indexOf(0);
  return decodeJsonText(frame.toString('utf8', 0, nul === -1 ? frame.length : nul));
}
