/**
 * Polygon serves futures per contract (`ESZ4`), never as a continuous product. A download of
 * `ES` over years is therefore cut into segments, each taken from the front contract of the
 * calendar roll rule (core/contractRoll.ts: quarterly H/M/U/Z, roll 8 days before the third
 * Friday). A segment switches at the start of the roll day's CME trading day (17:00
 * Chicago the evening before), so no session is split between two contracts.
 */
import { MONTH_CODES, parseContract, rollDay, type ContractId } from '../../core/contractRoll.ts';
import { chicagoTime } from '../../core/zonedTime.ts';

/** Polygon's spelling of a contract: root, month code, last digit of the year (`ESZ4`). */
export function polygonTicker(c: ContractId): string {
  return `${c.root}${MONTH_CODES[c.month - 1]}${c.year % 10}`;
}

/** A product root such as `ES` (as opposed to a contract such as `ESZ4`). */
export function isProductRoot(symbol: string): boolean {
  return /^[A-Z]{1,3}$/.test(symbol) && parseContract(symbol) === null;
}

/** One stretch of time served by one contract. */
export interface ContractSegment {
  ticker: string;
  /** ms UTC, inclusive. */
  from: number;
  /** ms UTC, exclusive. */
  to: number;
}

/** First instant of the CME trading day `day` (YYYY-MM-DD): 17:00 Chicago the evening before. */
export function tradingDayStart(day: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  // 17:00 Chicago is 22:00 UTC in summer time and 23:00 UTC in winter time.
  for (const hourUtc of [22, 23]) {
    const ms = Date.UTC(y, m - 1, d - 1, hourUtc);
    const local = chicagoTime(ms);
    if (local.hour === 17 && local.minute === 0) return ms;
  }
  throw new RangeError(`cannot place 17:00 Chicago before ${day}`);
}

/**
 * The front contracts of `root` over [from, to), in time order, by the calendar roll rule.
 * @param daysBefore roll this many calendar days before the third-Friday expiry
 */
export function frontContractSegments(root: string, from: number, to: number, daysBefore = 8): ContractSegment[] {
  if (!(Number.isFinite(from) && Number.isFinite(to))) throw new RangeError('segment bounds must be finite');
  const segments: ContractSegment[] = [];
  const start = new Date(from);
  let year = start.getUTCFullYear();
  // The first quarterly month not before `from`'s month; earlier contracts rolled away already.
  let month = Math.ceil((start.getUTCMonth() + 1) / 3) * 3;
  let segmentFrom = from;
  while (segmentFrom < to) {
    const contract: ContractId = { root, year, month };
    const boundary = tradingDayStart(rollDay(contract, daysBefore));
    if (boundary > segmentFrom) {
      segments.push({ ticker: polygonTicker(contract), from: segmentFrom, to: Math.min(to, boundary) });
      segmentFrom = boundary;
    }
    month += 3;
    if (month > 12) {
      month -= 12;
      year += 1;
    }
  }
  return segments;
}
