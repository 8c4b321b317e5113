/**
 * `mia run` end to end, through the real command in its own process: the contract flags,
 * the summary JSON, exit codes, determinism, crash recovery and clean shutdown.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempHomes } from '../fixtures/tempHome.ts';
import { runMia, startMia } from '../fixtures/runMia.ts';
import { readJournal } from '../fixtures/readJournal.ts';

const tempHome = useTempHomes('mia-run-');

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, any>;

describe('mia run --feed simulated', () => {
  it('runs N bars at full speed, exits 0 and writes the summary contract', async () => {
    const home = tempHome();
    const summaryFile = join(home, 'out', 'summary.json');
    const r = await runMia(['run', '--feed', 'simulated', '--max-bars', '600', '--summary-json', summaryFile], { MIA_HOME: home });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = readJson(summaryFile);
    // The session ends at the last bar, or as soon as it is flat after the flatten lead (5 bars).
    expect(s.bars).toBeGreaterThanOrEqual(595);
    expect(s.bars).toBeLessThanOrEqual(600);
    expect(s.signals.long + s.signals.short).toBeGreaterThan(0);
    expect(typeof s.orders).toBe('number');
    expect(typeof s.fills).toBe('number');
    expect(Number.isFinite(s.pnl)).toBe(true);
    expect(['normal', 'limited', 'killed', 'reconciling']).toContain(s.riskState);
    expect(s.phase).toEqual({ id: 0, name: 'setup' });
    expect(s.provenance).toMatch(/^simulated/);
    // The session flattens before it ends.
    expect(s.openPosition).toBe(0);
    // Human output on stdout, labelled simulated.
    expect(r.stdout).toContain(`bars        ${s.bars}`);
    expect(r.stdout).toContain('simulated');

    // The journal agrees with the summary, and every fill belongs to a journaled order.
    const journal = await readJournal(home);
    expect(journal.fills.length).toBe(s.fills);
    for (const f of journal.fills) expect(journal.orders[f.clientOrderId]).toBeDefined();
    const pnl = journal.trades.reduce((a: number, t: { pnl: number }) => a + t.pnl, 0);
    expect(pnl).toBeCloseTo(s.pnl, 2);
    // Logs land in the setup phase's folder.
    expect(readFileSync(join(home, 'logs', 'phase_0_setup', 'mia.log'), 'utf8')).toContain('"session ended"');
  });

  it('is deterministic: two homes, same seed, same trades', async () => {
    const [a, b] = [tempHome(), tempHome()];
    await Promise.all([a, b].map((home) => runMia(['run', '--max-bars', '800', '--seed', '7'], { MIA_HOME: home })));
    const fills = async (home: string) => (await readJournal(home)).fills.map((f: any) => [f.side, f.qty, f.price, f.time]);
    expect((await fills(a)).length).toBeGreaterThan(0);
    // Same trades; the ClientOrderIDs differ on purpose (unique per home and run, issue 13).
    expect(await fills(a)).toEqual(await fills(b));
  });

  it('exits 2 naming the key on a bad configuration value, an unknown key or a bad flag', async () => {
    const home = tempHome();
    const bad = await runMia(['run', '--max-bars', '10'], { MIA_HOME: home, MIA__risk__dailyLossLimit: '-5' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('risk.dailyLossLimit');

    const unknown = await runMia(['run', '--max-bars', '10'], { MIA_HOME: home, MIA__risk__dailyLosLimit: '500' });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('risk.dailyLosLimit');

    const file = join(home, 'bad.json');
    writeFileSync(file, JSON.stringify({ strategy: { threshold: 2 } }));
    const fromFile = await runMia(['run', '--config', file], { MIA_HOME: home });
    expect(fromFile.code).toBe(2);
    expect(fromFile.stderr).toContain('strategy.threshold');

    const flag = await runMia(['run', '--max-bars', 'many'], { MIA_HOME: home });
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--max-bars');
    // Nothing ran: no state was written.
    expect(existsSync(join(home, 'state', 'ledger'))).toBe(false);
  });

  it('refuses a corrupt journal loudly and never overwrites it', async () => {
    const home = tempHome();
    expect((await runMia(['run', '--max-bars', '200'], { MIA_HOME: home })).code).toBe(0);
    const ledger = join(home, 'state', 'ledger');
    const journal = join(ledger, readdirSync(ledger)[0]!);
    // A damaged record before the last line is no crash artefact (a torn last line is).
    const corrupt = `{"k":"order",${readFileSync(journal, 'utf8').slice(0, 50)}\n${readFileSync(journal, 'utf8')}`;
    writeFileSync(journal, corrupt);
    const r = await runMia(['run', '--max-bars', '200'], { MIA_HOME: home });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(journal);
    expect(readFileSync(journal, 'utf8')).toBe(corrupt);
  });

  it('recovers after kill -9 mid-session: the state loads and the next run restores it', async () => {
    const home = tempHome();
    const p = startMia(['run', '--max-bars', '1000000'], { MIA_HOME: home });
    // Wait until the session has persisted its snapshot and journaled an order, then kill it without warning.
    const deadline = Date.now() + 30_000;
    const written = () => existsSync(join(home, 'state', 'orchestrator.json')) && existsSync(join(home, 'state', 'ledger'));
    while (!written() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    p.child.kill('SIGKILL');
    const killed = await p.done;
    expect(killed.signal).toBe('SIGKILL');
    for (const f of ['orchestrator.json', 'risk.json']) {
      expect(() => JSON.parse(readFileSync(join(home, 'state', f), 'utf8'))).not.toThrow();
    }
    // The stale lock of the dead process is taken over; the snapshot is restored.
    const summaryFile = join(home, 'after.json');
    const r = await runMia(['run', '--max-bars', '200', '--summary-json', summaryFile], { MIA_HOME: home });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readJson(summaryFile).restored).toBe(true);
  });

  it('stops cleanly on SIGTERM: summary printed, state persisted, lock released', async () => {
    const home = tempHome();
    const p = startMia(['run', '--speed', '600', '--max-bars', '100000'], { MIA_HOME: home });
    const deadline = Date.now() + 15_000;
    while (!existsSync(join(home, 'state', 'orchestrator.json')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    p.child.kill('SIGTERM');
    const r = await p.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('MIA session');
    expect(existsSync(join(home, 'state', 'lock'))).toBe(false);
  });

  it('never lets two instances share a home', async () => {
    const home = tempHome();
    const first = startMia(['run', '--speed', '60', '--max-bars', '100000'], { MIA_HOME: home });
    const deadline = Date.now() + 15_000;
    while (!existsSync(join(home, 'state', 'lock')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const second = await runMia(['run', '--max-bars', '10'], { MIA_HOME: home });
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/lock|another/i);
    first.child.kill('SIGTERM');
    expect((await first.done).code).toBe(0);
  });
});
