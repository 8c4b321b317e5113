/**
 * Zoned time on the hot path (core/zonedTime.ts, core/tradingDay.ts, strategy/sessionClose.ts):
 * nanoseconds per call over a minute series (in order, as a backtest calls them) and over
 * random instants, against the baseline of one Intl.DateTimeFormat#formatToParts per call
 * (what a time-zone helper without a cache pays), measured in the same run.
 * Run: `node --import tsx bench/zonedTime.bench.ts`.
 */
import { TradingDayCounter, tradingDay } from '../core/tradingDay.ts';
import { ZoneClock, chicagoTime, easternDate } from '../core/zonedTime.ts';
import { SessionCloseRule } from '../strategy/sessionClose.ts';

const MIN = 60_000;
const START = Date.UTC(2021, 0, 3, 23, 0);
const N = 1_000_000;
const R = 100_000;

function time(label: string, n: number, fn: () => number): void {
  fn(); // warm up (and fill the caches a long run would have)
  const t0 = performance.now();
  const sink = fn();
  const ms = performance.now() - t0;
  process.stdout.write(`${label.padEnd(52)} ${((ms * 1e6) / n).toFixed(1).padStart(9)} ns/call  (checksum ${sink})\n`);
}

const random: number[] = [];
let x = 12345;
for (let i = 0; i < R; i++) {
  x = (x * 1103515245 + 12345) % 2147483648;
  random.push(START + (x % (8 * 365 * 24 * 60)) * MIN);
}

const intl = new Intl.DateTimeFormat('en-US', { timeZone: 'America/Chicago', hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
time('baseline: Intl formatToParts, minute series', R, () => {
  let s = 0;
  for (let i = 0; i < R; i++) s += intl.formatToParts(START + i * MIN).length;
  return s;
});
time('chicagoTime, minute series', R, () => {
  let s = 0;
  for (let i = 0; i < R; i++) s += chicagoTime(START + i * MIN).hour;
  return s;
});
time('easternDate, minute series', R, () => {
  let s = 0;
  for (let i = 0; i < R; i++) s += easternDate(START + i * MIN).length;
  return s;
});
time('tradingDay, minute series', N, () => {
  let s = 0;
  for (let i = 0; i < N; i++) s += tradingDay(START + i * MIN).length;
  return s;
});
time('tradingDay, random instants 2021-2028', R, () => {
  let s = 0;
  for (const t of random) s += tradingDay(t).length;
  return s;
});
time('TradingDayCounter.dayNumber, minute series', N, () => {
  const c = new TradingDayCounter();
  let s = 0;
  for (let i = 0; i < N; i++) s += c.dayNumber(START + i * MIN);
  return s;
});
time('SessionCloseRule.blocksEntry (globex), minute series', N, () => {
  const r = new SessionCloseRule({ session: 'globex', flattenBeforeCloseMinutes: 5, noEntryBeforeCloseMinutes: 15 });
  let s = 0;
  for (let i = 0; i < N; i++) s += r.blocksEntry(START + i * MIN) ? 1 : 0;
  return s;
});
time('ZoneClock(New_York).toUtc, naive minute rows', N, () => {
  const z = new ZoneClock('America/New_York');
  let s = 0;
  const naive0 = Date.UTC(2021, 0, 3, 18, 0);
  for (let i = 0; i < N; i++) {
    const t = z.toUtc(naive0 + i * MIN);
    if (t === t) s += t % 7; // the skipped spring-forward hour is NaN
  }
  return s;
});
