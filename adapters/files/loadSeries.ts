/**
 * The one entry point for market-data files: detects the format (unless given), runs its
 * loader, and returns the accepted rows with their quality report and provenance.
 * A directory is read as one series of Lean zips (every `*_trade.zip`, or `*_quote.zip`
 * with format lean-quote-zip), in name order, i.e. date order.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { barCacheSeries } from './barCache.ts';
import { detectFormat } from './detectFormat.ts';
import { loadLeanZips } from './leanZip.ts';
import { checkCommonOptions } from './loaderOptions.ts';
import { loadOhlcvText } from './ohlcvText.ts';
import { loadPolygonJson } from './polygonJson.ts';
import { readDataFile, sha256Hex, type FileBytes } from './seriesBuilder.ts';
import { DataFileError, type LoadedSeries, type LoaderOptions, type SeriesFormat } from './seriesTypes.ts';
import { loadTickText } from './tickText.ts';

const TEXT_FORMATS: readonly SeriesFormat[] = ['csv', 'sierra', 'ticks'];

/** Loads a market-data file (or a directory of Lean zips). Throws DataFileError when it cannot be read at all. */
export async function loadSeries(path: string, options: LoaderOptions = {}): Promise<LoadedSeries> {
  const file = resolve(path);
  checkCommonOptions(file, options);
  let isDirectory = false;
  try {
    isDirectory = (await stat(file)).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new DataFileError('not-found', file, `no such file: ${file}`);
    throw new DataFileError('unreadable', file, `cannot read ${file}: ${(err as Error).message}`);
  }
  if (isDirectory) return loadLeanDirectory(file, options);
  const src = await readDataFile(file);
  const format = options.format ?? detectFormat(src.bytes, file, options.columns);
  if (!format) {
    throw new DataFileError('unknown-format', file, `cannot tell the format of ${file}: pass --format (one of csv, sierra, lean-trade-zip, lean-quote-zip, ticks, polygon-aggs, polygon-trades, polygon-quotes, mia-cache)`);
  }
  return loadAs(src, format, options);
}

/** Runs the loader of `format` on bytes already read. */
export function loadAs(src: FileBytes, format: SeriesFormat, options: LoaderOptions): LoadedSeries {
  if (options.columns && !TEXT_FORMATS.includes(format)) {
    throw new DataFileError('bad-option', src.file, `--columns applies to csv, sierra and ticks files, not ${format}`, 'columns');
  }
  switch (format) {
    case 'csv':
    case 'sierra':
      return loadOhlcvText(src, format, options);
    case 'ticks':
      return loadTickText(src, options);
    case 'lean-trade-zip':
    case 'lean-quote-zip':
      return loadLeanZips([src], format === 'lean-trade-zip' ? 'trade' : 'quote', options, src);
    case 'polygon-aggs':
      return loadPolygonJson(src, options, 'aggs');
    case 'polygon-trades':
      return loadPolygonJson(src, options, 'trades');
    case 'polygon-quotes':
      return loadPolygonJson(src, options, 'quotes');
    case 'mia-cache':
      return barCacheSeries(src);
  }
}

async function loadLeanDirectory(dir: string, options: LoaderOptions): Promise<LoadedSeries> {
  const format = options.format ?? 'lean-trade-zip';
  if (format !== 'lean-trade-zip' && format !== 'lean-quote-zip') {
    throw new DataFileError('bad-option', dir, `${dir} is a directory: only Lean zips (lean-trade-zip, lean-quote-zip) are read from a directory`, 'format');
  }
  const suffix = format === 'lean-trade-zip' ? 'trade.zip' : 'quote.zip';
  const names = (await readdir(dir)).filter((n) => n.endsWith(suffix)).sort();
  if (names.length === 0) throw new DataFileError('unknown-format', dir, `no *${suffix} in ${dir}`);
  const files = await Promise.all(names.map((n) => readDataFile(join(dir, n))));
  // A directory's identity: the names and hashes of the files it was read from.
  const manifest = files.map((f, i) => `${names[i]}\t${f.sha256}\n`).join('');
  return loadLeanZips(files, format === 'lean-trade-zip' ? 'trade' : 'quote', options, { file: dir, sha256: sha256Hex(manifest) });
}
