/**
 * Polygon.io (Massive) options chain snapshot (`GET /v3/snapshot/options/{underlying}`)
 * -> OptionChainSnapshot. The body is validated with zod: a body of the wrong shape is a
 * PolygonChainError naming the offending path, never a half-read chain.
 *
 * Accepted bodies: one response page `{status, results: [...]}`, an array of such pages
 * (a paginated chain saved whole), or the single-contract endpoint's `{results: {...}}`.
 * Per contract: `contract_type` "other" and contracts without `open_interest` cannot
 * carry dealer gamma and are left out, counted in the report of parsePolygonChainReport;
 * missing greeks or IV stay absent (the gamma step computes gamma from IV or skips).
 * The ticker's OSI root says how the contract settles (`O:SPX...` AM, `O:SPXW...` PM).
 */
import * as z from 'zod';
import type { OptionChainSnapshot } from '../../core/types.ts';
import { settlementOfRoot, type SettledOptionContract } from '../../strategy/gamma/timeToExpiry.ts';
import { MiaError, type MiaErrorOptions } from '../../core/errors.ts';

/** A Polygon body that is not an options chain snapshot, or unusable options. */
export class PolygonChainError extends MiaError<'POLYGON_CHAIN_INVALID'> {
  override name = 'PolygonChainError';
  constructor(message: string, options?: MiaErrorOptions) {
    super('POLYGON_CHAIN_INVALID', message, options);
  }
}

export interface PolygonChainOptions {
  /** Underlying symbol of the chain, e.g. 'SPX'. */
  underlying: string;
  /** Snapshot time, ms UTC (the request time: the body has no single timestamp). */
  time: number;
  /** Underlying price; default: the first `underlying_asset.price` (or `.value` for indices). */
  spot?: number;
}

/** A contract of the body left out of the snapshot. */
export interface PolygonDroppedContract {
  /** Path in the body, e.g. `results[12]` or `[1].results[3]`. */
  path: string;
  ticker?: string;
  reason: string;
}

export interface PolygonChainReport {
  /** Contract entries in the body. */
  results: number;
  contracts: number;
  dropped: PolygonDroppedContract[];
  /** Where the spot came from. */
  spotSource: 'given' | 'underlying_asset';
}

const num = z.number().finite();
const optionalNum = num.nullish();

const resultSchema = z.object({
  details: z.object({
    contract_type: z.string(),
    expiration_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a YYYY-MM-DD date'),
    strike_price: num.positive(),
    ticker: z.string().nullish(),
  }),
  greeks: z.object({ delta: optionalNum, gamma: optionalNum }).nullish(),
  implied_volatility: optionalNum,
  open_interest: num.nonnegative().nullish(),
  last_quote: z.object({ bid: optionalNum, ask: optionalNum }).nullish(),
  last_trade: z.object({ price: optionalNum }).nullish(),
  day: z.object({ volume: optionalNum, close: optionalNum }).nullish(),
  underlying_asset: z.object({ price: optionalNum, value: optionalNum, ticker: z.string().nullish() }).nullish(),
});

type PolygonResult = z.infer<typeof resultSchema>;

const pageSchema = z.object({
  status: z.string().nullish(),
  results: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())], { error: 'expected the array of option contract snapshots' }),
});

const issuePath = (prefix: string, path: readonly PropertyKey[]): string =>
  path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc === '' ? String(key) : `${acc}.${String(key)}`), prefix) || '(body)';

function shapeError(prefix: string, error: z.ZodError): PolygonChainError {
  const issues = error.issues.slice(0, 5).map((i) => `${issuePath(prefix, i.path)}: ${i.message}`);
  const more = error.issues.length > 5 ? ` (+${error.issues.length - 5} more)` : '';
  return new PolygonChainError(`not a Polygon options snapshot: ${issues.join('; ')}${more}`);
}

/** The pages of a body, each with its path prefix. */
function pagesOf(body: unknown): { prefix: string; results: unknown[] }[] {
  const pages = Array.isArray(body) ? body.map((page, i) => ({ page, prefix: `[${i}]` })) : [{ page: body, prefix: '' }];
  if (pages.length === 0) throw new PolygonChainError('not a Polygon options snapshot: an empty array of pages');
  return pages.map(({ page, prefix }) => {
    if (page !== null && typeof page === 'object' && 'status' in page && !('results' in page)) {
      const p = page as { status?: unknown; error?: unknown; message?: unknown };
      throw new PolygonChainError(`Polygon returned status ${String(p.status)}${p.error ?? p.message ? `: ${String(p.error ?? p.message)}` : ''}`);
    }
    const parsed = pageSchema.safeParse(page);
    if (!parsed.success) throw shapeError(prefix, parsed.error);
    const r = parsed.data.results;
    return { prefix: `${prefix}${prefix ? '.' : ''}results`, results: Array.isArray(r) ? r : [r] };
  });
}

const OSI_ROOT = /^O:([A-Z]+)\d{6}[CP]\d+$/;

/**
 * Parses a Polygon options chain snapshot body. Throws PolygonChainError on a wrong shape,
 * a bad `time`, or when no spot is given or found.
 */
export function parsePolygonChain(body: unknown, opts: { underlying: string; time: number; spot?: number }): OptionChainSnapshot {
  return parsePolygonChainReport(body, opts).snapshot;
}

/** parsePolygonChain, with a report of what was left out and why. */
export function parsePolygonChainReport(body: unknown, opts: PolygonChainOptions): { snapshot: OptionChainSnapshot; report: PolygonChainReport } {
  if (typeof opts.underlying !== 'string' || opts.underlying === '') throw new PolygonChainError('underlying must be a non-empty symbol');
  if (!Number.isFinite(opts.time)) throw new PolygonChainError(`time must be a finite ms timestamp, got ${opts.time}`);
  if (opts.spot !== undefined && !(opts.spot > 0 && Number.isFinite(opts.spot))) throw new PolygonChainError(`spot must be a positive number, got ${opts.spot}`);

  const contracts: SettledOptionContract[] = [];
  const dropped: PolygonDroppedContract[] = [];
  let found: number | undefined;
  let results = 0;
  for (const { prefix, results: entries } of pagesOf(body)) {
    entries.forEach((entry, i) => {
      results++;
      const path = `${prefix}[${i}]`;
      const parsed = resultSchema.safeParse(entry);
      if (!parsed.success) throw shapeError(path, parsed.error);
      const r: PolygonResult = parsed.data;
      const ticker = r.details.ticker ?? undefined;
      const underlyingPrice = r.underlying_asset?.price ?? r.underlying_asset?.value;
      if (found === undefined && underlyingPrice != null && underlyingPrice > 0) found = underlyingPrice;
      const type = r.details.contract_type;
      if (type !== 'call' && type !== 'put') {
        dropped.push({ path, ticker, reason: `contract_type "${type}" is neither call nor put` });
        return;
      }
      if (r.open_interest == null) {
        dropped.push({ path, ticker, reason: 'no open_interest' });
        return;
      }
      const root = ticker ? OSI_ROOT.exec(ticker)?.[1] : undefined;
      const c: SettledOptionContract = {
        expiry: r.details.expiration_date,
        strike: r.details.strike_price,
        right: type,
        openInterest: r.open_interest,
        settlement: settlementOfRoot(root ?? ''),
      };
      const bid = r.last_quote?.bid;
      const ask = r.last_quote?.ask;
      const last = r.last_trade?.price ?? r.day?.close;
      const volume = r.day?.volume;
      const iv = r.implied_volatility;
      const delta = r.greeks?.delta;
      const gamma = r.greeks?.gamma;
      if (bid != null) c.bid = bid;
      if (ask != null) c.ask = ask;
      if (last != null) c.last = last;
      if (volume != null) c.volume = volume;
      // An IV of 0 is impossible for a live option: Polygon's "not computed".
      if (iv != null && iv > 0) c.iv = iv;
      if (delta != null) c.delta = delta;
      if (gamma != null && gamma >= 0) c.gamma = gamma;
      contracts.push(c);
    });
  }
  const spot = opts.spot ?? found;
  if (spot === undefined) throw new PolygonChainError('no underlying price in the body (underlying_asset.price or .value): pass spot');
  return {
    snapshot: { underlying: opts.underlying, time: opts.time, spot, contracts, provenance: { kind: 'polygon' } },
    report: { results, contracts: contracts.length, dropped, spotSource: opts.spot !== undefined ? 'given' : 'underlying_asset' },
  };
}

/**
 * The latest `last_updated` / `sip_timestamp` (nanoseconds) in a body, in ms UTC: a
 * stand-in snapshot time for a saved body when the request time is unknown. Null when none.
 */
export function latestPolygonTimestamp(body: unknown): number | null {
  let latest: number | null = null;
  const visit = (v: unknown, depth: number): void => {
    if (depth > 6 || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (const x of v) visit(x, depth + 1);
      return;
    }
    for (const [k, x] of Object.entries(v)) {
      if ((k === 'last_updated' || k === 'sip_timestamp') && typeof x === 'number' && x > 0) {
        const ms = Math.floor(x / 1e6);
        if (latest === null || ms > latest) latest = ms;
      } else visit(x, depth + 1);
    }
  };
  visit(body, 0);
  return latest;
}
