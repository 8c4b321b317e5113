/**
 * DTC codec throughput: binary and JSON encode/decode of SUBMIT_NEW_SINGLE_ORDER and
 * ORDER_UPDATE, against a baseline measured in the same run (a raw Buffer.readDoubleLE
 * loop over the same bytes). Run: `node --import tsx bench/dtcCodec.bench.ts`.
 * Aim: binary decode above 2 million messages/s.
 */
import { decodeBinary, encodeBinary } from '../adapters/dtc/binaryCodec.ts';
import { createDtcMessage } from '../adapters/dtc/createMessage.ts';
import { BuySell, OrderStatus, OrderType, OrderUpdateReason, TimeInForce } from '../adapters/dtc/enums.ts';
import { decodeJson, encodeJson } from '../adapters/dtc/jsonCodec.ts';
import { MessageType } from '../adapters/dtc/messageType.ts';
import type { DtcMessage } from '../adapters/dtc/messages.ts';

const RUN_MS = 400;
const RUNS = 5;
/** Distinct messages cycled through (a power of two). */
const VARIANTS = 256;
const AIM_DECODES_PER_SECOND = 2e6;

const order = createDtcMessage(MessageType.SUBMIT_NEW_SINGLE_ORDER, {
  Symbol: 'ESZ5',
  Exchange: 'CME',
  TradeAccount: 'Sim1',
  ClientOrderID: 'MIA-20250827-000123',
  OrderType: OrderType.LIMIT,
  BuySell: BuySell.BUY,
  Price1: 6512.25,
  Quantity: 1,
  TimeInForce: TimeInForce.DAY,
  IsAutomatedOrder: 1,
});

const update = createDtcMessage(MessageType.ORDER_UPDATE, {
  TotalNumMessages: 1,
  MessageNumber: 1,
  Symbol: 'ESZ5',
  Exchange: 'CME',
  ServerOrderID: '1234567890',
  ClientOrderID: 'MIA-20250827-000123',
  ExchangeOrderID: '6543210987',
  OrderStatus: OrderStatus.FILLED,
  OrderUpdateReason: OrderUpdateReason.ORDER_FILLED,
  OrderType: OrderType.LIMIT,
  BuySell: BuySell.BUY,
  Price1: 6512.25,
  TimeInForce: TimeInForce.DAY,
  OrderQuantity: 1,
  FilledQuantity: 1,
  RemainingQuantity: 0,
  AverageFillPrice: 6512.25,
  LastFillPrice: 6512.25,
  LastFillDateTime: 1756300439123,
  LastFillQuantity: 1,
  LastFillExecutionID: 'X-998877',
  TradeAccount: 'Sim1',
  OrderReceivedDateTime: 1756300439,
  LatestTransactionDateTime: 1756300439.123,
});

/** Best throughput over RUNS timed runs of `op`, in operations per second. */
function measure(op: () => number): number {
  let sink = 0;
  for (let i = 0; i < 20_000; i++) sink += op(); // warm-up: let the JIT settle
  let best = 0;
  for (let run = 0; run < RUNS; run++) {
    let count = 0;
    const start = process.hrtime.bigint();
    const deadline = start + BigInt(RUN_MS) * 1_000_000n;
    let now = start;
    while (now < deadline) {
      for (let i = 0; i < 1000; i++) sink += op();
      count += 1000;
      now = process.hrtime.bigint();
    }
    best = Math.max(best, count / (Number(now - start) / 1e9));
  }
  if (Number.isNaN(sink)) console.log('unreachable', sink); // keeps `sink` observable
  return best;
}

/** Baseline: read each frame's bytes as doubles, the cheapest pass one could make over them. */
function rawDoubleScan(frames: readonly Buffer[]): () => number {
  let next = 0;
  return () => {
    const frame = frames[next++ & (VARIANTS - 1)]!;
    const words = frame.length >> 3;
    let sum = 0;
    for (let i = 0; i < words; i++) sum += frame.readDoubleLE(i * 8);
    return sum;
  };
}

/** Cycles through the items so that ids and prices change from one message to the next. */
function rotating<T>(items: readonly T[], op: (item: T) => number): () => number {
  let next = 0;
  return () => op(items[next++ & (VARIANTS - 1)]!);
}

// Realistic traffic: the symbol, exchange and account repeat, ids and prices do not.
const variants = <T extends typeof order | typeof update>(message: T): T[] =>
  Array.from({ length: VARIANTS }, (_, i) => ({
    ...message,
    ClientOrderID: `MIA-20250827-${String(100_000 + i)}`,
    Price1: 6512.25 + i * 0.25,
    ...(message.Type === MessageType.ORDER_UPDATE
      ? { ServerOrderID: String(1_234_567_890 + i), LastFillExecutionID: `X-${998_877 + i}` }
      : {}),
  }));

interface Row {
  message: string;
  operation: string;
  bytes: number;
  perSecond: number;
  baseline: number;
}

const typeOf = (message: DtcMessage): number => message.Type;

const rows: Row[] = [];
const suites: ReadonlyArray<readonly [string, readonly DtcMessage[]]> = [
  ['SUBMIT_NEW_SINGLE_ORDER', variants(order)],
  ['ORDER_UPDATE', variants(update)],
];
for (const [name, messages] of suites) {
  const binary = messages.map((m) => encodeBinary(m));
  const json = messages.map((m) => encodeJson(m));
  const binaryBytes = binary[0]!.length;
  const jsonBytes = json[0]!.length;
  const baseline = measure(rawDoubleScan(binary));
  const row = (operation: string, bytes: number, perSecond: number): Row => ({
    message: name,
    operation,
    bytes,
    perSecond,
    baseline,
  });
  rows.push(
    row('raw readDoubleLE scan', binaryBytes, baseline),
    row('binary encode', binaryBytes, measure(rotating(messages, (m) => encodeBinary(m).length))),
    row('binary decode', binaryBytes, measure(rotating(binary, (b) => typeOf(decodeBinary(b))))),
    row('JSON encode', jsonBytes, measure(rotating(messages, (m) => encodeJson(m).length))),
    row('JSON decode', jsonBytes, measure(rotating(json, (b) => typeOf(decodeJson(b))))),
  );
}

const fmt = (n: number): string => (n / 1e6).toFixed(2).padStart(8);
console.log(`DTC codec throughput (node ${process.version}, best of ${RUNS} x ${RUN_MS} ms)\n`);
const line = (cells: readonly [string, string, string, string, string]): string =>
  `${cells[0].padEnd(24)} ${cells[1].padEnd(22)} ${cells[2].padStart(5)} ${cells[3].padStart(8)} ${cells[4].padStart(7)}`;
console.log(line(['message', 'operation', 'bytes', 'M msg/s', 'vs raw']));
for (const row of rows) {
  const ratio = (row.perSecond / row.baseline).toFixed(2);
  console.log(line([row.message, row.operation, String(row.bytes), fmt(row.perSecond), ratio]));
}
console.log('');
for (const row of rows.filter((r) => r.operation === 'binary decode')) {
  const verdict = row.perSecond >= AIM_DECODES_PER_SECOND ? 'meets' : 'misses';
  console.log(`binary decode of ${row.message}: ${fmt(row.perSecond).trim()} M msg/s, ${verdict} the 2 M msg/s aim`);
}
