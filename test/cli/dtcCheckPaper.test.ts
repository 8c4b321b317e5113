/**
 * `mia dtc check` against MIA's paper DTC server running in this test process (the
 * deployment plan's phase-0 check): the far limit placed from the server's market data
 * and cancelled, the market order filled and offset, a rejected order, a refused logon.
 * The venue's own records are the independent check of what the command reports.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.ts';
import { startPaperDtcServer, type PaperDtcServer } from '../../adapters/dtc/paperServer.ts';
import { runMia } from '../fixtures/runMia.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';

const tempHome = useTempHomes('mia-dtc-check-paper-');
const SYMBOL = 'ESZ25';
const T0 = Date.UTC(2025, 8, 15, 14, 30, 0);
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function paper(options: { username?: string; password?: string } = {}): Promise<PaperDtcServer> {
  const clock = new ManualClock(T0);
  const server = await startPaperDtcServer({ clock, slippageTicks: 0, ...options });
  cleanups.push(() => server.close());
  server.onBar({ symbol: SYMBOL, time: T0 - 60_000, open: 4998, high: 5002, low: 4997, close: 5000, volume: 1_000 });
  // A quote every 20 ms, as a live feed would: the engine fills market orders on the next one.
  let time = T0;
  const feed = setInterval(() => {
    time += 250;
    clock.set(time);
    server.onQuote({ symbol: SYMBOL, time, bid: 5000, ask: 5000.25, bidSize: 10, askSize: 10 });
  }, 20);
  cleanups.push(() => clearInterval(feed));
  return server;
}

const args = (port: number, ...more: string[]) => ['dtc', 'check', '--port', String(port), '--symbol', SYMBOL, '--account', 'PAPER1', '--timeout', '3000', '--json', ...more];

describe('mia dtc check against the paper DTC server', () => {
  it('places a far limit from the market snapshot, sees it accepted and cancelled (JSON encoding)', async () => {
    const server = await paper();
    const r = await runMia(args(server.port, '--encoding', 'json'), { MIA_HOME: tempHome() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as Record<string, any>;
    expect(result).toMatchObject({
      ok: true,
      encoding: { requested: 'json', negotiated: 'json' },
      logon: { serverName: 'MIA paper DTC server', tradingSupported: true },
      accounts: ['PAPER1'],
      positions: [],
      balance: { account: 'PAPER1', cashBalance: 50_000 },
      order: { type: 'limit', side: 'buy', finalStatus: 'CANCELED', cancelled: true },
      offset: null,
      errors: [],
    });
    expect(result.marketData.last).toBe(5000);
    expect(result.order.price).toBe(4500);
    // The venue's own record agrees: one order, at that price, cancelled, never filled.
    const venueOrder = server.venue.order(result.order.clientOrderId);
    expect(venueOrder).toMatchObject({ status: 'cancelled', price: 4500, filledQty: 0, serverOrderId: result.order.serverOrderId });
    expect(server.venue.fills()).toEqual([]);
  });

  it('sends a market order with --market (binary), sees it filled, and offsets it so the account stays flat', async () => {
    const server = await paper();
    const r = await runMia(args(server.port, '--market'), { MIA_HOME: tempHome() });
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as Record<string, any>;
    expect(result.order).toMatchObject({ type: 'market', finalStatus: 'FILLED', cancelled: false });
    expect(result.order.updates.map((u: { status: string }) => u.status)).toEqual(['OPEN', 'FILLED']);
    expect(result.offset).toMatchObject({ type: 'market', side: 'sell', finalStatus: 'FILLED' });
    expect(server.venue.fills().map((f) => [f.clientOrderId, f.side, f.price])).toEqual([
      [result.order.clientOrderId, 'buy', 5000.25],
      [result.offset.clientOrderId, 'sell', 5000],
    ]);
    expect(server.venue.positions('PAPER1')).toEqual([]);
  });

  it('exits 1 with the reason when the server rejects the order (compact encoding)', async () => {
    const server = await paper();
    server.faults.rejectNext(1, 'paper: trading halted');
    const r = await runMia(args(server.port, '--encoding', 'compact'), { MIA_HOME: tempHome() });
    expect(r.code).toBe(1);
    const result = JSON.parse(r.stdout) as Record<string, any>;
    expect(result).toMatchObject({ ok: false, encoding: { negotiated: 'compact' }, order: { finalStatus: 'REJECTED' } });
    expect(result.errors[0]).toContain('paper: trading halted');
  });

  it('logs on with the password from --password-env, and exits 1 when it is wrong', async () => {
    const server = await paper({ username: 'trader', password: 'right-secret' });
    const [good, bad] = await Promise.all([
      runMia(args(server.port, '--username', 'trader', '--password-env', 'PW'), { MIA_HOME: tempHome(), PW: 'right-secret' }),
      runMia(args(server.port, '--username', 'trader', '--password-env', 'PW'), { MIA_HOME: tempHome(), PW: 'wrong-secret' }),
    ]);
    expect(good.code).toBe(0);
    expect(good.stdout).not.toContain('right-secret');
    expect(bad.code).toBe(1);
    expect(bad.stdout).not.toContain('wrong-secret');
    expect(JSON.parse(bad.stdout).errors[0]).toContain('invalid username or password');
  });
});

describe('mia dtc check as phase-0 evidence', () => {
  it('records the round trip in the home when the account is declared paper, and not otherwise', { timeout: 60_000 }, async () => {
    const { openEvidenceStore } = await import('../../adapters/store/evidenceStore.ts');
    const server = await paper();
    const declared = tempHome();
    const r = await runMia(args(server.port), { MIA_HOME: declared, MIA__accounts: JSON.stringify([{ id: 'PAPER1', kind: 'paper' }]) });
    expect(r.code).toBe(0);
    const [entry] = openEvidenceStore(declared).list().entries;
    expect(entry).toMatchObject({ transition: 'setup->calibration', producedBy: 'mia dtc check', evidence: { source: 'dtc-check', checks: { dtcRoundTrip: true } }, detail: { account: 'PAPER1', accountKind: 'paper' } });
    expect(r.stderr).toContain(`evidence: ${entry!.file}`);

    const undeclared = tempHome();
    const r2 = await runMia(args(server.port), { MIA_HOME: undeclared });
    expect(r2.code).toBe(0);
    expect(openEvidenceStore(undeclared).list().entries).toEqual([]);
  });
});
