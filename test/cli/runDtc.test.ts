/**
 * `mia run --venue dtc ...` through the real command: against a DTC server the test runs
 * (the paper one, on loopback), and with no host (MIA starts its own paper DTC server).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.ts';
import { startPaperDtcServer, type PaperDtcServer } from '../../adapters/dtc/paperServer.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';
import { runMia } from '../fixtures/runMia.ts';

const tempHome = useTempHomes('mia-run-dtc-');
let server: PaperDtcServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('mia run --venue dtc', () => {
  it('trades through a DTC server given by host and port, in the encoding asked for', async () => {
    const clock = new ManualClock(Date.UTC(2025, 10, 3, 14, 30));
    server = await startPaperDtcServer({ port: 0, clock, accounts: ['SIM7'] });
    const home = tempHome();
    const r = await runMia(
      ['run', '--venue', 'dtc', '--dtc-host', '127.0.0.1', '--dtc-port', String(server.port), '--dtc-encoding', 'json', '--dtc-account', 'SIM7', '--max-bars', '300', '--json'],
      // A server account is traded only when declared, and in phase 0 only as paper.
      { MIA_HOME: home, MIA__accounts: JSON.stringify([{ id: 'SIM7', kind: 'paper' }]) },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as { venue: string; orders: number; rejects: number };
    expect(summary.venue).toBe(`dtc json -> 127.0.0.1:${server.port}`);
    expect(summary.orders).toBeGreaterThan(0);
    expect(summary.rejects).toBe(0);
    // The server saw MIA's orders on the declared account.
    const orders = Object.keys(server.venue.snapshot().orders);
    expect(orders.length).toBe(summary.orders);
  });

  it('defaults to the embedded paper DTC server and refuses a missing password variable with exit 2', async () => {
    const home = tempHome();
    const ok = await runMia(['run', '--max-bars', '200', '--json'], { MIA_HOME: home });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).venue).toBe('dtc binary -> embedded paper server (127.0.0.1)');
    const bad = await runMia(['run', '--dtc-host', '127.0.0.1', '--dtc-account', 'SIM7', '--dtc-password-env', 'MIA_TEST_NO_SUCH_VAR', '--max-bars', '10'], { MIA_HOME: tempHome() });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('venue.dtc.passwordEnv');
  });
});
