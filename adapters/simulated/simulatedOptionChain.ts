/**
 * A seeded SPX option chain consistent with a given SPX level and VIX: the simulated
 * market's chain source (plug `simulatedOptionChainMaker(...)` into SimulatedMarket's
 * `optionChain.make`, which hands it the minute's SPX and VIX).
 *
 * - Strikes every `strikeStep` points (5) within `strikeRange` (10 %) of spot.
 * - Expiries: the next daily PM expiries from 0DTE on, the next weekly Fridays, and the
 *   next monthly third Fridays both AM-settled (root SPX) and PM-settled (SPXW); any
 *   expiry already settled at `time` is left out.
 * - IV: an at-the-money level scaled by the VIX (short expiries a little below it), times
 *   a skew in standardised moneyness that is higher for low strikes; one IV per strike
 *   and expiry, shared by the call and the put (so put-call parity holds).
 * - Prices and greeks: Black-Scholes-Merton (strategy/gamma/blackScholes.ts); `last` is
 *   the model price on the SPX tick (0.05 below 3.00, 0.10 above), bid/ask straddle it.
 * - Open interest: a bell around the day's anchor spot (wider for later expiries, as
 *   wide as a typical 16-vol move), puts
 *   heavier below spot and calls above, more at round strikes (100s, 50s, 25s), most on
 *   the AM monthly; seeded noise per contract and day, so OI stays put within a day as
 *   the published figure does.
 * Everything it makes is labelled `{ kind: 'simulated', seed }`.
 */
import type { OptionChainSnapshot, OptionRight } from '../../core/types.ts';
import { nextRandom } from '../../core/prng.ts';
import { bsDelta, bsGamma, bsPrice, type BlackScholesInputs } from '../../strategy/gamma/blackScholes.ts';
import { calendarDaysBetween, easternDate } from '../../core/zonedTime.ts';
import { thirdFriday } from '../../strategy/gamma/expiryCycle.ts';
import { YEAR_MS, settlementTime, type Settlement, type SettledOptionContract } from '../../strategy/gamma/timeToExpiry.ts';

/** The moment a chain is made for: SPX and VIX levels at `time` (SimulatedMarket's ChainRequest). */
export interface SimulatedChainRequest {
  time: number;
  spot: number;
  vix: number;
}

export interface SimulatedOptionChainParams {
  seed: number;
  /** Default 'SPX'. */
  underlying?: string;
  /** Default 5 points. */
  strikeStep?: number;
  /** Half-width of the strike range as a fraction of spot. Default 0.10. */
  strikeRange?: number;
  /** Daily PM expiries from 0DTE on. Default 5. */
  dailyExpiries?: number;
  /** Weekly Friday PM expiries. Default 4. */
  weeklyExpiries?: number;
  /** Monthly third Fridays (AM and PM each). Default 2. */
  monthlyExpiries?: number;
  /** Default 0.04. */
  riskFreeRate?: number;
  /** Default 0.015. */
  dividendYield?: number;
  /** Open interest of an at-the-money round-100 call of a weekly expiry, before noise. Default 2000. */
  baseOpenInterest?: number;
}

type Resolved = Required<Omit<SimulatedOptionChainParams, 'underlying'>> & { underlying: string };

const DEFAULTS: Omit<Resolved, 'seed'> = {
  underlying: 'SPX',
  strikeStep: 5,
  strikeRange: 0.1,
  dailyExpiries: 5,
  weeklyExpiries: 4,
  monthlyExpiries: 2,
  riskFreeRate: 0.04,
  dividendYield: 0.015,
  baseOpenInterest: 2000,
};

function resolve(p: SimulatedOptionChainParams): Resolved {
  const r: Resolved = { ...DEFAULTS, ...Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) } as Resolved;
  const positive = (key: keyof Resolved) => {
    const v = r[key];
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw new RangeError(`simulated option chain: ${key} must be positive, got ${String(v)}`);
  };
  positive('strikeStep');
  positive('strikeRange');
  positive('baseOpenInterest');
  for (const key of ['dailyExpiries', 'weeklyExpiries', 'monthlyExpiries'] as const) {
    if (!Number.isInteger(r[key]) || r[key] < 0) throw new RangeError(`simulated option chain: ${key} must be a whole number >= 0, got ${r[key]}`);
  }
  if (!Number.isInteger(r.seed)) throw new RangeError(`simulated option chain: seed must be an integer, got ${r.seed}`);
  return r;
}

interface Expiry {
  date: string;
  settlement: Settlement;
  kind: 'daily' | 'weekly' | 'monthly';
  settle: number;
}

const addDays = (date: string, n: number): string => new Date(Date.parse(`${date}T12:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const weekday = (date: string): number => new Date(`${date}T12:00:00Z`).getUTCDay();

/** The expiries listed at `time`, nearest first. */
function listExpiries(time: number, p: Resolved): Expiry[] {
  const today = easternDate(time);
  const out = new Map<string, Expiry>();
  const add = (date: string, settlement: Settlement, kind: Expiry['kind']) => {
    const settle = settlementTime(date, settlement);
    const key = `${date}|${settlement}`;
    if (settle > time && !out.has(key)) out.set(key, { date, settlement, kind, settle });
  };
  const monthlies: string[] = [];
  for (let m = 0; monthlies.length < p.monthlyExpiries && m < 24; m++) {
    const y = Number(today.slice(0, 4)) + Math.floor((Number(today.slice(5, 7)) - 1 + m) / 12);
    const month = ((Number(today.slice(5, 7)) - 1 + m) % 12) + 1;
    const date = thirdFriday(y, month);
    if (settlementTime(date, 'am') > time) monthlies.push(date);
  }
  for (const date of monthlies) {
    add(date, 'am', 'monthly');
    add(date, 'pm', 'monthly');
  }
  let daily = 0;
  for (let d = 0; daily < p.dailyExpiries && d < 30; d++) {
    const date = addDays(today, d);
    const wd = weekday(date);
    if (wd === 0 || wd === 6 || !(settlementTime(date, 'pm') > time)) continue;
    add(date, 'pm', wd === 5 ? 'weekly' : 'daily');
    daily++;
  }
  let fridays = 0;
  for (let d = 0; fridays < p.weeklyExpiries && d < 400; d++) {
    const date = addDays(today, d);
    if (weekday(date) !== 5 || !(settlementTime(date, 'pm') > time)) continue;
    if (!monthlies.includes(date)) add(date, 'pm', 'weekly');
    fridays++;
  }
  return [...out.values()].sort((a, b) => a.settle - b.settle || a.settlement.localeCompare(b.settlement));
}

/** FNV-1a over a string: per-contract noise keys that do not depend on drawing order. */
function hash32(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Two uniforms and a standard normal keyed by `key`. */
function keyedDraws(key: string, seed: number): { u: number; z: number } {
  const a = nextRandom(hash32(key, seed));
  const b = nextRandom(a.state);
  const c = nextRandom(b.state);
  const u1 = Math.max(a.value, Number.EPSILON);
  return { u: c.value, z: Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * b.value) };
}

/**
 * Implied volatility of a strike: ATM level from the VIX (short expiries a little below
 * it), times a skew in standardised moneyness x = ln(K/F) / (atm sqrt(T)) that rises for
 * low strikes: 1 - 0.12 x + 0.015 x^2, x clamped to [-6, 6].
 */
export function simulatedImpliedVol(spot: number, strike: number, years: number, vix: number, rate = 0.04, dividendYield = 0.015): number {
  const atm = (vix / 100) * (0.9 + 0.1 * Math.min(1, (years * 365) / 30));
  const forward = spot * Math.exp((rate - dividendYield) * years);
  const x = Math.max(-6, Math.min(6, Math.log(strike / forward) / (atm * Math.sqrt(years))));
  return atm * (1 - 0.12 * x + 0.015 * x * x);
}

/** The SPX tick for an option price: 0.05 below 3.00, 0.10 from 3.00. */
export const optionTick = (price: number): number => (price < 3 ? 0.05 : 0.1);

const round2 = (x: number) => Math.round(x * 100) / 100;

function roundness(strike: number): number {
  if (strike % 100 === 0) return 4;
  if (strike % 50 === 0) return 2.2;
  if (strike % 25 === 0) return 1.4;
  return 1;
}

const EXPIRY_WEIGHT: Record<string, number> = { 'monthly|am': 3, 'monthly|pm': 1.2, 'weekly|pm': 1, 'daily|pm': 0.5 };

/**
 * One chain at `request.time`. `anchorSpot` centres the open-interest profile (default:
 * the request's spot); the maker passes the day's first spot so that OI holds all day.
 */
export function simulateOptionChain(request: SimulatedChainRequest, params: SimulatedOptionChainParams, anchorSpot?: number): OptionChainSnapshot {
  const p = resolve(params);
  const { time, spot, vix } = request;
  if (!Number.isFinite(time)) throw new RangeError(`simulated option chain: time must be finite, got ${time}`);
  if (!(spot > 0) || !Number.isFinite(spot)) throw new RangeError(`simulated option chain: spot must be positive, got ${spot}`);
  if (!(vix > 0) || !Number.isFinite(vix)) throw new RangeError(`simulated option chain: vix must be positive, got ${vix}`);
  const anchor = anchorSpot ?? spot;
  const day = easternDate(time);
  const lo = Math.ceil((spot * (1 - p.strikeRange)) / p.strikeStep) * p.strikeStep;
  const hi = Math.floor((spot * (1 + p.strikeRange)) / p.strikeStep) * p.strikeStep;
  const contracts: SettledOptionContract[] = [];
  for (const e of listExpiries(time, p)) {
    const years = (e.settle - time) / YEAR_MS;
    const expiryWeight = EXPIRY_WEIGHT[`${e.kind}|${e.settlement}`] ?? 1;
    // OI spreads wider for later expiries: about one standard move plus 3 %, from whole
    // calendar days (and the anchor's VIX-free constant) so that it holds all day.
    const width = 0.03 + 0.16 * Math.sqrt((calendarDaysBetween(day, e.date) + 1) / 365);
    for (let strike = lo; strike <= hi + 1e-9; strike += p.strikeStep) {
      const k = round2(strike);
      const ivNoise = keyedDraws(`iv|${day}|${e.date}|${e.settlement}|${k}`, p.seed).z;
      const iv = simulatedImpliedVol(spot, k, years, vix, p.riskFreeRate, p.dividendYield) * (1 + 0.005 * ivNoise);
      const bs: BlackScholesInputs = { spot, strike: k, years, iv, rate: p.riskFreeRate, dividendYield: p.dividendYield };
      const gamma = bsGamma(bs);
      const m = Math.log(k / anchor) / width;
      const bell = Math.exp(-0.5 * m * m);
      for (const right of ['call', 'put'] as const satisfies readonly OptionRight[]) {
        const theo = bsPrice(right, bs);
        const tick = optionTick(theo);
        const half = Math.max(0.05, 0.005 * theo);
        const side = right === 'put' ? (k < anchor ? 1.6 : 0.5) : k > anchor ? 1.3 : 0.4;
        const draws = keyedDraws(`oi|${day}|${e.date}|${e.settlement}|${k}|${right}`, p.seed);
        const openInterest = Math.round(p.baseOpenInterest * expiryWeight * bell * roundness(k) * side * Math.exp(0.35 * draws.z - 0.06));
        contracts.push({
          expiry: e.date,
          strike: k,
          right,
          bid: round2(Math.max(0, Math.floor((theo - half) / tick) * tick)),
          ask: round2(Math.max(tick, Math.ceil((theo + half) / tick) * tick)),
          last: round2(Math.round(theo / tick) * tick),
          iv,
          delta: bsDelta(right, bs),
          gamma,
          openInterest,
          volume: Math.round(openInterest * (e.kind === 'daily' || years < 1 / 365 ? 0.6 : 0.15) * draws.u),
          settlement: e.settlement,
        });
      }
    }
  }
  return { underlying: p.underlying, time, spot, contracts, provenance: { kind: 'simulated', seed: p.seed } };
}

/**
 * A chain source for SimulatedMarket's `optionChain.make`: each call makes the chain at
 * the request, with open interest anchored on the first spot seen that (Eastern) day.
 */
export function simulatedOptionChainMaker(params: SimulatedOptionChainParams): (request: SimulatedChainRequest) => OptionChainSnapshot {
  resolve(params);
  let anchorDay = '';
  let anchor = Number.NaN;
  return (request) => {
    const day = easternDate(request.time);
    if (day !== anchorDay) {
      anchorDay = day;
      anchor = request.spot;
    }
    return simulateOptionChain(request, params, anchor);
  };
}
