/**
 * Validation shared by the encoders: an order must never leave with a quantity that
 * silently wrapped or a NaN price, so unrepresentable values are refused.
 */
import { INTEGER_RANGE, type FieldSpec } from './fieldLayout.ts';
import { describeValue, DtcFrameError } from './frameError.ts';

/**
 * The value to encode for `field` given the message's `raw` member: its default when
 * missing, else `raw` itself once checked against the field's kind.
 * @throws DtcFrameError BAD_FIELD for a wrong type, a non-integer or out-of-range
 * integer, or a non-finite double.
 */
export function encodableValue(field: FieldSpec, raw: unknown, messageType: number): number | string | undefined {
  if (raw === undefined) return field.default;
  switch (field.kind) {
    case 'char':
      if (typeof raw === 'string') return raw;
      break;
    case 'double':
      if (typeof raw === 'number' && Number.isFinite(raw)) return raw;
      break;
    case 'float':
      // Only a value float32 holds exactly: the wire must not change what was meant.
      if (typeof raw === 'number' && Number.isFinite(raw) && Math.fround(raw) === raw) return raw;
      break;
    default: {
      const [min, maxExclusive] = INTEGER_RANGE[field.kind];
      if (typeof raw === 'number' && Number.isInteger(raw) && raw >= min && raw < maxExclusive) return raw;
    }
  }
  throw new DtcFrameError('BAD_FIELD', `cannot encode ${field.name}=${describeValue(raw)} as ${field.kind}`, {
    messageType,
    field: field.name,
  });
}
