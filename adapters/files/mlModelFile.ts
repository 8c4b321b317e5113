/**
 * ML filter model files: `$MIA_HOME/models/ml-filter-v<N>.json` (N = modelVersion, one
 * more per training in that home), or any path given. Written atomically through the
 * store's JSON document (lowdb/steno: temporary file + rename); read and zod-validated on
 * load. A file that is not JSON, not a MIA filter model, of another format version, or
 * that fails the schema is refused with its path and the reason, never overwritten.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { MlSettings } from '../../config/mlSchema.ts';
import { openDocument } from '../store/jsonDocument.ts';
import { ML_MODEL_FORMAT, ML_MODEL_VERSION, mlModelFileSchema, type MlModelFile } from '../../strategy/ml/modelSchema.ts';
import { EnsembleFilter, filterOff, NO_MODEL, type SignalFilter } from '../../strategy/ml/mlFilter.ts';
import { MiaError } from '../../core/errors.ts';
import * as z from 'zod';

export class MlModelFileError extends MiaError<'ML_MODEL_FILE_INVALID'> {
  override readonly name = 'MlModelFileError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super('ML_MODEL_FILE_INVALID', `ML model file ${path}: ${reason}`);
  }
}

const NAME = /^ml-filter-v(\d+)\.json$/;

export const modelsDir = (home: string): string => join(resolve(home), 'models');
export const modelFileName = (version: number): string => `ml-filter-v${version}.json`;

/** Model versions saved in `home` (from the file names), ascending. */
export function modelVersions(home: string): number[] {
  const dir = modelsDir(home);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((n) => NAME.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

/** The version the next training in `home` gets. */
export const nextModelVersion = (home: string): number => (modelVersions(home).at(-1) ?? 0) + 1;

/** Path of the latest model in `home`, or null when it has none. */
export function latestModelPath(home: string): string | null {
  const v = modelVersions(home).at(-1);
  return v === undefined ? null : join(modelsDir(home), modelFileName(v));
}

/** Reads and validates a model file; throws MlModelFileError saying what is wrong. */
export function readModelFile(path: string): MlModelFile {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new MlModelFileError(file, code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? (err as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new MlModelFileError(file, `not valid JSON (${(err as Error).message})`);
  }
  const head = (raw ?? {}) as { format?: unknown; version?: unknown };
  if (typeof raw !== 'object' || head.format !== ML_MODEL_FORMAT) {
    throw new MlModelFileError(file, `not a MIA ML filter model (format ${JSON.stringify(head.format)}, expected "${ML_MODEL_FORMAT}")`);
  }
  if (head.version !== ML_MODEL_VERSION) {
    throw new MlModelFileError(file, `format version ${JSON.stringify(head.version)}: this MIA reads version ${ML_MODEL_VERSION} (retrain with mia ml train)`);
  }
  const parsed = mlModelFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((i) => `at ${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`);
    throw new MlModelFileError(file, `does not match the model schema: ${issues.join('; ')}`);
  }
  return parsed.data;
}

/** Writes `model` to `path` atomically (validated first). Refuses to replace a file it cannot read as a model. */
export async function writeModelFile(path: string, model: MlModelFile): Promise<string> {
  const file = resolve(path);
  const valid = mlModelFileSchema.parse(model);
  const doc = await openDocument(file, mlModelFileSchema, valid);
  await doc.update((draft) => {
    Object.assign(draft, structuredClone(valid));
  });
  await doc.close();
  return file;
}

/** Saves `model` as the next version in `home` (its modelVersion must be that version). */
export async function saveModelInHome(home: string, model: MlModelFile): Promise<string> {
  return writeModelFile(join(modelsDir(home), modelFileName(model.modelVersion)), model);
}

/** `models/active.json`: the version sessions filter with (a trained model is not active until it earns it). */
const activeSchema = z.strictObject({ modelVersion: z.number().int().positive(), forced: z.boolean(), reason: z.string() });
export type ActiveModel = z.infer<typeof activeSchema>;
const activeFile = (home: string): string => join(modelsDir(home), 'active.json');

/** The active model of `home`, or null; throws MlModelFileError for a pointer that cannot be read. */
export function activeModel(home: string): ActiveModel | null {
  const file = activeFile(home);
  if (!existsSync(file)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new MlModelFileError(file, `not valid JSON (${(err as Error).message})`);
  }
  const parsed = activeSchema.safeParse(raw);
  if (!parsed.success) throw new MlModelFileError(file, `not an active-model pointer: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/** Makes `modelVersion` of `home` the active model (atomic write; the model file must exist). */
export async function activateModel(home: string, active: ActiveModel): Promise<string> {
  const path = join(modelsDir(home), modelFileName(active.modelVersion));
  readModelFile(path);
  const doc = await openDocument(activeFile(home), activeSchema, active);
  await doc.update((draft) => {
    Object.assign(draft, active);
  });
  await doc.close();
  return path;
}

/** No model is active: sessions run unfiltered and say why. */
export const NO_ACTIVE_MODEL = 'no active model (mia ml activate VERSION)';

export interface LoadedMlFilter {
  filter: SignalFilter;
  /** The model file in use, or null. */
  path: string | null;
  modelVersion: number | null;
  /** Why the filter is off (null when a model filters). */
  off: string | null;
}

/**
 * The filter a session runs with: off when `ml.enabled` is false or there is no model
 * (`ml.model`, else the home's active model: `mia ml train` activates only a model that
 * beats its shuffled-label control, `mia ml activate` another; no home = none); else the
 * ensemble of that file. Throws MlModelFileError for a model file that cannot be used.
 */
export function openMlFilter(ml: MlSettings, home: string | null): LoadedMlFilter {
  if (!ml.enabled) return { filter: filterOff('disabled (ml.enabled = false)'), path: null, modelVersion: null, off: 'disabled (ml.enabled = false)' };
  let path: string | null = null;
  if (ml.model !== null) path = resolve(ml.model);
  else if (home !== null) {
    const active = activeModel(home);
    if (active) path = join(modelsDir(home), modelFileName(active.modelVersion));
    else if (latestModelPath(home) !== null) return { filter: filterOff(NO_ACTIVE_MODEL), path: null, modelVersion: null, off: NO_ACTIVE_MODEL };
  }
  if (path === null) return { filter: filterOff(NO_MODEL), path: null, modelVersion: null, off: NO_MODEL };
  const model = readModelFile(path);
  try {
    return { filter: new EnsembleFilter(model, ml.threshold, ml.weights), path, modelVersion: model.modelVersion, off: null };
  } catch (err) {
    throw new MlModelFileError(path, (err as Error).message);
  }
}
