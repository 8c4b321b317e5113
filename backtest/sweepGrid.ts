/**
 * A parameter grid: `{ "strategy.threshold": [0.2, 0.25], "strategy.stopPoints": [6, 8] }`
 * (dotted configuration paths, each with its candidate values) expanded into the cartesian
 * product, every point validated as a whole configuration through config/load.ts. Order is
 * the spec's key order with the last key varying fastest, so point i is the same point on
 * every run.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig, type LoadOptions } from '../config/load.ts';
import { defaultConfig, type MiaConfig } from '../config/schema.ts';

export type GridSpec = Record<string, readonly unknown[]>;

export interface GridPoint {
  /** Position in grid order (0-based). */
  index: number;
  /** The swept values of this point, by dotted path, in spec order. */
  params: Record<string, unknown>;
  config: MiaConfig;
}

/** Above this many points a grid is almost certainly a mistake (and would run for days). */
export const MAX_GRID_POINTS = 100_000;

/** Reads and validates a grid file; a bad file or key is a ConfigError naming it. */
export function readGridSpec(file: string): GridSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, `cannot read the grid file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(file, `grid is not valid JSON: ${(err as Error).message}`);
  }
  return parseGridSpec(parsed, file);
}

/** Checks the shape of a grid: an object of dotted paths to non-empty arrays of values. */
export function parseGridSpec(value: unknown, source = 'grid'): GridSpec {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(source, 'a grid must be a JSON object of "dotted.path": [values]');
  const spec: Record<string, unknown[]> = {};
  for (const [path, values] of Object.entries(value)) {
    if (!Array.isArray(values) || values.length === 0) throw new ConfigError(path, `grid values must be a non-empty array, got ${JSON.stringify(values)}`);
    spec[path] = values;
  }
  if (Object.keys(spec).length === 0) throw new ConfigError(source, 'the grid has no parameter');
  return spec;
}

/** Number of points of a grid. */
export const gridSize = (spec: GridSpec): number => Object.values(spec).reduce((n, v) => n * v.length, 1);

/**
 * Every point of the grid as a validated configuration: the base layers of `load`
 * (defaults, file, environment) with the point's values as the last layer. A path that
 * names no configuration key is a ConfigError naming it; so is a value the schema refuses.
 */
export function expandGrid(spec: GridSpec, load: Omit<LoadOptions, 'overrides'> = {}): GridPoint[] {
  const base = loadConfig(load); // a bad file fails here, before any point
  for (const path of Object.keys(spec)) checkPath(path, base);
  const size = gridSize(spec);
  if (size > MAX_GRID_POINTS) throw new ConfigError('grid', `${size} points is more than ${MAX_GRID_POINTS}; narrow the grid`);
  const keys = Object.keys(spec);
  const points: GridPoint[] = [];
  for (let index = 0; index < size; index++) {
    const params: Record<string, unknown> = {};
    let rest = index;
    for (let k = keys.length - 1; k >= 0; k--) {
      const values = spec[keys[k]!]!;
      params[keys[k]!] = values[rest % values.length];
      rest = Math.floor(rest / values.length);
    }
    const ordered = Object.fromEntries(keys.map((k) => [k, params[k]]));
    points.push({ index, params: ordered, config: loadConfig({ ...load, overrides: overridesOf(ordered) }) });
  }
  return points;
}

/** `{ "strategy.threshold": 0.2 }` -> `{ strategy: { threshold: 0.2 } }` */
export function overridesOf(params: Record<string, unknown>): Record<string, unknown> {
  const tree: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(params)) {
    const keys = path.split('.');
    let node = tree;
    for (const key of keys.slice(0, -1)) {
      if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[keys.at(-1)!] = value;
  }
  return tree;
}

/** A grid path must name an existing leaf or section of the configuration. */
function checkPath(path: string, config: MiaConfig): void {
  const keys = path.split('.');
  if (keys.some((k) => k === '')) throw new ConfigError(path, 'not a dotted configuration path');
  let node: unknown = config;
  let known: unknown = defaultConfig();
  for (const key of keys) {
    const inConfig = node && typeof node === 'object' && !Array.isArray(node) && Object.hasOwn(node, key);
    const inDefaults = known && typeof known === 'object' && !Array.isArray(known) && Object.hasOwn(known, key);
    if (!inConfig && !inDefaults) throw new ConfigError(path, 'unknown configuration key in the grid');
    node = inConfig ? (node as Record<string, unknown>)[key] : undefined;
    known = inDefaults ? (known as Record<string, unknown>)[key] : undefined;
  }
}
