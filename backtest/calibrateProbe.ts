/**
 * Which features the data feeds, read before a calibration searches their weights: one
 * backtest of the base configuration over the first in-sample window only (never a later
 * day), with feature availability counted (backtest/availability.ts). A feature is fed
 * when it was available on at least half of the scored bars; a proxy (Battle Navale's
 * colour from the candle body) counts as fed and is named as such. The data's streams
 * (chains, VIX, trades/quotes/books) are replayed as in every calibration run.
 */
import type { MiaConfig } from '../config/schema.ts';
import { FEATURE_NAMES, type FeatureName } from '../strategy/confluence.ts';
import { runBacktest } from './engine.ts';
import { barsInWindow } from './engineData.ts';
import { arrayBarTable } from '../core/barColumns.ts';
import { cachedData, engineStreams, type EngineData } from './sweepEngine.ts';
import { streamInput } from './sweepStreams.ts';
import type { DayRange } from './walkForwardWindows.ts';

export interface FeatureProbe {
  window: DayRange;
  /** Features available on at least half of the window's bars. */
  fed: FeatureName[];
  /** Of those, the ones computed from a proxy, with what stands in. */
  proxies: Record<string, string>;
}

export async function probeFeatures(data: EngineData, config: MiaConfig, window: DayRange): Promise<FeatureProbe> {
  const all = await cachedData(data);
  const bars = barsInWindow(all.bars, window);
  const streams = await engineStreams(data, { bars: arrayBarTable(all.bars), barMs: all.barMs, data: all.data });
  const result = await runBacktest({ config, bars, barMs: all.barMs, data: streams ? [...all.data, ...streams.provenance] : all.data, ...streamInput(streams), window, featureAvailability: true });
  const report = result.availability;
  if (!report) throw new Error('calibrate: the probe run reported no feature availability');
  const fed = FEATURE_NAMES.filter((n) => report.available.includes(n));
  const proxies: Record<string, string> = {};
  for (const n of fed) {
    const p = report.features[n]?.proxy;
    if (p) proxies[n] = p.what;
  }
  return { window, fed, proxies };
}
