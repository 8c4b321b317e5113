/**
 * Quarterly futures contracts and continuous series (DOMAIN.md): contracts H/M/U/Z
 * expire on the third Friday of their month at the 09:30 ET open; the customary roll is
 * 8 calendar days before expiry. A continuous series takes, for each CME trading day,
 * one contract (by that calendar rule or by the most active contract of the day) and may
 * be back-adjusted: every price before a roll is shifted by the gap between the two
 * contracts measured at the roll, so that the series has no artificial jump (additive,
 * "Panama" adjustment: tick multiples stay on the tick grid).
 */
import { TradingDayTracker } from './tradingDay.ts';

/** CME month codes, January first. */
export const MONTH_CODES = 'FGHJKMNQUVXZ';

export interface ContractId {
  /** Product root, e.g. 'ES'. */
  root: string;
  year: number;
  /** 1..12 */
  month: number;
}

/**
 * `ESZ13`, `ESZ3` (decade guessed as the one nearest 2020), `ESZ2013`, with an optional
 * exchange suffix (`ESZ13-CME`, `ESZ3.CME`). Returns null for anything else.
 */
export function parseContract(symbol: string): ContractId | null {
  const m = /^([A-Z]{1,4}?)([FGHJKMNQUVXZ])(\d{1,4})(?:[-.][A-Z]+)?$/.exec(symbol.toUpperCase());
  if (!m) return null;
  const digits = m[3]!;
  let year = Number(digits);
  if (digits.length === 1) year = 2020 + year - (year >= 7 ? 10 : 0);
  else if (digits.length === 2) year += year >= 70 ? 1900 : 2000;
  else if (digits.length !== 4) return null;
  return { root: m[1]!, year, month: MONTH_CODES.indexOf(m[2]!) + 1 };
}

/** `ES` + `201312` (an expiry month as Lean writes it) -> `ESZ13`. */
export function contractFromExpiryMonth(root: string, yyyymm: string): ContractId | null {
  if (!/^\d{6}$/.test(yyyymm)) return null;
  const year = Number(yyyymm.slice(0, 4));
  const month = Number(yyyymm.slice(4));
  return month >= 1 && month <= 12 ? { root: root.toUpperCase(), year, month } : null;
}

/** `ESZ13`: root, month code, two-digit year. */
export function contractSymbol(c: ContractId): string {
  return `${c.root}${MONTH_CODES[c.month - 1]}${String(c.year % 100).padStart(2, '0')}`;
}

const pad = (n: number) => String(n).padStart(2, '0');
const isoDate = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;

/** Expiry date (YYYY-MM-DD): the third Friday of the contract month. */
export function expiryDate(c: ContractId): string {
  const first = new Date(Date.UTC(c.year, c.month - 1, 1));
  const firstFriday = 1 + ((5 - first.getUTCDay() + 7) % 7);
  return isoDate(new Date(Date.UTC(c.year, c.month - 1, firstFriday + 14)));
}

/** The first trading day (YYYY-MM-DD) on which the next contract is the front: `daysBefore` calendar days before expiry. */
export function rollDay(c: ContractId, daysBefore = 8): string {
  const [y, m, d] = expiryDate(c).split('-').map(Number) as [number, number, number];
  return isoDate(new Date(Date.UTC(y, m - 1, d - daysBefore)));
}

const expiryKey = (c: ContractId) => c.year * 100 + c.month;

/** The front contract on a trading day by the calendar rule: the nearest one not yet past its roll day. */
export function frontContract<C extends ContractId>(tradingDay: string, contracts: readonly C[], daysBefore = 8): C | null {
  let best: C | null = null;
  for (const c of contracts) {
    if (rollDay(c, daysBefore) <= tradingDay) continue;
    if (!best || expiryKey(c) < expiryKey(best)) best = c;
  }
  return best;
}

/** Quarterly contract months H, M, U, Z. */
const QUARTERLY_MONTHS = [3, 6, 9, 12] as const;

/**
 * The front quarterly contract (H/M/U/Z) of `root` on a CME trading day by the calendar
 * rule (the nearest contract not yet past its roll day, `daysBefore` calendar days before
 * its expiry), e.g. `ES` on 2023-09-07 -> ESZ23 (ESU23 rolls that day), on 2023-09-06 -> ESU23.
 */
export function frontQuarterly(root: string, tradingDay: string, daysBefore = 8): ContractId {
  const year = Number(tradingDay.slice(0, 4));
  const candidates: ContractId[] = [];
  for (const y of [year, year + 1]) for (const month of QUARTERLY_MONTHS) candidates.push({ root, year: y, month });
  return frontContract(tradingDay, candidates, daysBefore)!;
}

/** One contract switch in a continuous series. */
export interface RollEvent {
  /** Time of the first item taken from the new contract (ms UTC). */
  time: number;
  tradingDay: string;
  from: string;
  to: string;
  /**
   * New minus old contract price on same-time items, at the roll or on the old
   * segment's last day; null when the two have no item at the same time on those days,
   * in which case nothing is adjusted across this roll.
   */
  gap: number | null;
}

export interface ContinuousOptions<T> {
  /** 'calendar': the DOMAIN roll rule; 'volume': the most active contract of each trading day (never rolling back). */
  roll: 'calendar' | 'volume';
  /** Calendar rule: days before expiry (default 8). */
  rollDaysBefore?: number;
  /** Shift every price before each roll by its gap (default false). */
  backAdjust?: boolean;
  /** Activity of an item for the volume rule (bars: volume; quotes: 1). */
  weight(item: T): number;
  /** The reference price of an item for measuring gaps (bars: close; quotes: mid). */
  price(item: T): number;
  /** A copy of the item with every price shifted by `offset`. */
  shift(item: T, offset: number): T;
}

export interface ContinuousSeries<T> {
  items: T[];
  rolls: RollEvent[];
}

interface Segment<T> {
  symbol: string;
  items: T[];
}

/**
 * Builds one continuous series from per-contract series (each in time order), keyed by
 * contract symbol (`ESZ13`). Keys that are not contract symbols throw.
 */
export function buildContinuous<T extends { time: number }>(
  byContract: ReadonlyMap<string, readonly T[]>,
  opts: ContinuousOptions<T>,
): ContinuousSeries<T> {
  const contracts = [...byContract.keys()].map((symbol) => {
    const id = parseContract(symbol);
    if (!id) throw new RangeError(`"${symbol}" is not a contract symbol like ESZ13`);
    return { ...id, symbol };
  });
  contracts.sort((a, b) => expiryKey(a) - expiryKey(b));

  // Trading day of every item, per contract (hourly cache: items are in time order).
  const days = new Map<string, string[]>();
  for (const c of contracts) {
    const tracker = new TradingDayTracker();
    days.set(c.symbol, byContract.get(c.symbol)!.map((it) => tracker.dayOf(it.time)));
  }
  const allDays = [...new Set([...days.values()].flat())].sort();

  // The chosen contract of each trading day.
  const chosen = new Map<string, string>();
  if (opts.roll === 'calendar') {
    for (const day of allDays) {
      const front = frontContract(day, contracts, opts.rollDaysBefore ?? 8);
      if (front) chosen.set(day, front.symbol);
    }
  } else {
    const activity = new Map<string, Map<string, number>>();
    for (const c of contracts) {
      const items = byContract.get(c.symbol)!;
      const dayList = days.get(c.symbol)!;
      for (let i = 0; i < items.length; i++) {
        const perDay = activity.get(dayList[i]!) ?? new Map<string, number>();
        perDay.set(c.symbol, (perDay.get(c.symbol) ?? 0) + opts.weight(items[i]!));
        activity.set(dayList[i]!, perDay);
      }
    }
    let floor = -1; // index into `contracts`: never roll back to an earlier expiry
    for (const day of allDays) {
      let best = -1;
      let bestWeight = -Infinity;
      contracts.forEach((c, i) => {
        const w = activity.get(day)?.get(c.symbol) ?? 0;
        if (i >= floor && w > bestWeight) {
          best = i;
          bestWeight = w;
        }
      });
      if (best >= 0 && bestWeight > 0) {
        floor = best;
        chosen.set(day, contracts[best]!.symbol);
      }
    }
  }

  // Cut each contract's items to its chosen days; consecutive days of one contract form a segment.
  const segments: Segment<T>[] = [];
  for (const day of allDays) {
    const symbol = chosen.get(day);
    if (!symbol) continue;
    const items = byContract.get(symbol)!;
    const dayList = days.get(symbol)!;
    const picked: T[] = [];
    for (let i = 0; i < items.length; i++) if (dayList[i] === day) picked.push(items[i]!);
    if (picked.length === 0) continue;
    const last = segments.at(-1);
    if (last && last.symbol === symbol) last.items.push(...picked);
    else segments.push({ symbol, items: picked });
  }

  const rolls: RollEvent[] = [];
  for (let s = 1; s < segments.length; s++) {
    const prev = segments[s - 1]!;
    const next = segments[s]!;
    rolls.push({
      time: next.items[0]!.time,
      tradingDay: new TradingDayTracker().dayOf(next.items[0]!.time),
      from: prev.symbol,
      to: next.symbol,
      gap: measureGap(byContract.get(prev.symbol)!, prev.items, byContract.get(next.symbol)!, next.items, opts.price),
    });
  }

  if (opts.backAdjust) {
    let offset = 0;
    for (let s = segments.length - 1; s >= 1; s--) {
      offset += rolls[s - 1]!.gap ?? 0;
      if (offset !== 0) segments[s - 1]!.items = segments[s - 1]!.items.map((it) => opts.shift(it, offset));
    }
  }
  return { items: segments.flatMap((s) => s.items), rolls };
}

/**
 * New minus old price on a pair of same-time items (same bar of the two contracts):
 * the earliest pair on the new segment's first trading day (at the roll, the old
 * contract usually still trades), else the latest pair on the old segment's last
 * trading day. Null when there is no such pair: a stale price of a thinly traded
 * contract would adjust the whole history by a wrong amount.
 */
function measureGap<T extends { time: number }>(
  oldAll: readonly T[],
  oldSegment: readonly T[],
  newAll: readonly T[],
  newSegment: readonly T[],
  price: (item: T) => number,
): number | null {
  const days = new TradingDayTracker();
  const byTime = (items: readonly T[]) => new Map(items.map((it) => [it.time, it] as const));
  const oldByTime = byTime(oldAll);
  const firstDay = days.dayOf(newSegment[0]!.time);
  for (const it of newSegment) {
    if (days.dayOf(it.time) !== firstDay) break;
    const old = oldByTime.get(it.time);
    if (old) return price(it) - price(old);
  }
  const newByTime = byTime(newAll);
  const lastDay = new TradingDayTracker();
  const day = lastDay.dayOf(oldSegment.at(-1)!.time);
  for (let i = oldSegment.length - 1; i >= 0; i--) {
    const old = oldSegment[i]!;
    if (new TradingDayTracker().dayOf(old.time) !== day) break;
    const same = newByTime.get(old.time);
    if (same) return price(same) - price(old);
  }
  return null;
}
