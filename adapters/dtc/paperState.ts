/**
 * The paper DTC server's state file: the engine's orders, positions, cash, fills and
 * counters as one JSON document, so that `mia dtc-server --state FILE` survives a
 * `kill -9`. Each save is atomic (temporary file beside it, then rename: a crash leaves
 * the previous or the next complete document) and synchronous, so the server sends an
 * order update only once the change it reports is on disk. A file that does not parse or
 * validate is refused with CorruptStateError and never overwritten.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as z from 'zod';
import { CorruptStateError } from '../store/jsonDocument.ts';
import type { SimulatedVenueState } from '../simulated/simulatedVenue.ts';

const finite = z.number().finite();
// A rejected order keeps the client's terms, NaN included; JSON writes those as null.
const echoed = z.number().nullable().transform((v) => v ?? Number.NaN);
const side = z.enum(['buy', 'sell']);
const orderType = z.enum(['market', 'limit', 'stop', 'stopLimit']);

const orderSchema = z.object({
  clientOrderId: z.string(),
  serverOrderId: z.string().optional(),
  account: z.string(),
  symbol: z.string(),
  exchange: z.string(),
  side,
  qty: echoed,
  type: orderType,
  tif: z.enum(['day', 'gtc', 'ioc', 'fok']),
  purpose: z.string(),
  price: echoed.optional(),
  stopPrice: echoed.optional(),
  ocoGroup: z.string().optional(),
  submittedAt: finite,
  rested: z.boolean().optional(),
  freeFormText: z.string().optional(),
  status: z.enum(['pendingChild', 'working', 'filled', 'cancelled', 'rejected']),
  filledQty: finite,
  avgFillPrice: finite.optional(),
  reason: z.string().optional(),
  parentClientOrderId: z.string().optional(),
  offsetFromParent: finite.optional(),
  receivedAt: finite,
  updatedAt: finite,
  seq: z.number().int().min(0),
  lastFill: z.object({ executionId: z.string(), price: finite, qty: finite, time: finite }).optional(),
});

const bookSchema = z.object({
  symbol: z.string(),
  qty: finite,
  avgPrice: finite,
  openedAt: finite,
  openCommission: finite,
  realizedPnl: finite,
  commissions: finite,
});

const fillSchema = z.object({
  clientOrderId: z.string(),
  executionId: z.string().min(1),
  symbol: z.string(),
  side,
  qty: finite,
  price: finite,
  time: finite,
  commission: finite,
  account: z.string(),
  serverOrderId: z.string(),
  exchange: z.string(),
  positionAfter: finite,
  openClose: z.enum(['open', 'close']),
  cashChange: finite,
});

export const paperStateSchema = z.object({
  version: z.literal(1),
  seq: z.number().int().min(0),
  executions: z.number().int().min(0),
  ocoGroups: z.number().int().min(0),
  orders: z.array(orderSchema),
  accounts: z.array(
    z.object({
      account: z.string().min(1),
      startingBalance: finite,
      cash: finite,
      positions: z.array(z.object({ symbol: z.string(), exchange: z.string(), book: bookSchema })),
    }),
  ),
  fills: z.array(fillSchema),
  marks: z.array(z.object({ root: z.string(), price: finite, time: finite })),
});

// Compile-time only: fails if the schema's output drifts from the engine's state type.
type Assert<T extends true> = T;
export type PaperStateMatchesVenue = Assert<z.output<typeof paperStateSchema> extends SimulatedVenueState ? true : false>;

/**
 * The state saved at `path`, or null when there is no file yet.
 * @throws CorruptStateError when the file exists but does not parse or validate.
 */
export function loadPaperState(path: string): SimulatedVenueState | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CorruptStateError(path, `cannot read it: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CorruptStateError(path, `invalid JSON: ${(err as Error).message}`);
  }
  const result = paperStateSchema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.slice(0, 3).map((i) => `at ${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
    throw new CorruptStateError(path, `schema mismatch ${issues.join('; ')}`);
  }
  return result.data;
}

/** Writes `state` to `path` atomically (temporary file + rename), creating the directory. */
export function savePaperState(path: string, state: SimulatedVenueState): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(tmp, `${JSON.stringify(state)}\n`);
  renameSync(tmp, path);
}
