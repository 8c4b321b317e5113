/**
 * `mia gamma` through the real command in its own process: the JSON contract, the ES
 * translation, the expiry filter, the human table, Polygon input and usage errors (exit 2).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { registerGammaCommand } from '../../cli/gamma.ts';
import { UsageError } from '../../cli/usage.ts';
import { runMia } from '../fixtures/runMia.ts';
import { hasSharedData, sharedData } from '../fixtures/sharedData.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';

const tempHome = useTempHomes('mia-gamma-');
const SPX_SUNDAY = 'options/cboe/spx_quotedata_2024-01-07.csv';
const SPX_INTRADAY = 'options/cboe/spx_quotedata_2022-03-23.csv';
const POLYGON = 'polygon/rest-mocks/v3/snapshot/options/AAPL.json';

interface StrikeRow {
  strike: number;
  callGex: number;
  putGex: number;
  netGex: number;
}

describe.skipIf(![SPX_SUNDAY, SPX_INTRADAY, POLYGON].every(hasSharedData))('mia gamma', () => {
  it('--json prints spot, netGex, walls, zeroGamma and byStrike, and the ES levels with --es-price', async () => {
    const r = await runMia(['gamma', '--chain', sharedData(SPX_SUNDAY), '--es-price', '4740', '--json'], { MIA_HOME: tempHome() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ underlying: 'SPX', spot: 4697.2402, timeIso: '2024-01-07T15:52:00.000Z', format: 'cboe' });
    for (const key of ['netGex', 'callWall', 'putWall', 'zeroGamma']) expect(typeof out[key]).toBe('number');
    const rows: StrikeRow[] = out.byStrike;
    expect(rows.length).toBeGreaterThan(100);
    expect(rows.map((s) => s.strike)).toEqual([...rows.map((s) => s.strike)].sort((a, b) => a - b));
    expect(rows.reduce((a, s) => a + s.netGex, 0) / out.netGex).toBeCloseTo(1, 9);
    const maxCall = rows.reduce((best, s) => (s.callGex > best.callGex ? s : best));
    const maxPut = rows.reduce((best, s) => (s.putGex < best.putGex ? s : best));
    expect(out.callWall).toBe(maxCall.strike);
    expect(out.putWall).toBe(maxPut.strike);
    // Basis = ES - SPX; every level moves by it.
    expect(out.basis).toBeCloseTo(4740 - 4697.2402, 9);
    expect(out.es.callWall).toBeCloseTo(out.callWall + out.basis, 9);
    expect(out.es.putWall).toBeCloseTo(out.putWall + out.basis, 9);
    expect(out.es.zeroGamma).toBeCloseTo(out.zeroGamma + out.basis, 9);
    // 2024-01-07 is 12 days before the January monthly (the 19th).
    expect(out.expiryCycle).toEqual({ daysToMonthlyExpiry: 12, factor: 1 });
    expect(out.provenance).toMatchObject({ kind: 'replay', file: sharedData(SPX_SUNDAY) });
    expect(out.provenance.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(out.source).toMatchObject({ rows: 10_519, rejected: 0 });
  });

  it('exits 2 with the flag named when the file is neither format', async () => {
    const notes = join(tempHome(), 'notes.txt');
    writeFileSync(notes, 'strike,gamma\n4700,0.1\n');
    const r = await runMia(['gamma', '--chain', notes], { MIA_HOME: tempHome() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--chain: ".*notes\.txt" is neither a CBOE quotedata CSV nor a Polygon options snapshot JSON/);
    expect(r.stdout).toBe('');
  });
});

/** Runs the command's action in this process and returns its JSON output. */
async function inProcess(args: string[]): Promise<Record<string, any>> {
  return JSON.parse(await inProcessText([...args, '--json']));
}

/** Runs the command's action in this process and returns what it printed. */
async function inProcessText(args: string[]): Promise<string> {
  const program = new Command('mia').exitOverride();
  registerGammaCommand(program);
  let out = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const exitCode = process.exitCode;
  try {
    await program.parseAsync(['node', 'mia', 'gamma', ...args]);
  } finally {
    write.mockRestore();
    process.exitCode = exitCode;
  }
  return out;
}

describe.skipIf(![SPX_INTRADAY, POLYGON].every(hasSharedData))('mia gamma (in process)', () => {
  it('--expiry-max-days 0 keeps only the 0DTE expiry', async () => {
    const all = await inProcess(['--chain', sharedData(SPX_INTRADAY)]);
    const zero = await inProcess(['--chain', sharedData(SPX_INTRADAY), '--expiry-max-days', '0']);
    expect(all.counts.beyondMaxDays).toBe(0);
    expect(zero.counts.beyondMaxDays).toBeGreaterThan(0);
    // What the filter removes is exactly what it counts (checked before greeks).
    expect(zero.counts.used + zero.counts.noGreeks + zero.counts.beyondMaxDays).toBe(all.counts.used + all.counts.noGreeks);
    expect(zero.params.expiryMaxDays).toBe(0);
    // 10:11 ET on 2022-03-23: the 0DTE strikes carry most of the gamma near spot.
    const near = (o: Record<string, any>) => (o.byStrike as StrikeRow[]).filter((s) => Math.abs(s.strike - 4479) < 10).reduce((a, s) => a + s.callGex, 0);
    expect(near(zero)).toBeGreaterThan(0.3 * near(all));
    expect(near(zero)).toBeLessThan(near(all));
  });

  it('prints the levels as a table, with the ES levels for a --basis', async () => {
    const a = await inProcess(['--chain', sharedData(SPX_INTRADAY)]);
    const text = await inProcessText(['--chain', sharedData(SPX_INTRADAY), '--basis', '-3.5']);
    expect(text).toContain(`call wall     ${a.callWall.toFixed(2)}`);
    expect(text).toContain(`put wall      ${a.putWall.toFixed(2)}`);
    expect(text).toContain(`zero gamma    ${a.zeroGamma.toFixed(2)}`);
    expect(text).toContain('ES basis      -3.50');
    expect(text).toContain(`call wall ${(a.callWall - 3.5).toFixed(2)}`);
    expect(text).toMatch(/net GEX\s+-?\$[\d.]+(bn|m) per 1% move/);
    expect(text).toContain('strike      call GEX      put GEX      net GEX');
  });

  it('reads a saved Polygon snapshot (format detected), with --time and --underlying', async () => {
    const out = await inProcess(['--chain', sharedData(POLYGON), '--underlying', 'AAPL', '--time', '2023-06-01T15:00:00Z']);
    expect(out).toMatchObject({ underlying: 'AAPL', spot: 159.9606, format: 'polygon', provenance: { kind: 'polygon' }, callWall: 150, putWall: null, zeroGamma: null });
    expect(out.time).toBe(Date.parse('2023-06-01T15:00:00Z'));
    // One call: gamma 0.0061735 * OI 8133 * 100 * S^2 * 0.01.
    expect(out.netGex).toBeCloseTo(0.0061735291012820675 * 8133 * 100 * 159.9606 ** 2 * 0.01, 3);
  });

  it('refuses bad usage with a UsageError naming the flag', async () => {
    const home = tempHome();
    const notes = join(home, 'notes.txt');
    writeFileSync(notes, 'strike,gamma\n4700,0.1\n');
    const chain = sharedData(SPX_INTRADAY);
    // A Polygon body without any timestamp: the snapshot time must come from --time.
    const untimed = join(home, 'untimed.json');
    writeFileSync(untimed, JSON.stringify({ status: 'OK', results: [{ details: { contract_type: 'call', expiration_date: '2024-01-19', strike_price: 4700 }, open_interest: 5, underlying_asset: { value: 4700 } }] }));
    const cases: [string[], RegExp][] = [
      [['--chain', notes, '--format', 'cboe'], /--chain ".*notes\.txt" \(--format cboe\): .*not a CBOE quotedata export/],
      [['--chain', chain, '--format', 'polygon'], /--format polygon\): not valid JSON/],
      [['--chain', join(home, 'absent.csv')], /--chain: cannot read .*ENOENT/],
      [['--chain', chain, '--es-price', '4740', '--basis', '40'], /--es-price and --basis are exclusive/],
      [['--chain', chain, '--grid-range', '120'], /--grid-range/],
      [['--chain', chain, '--grid-range', '1', '--grid-step', '2'], /--grid-step/],
      [['--chain', untimed], /--time is required/],
    ];
    for (const [args, message] of cases) {
      const run = inProcess(args);
      await expect(run, args.join(' ')).rejects.toBeInstanceOf(UsageError);
      await expect(run).rejects.toThrow(message);
    }
    // Bad flag values are commander's usage errors (exit 2), naming the flag.
    for (const [args, flag] of [[['--format', 'xml'], '--format'], [['--expiry-max-days', 'soon'], '--expiry-max-days'], [['--es-price', '-1'], '--es-price']] as const) {
      const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      try {
        await expect(inProcess(['--chain', chain, ...args])).rejects.toMatchObject({ code: 'commander.invalidArgument', message: expect.stringContaining(flag) });
      } finally {
        stderr.mockRestore();
      }
    }
  });
});
