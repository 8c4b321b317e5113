import { describe, expect, it } from 'vitest';
import { computeGammaLevels } from '../../../strategy/gamma/computeGammaLevels.ts';
import { esBasis, gammaFeatureInputs, withEsLevels } from '../../../strategy/gamma/esTranslation.ts';
import type { GammaLevels } from '../../../strategy/gamma/gammaLevels.ts';
import { chainOf, contract } from './chainFixtures.ts';

const levels: GammaLevels = { time: 1, spot: 4700, netGex: 1e9, callWall: 4800, putWall: 4600, zeroGamma: null };

describe('ES translation', () => {
  it('adds the basis (ES - SPX) to every level, keeping nulls', () => {
    expect(esBasis(4742.5, 4700)).toBe(42.5);
    const es = withEsLevels(levels, 42.5);
    expect(es).toEqual({ ...levels, basis: 42.5, es: { callWall: 4842.5, putWall: 4642.5, zeroGamma: null } });
    expect(() => withEsLevels(levels, Number.NaN)).toThrow(/basis/);
    expect(() => esBasis(Number.POSITIVE_INFINITY, 4700)).toThrow(/finite/);
  });

  it('gives the feature the levels in ES points with the recorded basis, else ES - spot', () => {
    const recorded = gammaFeatureInputs(withEsLevels(levels, 40), 4760);
    expect(recorded).toEqual({ levelsTime: 1, esPrice: 4760, basis: 40, callWall: 4840, putWall: 4640, zeroGamma: null, netGex: 1e9 });
    const derived = gammaFeatureInputs(levels, 4735);
    expect(derived).toMatchObject({ basis: 35, callWall: 4835, putWall: 4635 });
    expect(() => gammaFeatureInputs(levels, 0)).toThrow(/esPrice/);
  });

  it('computeGammaLevels translates with esPrice or basis, never both', () => {
    const chain = chainOf([contract('call', 4800, 100, { iv: 0.15 }), contract('put', 4600, 100, { iv: 0.2 })]);
    const a = computeGammaLevels(chain, { esPrice: 4745 }).levels;
    const b = computeGammaLevels(chain, { basis: 45 }).levels;
    expect(a).toEqual(b);
    expect(a.es).toEqual({ callWall: 4845, putWall: 4645, zeroGamma: a.zeroGamma === null ? null : a.zeroGamma + 45 });
    expect(computeGammaLevels(chain).levels.basis).toBeUndefined();
    expect(() => computeGammaLevels(chain, { esPrice: 4745, basis: 45 })).toThrow(/either/);
  });
});
