/**
 * On real ES minute bars (FirstRate sample): a paper session through `mia run --venue dtc`
 * (spawned, embedded paper DTC server over loopback), then
 * - `mia attribution` against the same file: every fill matched, zero price difference;
 *   with one tick more slippage in the backtest's configuration, every market fill differs
 *   by exactly one tick against the trader, and limit fills do not;
 * - `mia evidence paper`: the journal becomes simulation->propFirm evidence on the file's
 *   provenance, with the metrics module's numbers, and the gate says what is missing.
 * The two commands run in this process (same code as the CLI): the machine is shared.
 */
import { readJournal } from '../fixtures/readJournal.ts';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { attributionCommand } from '../../cli/attribution.ts';
import { paperEvidenceAction } from '../../cli/evidence.ts';
import { defaultConfig } from '../../config/schema.ts';
import { ManualClock } from '../../core/clock.ts';
import { computeMetrics, gateMetrics } from '../../backtest/metrics.ts';
import { openEvidenceStore } from '../../adapters/store/evidenceStore.ts';
import type { Attribution } from '../../backtest/attribution.ts';
import { hasSharedData, sharedData } from '../fixtures/sharedData.ts';
import { runMia } from '../fixtures/runMia.ts';

const SAMPLE = 'es/firstrate/edisoniver_2023-03/ES_1min_sample.csv';
const present = hasSharedData(SAMPLE);
let home = '';

async function quietly<T>(fn: () => Promise<T>): Promise<{ result: T; stdout: string }> {
  let stdout = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    return { result: await fn(), stdout };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

interface JournalFile {
  orders: Record<string, { request: { type: string; purpose: string } }>;
  fills: Array<{ clientOrderId: string }>;
  trades: Array<{ symbol: string; side: 'long' | 'short'; qty: number; entryTime: number; exitTime: number; entryPrice: number; exitPrice: number; commission: number; pnl: number }>;
}

const GUARD_OFF = { strategy: { minAvailableWeight: 0 } };
let guardOff = '';

describe.skipIf(!present)('paper vs backtest on real data', () => {
  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'mia-attribution-'));
    // Price-only bars: the availability guard is off so that the paper session trades.
    guardOff = join(home, 'guard-off.json');
    writeFileSync(guardOff, JSON.stringify(GUARD_OFF));
    const r = await runMia(['run', '--feed', 'replay', '--replay', sharedData(SAMPLE), '--venue', 'dtc', '--speed', 'max', '--max-bars', '3000', '--home', home, '--config', guardOff, '--json'], {});
    expect(r.code, r.stderr).toBe(0);
  }, 180_000);
  afterAll(() => {
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('matches every fill at zero difference; one more tick of backtest slippage moves every market fill one tick against the trader', { timeout: 180_000 }, async () => {
    const journal = (await readJournal(home)) as unknown as JournalFile;
    expect(journal.fills.length).toBeGreaterThan(0);

    const out = join(home, 'attribution.json');
    const same = await quietly(() => attributionCommand({ home, data: sharedData(SAMPLE), config: guardOff, json: out }));
    expect(same.result).toBe(0);
    expect(same.stdout).toContain('MATCHES');
    const a = JSON.parse(readFileSync(out, 'utf8')) as Attribution & { sameData: boolean };
    expect(a.sameData).toBe(true);
    expect(a.summary).toMatchObject({ paperFills: journal.fills.length, matched: journal.fills.length, unmatchedPaper: 0, unmatchedBacktest: 0, maxAbsTicks: 0, maxAbsTimeDiffMs: 0, pnlDifference: 0, matches: true });
    expect(a.pairs.every((p) => p.ticks === 0 && p.timeDiffMs === 0)).toBe(true);

    const slippier = join(home, 'slippage.json');
    writeFileSync(slippier, JSON.stringify({ ...GUARD_OFF, venue: { slippageTicks: defaultConfig().venue.slippageTicks + 1 } }));
    const slipOut = join(home, 'attribution-slippage.json');
    const slipped = await quietly(() => attributionCommand({ home, data: sharedData(SAMPLE), config: slippier, json: slipOut }));
    expect(slipped.result).toBe(0);
    const b = JSON.parse(readFileSync(slipOut, 'utf8')) as Attribution;
    expect(b.summary).toMatchObject({ matched: journal.fills.length, unmatchedPaper: 0, unmatchedBacktest: 0 });
    const market = b.pairs.filter((p) => journal.orders[p.paper.clientOrderId]!.request.type === 'market');
    expect(market.length).toBeGreaterThan(0);
    for (const p of market) {
      expect(p.adverseTicks).toBe(1);
      expect(p.ticks).toBe(p.side === 'buy' ? 1 : -1);
      expect(p.dollars).toBe(12.5 * p.qty);
    }
    for (const p of b.pairs.filter((x) => journal.orders[x.paper.clientOrderId]!.request.type === 'limit')) expect(p.ticks).toBe(0);
    // Both legs of each round trip pay the extra tick: the backtest's P&L is lower by that much.
    expect(b.summary.pnlDifference).toBeCloseTo(-market.reduce((s, p) => s + p.dollars, 0), 6);
  });

  it('records the paper journal as simulation->propFirm evidence on the replayed file', { timeout: 60_000 }, async () => {
    const clock = new ManualClock(Date.parse('2025-08-01T09:00:00Z'));
    const run = await quietly(() => paperEvidenceAction({ home, json: true }, clock));
    expect(run.result).toBe(0);
    const printed = JSON.parse(run.stdout) as { file: string; transition: string; evidence: any; evaluation: { pass: boolean; criteria: Array<{ name: string; actual: number | null; pass: boolean }> } };
    expect(printed.transition).toBe('simulation->propFirm');
    const sha = createHash('sha256').update(readFileSync(sharedData(SAMPLE))).digest('hex');
    expect(printed.evidence.provenance).toEqual([{ kind: 'replay', file: sharedData(SAMPLE), sha256: sha }]);
    expect(printed.evidence.source).toBe('paper-journal');
    expect(printed.evidence.producedAt).toBe('2025-08-01T09:00:00.000Z');
    // The session replayed 2023-03-08 .. 2023-03-10 (from its log's summary).
    expect(printed.evidence.period).toEqual({ from: '2023-03-08', to: '2023-03-10' });
    const journal = (await readJournal(home)) as unknown as JournalFile;
    const expected = computeMetrics({ trades: journal.trades, startingEquity: defaultConfig().startingEquity, period: printed.evidence.period });
    // A replay is never paper time: zero wall-clock paper months, whatever the data span.
    expect(printed.evidence.metrics).toEqual({ ...gateMetrics(expected), trades: expected.trades, paperMonths: 0 });
    expect(printed.evaluation.pass).toBe(false);
    expect(printed.evaluation.criteria.find((c) => c.name === 'paperMonths')).toMatchObject({ actual: 0, pass: false });
    expect(openEvidenceStore(home).latest('simulation->propFirm')?.file).toBe(printed.file);
  });
});
