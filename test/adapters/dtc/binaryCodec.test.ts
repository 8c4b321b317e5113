import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBinary, encodeBinary } from '../../../adapters/dtc/binaryCodec.ts';
import { createDtcMessage } from '../../../adapters/dtc/createMessage.ts';
import { EncodingEnum } from '../../../adapters/dtc/enums.ts';
import { DBL_MAX, type MessageLayout } from '../../../adapters/dtc/fieldLayout.ts';
import { DtcFrameError, type DtcFrameErrorCode } from '../../../adapters/dtc/frameError.ts';
import { MessageType } from '../../../adapters/dtc/messageType.ts';
import type { DtcMessage } from '../../../adapters/dtc/messages.ts';
import { LAYOUTS, messageArbitrary } from './arbitraries.ts';

const hex = (s: string): Buffer => Buffer.from(s.replaceAll(' ', ''), 'hex');

function codeOf(run: () => unknown): DtcFrameErrorCode | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof DtcFrameError) return error.code;
    throw error;
  }
  return undefined;
}

/** `frame` with its Size rewritten and its bytes cut or extended to that size. */
function resized(frame: Buffer, size: number, filler = 0xab): Buffer {
  const out = Buffer.alloc(size, filler);
  frame.copy(out, 0, 0, Math.min(size, frame.length));
  out.writeUInt16LE(size, 0);
  return out;
}

describe('golden bytes from DTC.md', () => {
  it('encodes the ENCODING_REQUEST for JSON exactly', () => {
    const request = createDtcMessage(MessageType.ENCODING_REQUEST, { Encoding: EncodingEnum.JSON });
    expect(encodeBinary(request)).toEqual(hex('10 00 06 00 08 00 00 00 02 00 00 00 44 54 43 00'));
  });

  it("decodes Sierra Chart's ENCODING_RESPONSE and re-encodes it byte for byte", () => {
    const bytes = hex('10 00 07 00 08 00 00 00 02 00 00 00 44 54 43 00');
    const response = decodeBinary(bytes);
    expect(response).toEqual({ Type: 7, ProtocolVersion: 8, Encoding: EncodingEnum.JSON, ProtocolType: 'DTC' });
    expect(encodeBinary(response)).toEqual(bytes);
  });
});

describe('messages shorter than our layout', () => {
  it('decodes the older 688-byte ORDER_UPDATE with Username at its default', () => {
    const full = createDtcMessage(MessageType.ORDER_UPDATE, {
      ClientOrderID: 'MIA-1',
      LatestTransactionDateTime: 1756300439.5,
      Username: 'trader',
    });
    const decoded = decodeBinary(resized(encodeBinary(full), 688));
    expect(decoded).toEqual({ ...full, Username: '' });
  });

  /** Members wholly before `cut` keep their value, members from `cut` on take their default. */
  function expectedCut(message: DtcMessage, layout: MessageLayout, cut: number): Record<string, unknown> {
    const expected: Record<string, unknown> = { Type: layout.type };
    for (const f of layout.fields) {
      const value = (message as unknown as Record<string, unknown>)[f.name];
      if (f.offset + f.size <= cut) expected[f.name] = value;
      else if (f.offset >= cut || f.kind !== 'char') expected[f.name] = f.default;
      else {
        // A char array cut short keeps its leading bytes, as a C receiver copying Size bytes would.
        const bytes = Buffer.from(value as string, 'utf8').subarray(0, cut - f.offset);
        expected[f.name] = bytes.toString('utf8');
      }
    }
    return expected;
  }

  it('decodes any cut of any message: members before Size kept, the rest at defaults', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...LAYOUTS).chain((layout) =>
          fc.tuple(fc.constant(layout), messageArbitrary(layout), fc.integer({ min: 4, max: layout.size })),
        ),
        ([layout, message, cut]) => {
          const decoded = decodeBinary(resized(encodeBinary(message), cut));
          expect(decoded).toEqual(expectedCut(message, layout, cut));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('never shows bytes past Size, even after decoding a longer value before', () => {
    const long = createDtcMessage(MessageType.ORDER_UPDATE, { ClientOrderID: 'ABCDEFGHIJ' });
    expect((decodeBinary(encodeBinary(long)) as typeof long).ClientOrderID).toBe('ABCDEFGHIJ');
    // Same leading bytes, but Size ends 3 bytes into ClientOrderID (offset 160).
    const cut = decodeBinary(resized(encodeBinary(long), 163)) as typeof long;
    expect(cut.ClientOrderID).toBe('ABC');
    expect(cut.Price1).toBeUndefined();
  });

  it('takes the default of a number cut in the middle', () => {
    const order = createDtcMessage(MessageType.SUBMIT_NEW_SINGLE_ORDER, { OrderType: 2, Price1: 6500.25 });
    const decoded = decodeBinary(resized(encodeBinary(order), 164)) as typeof order; // Price1 is at 160..168
    expect(decoded.Price1).toBe(0);
    expect(decoded.OrderType).toBe(2);
  });

  it('takes header defaults when only the header arrives', () => {
    const decoded = decodeBinary(resized(encodeBinary(createDtcMessage(MessageType.CANCEL_REPLACE_ORDER)), 4));
    expect(decoded).toMatchObject({ Price1IsSet: 1, Price2IsSet: 1, ServerOrderID: '' });
  });
});

describe('messages longer than our layout', () => {
  it('ignores the bytes appended by newer headers (e.g. ACCOUNT_BALANCE_UPDATE at 416)', () => {
    const balance = createDtcMessage(MessageType.ACCOUNT_BALANCE_UPDATE, { CashBalance: 25_000, TradeAccount: 'Sim1' });
    expect(decodeBinary(resized(encodeBinary(balance), 416))).toEqual(balance);
  });

  it('decodes any message followed by any extra bytes as the message itself', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...LAYOUTS).chain((l) => messageArbitrary(l)),
        fc.uint8Array({ minLength: 1, maxLength: 200 }),
        (message, extra) => {
          const frame = encodeBinary(message);
          const longer = Buffer.concat([frame, extra]);
          longer.writeUInt16LE(longer.length, 0);
          expect(decodeBinary(longer)).toEqual(message);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('absent doubles', () => {
  it('writes DBL_MAX for an absent ORDER_UPDATE price and reads it back as undefined', () => {
    const update = createDtcMessage(MessageType.ORDER_UPDATE, { Price1: 6500, OrderQuantity: 3 });
    const bytes = encodeBinary(update);
    expect(bytes.readDoubleLE(248)).toBe(DBL_MAX); // Price2
    expect(bytes.readDoubleLE(296)).toBe(DBL_MAX); // AverageFillPrice
    const decoded = decodeBinary(bytes) as typeof update;
    expect(decoded.Price2).toBeUndefined();
    expect(decoded.OrderQuantity).toBe(3);
    expect('Price2' in decoded).toBe(true);
  });
});

describe('strings', () => {
  it('truncates to size - 1 bytes without splitting a UTF-8 character', () => {
    const order = createDtcMessage(MessageType.SUBMIT_NEW_SINGLE_ORDER, {
      ClientOrderID: 'x'.repeat(40),
      Symbol: 'é'.repeat(40), // 80 bytes into 64: 31 characters (62 bytes), not 31.5
      Price1AsString: 'abc€€€€€', // 3 + 15 bytes into 16: 'abc' and four euros
    });
    const bytes = encodeBinary(order);
    expect(bytes[116 + 31]).toBe(0); // the terminator always fits
    const decoded = decodeBinary(bytes) as typeof order;
    expect(decoded.ClientOrderID).toBe('x'.repeat(31));
    expect(decoded.Symbol).toBe('é'.repeat(31));
    expect(decoded.Price1AsString).toBe('abc€€€€');
  });

  it('ends a string at an embedded NUL', () => {
    const cancel = createDtcMessage(MessageType.CANCEL_ORDER, { ServerOrderID: 'A1\0B2' });
    expect((decodeBinary(encodeBinary(cancel)) as typeof cancel).ServerOrderID).toBe('A1');
  });

  it('reads an unterminated array up to its end and invalid UTF-8 as U+FFFD', () => {
    const bytes = encodeBinary(createDtcMessage(MessageType.CURRENT_POSITIONS_REQUEST));
    bytes.fill(0x41, 8, 40); // TradeAccount: 32 'A', no terminator
    expect((decodeBinary(bytes) as { TradeAccount: string }).TradeAccount).toBe('A'.repeat(32));
    bytes.fill(0, 8, 40);
    bytes[8] = 0xc3; // a lead byte without its continuation
    bytes[9] = 0x41;
    expect((decodeBinary(bytes) as { TradeAccount: string }).TradeAccount).toBe('\ufffdA');
  });
});

describe('encoding refuses what it cannot represent', () => {
  const order = createDtcMessage(MessageType.SUBMIT_NEW_SINGLE_ORDER);
  it.each([
    ['a NaN price', { Price1: Number.NaN }],
    ['an infinite quantity', { Quantity: Number.POSITIVE_INFINITY }],
    ['a fractional enum', { OrderType: 1.5 }],
    ['an out-of-range uint8', { IsAutomatedOrder: 256 }],
    ['a negative uint8', { IsParentOrder: -1 }],
    ['an out-of-range int32', { OpenOrClose: 2 ** 31 }],
    ['a string where a number belongs', { BuySell: '1' }],
    ['a number where a string belongs', { Symbol: 5 }],
    ['null', { TimeInForce: null }],
    ['an object that cannot be printed', { Symbol: { toString: '' } }],
  ])('%s', (_, members) => {
    const bad = { ...order, ...members } as unknown as DtcMessage;
    expect(codeOf(() => encodeBinary(bad))).toBe('BAD_FIELD');
  });

  it('accepts the extremes of each integer kind', () => {
    const update = createDtcMessage(MessageType.ORDER_UPDATE, {
      RequestID: -(2 ** 31),
      MessageNumber: 2 ** 31 - 1,
      NoOrders: 255,
      GoodTillDateTime: Number.MIN_SAFE_INTEGER,
      LastFillDateTime: Number.MAX_SAFE_INTEGER,
    });
    expect(decodeBinary(encodeBinary(update))).toEqual(update);
    const balance = createDtcMessage(MessageType.ACCOUNT_BALANCE_UPDATE, { TransactionIdentifier: 2 ** 53 - 1 });
    expect(decodeBinary(encodeBinary(balance))).toEqual(balance);
  });

  it('refuses an unknown message type', () => {
    expect(codeOf(() => encodeBinary({ Type: 9999 } as unknown as DtcMessage))).toBe('UNKNOWN_TYPE');
  });
});

describe('decodeBinary framing errors', () => {
  it('reports a short header, a Size below 4, a Size beyond the bytes, and an unknown type', () => {
    expect(codeOf(() => decodeBinary(hex('10 00 03')))).toBe('TRUNCATED');
    expect(codeOf(() => decodeBinary(hex('03 00 03 00')))).toBe('SIZE_TOO_SMALL');
    expect(codeOf(() => decodeBinary(hex('10 00 03 00 00 00')))).toBe('TRUNCATED');
    expect(codeOf(() => decodeBinary(hex('08 00 0f 27 00 00 00 00')))).toBe('UNKNOWN_TYPE');
  });
});
