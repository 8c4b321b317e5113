/**
 * Backtest throughput: bars per second end to end (features, signals, risk, orders, fills,
 * equity marks, feature availability, metrics: `runBacktest` as `mia backtest` runs it)
 * on at least 1,000,000 real ES minute bars, against the bare replay loop over the same
 * bars in the same run (iterate the bars, nothing else), and the peak resident memory
 * (process.memoryUsage().rss, sampled every 20 ms).
 * Run: `node --import tsx bench/backtest.bench.ts [bars]`. Aim (issue 16): 500,000 bars/s under 500 MiB.
 *
 * Input: the FirstRate 1-minute sample of ../shared/data (16,200 real bars) repeated, each
 * copy shifted by whole weeks so that times keep increasing and every bar keeps its weekday
 * and time of day. Loss limits are set out of reach and the operator resumes daily, so the
 * strategy trades through the whole series (a kill would leave nothing but bars to replay).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configSchema } from '../config/schema.ts';
import type { Bar } from '../core/types.ts';
import { ArrayBarSource } from '../adapters/files/replaySource.ts';
import { runBacktest } from '../backtest/engine.ts';
import { loadBacktestData } from '../backtest/engineData.ts';

const TARGET = Number(process.argv[2] ?? 1_000_000);
/** Issue 16, deliverable 2: the keeps-trading scenario at >= 500k bars/s under 500 MiB. */
const AIM_BARS_PER_SECOND = 500_000;
const AIM_RSS_MIB = 500;
const WEEK = 7 * 86_400_000;

const file = fileURLToPath(new URL('../../shared/data/es/firstrate/edisoniver_2023-03/ES_1min_sample.csv', import.meta.url));
if (!existsSync(file)) {
  process.stdout.write(`skipped: ${file} is absent (the benchmark runs on real bars only)\n`);
  process.exit(0);
}
const { bars: sample, barMs } = await loadBacktestData([file], {}, { from: null, to: null });
const span = sample.at(-1)!.time - sample[0]!.time + barMs;
const shift = Math.ceil(span / WEEK) * WEEK;
const bars: Bar[] = [];
for (let copy = 0; bars.length < TARGET; copy++) {
  for (const b of sample) bars.push({ ...b, time: b.time + copy * shift });
}

let peakRss = 0;
const sample_ = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};
const sampler = setInterval(sample_, 20);
sample_();

// Baseline: the bare replay loop over the same bars.
let checksum = 0;
const loopStart = process.hrtime.bigint();
const source = new ArrayBarSource(bars);
for (let bar = source.next(); bar; bar = source.next()) checksum += bar.close;
const loopMs = Number(process.hrtime.bigint() - loopStart) / 1e6;

// The availability guard (strategy.minAvailableWeight, 0.4 by default) holds back every signal on price-only
// bars: without lifting it this "keeps trading" scenario would replay bars and trade nothing.
const config = configSchema.parse({
  strategy: { minAvailableWeight: 0 },
  risk: { maxConsecutiveLosses: 1_000_000, dailyLossLimit: 1e9, trailingDrawdown: 1e9, maxTradesPerDay: 1_000_000 },
});
const runStart = process.hrtime.bigint();
const cpuStart = process.cpuUsage();
const result = await runBacktest({ config, bars, barMs, operatorResume: 'next-day' });
const runMs = Number(process.hrtime.bigint() - runStart) / 1e6;
const cpu = process.cpuUsage(cpuStart);
clearInterval(sampler);
sample_();

const rate = (n: number, ms: number) => Math.round(n / (ms / 1000)).toLocaleString('en-US');
const lines = [
  `bars                 ${bars.length.toLocaleString('en-US')} (${Math.ceil(bars.length / sample.length)} copies of ${sample.length.toLocaleString('en-US')} real bars)`,
  `bare replay loop     ${loopMs.toFixed(1)} ms  ${rate(bars.length, loopMs)} bars/s  (checksum ${checksum.toFixed(0)})`,
  `backtest end to end  ${runMs.toFixed(0)} ms  ${rate(result.counts.bars, runMs)} bars/s  (cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms: ${rate(result.counts.bars, (cpu.user + cpu.system) / 1000)} bars/s of cpu)`,
  `  published ${result.counts.bars.toLocaleString('en-US')} bars · ${result.counts.signals?.toLocaleString('en-US')} signals · ${result.counts.orders.toLocaleString('en-US')} orders · ${result.counts.riskRefusals.toLocaleString('en-US')} refusals · ${result.trades.length.toLocaleString('en-US')} trades · ${result.counts.operatorResumes} operator resumes`,
  `ratio                backtest ${(runMs / loopMs).toFixed(0)}x the bare loop`,
  `peak rss             ${(peakRss / 1024 / 1024).toFixed(0)} MB`,
  `aim                  ${AIM_BARS_PER_SECOND.toLocaleString('en-US')} bars/s end to end: ${result.counts.bars / (runMs / 1000) >= AIM_BARS_PER_SECOND ? 'met' : 'NOT met'}; peak rss < ${AIM_RSS_MIB} MiB: ${peakRss / 1024 / 1024 < AIM_RSS_MIB ? 'met' : 'NOT met'}`,
];
process.stdout.write(`${lines.join('\n')}\n`);
