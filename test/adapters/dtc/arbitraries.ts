/**
 * fast-check arbitraries for DTC messages, generated from the layout table so that every
 * message type and member is covered, including values at the edges of each kind.
 */
import fc from 'fast-check';
import { encodeMessage } from '../../../adapters/dtc/encodeMessage.ts';
import { EncodingEnum } from '../../../adapters/dtc/enums.ts';
import { INTEGER_RANGE, type FieldSpec, type MessageLayout } from '../../../adapters/dtc/fieldLayout.ts';
import { MESSAGE_LAYOUTS } from '../../../adapters/dtc/messageLayouts.ts';
import type { DtcMessage } from '../../../adapters/dtc/messages.ts';

export const LAYOUTS: readonly MessageLayout[] = [...MESSAGE_LAYOUTS.values()];

export const ENCODINGS = [EncodingEnum.BINARY, EncodingEnum.JSON, EncodingEnum.JSON_COMPACT] as const;

/** Text that fits a char array of `size` bytes: no NUL, at most size - 1 UTF-8 bytes. */
export function fittingString(size: number): fc.Arbitrary<string> {
  return fc
    .oneof(
      fc.string({ unit: 'grapheme-ascii', maxLength: size - 1 }),
      // Up to 4 bytes per code point: this many always fit.
      fc.string({ unit: 'binary', maxLength: Math.floor((size - 1) / 4) }),
    )
    .map((s) => s.replaceAll('\0', ' '));
}

/** Doubles an absent (DBL_MAX = unset) member may carry; JSON reads ≥ 1.7976e308 as unset. */
const presentDouble = fc.double({ noNaN: true, noDefaultInfinity: true, max: 1.797e308 });

export function memberArbitrary(field: FieldSpec): fc.Arbitrary<unknown> {
  switch (field.kind) {
    case 'char':
      return fittingString(field.size);
    case 'double':
      return field.absent
        ? fc.option(presentDouble, { nil: undefined })
        : fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'float':
      return fc.float({ noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x));
    case 'int64':
      return fc.maxSafeInteger();
    case 'uint64':
      return fc.maxSafeNat();
    default: {
      const [min, maxExclusive] = INTEGER_RANGE[field.kind];
      return fc.integer({ min, max: maxExclusive - 1 });
    }
  }
}

/** Any message of the given layout, every member drawn independently. */
export function messageArbitrary(layout: MessageLayout): fc.Arbitrary<DtcMessage> {
  const members: Record<string, fc.Arbitrary<unknown>> = {};
  for (const field of layout.fields) members[field.name] = memberArbitrary(field);
  return fc.record(members).map((m) => ({ Type: layout.type, ...m }) as DtcMessage);
}

/** Any message of any type. */
export const anyMessage: fc.Arbitrary<DtcMessage> = fc.oneof(...LAYOUTS.map(messageArbitrary));

/**
 * What a message reads back as after named JSON, which leaves `Unused*` members out:
 * they come back at their defaults.
 */
export function afterNamedJson(message: DtcMessage, layout: MessageLayout): DtcMessage {
  const copy: Record<string, unknown> = { ...message };
  for (const field of layout.fields) if (field.unused) copy[field.name] = field.default;
  return copy as unknown as DtcMessage;
}

/** What `message` decodes back to in `encoding`. */
export function expectedAfter(message: DtcMessage, encoding: number): DtcMessage {
  const layout = MESSAGE_LAYOUTS.get(message.Type)!;
  return encoding === EncodingEnum.JSON ? afterNamedJson(message, layout) : message;
}

/** Concatenated encodings of `messages`. */
export const encodeStream = (messages: readonly DtcMessage[], encoding: number): Buffer =>
  Buffer.concat(messages.map((m) => encodeMessage(m, encoding)));

/** Splits `bytes` at the given (unsorted, possibly repeated) cut points. */
export function splitAt(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(from, point));
    from = point;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}
