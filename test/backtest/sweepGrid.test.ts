import { describe, expect, it } from 'vitest';
import { expandGrid, gridSize, parseGridSpec } from '../../backtest/sweepGrid.ts';
import { ConfigError } from '../../config/load.ts';

const env = {};

describe('sweep grid', () => {
  it('expands the cartesian product in spec order, the last key fastest, each point a validated configuration', () => {
    const spec = parseGridSpec({ 'strategy.threshold': [0.2, 0.25, 0.3], 'strategy.stopPoints': [6, 8] });
    expect(gridSize(spec)).toBe(6);
    const points = expandGrid(spec, { env });
    expect(points.map((p) => [p.index, p.params['strategy.threshold'], p.params['strategy.stopPoints']])).toEqual([
      [0, 0.2, 6],
      [1, 0.2, 8],
      [2, 0.25, 6],
      [3, 0.25, 8],
      [4, 0.3, 6],
      [5, 0.3, 8],
    ]);
    for (const p of points) {
      expect(p.config.strategy.threshold).toBe(p.params['strategy.threshold']);
      expect(p.config.strategy.stopPoints).toBe(p.params['strategy.stopPoints']);
      expect(p.config.strategy.targetPoints).toBe(12); // untouched keys keep their defaults
    }
  });

  it('keeps the base layers (environment) under the grid values', () => {
    const [p] = expandGrid(parseGridSpec({ 'strategy.stopPoints': [5] }), { env: { MIA__strategy__targetPoints: '9' } });
    expect(p!.config.strategy).toMatchObject({ stopPoints: 5, targetPoints: 9 });
  });

  it('an unknown path is a configuration error naming it', () => {
    const unknown = () => expandGrid(parseGridSpec({ 'strategy.threshold': [0.2], 'strategy.nope': [1] }), { env });
    expect(unknown).toThrow(ConfigError);
    expect(unknown).toThrow(/strategy\.nope: unknown configuration key in the grid/);
    expect(() => expandGrid(parseGridSpec({ 'strategy.threshold.x': [1] }), { env })).toThrow(/strategy\.threshold\.x/);
  });

  it('a value the schema refuses names its key; a malformed grid names the problem', () => {
    expect(() => expandGrid(parseGridSpec({ 'strategy.threshold': [0.2, 2] }), { env })).toThrow(/invalid configuration: strategy\.threshold/);
    expect(() => parseGridSpec({ 'strategy.threshold': [] })).toThrow(/strategy\.threshold: grid values must be a non-empty array/);
    expect(() => parseGridSpec({ 'strategy.threshold': 0.2 })).toThrow(/non-empty array/);
    expect(() => parseGridSpec([1, 2], 'g.json')).toThrow(/g\.json: a grid must be a JSON object/);
    expect(() => parseGridSpec({}, 'g.json')).toThrow(/the grid has no parameter/);
  });
});
