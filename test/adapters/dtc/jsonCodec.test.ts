import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDtcMessage } from '../../../adapters/dtc/createMessage.ts';
import { DBL_MAX } from '../../../adapters/dtc/fieldLayout.ts';
import { DtcFrameError, type DtcFrameErrorCode } from '../../../adapters/dtc/frameError.ts';
import { decodeJson, decodeJsonText, encodeJson, encodeJsonCompact } from '../../../adapters/dtc/jsonCodec.ts';
import { layoutOf } from '../../../adapters/dtc/messageLayouts.ts';
import { MessageType } from '../../../adapters/dtc/messageType.ts';
import type { DtcMessage } from '../../../adapters/dtc/messages.ts';
import { fittingString, LAYOUTS, messageArbitrary } from './arbitraries.ts';

function failure(run: () => unknown): DtcFrameError | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof DtcFrameError) return error;
    throw error;
  }
  return undefined;
}
const codeOf = (run: () => unknown): DtcFrameErrorCode | undefined => failure(run)?.code;

/** The text of an encoded JSON message, checking its NUL terminator. */
function textOf(bytes: Buffer): string {
  expect(bytes[bytes.length - 1]).toBe(0);
  expect(bytes.indexOf(0)).toBe(bytes.length - 1);
  return bytes.subarray(0, -1).toString('utf8');
}

describe('golden compact heartbeat from DTC.md', () => {
  it("decodes Sierra Chart's heartbeat and encodes it back byte for byte", () => {
    const bytes = Buffer.from('{"Type":3,"F":[0,1756300439]}\0');
    const heartbeat = decodeJson(bytes);
    expect(heartbeat).toEqual({ Type: 3, NumDroppedMessages: 0, CurrentDateTime: 1756300439 });
    expect(encodeJsonCompact(heartbeat)).toEqual(bytes);
  });
});

describe('named JSON', () => {
  it('puts "Type" first and the members in struct order, NUL terminated', () => {
    const heartbeat = createDtcMessage(MessageType.HEARTBEAT, { CurrentDateTime: 1756300439 });
    expect(textOf(encodeJson(heartbeat))).toBe('{"Type":3,"NumDroppedMessages":0,"CurrentDateTime":1756300439}');
  });

  it('is one JSON object per message whose keys follow the layout for every type', () => {
    fc.assert(
      fc.property(fc.constantFrom(...LAYOUTS).chain((l) => messageArbitrary(l)), (message) => {
        const parsed = JSON.parse(textOf(encodeJson(message))) as Record<string, unknown>;
        const layout = layoutOf(message.Type)!;
        const present = layout.fields.filter(
          (f) => !f.unused && (message as unknown as Record<string, unknown>)[f.name] !== undefined,
        );
        expect(Object.keys(parsed)).toEqual(['Type', ...present.map((f) => f.name)]);
      }),
      { numRuns: 200 },
    );
  });

  it('leaves Unused members out, as Sierra Chart does', () => {
    const response = createDtcMessage(MessageType.LOGON_RESPONSE, { Unused_1: 0, TradingIsSupported: 1 });
    const text = textOf(encodeJson(response));
    expect(text).not.toContain('Unused');
    expect(text).toContain('"TradingIsSupported":1');
    expect(textOf(encodeJson(createDtcMessage(MessageType.CANCEL_REPLACE_ORDER)))).not.toContain('Unused');
  });

  it('omits absent doubles and reads missing members as defaults', () => {
    const update = createDtcMessage(MessageType.ORDER_UPDATE, { Price1: 6500.25, ClientOrderID: 'MIA-1' });
    const text = textOf(encodeJson(update));
    expect(text).toContain('"Price1":6500.25');
    expect(text).not.toContain('"Price2"');
    expect(decodeJsonText('{"Type":301,"ClientOrderID":"MIA-1","Price1":6500.25}')).toEqual(update);
  });

  it('accepts members in any order, unknown keys and null as missing', () => {
    const decoded = decodeJsonText('{"RequestID":5,"Extra":[1,2],"Type":300,"TradeAccount":null}');
    expect(decoded).toEqual(createDtcMessage(MessageType.OPEN_ORDERS_REQUEST, { RequestID: 5 }));
  });

  it('reads a DBL_MAX printed with fewer digits as absent, in absent members only', () => {
    const update = decodeJsonText('{"Type":301,"Price1":1.79769e+308,"Price2":1.7976931348623157e+308}');
    expect(update).toMatchObject({ Price1: undefined, Price2: undefined });
    const position = decodeJsonText('{"Type":306,"Quantity":1.79769e+308}');
    expect(position).toMatchObject({ Quantity: 1.79769e308 });
  });

  it('writes the same truncated strings as the binary encoding', () => {
    const order = createDtcMessage(MessageType.SUBMIT_NEW_SINGLE_ORDER, { ClientOrderID: 'é'.repeat(20) });
    expect(decodeJson(encodeJson(order))).toMatchObject({ ClientOrderID: 'é'.repeat(15) });
    expect(decodeJson(encodeJsonCompact(order))).toMatchObject({ ClientOrderID: 'é'.repeat(15) });
  });

  it('escapes strings so that any text survives, including quotes and control characters', () => {
    fc.assert(
      fc.property(fittingString(96), (text) => {
        const logoff = createDtcMessage(MessageType.LOGOFF, { Reason: text });
        expect(decodeJson(encodeJson(logoff))).toEqual(logoff);
        expect(decodeJson(encodeJsonCompact(logoff))).toEqual(logoff);
      }),
    );
  });
});

describe('compact JSON', () => {
  it('lists every member in struct order, Unused included', () => {
    const replace = createDtcMessage(MessageType.CANCEL_REPLACE_ORDER, {
      ServerOrderID: 'S1',
      Price1: 6500.25,
      TimeInForce: 1,
    });
    expect(textOf(encodeJsonCompact(replace))).toBe('{"Type":204,"F":["S1","",6500.25,0,0,1,1,0,1,0,0,"","",""]}');
  });

  it('writes absent doubles as DBL_MAX so that positions stay aligned', () => {
    const update = createDtcMessage(MessageType.ORDER_UPDATE);
    const { F } = JSON.parse(textOf(encodeJsonCompact(update))) as { F: unknown[] };
    expect(F).toHaveLength(layoutOf(MessageType.ORDER_UPDATE)!.fields.length);
    expect(F[13]).toBe(DBL_MAX);
  });

  it('leaves the members after a short F array at their defaults, and ignores extra values', () => {
    expect(decodeJsonText('{"Type":204,"F":["S1","C1",6500.25]}')).toEqual(
      createDtcMessage(MessageType.CANCEL_REPLACE_ORDER, { ServerOrderID: 'S1', ClientOrderID: 'C1', Price1: 6500.25 }),
    );
    expect(decodeJsonText('{"Type":3,"F":[2,1756300439,"extra",7]}')).toEqual({
      Type: 3,
      NumDroppedMessages: 2,
      CurrentDateTime: 1756300439,
    });
    expect(decodeJsonText('{"Type":300}')).toEqual(createDtcMessage(MessageType.OPEN_ORDERS_REQUEST));
  });
});

describe('decoding errors', () => {
  it.each([
    ['not JSON', '{"Type":3,', 'BAD_JSON'],
    ['an array', '[3,0]', 'BAD_JSON'],
    ['a number', '3', 'BAD_JSON'],
    ['no Type', '{"F":[1]}', 'BAD_JSON'],
    ['a string Type', '{"Type":"3"}', 'BAD_JSON'],
    ['a fractional Type', '{"Type":3.5}', 'BAD_JSON'],
    ['an F that is not an array', '{"Type":3,"F":{"0":1}}', 'BAD_JSON'],
    ['an unknown Type', '{"Type":9999}', 'UNKNOWN_TYPE'],
    ['a string enum', '{"Type":301,"OrderStatus":"FILLED"}', 'BAD_FIELD'],
    ['a fractional int', '{"Type":301,"OrderStatus":1.5}', 'BAD_FIELD'],
    ['an out-of-range uint8', '{"Type":301,"NoOrders":256}', 'BAD_FIELD'],
    ['a negative uint32', '{"Type":3,"F":[-1,0]}', 'BAD_FIELD'],
    ['a number for a string', '{"Type":208,"Symbol":5}', 'BAD_FIELD'],
    ['a string for a double', '{"Type":208,"Price1":"6500.25"}', 'BAD_FIELD'],
    ['a boolean flag', '{"Type":208,"IsAutomatedOrder":true}', 'BAD_FIELD'],
    ['an overflowing double', '{"Type":208,"Price1":1e999}', 'BAD_FIELD'],
    ['a nested object', '{"Type":208,"Symbol":{"a":1}}', 'BAD_FIELD'],
    ['an object whose toString is not a function', '{"Type":6,"ProtocolType":{"toString":""}}', 'BAD_FIELD'],
  ] as const)('%s is %s', (_, text, code) => {
    expect(codeOf(() => decodeJsonText(text))).toBe(code);
  });

  it('names the message type and the member of a BAD_FIELD, and is not fatal', () => {
    const error = failure(() => decodeJsonText('{"Type":301,"OrderStatus":"FILLED"}'))!;
    expect(error).toMatchObject({ messageType: 301, field: 'OrderStatus', fatal: false });
  });

  it('never throws anything but DtcFrameError on arbitrary JSON values', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.json(),
          fc.record({ Type: fc.constantFrom(...LAYOUTS.map((l) => l.type)), F: fc.array(fc.jsonValue()) }).map((v) =>
            JSON.stringify(v),
          ),
          // Real member names with values of any JSON type.
          fc
            .constantFrom(...LAYOUTS)
            .chain((l) =>
              fc
                .record(Object.fromEntries(l.fields.map((f) => [f.name, fc.jsonValue()])), { requiredKeys: [] })
                .map((members) => JSON.stringify({ Type: l.type, ...members })),
            ),
        ),
        (text) => {
          let decoded: DtcMessage | undefined;
          const error = failure(() => (decoded = decodeJsonText(text)));
          if (error === undefined) expect(layoutOf(decoded!.Type)).toBeDefined();
        },
      ),
      { numRuns: 500 },
    );
  });
});
