/**
 * A small seeded ES-like minute-bar generator: the embedded default feed of `npm start`
 * until the full simulated market of issue 4 replaces it behind the same actor.
 *
 * GARCH(1,1)-style volatility clustering, an intraday volatility/volume profile (busier
 * at the RTH open and close, quiet overnight), prices on the 0.25 tick grid, aggressor
 * volume split that leans with the bar's direction, and Globex hours (no bars in the
 * 16:00-17:00 CT break or over the weekend). Everything it makes is `simulated`.
 */
import type { Bar } from '../../core/types.ts';
import { Prng } from '../../core/prng.ts';
import { chicagoTime } from '../../core/zonedTime.ts';

const MINUTE = 60_000;

export interface SimulatedBarsParams {
  symbol: string;
  seed: number;
  /** Open time of the first bar, ms UTC (moved forward to the next open minute). */
  start: number;
  startPrice?: number;
  tickSize?: number;
}

export class SimulatedBars {
  private readonly rng: Prng;
  private time: number;
  private price: number;
  private variance: number;
  private readonly tick: number;
  private profileHour = Number.NaN;
  private profile = { vol: 1, volume: 1, open: true };

  constructor(private readonly p: SimulatedBarsParams) {
    this.rng = new Prng(p.seed);
    this.tick = p.tickSize ?? 0.25;
    this.time = Math.ceil(p.start / MINUTE) * MINUTE;
    this.price = this.snap(p.startPrice ?? 6000);
    // Long-run per-minute standard deviation ~0.9 points, as for ES in normal regimes.
    this.variance = 0.81;
  }

  /** The next minute bar inside Globex hours. */
  next(): Bar {
    while (!this.hourProfile(this.time).open) this.time += MINUTE;
    const { vol, volume: volumeScale } = this.hourProfile(this.time);
    const rng = this.rng;
    const sigma = Math.sqrt(this.variance) * vol;
    const open = this.price;
    let high = open;
    let low = open;
    let last = open;
    // Four sub-steps give the bar a path, hence a real high and low.
    for (let i = 0; i < 4; i++) {
      last = this.snap(last + (sigma / 2) * rng.normal());
      if (last > high) high = last;
      if (last < low) low = last;
    }
    const ret = last - open;
    // GARCH(1,1): today's shock feeds tomorrow's variance (persistence 0.97).
    this.variance = 0.81 * 0.03 + 0.12 * (ret * ret) / (vol * vol) + 0.85 * this.variance;
    const volume = Math.max(1, Math.round(volumeScale * (400 + 300 * rng.next()) * (1 + Math.abs(ret) / 2)));
    const lean = Math.tanh(ret / Math.max(sigma, this.tick));
    const askShare = Math.min(0.95, Math.max(0.05, 0.5 + 0.3 * lean + 0.1 * (rng.next() - 0.5)));
    const askVolume = Math.round(volume * askShare);
    const bar: Bar = {
      symbol: this.p.symbol,
      time: this.time,
      open,
      high,
      low,
      close: last,
      volume,
      askVolume,
      bidVolume: volume - askVolume,
    };
    this.price = last;
    this.time += MINUTE;
    return bar;
  }

  private snap(price: number): number {
    return Math.round(price / this.tick) * this.tick;
  }

  /** Volatility and volume multipliers by Chicago hour, cached per hour of event time. */
  private hourProfile(ms: number): { vol: number; volume: number; open: boolean } {
    const hourKey = Math.floor(ms / 3_600_000);
    if (hourKey === this.profileHour) return this.profile;
    this.profileHour = hourKey;
    const t = chicagoTime(ms);
    const closed =
      t.hour === 16 || t.weekday === 6 || (t.weekday === 5 && t.hour >= 16) || (t.weekday === 0 && t.hour < 17);
    const rth = t.weekday >= 1 && t.weekday <= 5 && t.hour >= 8 && t.hour < 15;
    const edge = t.hour === 8 || t.hour === 14;
    this.profile = rth
      ? { vol: edge ? 1.4 : 1.0, volume: edge ? 2.5 : 1.5, open: !closed }
      : { vol: 0.5, volume: 0.3, open: !closed };
    return this.profile;
  }
}
