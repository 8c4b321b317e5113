/**
 * Gamma levels feature (DOMAIN.md): where the ES price sits against the dealer gamma
 * levels of the latest SPX chain (strategy/gamma). Above the zero-gamma level dealers are
 * long gamma and damp moves, so price mean-reverts between the walls; below it they are
 * short gamma and amplify moves, so momentum rules.
 *
 *   regime   g = s * tanh((price - zeroGamma) / ATR), s = sign(netGex) * sign(spot - zeroGamma)
 *            (+1 deep on the positive-gamma side, -1 deep on the negative side; s makes the
 *            side where net GEX is positive the mean-reversion side, as the chain says)
 *   reversion m = -(price - mid) / half, clamped: +1 at the put wall (support), -1 at the
 *            call wall (resistance); mid and half from the two walls, half >= 1 ATR
 *   momentum  u = tanh((price - price `momentumBars` ago) / ATR)
 *   value     = w * m + (1 - w) * u with w = (1 + g) / 2
 *
 * Without a zero-gamma level (no sign change on the grid) the regime is sign(netGex)
 * everywhere. Mirroring prices (and the levels with them) flips m and u and keeps g: the
 * gamma regime is about volatility, not direction.
 *
 * Levels arrive with `onChain` through an injected `computeLevels` (strategy/gamma's
 * computeGammaLevels in production). SPX levels become ES levels with the basis the
 * levels carry, else with ES price - SPX spot taken when the chain arrives (the last ES
 * close, or the next bar's open). Unavailable without levels, with levels older than
 * `maxAgeMs`, without both walls, or before the ATR window is full.
 */
import type { Bar, OptionChainSnapshot } from '../../core/types.ts';
import type { GammaLevels } from '../gamma/gammaLevels.ts';
import { atrOf, type RollingAtr } from './rollingAtr.ts';
import { RollingWindow } from './rollingWindow.ts';
import { fastTanh } from './fastTanh.ts';
import { FeatureOutput, clampUnit, reading, signOf, unavailable, type FeatureValue } from './featureValue.ts';

export interface GammaLevelsFeatureParams {
  /** Levels older than this at evaluation time are stale. */
  maxAgeMs: number;
  atrBars: number;
  /** Bars of the momentum leg. */
  momentumBars: number;
}

/** Turns a chain snapshot into levels; may throw on a chain it cannot use. */
export type ComputeLevels = (chain: OptionChainSnapshot) => GammaLevels;

export class GammaLevelsFeature {
  private readonly atr: RollingAtr;
  private readonly ownsAtr: boolean;
  private readonly closes: RollingWindow;
  private readonly out: FeatureValue = new FeatureOutput();
  private levels: GammaLevels | null = null;
  /** ES - SPX basis of the current levels; NaN until known. */
  private basis = Number.NaN;
  private lastClose = Number.NaN;
  /** Chains the level computation refused (bad input), with the last reason. */
  rejectedChains = 0;
  lastError = '';

  /** `sharedAtr`: an ATR of `p.atrBars` bars over the same bars, updated by the caller before each update(). */
  constructor(
    private readonly p: GammaLevelsFeatureParams,
    private readonly computeLevels: ComputeLevels,
    sharedAtr?: RollingAtr,
  ) {
    this.atr = atrOf(p.atrBars, 'strategy.features.gammaLevels.atrBars', sharedAtr);
    this.ownsAtr = !sharedAtr;
    this.closes = new RollingWindow(p.momentumBars + 1);
  }

  /** A chain snapshot: recomputes the levels (rare, minutes apart). A refused chain keeps the previous levels. */
  onChain(chain: OptionChainSnapshot): void {
    let levels: GammaLevels;
    try {
      levels = this.computeLevels(chain);
    } catch (err) {
      this.rejectedChains++;
      this.lastError = err instanceof Error ? err.message : String(err);
      return;
    }
    this.levels = levels;
    this.basis = levels.es && levels.basis !== undefined ? levels.basis : this.lastClose - levels.spot;
  }

  update(bar: Bar): FeatureValue {
    if (this.ownsAtr) this.atr.update(bar.high, bar.low, bar.close);
    this.closes.push(bar.close);
    const levels = this.levels;
    if (levels && Number.isNaN(this.basis)) this.basis = bar.open - levels.spot;
    this.lastClose = bar.close;
    if (!levels || !this.atr.ready || !this.closes.full) return unavailable(this.out);
    if (!(bar.time - levels.time <= this.p.maxAgeMs)) return unavailable(this.out);
    const atr = this.atr.value;
    const b = this.basis;
    const es = levels.es && levels.basis !== undefined ? levels.es : null;
    const call = es ? es.callWall : levels.callWall === null ? null : levels.callWall + b;
    const put = es ? es.putWall : levels.putWall === null ? null : levels.putWall + b;
    const zero = es ? es.zeroGamma : levels.zeroGamma === null ? null : levels.zeroGamma + b;
    if (call === null || put === null || !(atr > 0)) return unavailable(this.out);

    const price = bar.close;
    const spot = levels.spot + b;
    const g = zero === null ? signOf(levels.netGex) : signOf(levels.netGex) * signOf(spot - zero) * fastTanh((price - zero) / atr);
    const mid = (call + put) / 2;
    const half = Math.max(Math.abs(call - put) / 2, atr);
    const m = clampUnit(-(price - mid) / half);
    const u = fastTanh((price - this.closes.get(0)) / atr);
    const w = (1 + g) / 2;
    return reading(this.out, w * m + (1 - w) * u);
  }
}
