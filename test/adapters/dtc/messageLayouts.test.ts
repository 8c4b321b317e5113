import { describe, expect, it } from 'vitest';
import { decodeBinary } from '../../../adapters/dtc/binaryCodec.ts';
import { HEADER_SIZE, KIND_WIDTH, type FieldSpec, type MessageLayout } from '../../../adapters/dtc/fieldLayout.ts';
import { layoutOf, MESSAGE_LAYOUTS } from '../../../adapters/dtc/messageLayouts.ts';
import { MessageType } from '../../../adapters/dtc/messageType.ts';
import { LAYOUTS } from './arbitraries.ts';

const alignOf = (f: FieldSpec): number => (f.kind === 'char' ? 1 : KIND_WIDTH[f.kind]);
const alignUp = (n: number, to: number): number => Math.ceil(n / to) * to;

/** Where a C compiler places each member (natural alignment; pack(8) changes nothing here). */
function cLayout(fields: readonly FieldSpec[]): { offsets: number[]; size: number } {
  let end = HEADER_SIZE;
  let maxAlign = 2; // the uint16 header
  const offsets = fields.map((f) => {
    const offset = alignUp(end, alignOf(f));
    end = offset + f.size;
    maxAlign = Math.max(maxAlign, alignOf(f));
    return offset;
  });
  return { offsets, size: alignUp(end, maxAlign) };
}

describe('layout table', () => {
  it('has one layout per message type, under its own name', () => {
    for (const [name, type] of Object.entries(MessageType)) {
      expect(layoutOf(type)?.name).toBe(name);
    }
    expect(MESSAGE_LAYOUTS.size).toBe(Object.keys(MessageType).length);
  });

  it.each(LAYOUTS.map((l) => [l.name, l] as const))('%s: offsets and size follow C struct layout', (_, layout) => {
    const c = cLayout(layout.fields);
    expect(layout.fields.map((f) => f.offset)).toEqual(c.offsets);
    expect(layout.size).toBe(c.size);
  });

  it.each(LAYOUTS.map((l) => [l.name, l] as const))('%s: older sizes end on a member boundary', (_, layout) => {
    for (const known of layout.knownSizes.filter((s) => s < layout.size)) {
      const prefix = layout.fields.filter((f) => f.offset < known);
      expect(cLayout(prefix).size).toBe(known);
    }
    expect(layout.knownSizes).toContain(layout.size);
  });

  it('has unique member names, char arrays of at least 2 bytes, and DBL_MAX-unset doubles only', () => {
    for (const layout of LAYOUTS) {
      expect(new Set(layout.fields.map((f) => f.name)).size).toBe(layout.fields.length);
      for (const f of layout.fields) {
        if (f.kind === 'char') expect(f.size).toBeGreaterThanOrEqual(2);
        if (f.absent) expect(f.kind).toBe('double');
        expect(f.unused).toBe(f.name.startsWith('Unused'));
      }
    }
  });

  it('uses the header defaults that matter', () => {
    const dflt = (type: number, name: string) => layoutOf(type)!.fields.find((f) => f.name === name)!.default;
    expect(dflt(MessageType.CANCEL_REPLACE_ORDER, 'Price1IsSet')).toBe(1);
    expect(dflt(MessageType.CANCEL_REPLACE_ORDER, 'Price2IsSet')).toBe(1);
    expect(dflt(MessageType.OPEN_ORDERS_REQUEST, 'RequestAllOrders')).toBe(1);
    expect(dflt(MessageType.LOGON_REQUEST, 'ProtocolVersion')).toBe(8);
    expect(dflt(MessageType.ENCODING_REQUEST, 'ProtocolType')).toBe('DTC');
    expect(dflt(MessageType.MARKET_DATA_REQUEST, 'RequestAction')).toBe(1);
    expect(dflt(MessageType.LOGON_RESPONSE, 'OrderCancelReplaceSupported')).toBe(1);
    expect(dflt(MessageType.LOGON_RESPONSE, 'MarketDataSupported')).toBe(1);
    expect(dflt(MessageType.MARKET_DATA_SNAPSHOT, 'OpenInterest')).toBe(0xffff_ffff);
  });

  it('treats exactly the ORDER_UPDATE doubles DTC.md lists as unset-able', () => {
    const absent = layoutOf(MessageType.ORDER_UPDATE)!.fields.filter((f) => f.absent).map((f) => f.name);
    expect(absent.sort()).toEqual(
      [
        'Price1',
        'Price2',
        'OrderQuantity',
        'FilledQuantity',
        'RemainingQuantity',
        'AverageFillPrice',
        'LastFillPrice',
        'LastFillQuantity',
      ].sort(),
    );
  });
});

/** Offsets transcribed from docs/DTC.md, independently of the layout table. */
type Documented = readonly [name: string, offset: number, kind: 'i32' | 'u32' | 'i64' | 'u8' | 'i8' | 'f64' | `c${number}`];

const DOCUMENTED: ReadonlyArray<readonly [number, number, readonly Documented[]]> = [
  [
    MessageType.SUBMIT_NEW_SINGLE_ORDER,
    304,
    [
      ['Symbol', 4, 'c64'], ['Exchange', 68, 'c16'], ['TradeAccount', 84, 'c32'], ['ClientOrderID', 116, 'c32'],
      ['OrderType', 148, 'i32'], ['BuySell', 152, 'i32'], ['Price1', 160, 'f64'], ['Price2', 168, 'f64'],
      ['Quantity', 176, 'f64'], ['TimeInForce', 184, 'i32'], ['GoodTillDateTime', 192, 'i64'],
      ['IsAutomatedOrder', 200, 'u8'], ['IsParentOrder', 201, 'u8'], ['FreeFormText', 202, 'c48'],
      ['OpenOrClose', 252, 'i32'], ['MaxShowQuantity', 256, 'f64'], ['Price1AsString', 264, 'c16'],
      ['Price2AsString', 280, 'c16'], ['IntendedPositionQuantity', 296, 'f64'],
    ],
  ],
  [
    MessageType.ORDER_UPDATE,
    720,
    [
      ['RequestID', 4, 'i32'], ['TotalNumMessages', 8, 'i32'], ['MessageNumber', 12, 'i32'], ['Symbol', 16, 'c64'],
      ['Exchange', 80, 'c16'], ['PreviousServerOrderID', 96, 'c32'], ['ServerOrderID', 128, 'c32'],
      ['ClientOrderID', 160, 'c32'], ['ExchangeOrderID', 192, 'c32'], ['OrderStatus', 224, 'i32'],
      ['OrderUpdateReason', 228, 'i32'], ['OrderType', 232, 'i32'], ['BuySell', 236, 'i32'], ['Price1', 240, 'f64'],
      ['Price2', 248, 'f64'], ['TimeInForce', 256, 'i32'], ['GoodTillDateTime', 264, 'i64'],
      ['OrderQuantity', 272, 'f64'], ['FilledQuantity', 280, 'f64'], ['RemainingQuantity', 288, 'f64'],
      ['AverageFillPrice', 296, 'f64'], ['LastFillPrice', 304, 'f64'], ['LastFillDateTime', 312, 'i64'],
      ['LastFillQuantity', 320, 'f64'], ['LastFillExecutionID', 328, 'c64'], ['TradeAccount', 392, 'c32'],
      ['InfoText', 424, 'c96'], ['NoOrders', 520, 'u8'], ['ParentServerOrderID', 521, 'c32'],
      ['OCOLinkedOrderServerOrderID', 553, 'c32'], ['OpenOrClose', 588, 'i32'], ['PreviousClientOrderID', 592, 'c32'],
      ['FreeFormText', 624, 'c48'], ['OrderReceivedDateTime', 672, 'i64'], ['LatestTransactionDateTime', 680, 'f64'],
      ['Username', 688, 'c32'],
    ],
  ],
  [
    MessageType.CANCEL_REPLACE_ORDER,
    192,
    [
      ['ServerOrderID', 4, 'c32'], ['ClientOrderID', 36, 'c32'], ['Price1', 72, 'f64'], ['Price2', 80, 'f64'],
      ['Quantity', 88, 'f64'], ['Price1IsSet', 96, 'u8'], ['Price2IsSet', 97, 'u8'], ['Unused', 100, 'i32'],
      ['TimeInForce', 104, 'i32'], ['GoodTillDateTime', 112, 'i64'], ['UpdatePrice1OffsetToParent', 120, 'u8'],
      ['TradeAccount', 121, 'c32'], ['Price1AsString', 153, 'c16'], ['Price2AsString', 169, 'c16'],
    ],
  ],
  [
    MessageType.LOGON_RESPONSE,
    256,
    [
      ['ProtocolVersion', 4, 'i32'], ['Result', 8, 'i32'], ['ResultText', 12, 'c96'], ['ReconnectAddress', 108, 'c64'],
      ['Integer_1', 172, 'i32'], ['ServerName', 176, 'c60'], ['MarketDepthUpdatesBestBidAndAsk', 236, 'u8'],
      ['TradingIsSupported', 237, 'u8'], ['OCOOrdersSupported', 238, 'u8'], ['OrderCancelReplaceSupported', 239, 'u8'],
      ['SymbolExchangeDelimiter', 240, 'c4'], ['SecurityDefinitionsSupported', 244, 'u8'],
      ['HistoricalPriceDataSupported', 245, 'u8'], ['ResubscribeWhenMarketDataFeedAvailable', 246, 'u8'],
      ['MarketDepthIsSupported', 247, 'u8'], ['OneHistoricalPriceDataRequestPerConnection', 248, 'u8'],
      ['BracketOrdersSupported', 249, 'u8'], ['Unused_1', 250, 'u8'],
      ['UsesMultiplePositionsPerSymbolAndTradeAccount', 251, 'u8'], ['MarketDataSupported', 252, 'u8'],
    ],
  ],
  [
    MessageType.SUBMIT_NEW_OCO_ORDER,
    448,
    [
      ['ClientOrderID_2', 152, 'c32'], ['Price1_2', 192, 'f64'], ['TimeInForce', 216, 'i32'],
      ['GoodTillDateTime', 224, 'i64'], ['IsAutomatedOrder', 264, 'u8'], ['ParentTriggerClientOrderID', 265, 'c32'],
      ['FreeFormText', 297, 'c48'], ['OpenOrClose', 348, 'i32'], ['PartialFillHandling', 352, 'i8'],
      ['UseOffsets', 353, 'u8'], ['OffsetFromParent1', 360, 'f64'], ['MaintainSamePricesOnParentFill', 376, 'u8'],
      ['Price2_2AsString', 425, 'c16'],
    ],
  ],
  [
    MessageType.ACCOUNT_BALANCE_UPDATE,
    368,
    [
      ['CashBalance', 8, 'f64'], ['AccountCurrency', 24, 'c8'], ['TotalNumberMessages', 80, 'i32'],
      ['NoAccountBalances', 88, 'u8'], ['Unsolicited', 89, 'u8'], ['InfoText', 112, 'c96'],
      ['DailyNetLossLimitReached', 232, 'u8'], ['TradingIsDisabled', 235, 'u8'], ['Description', 236, 'c96'],
      ['IsUnderRequiredAccountValue', 332, 'u8'], ['TransactionDateTime', 336, 'i64'],
      ['PeakMarginRequirement', 360, 'f64'],
    ],
  ],
  [
    MessageType.POSITION_UPDATE,
    240,
    [
      ['Quantity', 96, 'f64'], ['PositionIdentifier', 112, 'c32'], ['NoPositions', 176, 'u8'], ['Unsolicited', 177, 'u8'],
      ['MarginRequirement', 184, 'f64'], ['EntryDateTime', 192, 'u32'], ['MaxPotentialPostionQuantity', 232, 'f64'],
    ],
  ],
  [MessageType.HEARTBEAT, 16, [['NumDroppedMessages', 4, 'u32'], ['CurrentDateTime', 8, 'i64']]],
  [MessageType.LOGOFF, 102, [['Reason', 4, 'c96'], ['DoNotReconnect', 100, 'u8']]],
];

/** Writes a value distinctive for (offset, kind) at `offset`; returns what should decode. */
function plant(buf: Buffer, offset: number, kind: Documented[2]): number | string {
  const seed = offset * 7 + 3;
  switch (kind) {
    case 'i32':
      buf.writeInt32LE(-seed * 1000, offset);
      return -seed * 1000;
    case 'u32':
      buf.writeUInt32LE(4_000_000_000 - seed, offset);
      return 4_000_000_000 - seed;
    case 'i64':
      buf.writeBigInt64LE(BigInt(seed) * 10_000_000_000n, offset);
      return seed * 10_000_000_000;
    case 'u8':
      buf.writeUInt8(seed % 251, offset);
      return seed % 251;
    case 'i8':
      buf.writeInt8(-(seed % 100), offset);
      return -(seed % 100);
    case 'f64':
      buf.writeDoubleLE(seed + 0.25, offset);
      return seed + 0.25;
    default: {
      const size = Number(kind.slice(1));
      const text = `v${offset}`.padEnd(size - 1, 'x'); // fills the array up to its terminator
      buf.write(text, offset, 'latin1');
      return text;
    }
  }
}

describe('binary offsets documented in DTC.md, field by field', () => {
  it.each(DOCUMENTED.map(([type, size, fields]) => [layoutOf(type)!.name, type, size, fields] as const))(
    '%s',
    (_, type, size, fields) => {
      const buf = Buffer.alloc(size);
      buf.writeUInt16LE(size, 0);
      buf.writeUInt16LE(type, 2);
      const expected: Record<string, unknown> = {};
      for (const [name, offset, kind] of fields) expected[name] = plant(buf, offset, kind);
      expect(decodeBinary(buf)).toMatchObject(expected);
    },
  );

  it('covers every member of the fully documented messages', () => {
    const full = (type: number): MessageLayout => layoutOf(type)!;
    for (const type of [MessageType.SUBMIT_NEW_SINGLE_ORDER, MessageType.ORDER_UPDATE, MessageType.CANCEL_REPLACE_ORDER]) {
      const documented = DOCUMENTED.find(([t]) => t === type)![2].map(([name]) => name);
      expect(documented).toEqual(full(type).fields.map((f) => f.name));
    }
  });
});
