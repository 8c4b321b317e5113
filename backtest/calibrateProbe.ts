/**
 * Which features the data feeds, read before a calibration searches their weights: one
 * backtest of the base configuration over the first in-sample window only (never a later
 * day), with feature availability counted (backtest/availability.ts). A feature is fed
 * when it was available on at least half of the scored bars; a proxy (Battle Navale's
 * colour from the candle body) counts as fed and is named as such.
 */
import type { MiaConfig } from '../config/schema.ts';
import { FEATURE_NAMES, type FeatureName } from '../strategy/confluence.ts';
import { runBacktest } from './engine.ts';
import { barsInWindow } from './engineData.ts';
import { cachedData, type EngineData } from './sweepEngine.ts';
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
  const result = await runBacktest({ config, bars, barMs: all.barMs, data: all.data, window, featureAvailability: true });
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
