/**
 * Strategy pipeline throughput: nanoseconds per bar for every confluence feature plus the
 * confluence score (strategy/pipeline.ts), and for the scorer on top (edge-triggered
 * signals with their feature vectors), on real ES minute bars (FirstRate sample,
 * ../shared/data) replayed to at least 1 million bars. Baseline measured in the same run:
 * the same loop that only walks the bars. Aim: at least 2 million bars per second for the
 * pipeline. Then a breakdown: each stage of the pipeline alone over the same bars. Times
 * are this process's CPU time (user + system), so that other processes sharing the cores
 * do not inflate the figures much (a loaded machine still slows every figure, the baseline
 * too: compare figures of one run). Run: `node --import tsx bench/pipeline.bench.ts`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Bar } from '../core/types.ts';
import { defaultStrategySettings } from '../config/strategySchema.ts';
import { StrategyPipeline, expiryFactorOfEasternDay } from '../strategy/pipeline.ts';
import { Scorer } from '../strategy/scorer.ts';
import { Confluence } from '../strategy/confluence.ts';
import { BattleNavale } from '../strategy/battleNavale.ts';
import { AggressionBias } from '../strategy/features/aggressionBias.ts';
import { BarDeltaTracker } from '../strategy/features/barDelta.ts';
import { DeltaDivergence } from '../strategy/features/deltaDivergence.ts';
import { GammaLevelsFeature } from '../strategy/features/gammaLevelsFeature.ts';
import { MultiTimeframe } from '../strategy/features/multiTimeframe.ts';
import { SessionMultiplier } from '../strategy/features/sessionMultiplier.ts';
import { VolatilityRegimeTracker } from '../strategy/features/volatilityRegime.ts';
import { VolumeConfirmation } from '../strategy/features/volumeConfirmation.ts';
import { RollingAtr } from '../strategy/features/rollingAtr.ts';
import { VwapTrend } from '../strategy/features/vwapTrend.ts';
import { ZoneClock } from '../core/zonedTime.ts';

const FILE = fileURLToPath(new URL('../../shared/data/es/firstrate/edisoniver_2023-03/ES_1min_sample.csv', import.meta.url));
const MIN_BARS = 1_000_000;
const RUNS = 3;
const AIM_BARS_PER_SECOND = 2e6;
const WEEK_MS = 7 * 86_400_000;

if (!existsSync(FILE)) {
  console.log(`skipped: ${FILE} is absent`);
  process.exit(0);
}

const newYork = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
});
const nyOffset = (ms: number): number => {
  const p = Object.fromEntries(newYork.formatToParts(ms).map((x) => [x.type, Number(x.value)]));
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!) - ms;
};

/** FirstRate rows (naive US/Eastern bar-open times) -> bars. */
function load(): Bar[] {
  const bars: Bar[] = [];
  for (const line of readFileSync(FILE, 'utf8').split('\n')) {
    const [stamp, o, h, l, c, v] = line.trim().split(',');
    const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})/.exec(stamp ?? '');
    if (!m) continue;
    const naive = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
    const time = naive - nyOffset(naive - nyOffset(naive));
    bars.push({ symbol: 'ES', time, open: Number(o), high: Number(h), low: Number(l), close: Number(c), volume: Number(v) });
  }
  return bars;
}

const source = load();
// Whole weeks between repetitions keep every bar on its weekday and session.
const shift = Math.ceil((source.at(-1)!.time - source[0]!.time + 1) / WEEK_MS) * WEEK_MS;
const repetitions = Math.ceil(MIN_BARS / source.length);
const total = repetitions * source.length;

/** Walks `total` bars through one reused bar object (the source repeated, shifted in time), calling `onBar`. */
function replay(onBar: (bar: Bar) => number): { seconds: number; sink: number } {
  const bar: Bar = { symbol: 'ES', time: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };
  let sink = 0;
  const start = process.cpuUsage();
  for (let rep = 0; rep < repetitions; rep++) {
    const offset = rep * shift;
    for (let i = 0; i < source.length; i++) {
      const s = source[i]!;
      bar.time = s.time + offset;
      bar.open = s.open;
      bar.high = s.high;
      bar.low = s.low;
      bar.close = s.close;
      bar.volume = s.volume;
      sink += onBar(bar);
    }
  }
  const used = process.cpuUsage(start);
  return { seconds: (used.user + used.system) / 1e6, sink };
}

function best(make: () => (bar: Bar) => number): { nsPerBar: number; sink: number } {
  replay(make()); // warm-up: let the JIT settle
  let bestSeconds = Infinity;
  let sink = 0;
  for (let run = 0; run < RUNS; run++) {
    const r = replay(make());
    bestSeconds = Math.min(bestSeconds, r.seconds);
    sink += r.sink;
  }
  return { nsPerBar: (bestSeconds / total) * 1e9, sink };
}

const settings = defaultStrategySettings();
let signals = 0;
const baseline = best(() => (bar) => bar.close);
const pipeline = best(() => {
  const p = new StrategyPipeline(settings, { barMs: 60_000 });
  return (bar) => p.onBar(bar)?.score ?? 0;
});
const scorer = best(() => {
  const s = new Scorer({ threshold: settings.threshold, atrBars: settings.vwapAtrBars, barMs: 60_000, strategy: settings });
  signals = 0;
  return (bar) => {
    if (s.onBar(bar)) signals++;
    return s.lastScore;
  };
});

/**
 * Stages: each part of the pipeline alone on the same bars (its own instance, its own
 * loop), to see where the nanoseconds go. Each feature here keeps its own ATR, which the
 * pipeline shares (the "ATR" stage, once per bar), and the pipeline's calls are not all
 * inlined, so the sum of the stages is close to, not exactly, the pipeline's figure.
 */
const f = settings.features;
const noDelta = { ask: 0, bid: 0, available: false };
const stages: [string, () => (bar: Bar) => number][] = [
  ['ATR (shared by the bar features)', () => { const x = new RollingAtr(settings.vwapAtrBars); return (bar) => { x.updateBar(bar); return x.value; }; }],
  ['volume confirmation', () => { const x = new VolumeConfirmation(f.volumeConfirmation); return (bar) => x.update(bar).value; }],
  ['vwap trend', () => { const x = new VwapTrend({ atrBars: settings.vwapAtrBars, ...f.vwapTrend }); return (bar) => x.update(bar).value; }],
  ['gamma levels (no chain)', () => {
    const x = new GammaLevelsFeature({ maxAgeMs: 1, atrBars: f.gammaLevels.atrBars, momentumBars: f.gammaLevels.momentumBars }, () => { throw new Error('unused'); });
    return (bar) => x.update(bar).value;
  }],
  ['bar delta + aggression + divergence', () => {
    const d = new BarDeltaTracker();
    const a = new AggressionBias(f.aggressionBias);
    const v = new DeltaDivergence(f.deltaDivergence);
    return (bar) => { const delta = d.close(bar); return a.update(delta).value + v.update(bar, delta).value; };
  }],
  ['battle navale (1 min)', () => { const x = new BattleNavale(f.battleNavale); return (bar) => x.update(bar, noDelta).value; }],
  ['multi-timeframe (3 battle navales)', () => {
    const x = new MultiTimeframe({ barMs: 60_000, ...f.multiTimeframe }, f.battleNavale);
    const fast = { value: 0, available: false };
    return (bar) => x.update(bar, noDelta, fast).value;
  }],
  ['volatility regime', () => { const x = new VolatilityRegimeTracker({ ...settings.volatility, vixMaxAgeMs: 1 }); return (bar) => x.update(bar, bar.time).thresholdMultiplier; }],
  ['session multiplier', () => { const x = new SessionMultiplier(settings.session); return (bar) => x.at(bar.time); }],
  ['expiry factor (per Eastern day)', () => {
    const clock = new ZoneClock('America/New_York');
    let day = Number.NaN;
    let factor = 1;
    return (bar) => {
      const d = clock.dayNumber(bar.time);
      if (d !== day) { day = d; factor = expiryFactorOfEasternDay(d); }
      return factor;
    };
  }],
  ['confluence combine', () => {
    const c = new Confluence(settings.weights, settings.minAvailableWeight);
    return (bar) => { c.values[1] = bar.close - bar.open; c.available[1] = 1; c.values[9] = bar.high - bar.close; c.available[9] = bar.volume > 100 ? 1 : 0; return c.combine(); };
  }],
];
const stageResults = stages.map(([name, make]) => [name, best(make).nsPerBar] as const);

const fmt = (ns: number) => `${ns.toFixed(1).padStart(7)} ns/bar  ${(1e3 / ns).toFixed(2).padStart(7)} M bars/s`;
console.log(`ES minute bars: ${source.length} real bars x ${repetitions} = ${total} bars per run, best of ${RUNS}`);
console.log(`baseline (walk the bars only)     ${fmt(baseline.nsPerBar)}`);
console.log(`pipeline (features + confluence)  ${fmt(pipeline.nsPerBar)}  (${(pipeline.nsPerBar - baseline.nsPerBar).toFixed(1)} ns over baseline)`);
console.log(`scorer (pipeline + signals)       ${fmt(scorer.nsPerBar)}  (${signals} signals per run)`);
console.log('stages, each alone (ns over baseline):');
for (const [name, ns] of stageResults) console.log(`  ${name.padEnd(36)} ${(ns - baseline.nsPerBar).toFixed(1).padStart(7)} ns/bar`);
const rate = 1e9 / pipeline.nsPerBar;
console.log(`aim >= ${AIM_BARS_PER_SECOND / 1e6} M bars/s for the pipeline: ${rate >= AIM_BARS_PER_SECOND ? 'met' : 'NOT met'}`);
if (Number.isNaN(baseline.sink + pipeline.sink + scorer.sink)) console.log('unreachable'); // keeps the sinks observable
