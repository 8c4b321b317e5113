/**
 * Gamma levels on the real CBOE SPX chains of ../shared/data/options/cboe, checked
 * against sums computed here straight from the CSV text (own parsing, own settlement
 * times, own Black-Scholes gamma), not through the loader or the strategy code.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCboeChain } from '../../../adapters/files/cboeChain.ts';
import { computeGammaLevels } from '../../../strategy/gamma/computeGammaLevels.ts';
import { bsGamma } from '../../../strategy/gamma/blackScholes.ts';
import { yearsToExpiry } from '../../../strategy/gamma/timeToExpiry.ts';
import { hasSharedData, sharedData } from '../../fixtures/sharedData.ts';

const FILES = {
  // Sunday download of Friday 2024-01-05's close.
  '2024-01-07': { time: Date.parse('2024-01-07T15:52:00Z'), spot: 4697.2402 },
  // Intraday, 10:11 ET.
  '2022-03-23': { time: Date.parse('2022-03-23T14:11:00Z'), spot: 4479.0898 },
  // After the close on the eve of a monthly expiry (AM and PM contracts on 09-15).
  '2023-09-14': { time: Date.parse('2023-09-14T20:31:00Z'), spot: 4505.1001 },
} as const;
type FileDate = keyof typeof FILES;
const rel = (d: FileDate) => `options/cboe/spx_quotedata_${d}.csv`;
const missing = Object.keys(FILES).some((d) => !hasSharedData(rel(d as FileDate)));
const R = 0.04;
const Q = 0.015;

interface Row {
  root: string;
  expiry: string;
  right: 'call' | 'put';
  strike: number;
  iv: number;
  gamma: number;
  oi: number;
}

/** The CSV's option rows, read with nothing but split(','). */
function rowsOf(d: FileDate): Row[] {
  const lines = readFileSync(sharedData(rel(d)), 'utf8').split('\n');
  const header = lines.findIndex((l) => l.startsWith('Expiration Date,'));
  const rows: Row[] = [];
  for (const line of lines.slice(header + 1)) {
    const f = line.split(',');
    if (f.length < 22) continue;
    for (const [at, right] of [[1, 'call'], [12, 'put']] as const) {
      const sym = f[at]!;
      const root = sym.match(/^[A-Z]+/)![0];
      const ymd = sym.slice(root.length, root.length + 6);
      rows.push({
        root,
        expiry: `20${ymd.slice(0, 2)}-${ymd.slice(2, 4)}-${ymd.slice(4, 6)}`,
        right,
        strike: Number(f[11]),
        iv: Number(f[at + 6]),
        gamma: Number(f[at + 8]),
        oi: Number(f[at + 9]),
      });
    }
  }
  return rows;
}

/** US DST rule since 2007: second Sunday of March to first Sunday of November. */
function easternLagHours(date: string): number {
  const y = Number(date.slice(0, 4));
  const sunday = (month: number, nth: number) => {
    const first = new Date(Date.UTC(y, month - 1, 1)).getUTCDay();
    return `${y}-${String(month).padStart(2, '0')}-${String(1 + ((7 - first) % 7) + 7 * (nth - 1)).padStart(2, '0')}`;
  };
  return date >= sunday(3, 2) && date < sunday(11, 1) ? 4 : 5;
}

/** Years to settlement: SPX (monthly) at 09:30 ET, every other root at 16:00 ET; null once settled. */
function yearsOf(row: Row, time: number): number | null {
  const [hour, minute] = row.root === 'SPX' ? [9, 30] : [16, 0];
  const settle = Date.parse(`${row.expiry}T00:00:00Z`) + ((hour + easternLagHours(row.expiry)) * 60 + minute) * 60_000;
  if (settle <= time) return null;
  return Math.max(1 / (365 * 24), (settle - time) / (365 * 86_400_000));
}

const gammaByHand = (s: number, k: number, years: number, iv: number) => {
  const d1 = (Math.log(s / k) + (R - Q + (iv * iv) / 2) * years) / (iv * Math.sqrt(years));
  return (Math.exp(-Q * years) * Math.exp(-(d1 * d1) / 2)) / Math.sqrt(2 * Math.PI) / (s * iv * Math.sqrt(years));
};

/** Net dealer GEX re-priced at spot s, from the rows with an IV. */
function repricedByHand(rows: readonly Row[], time: number, s: number): number {
  let net = 0;
  for (const r of rows) {
    const years = yearsOf(r, time);
    if (years === null || r.oi <= 0 || !(r.iv > 0)) continue;
    net += (r.right === 'call' ? 1 : -1) * gammaByHand(s, r.strike, years, r.iv) * r.oi * 100 * s * s * 0.01;
  }
  return net;
}

describe.skipIf(missing)('gamma levels on real CBOE SPX chains', () => {
  for (const d of Object.keys(FILES) as FileDate[]) {
    it(`${d}: per-strike GEX, net GEX, walls and zero gamma agree with sums from the CSV`, async () => {
      const { time, spot } = FILES[d];
      const { snapshot } = await loadCboeChain(sharedData(rel(d)));
      expect(snapshot.time).toBe(time);
      expect(snapshot.spot).toBe(spot);
      const a = computeGammaLevels(snapshot);
      const rows = rowsOf(d);
      const live = rows.filter((r) => r.oi > 0 && yearsOf(r, time) !== null);
      const scale = 100 * spot * spot * 0.01;

      // A few strikes near spot whose every live row carries CBOE's own gamma.
      const strikes = [...new Set(live.map((r) => r.strike))]
        .filter((k) => Math.abs(k - spot) < 60)
        .filter((k) => live.filter((r) => r.strike === k).every((r) => r.gamma > 0))
        .sort((x, y) => Math.abs(x - spot) - Math.abs(y - spot))
        .slice(0, 4);
      expect(strikes.length).toBeGreaterThanOrEqual(3);
      for (const k of strikes) {
        const at = live.filter((r) => r.strike === k);
        const call = at.filter((r) => r.right === 'call').reduce((s, r) => s + r.gamma * r.oi * scale, 0);
        const put = at.filter((r) => r.right === 'put').reduce((s, r) => s + r.gamma * r.oi * scale, 0);
        const got = a.byStrike.find((s) => s.strike === k)!;
        expect(got.callGex / call).toBeCloseTo(1, 9);
        expect(-got.putGex / put).toBeCloseTo(1, 9);
        expect(got.netGex).toBeCloseTo(call - put, 0);
      }

      // Net GEX at spot: CBOE's gamma where it printed one, Black-Scholes from its IV where it printed 0.
      let net = 0;
      let skipped = 0;
      const callByStrike = new Map<number, number>();
      const putByStrike = new Map<number, number>();
      for (const r of live) {
        const years = yearsOf(r, time)!;
        const g = r.gamma > 0 ? r.gamma : r.iv > 0 ? gammaByHand(spot, r.strike, years, r.iv) : Number.NaN;
        if (Number.isNaN(g)) {
          skipped++;
          continue;
        }
        const gex = g * r.oi * scale;
        net += r.right === 'call' ? gex : -gex;
        const side = r.right === 'call' ? callByStrike : putByStrike;
        side.set(r.strike, (side.get(r.strike) ?? 0) + gex);
      }
      expect(a.levels.netGex / net).toBeCloseTo(1, 8);
      expect(a.counts.noGreeks).toBe(skipped);

      // Walls are the arg-max strikes of the sums above.
      const argMax = (m: Map<number, number>) => [...m].reduce((best, e) => (e[1] > best[1] ? e : best))[0];
      expect(a.levels.callWall).toBe(argMax(callByStrike));
      expect(a.levels.putWall).toBe(argMax(putByStrike));

      // Zero gamma: the re-priced net GEX changes sign across it.
      const z = a.levels.zeroGamma;
      expect(z).not.toBeNull();
      const below = repricedByHand(rows, time, z! - 0.005 * spot);
      const above = repricedByHand(rows, time, z! + 0.005 * spot);
      expect(Math.sign(below)).toBe(-Math.sign(above));
      expect(Math.abs(z! - spot) / spot).toBeLessThan(0.1);
    });
  }

  it('the settlement convention reproduces CBOE\'s own gammas from its IVs on an intraday chain', async () => {
    // 2022-03-23 10:11 ET: CBOE computed its greeks at that time with its own model.
    const { snapshot } = await loadCboeChain(sharedData(rel('2022-03-23')));
    const errors = (shiftYears: number) => {
      const out: number[] = [];
      for (const c of snapshot.contracts) {
        if (c.iv === undefined || c.gamma === undefined || c.gamma < 0.002 || c.expiry > '2022-04-01') continue;
        const years = yearsToExpiry(snapshot.time, c.expiry, 'pm')! + shiftYears;
        out.push(Math.abs(bsGamma({ spot: snapshot.spot, strike: c.strike, years, iv: c.iv, rate: R, dividendYield: Q }) / c.gamma - 1));
      }
      return out.sort((x, y) => x - y);
    };
    const median = (xs: number[]) => xs[Math.floor(xs.length / 2)]!;
    const right = errors(0);
    expect(right.length).toBeGreaterThan(100);
    expect(median(right)).toBeLessThan(0.03);
    // Settling at the next day's close instead would be visibly wrong.
    expect(median(errors(1 / 365))).toBeGreaterThan(3 * median(right));
  });

  it('parses and computes the largest chain (10,519 rows) well under a second', async () => {
    // CPU time of this process, not wall time: other work on a shared machine does not count.
    const cpu0 = process.cpuUsage();
    const { snapshot } = await loadCboeChain(sharedData(rel('2024-01-07')));
    const a = computeGammaLevels(snapshot);
    const cpu = process.cpuUsage(cpu0);
    expect(a.counts.contracts).toBe(2 * 10_519);
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(1000);
  });
});
