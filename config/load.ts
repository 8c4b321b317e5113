/**
 * Loads the one configuration: embedded defaults <- a JSON file (`--config` or
 * `MIA_CONFIG`) <- environment overrides `MIA__section__key=value` (value parsed as
 * JSON when it parses, else taken as a string). A bad value is a ConfigError naming the
 * offending key and the reason; the CLI exits with code 2 on it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as z from 'zod';
import { configSchema, defaultConfig, type MiaConfig } from './schema.ts';
import { ConfigError, type ConfigIssue } from './configError.ts';

export { ConfigError, type ConfigIssue } from './configError.ts';

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

// Strict everywhere: an unknown key is as much a mistake as a wrong value. Every object of the
// schema is a `z.strictObject` where it is defined (config/*.ts), so the configuration schema
// itself is the strict one: no second, strict copy of ~150 fields is built at each start.

/** Every issue of a failed parse, each naming its dotted key. */
export function configIssues(error: z.ZodError): ConfigIssue[] {
  return error.issues.map((issue) => {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...issue.path, k].join('.')).join(', ') : issue.path.join('.');
    return { key: keys || '(root)', reason: issue.code === 'unrecognized_keys' ? 'unknown key' : issue.message };
  });
}

/** A file may name its JSON Schema (`"$schema": "..."`) for editors; the loader ignores it. */
function withoutSchemaRef(tree: Tree): Tree {
  if (!('$schema' in tree)) return tree;
  const { $schema: _ignored, ...rest } = tree;
  return rest;
}

export function loadConfig(options: LoadOptions = {}): MiaConfig {
  const env = options.env ?? process.env;
  const file = options.file ?? env.MIA_CONFIG;
  // Layers merge onto the defaults themselves, so that a record such as one gate's
  // thresholds keeps its other keys when a layer sets only one of them.
  let tree = deepMerge(defaultConfig() as unknown as Tree, file ? withoutSchemaRef(readFile(file)) : {});
  tree = deepMerge(tree, envLayer(env));
  if (options.overrides) tree = deepMerge(tree, options.overrides);
  // jitless: parsed once per process, where compiling zod's fast path costs more than it saves (start-up).
  const result = configSchema.safeParse(tree, { jitless: true });
  if (!result.success) {
    const issues = configIssues(result.error);
    throw new ConfigError(issues[0]!.key, issues[0]!.reason, issues);
  }
  return result.data;
}

/**
 * Validates one configuration file on its own (over the defaults, without environment
 * overrides): every issue at once, none when the file is good.
 */
export function validateConfigFile(file: string): ConfigIssue[] {
  let tree: Tree;
  try {
    tree = withoutSchemaRef(readFile(file));
  } catch (err) {
    if (err instanceof ConfigError) return [...err.issues];
    throw err;
  }
  const result = configSchema.safeParse(deepMerge(defaultConfig() as unknown as Tree, tree));
  return result.success ? [] : configIssues(result.error);
}
