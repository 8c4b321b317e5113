/**
 * `mia data inspect FILE`: loads a market-data file (or a directory of Lean zips) and
 * prints its quality report: format, accepted and rejected rows, first and last times
 * (UTC), the zone used, sha256, and the issues. `--write-cache OUT` also writes the bars
 * in MIA's binary cache for fast replays.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { writeBarCache } from '../adapters/files/barCache.ts';
import { loadSeries } from '../adapters/files/loadSeries.ts';
import type { LoadedSeries } from '../adapters/files/seriesTypes.ts';
import { provenanceLabel } from '../core/types.ts';
import { addLoaderOptions, loaderErrorForCli, loaderOptionsFrom } from './loaderOptions.ts';
import { positiveInt, UsageError } from './usage.ts';

interface InspectOptions extends Record<string, unknown> {
  json?: boolean;
  writeCache?: string;
  issues?: number;
}

/** The JSON report: `{format, rows, rejected, from, to, timezone, sha256, issues}` and the details. */
export function inspectReport(s: LoadedSeries, cache?: string) {
  return {
    format: s.format,
    kind: s.kind,
    file: s.file,
    symbol: s.symbol,
    rows: s.rows,
    rejected: s.rejected,
    from: s.from,
    to: s.to,
    timezone: s.timezone,
    sha256: s.sha256,
    periodMs: s.periodMs,
    tickSize: s.tickSize,
    issueCounts: s.issueCounts,
    issues: s.issues,
    contracts: s.contracts,
    rolls: s.rolls,
    notes: s.notes,
    provenance: provenanceLabel(s.provenance),
    ...(cache ? { cache } : {}),
  };
}

function formatReport(s: LoadedSeries, maxIssues: number, cache?: string): string {
  const counts = Object.entries(s.issueCounts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const lines = [
    `file        ${s.file}`,
    `format      ${s.format} (${s.kind})`,
    `symbol      ${s.symbol}${s.tickSize ? `, tick ${s.tickSize}` : ', tick not checked'}`,
    `rows        ${s.rows} accepted, ${s.rejected} rejected`,
    `from        ${s.from ?? '-'}`,
    `to          ${s.to ?? '-'}`,
    `timezone    ${s.timezone}`,
    `period      ${s.periodMs === null ? '-' : `${s.periodMs / 1000}s`}`,
    `sha256      ${s.sha256}`,
    `issues      ${counts || 'none'}`,
  ];
  if (s.contracts.length > 0) lines.push(`contracts   ${s.contracts.map((c) => `${c.symbol} (${c.rows} rows)`).join(', ')}`);
  for (const r of s.rolls) lines.push(`roll        ${r.tradingDay} ${r.from} -> ${r.to}, gap ${r.gap ?? 'not measured'}`);
  for (const n of s.notes) lines.push(`note        ${n}`);
  for (const i of s.issues.slice(0, maxIssues)) lines.push(`  ${i.entry ? `${i.entry}:` : ''}${i.row} ${i.kind}: ${i.detail}`);
  const more = Object.values(s.issueCounts).reduce((a, b) => a + b, 0) - Math.min(maxIssues, s.issues.length);
  if (more > 0) lines.push(`  ... ${more} more (see --json)`);
  if (cache) lines.push(`cache       ${cache}`);
  return lines.join('\n');
}

/** Attaches `inspect` to the `data` command group. */
export function registerDataInspect(data: Command): void {
  addLoaderOptions(
    data
      .command('inspect')
      .description('load a market-data file (or a directory of Lean zips) and print its data-quality report')
      .argument('<file>', 'CSV, Sierra Chart export, Lean zip, tick file, Polygon JSON or MIA bar cache'),
  )
    .option('--json', 'print the report as JSON')
    .option('--write-cache <out>', 'also write the bars to a MIA bar cache file')
    .option('--issues <n>', 'issues to list in the table (default 20)', positiveInt('--issues'))
    .action(async (file: string, opts: InspectOptions) => {
      let series: LoadedSeries;
      try {
        series = await loadSeries(file, loaderOptionsFrom(opts));
      } catch (err) {
        throw loaderErrorForCli(err);
      }
      if (opts.writeCache) {
        if (series.kind !== 'bars') throw new UsageError(`--write-cache: ${series.file} holds ${series.kind}, only bars can be cached`);
        await writeBarCache(opts.writeCache, series.items, series);
      }
      const cache = opts.writeCache ? resolve(opts.writeCache) : undefined;
      process.stdout.write(opts.json ? `${JSON.stringify(inspectReport(series, cache), null, 2)}\n` : `${formatReport(series, opts.issues ?? 20, cache)}\n`);
    });
}
