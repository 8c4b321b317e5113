/**
 * `mia run` never hangs and never exits 0 when it could not work (issue 13): a saved
 * state that cannot be restored exits 1 naming the file, with nothing left listening;
 * `--reset-state` starts fresh and keeps a backup; a venue that never becomes ready
 * (unreachable, silent, garbage, logon refused) exits 1 within venue.readyTimeoutMs.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.ts';
import { startPaperDtcServer } from '../../adapters/dtc/paperServer.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';
import { runMia } from '../fixtures/runMia.ts';

const tempHome = useTempHomes('mia-run-startup-');
const servers: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function rawServer(onSocket: (s: Socket) => void): Promise<number> {
  const sockets: Socket[] = [];
  const server: Server = createServer((s) => {
    sockets.push(s);
    s.on('error', () => {});
    onSocket(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push({ close: () => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), server.close(() => r()))) });
  return (server.address() as { port: number }).port;
}

describe('mia run with a saved state it cannot restore', () => {
  const unusable: Array<[string, string, RegExp]> = [
    ['a state the machine does not have', '{"snapshot":{"status":"active","value":"bogus","context":{}},"savedAt":5}', /cannot be restored/],
    ['no child machines', '{"snapshot":{"status":"active","value":{"running":"trading"},"context":{},"children":{}},"savedAt":5}', /cannot be restored/],
    ['a null snapshot', '{"snapshot":null,"savedAt":5}', /holds no snapshot/],
    ['a null snapshot never saved', '{"snapshot":null,"savedAt":null}', /holds no snapshot/],
    ['an array', '{"snapshot":[1,2],"savedAt":5}', /an array/],
  ];
  for (const [name, bytes, reason] of unusable) {
    it(`exits 1 on ${name}, naming the file, and leaves it byte for byte`, async () => {
      const home = tempHome();
      mkdirSync(join(home, 'state'), { recursive: true });
      const file = join(home, 'state', 'orchestrator.json');
      writeFileSync(file, bytes);
      const started = Date.now();
      // The process exiting at all proves no listener (control, paper server) was left open.
      const r = await runMia(['run', '--max-bars', '50'], { MIA_HOME: home });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(file);
      expect(r.stderr).toMatch(reason);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(readFileSync(file, 'utf8')).toBe(bytes);
    });
  }

  it('--reset-state moves the snapshots to a backup, starts fresh and audits it', { timeout: 60_000 }, async () => {
    const home = tempHome();
    mkdirSync(join(home, 'state'), { recursive: true });
    const bytes = '{"snapshot":{"status":"active","value":"bogus","context":{}},"savedAt":5}';
    writeFileSync(join(home, 'state', 'orchestrator.json'), bytes);
    const r = await runMia(['run', '--max-bars', '50', '--reset-state'], { MIA_HOME: home });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/--reset-state: orchestrator\.json moved to .*backup-/);
    const backup = readdirSync(join(home, 'state')).find((f) => f.startsWith('backup-'))!;
    expect(readFileSync(join(home, 'state', backup, 'orchestrator.json'), 'utf8')).toBe(bytes);
    expect(readFileSync(join(home, 'state', 'audit.jsonl'), 'utf8')).toContain('"reset-state"');
    // The fresh run saved a restorable state: the next run restores it.
    const again = await runMia(['run', '--max-bars', '50', '--json'], { MIA_HOME: home });
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as { restored: boolean }).restored).toBe(true);
  });
});

describe('mia run against a venue that never becomes ready', () => {
  // A remote DTC server is traded only on a declared account of a kind the phase allows.
  const env = (home: string) => ({ MIA_HOME: home, MIA__venue__readyTimeoutMs: '2500', MIA__accounts: JSON.stringify([{ id: 'SIM1', kind: 'paper' }]) });
  const run = (home: string, port: number) => runMia(['run', '--max-bars', '100000', '--dtc-host', '127.0.0.1', '--dtc-port', String(port), '--dtc-account', 'SIM1'], env(home));

  it('exits 1 on an unreachable port, saying why', async () => {
    const port = await rawServer(() => {});
    await servers.pop()!.close(); // nothing listens there any more
    const r = await run(tempHome(), port);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/never became ready within venue\.readyTimeoutMs \(2500 ms\).*ECONNREFUSED/);
  });

  it('exits 1 on a silent server', async () => {
    const r = await run(tempHome(), await rawServer(() => {}));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/never became ready/);
  });

  it('exits 1 on a server that answers garbage', async () => {
    const port = await rawServer((s) => s.on('data', () => s.write(Buffer.from('\x04\x00\xff\xff\x1b[2Jgarbage\x00\x00'))));
    const r = await run(tempHome(), port);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/never became ready/);
    expect(r.stderr).not.toContain('\x1b');
  });

  it('exits 1 when the logon is refused', async () => {
    const server = await startPaperDtcServer({ port: 0, clock: new ManualClock(Date.UTC(2025, 0, 6, 15)), username: 'alice', password: 'secret' });
    servers.push(server);
    const r = await run(tempHome(), server.port);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/never became ready/);
  });
});

