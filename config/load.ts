/**
 * Loads the one configuration: embedded defaults <- a JSON file (`--config` or
 * `MIA_CONFIG`) <- environment overrides `MIA__section__key=value` (value parsed as
 * JSON when it parses, else taken as a string). A bad value is a ConfigError naming the
 * offending key and the reason; the CLI exits with code 2 on it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { configSchema, defaultConfig, type MiaConfig } from './schema.ts';
import { MiaError } from '../core/errors.ts';

export class ConfigError extends MiaError<'CONFIG_INVALID'> {
  constructor(
    /** Dotted path of the offending key, e.g. `risk.dailyLossLimit`, or the file. */
    readonly key: string,
    readonly reason: string,
  ) {
    super('CONFIG_INVALID', `invalid configuration: ${key}: ${reason}`);
    this.name = 'ConfigError';
  }
}

export interface LoadOptions {
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Last layer, from command-line flags (already typed). */
  overrides?: Record<string, unknown>;
}

type Tree = Record<string, unknown>;

function setPath(tree: Tree, path: string[], value: unknown): void {
  let node = tree;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Tree;
  }
  node[path.at(-1)!] = value;
}

function deepMerge(base: Tree, layer: Tree): Tree {
  const out: Tree = { ...base };
  for (const [k, v] of Object.entries(layer)) {
    const b = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)
        ? deepMerge(b as Tree, v as Tree)
        : v;
  }
  return out;
}

function readFile(file: string): Tree {
  let text: string;
  try {
    text = readFileSync(resolve(file), 'utf8');
  } catch (err) {
    throw new ConfigError(file, `cannot read the configuration file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the top level must be a JSON object');
    return parsed as Tree;
  } catch (err) {
    throw new ConfigError(file, `not valid JSON: ${(err as Error).message}`);
  }
}

/** `MIA__risk__dailyLossLimit=800` -> { risk: { dailyLossLimit: 800 } } */
export function envLayer(env: NodeJS.ProcessEnv): Tree {
  const tree: Tree = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('MIA__') || raw === undefined) continue;
    const path = name.slice(5).split('__').filter(Boolean);
    if (path.length === 0) continue;
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // not JSON: keep the string
    }
    setPath(tree, path, value);
  }
  return tree;
}

/** Strict everywhere: an unknown key is as much a mistake as a wrong value. */
const strictSchema = (() => {
  const strict = (s: z.ZodType): z.ZodType => {
    if (s instanceof z.ZodObject) {
      const shape = Object.fromEntries(Object.entries(s.shape).map(([k, v]) => [k, strict(v as z.ZodType)]));
      return z.strictObject(shape);
    }
    if (s instanceof z.ZodDefault || s instanceof z.ZodPrefault) {
      const inner = strict((s as unknown as { unwrap(): z.ZodType }).unwrap());
      const def = (s as unknown as { def: { defaultValue: unknown } }).def.defaultValue;
      return s instanceof z.ZodDefault ? inner.default(def as never) : inner.prefault(def as never);
    }
    return s;
  };
  return strict(configSchema) as typeof configSchema;
})();

export function loadConfig(options: LoadOptions = {}): MiaConfig {
  const env = options.env ?? process.env;
  const file = options.file ?? env.MIA_CONFIG;
  // Layers merge onto the defaults themselves, so that a record such as one gate's
  // thresholds keeps its other keys when a layer sets only one of them.
  let tree = deepMerge(defaultConfig() as unknown as Tree, file ? readFile(file) : {});
  tree = deepMerge(tree, envLayer(env));
  if (options.overrides) tree = deepMerge(tree, options.overrides);
  const result = strictSchema.safeParse(tree);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const keys = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...issue.path, k].join('.')).join(', ') : issue.path.join('.');
    throw new ConfigError(keys || '(root)', issue.code === 'unrecognized_keys' ? 'unknown key' : issue.message);
  }
  return result.data;
}
