/**
 * `mia dtc check` end to end, through the real command in its own process against a DTC
 * server in this test process: the JSON contract, exit codes 0 / 1 / 2, and the password
 * read from the environment and never printed.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { LogonStatus } from '../../adapters/dtc/enums.ts';
import { MessageType } from '../../adapters/dtc/messageType.ts';
import type { LogonRequest } from '../../adapters/dtc/messages.ts';
import { runMia } from '../fixtures/runMia.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';
import { startFakeDtcServer, venueAnswers, type FakeDtcServer, type FakeServerScript } from '../adapters/dtc/dtcClientFakeServer.ts';

const tempHome = useTempHomes('mia-dtc-check-');
const servers: FakeDtcServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function server(script: FakeServerScript = {}): Promise<FakeDtcServer> {
  const s = await startFakeDtcServer({ onMessage: venueAnswers({}), ...script });
  servers.push(s);
  return s;
}

const base = (port: number) => ['dtc', 'check', '--port', String(port), '--symbol', 'ESZ25', '--account', 'PAPER1', '--timeout', '3000'];

describe('mia dtc check', () => {
  it('completes the round trip, prints the JSON contract, exits 0, and never prints the password', async () => {
    const s = await server();
    const secret = 'hunter2-very-secret';
    const r = await runMia([...base(s.port), '--encoding', 'compact', '--username', 'trader', '--password-env', 'DTC_PW', '--json'], {
      MIA_HOME: tempHome(),
      DTC_PW: secret,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(secret);
    const result = JSON.parse(r.stdout) as Record<string, any>;
    expect(result).toMatchObject({
      ok: true,
      host: '127.0.0.1',
      port: s.port,
      encoding: { requested: 'compact', negotiated: 'compact' },
      logon: { serverName: 'fake-dtc', result: LogonStatus.SUCCESS },
      accounts: ['PAPER1'],
      positions: [{ symbol: 'ESZ25', quantity: 2 }],
      balance: { cashBalance: 50_000 },
      order: { type: 'limit', side: 'buy', price: 4500, finalStatus: 'CANCELED', cancelled: true, serverOrderId: 'S1' },
      errors: [],
    });
    expect(result.order.clientOrderId).toMatch(/^mia-check-/);
    expect(result.order.updates.map((u: { status: string }) => u.status)).toEqual(['OPEN', 'CANCELED']);
    expect(typeof result.order.updates[0].time).toBe('string');
    expect(result.roundTripMs).toBeGreaterThanOrEqual(0);
    // The password went to the server, in the logon only.
    const logon = s.connections[0]!.received.find((m) => m.Type === MessageType.LOGON_REQUEST) as LogonRequest;
    expect(logon).toMatchObject({ Username: 'trader', Password: secret });
  });

  it('prints a readable report without --json', async () => {
    const s = await server();
    const r = await runMia([...base(s.port), '--market'], { MIA_HOME: tempHome() });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^dtc check 127\.0\.0\.1:\d+ {2}OK/);
    expect(r.stdout).toContain('OPEN -> FILLED');
    expect(r.stdout).toMatch(/offset .* sell 1 market/);
  });

  it('exits 1 when the round trip does not complete: refused logon, rejected order, closed port', async () => {
    const refusing = await server({ logon: () => ({ Result: LogonStatus.ERROR_NO_RECONNECT, ResultText: 'unknown user' }) });
    const rejecting = await server({ onMessage: venueAnswers({ reject: 'trading disabled' }) });
    const closed = await startFakeDtcServer();
    const closedPort = closed.port;
    await closed.close();
    const [refused, rejected, unreachable] = await Promise.all([
      runMia([...base(refusing.port), '--json'], { MIA_HOME: tempHome() }),
      runMia([...base(rejecting.port), '--json', '--limit-price', '4000'], { MIA_HOME: tempHome() }),
      runMia([...base(closedPort), '--json'], { MIA_HOME: tempHome() }),
    ]);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ ok: false, logon: null, errors: [expect.stringContaining('unknown user')] });
    expect(rejected.code).toBe(1);
    expect(JSON.parse(rejected.stdout)).toMatchObject({ ok: false, order: { finalStatus: 'REJECTED' }, errors: [expect.stringContaining('trading disabled')] });
    expect(unreachable.code).toBe(1);
    expect(JSON.parse(unreachable.stdout).errors[0]).toContain('ECONNREFUSED');
  });

  it('exits 2 on a bad flag in the real command, naming it', async () => {
    const s = await server();
    const r = await runMia([...base(s.port), '--encoding', 'xml'], { MIA_HOME: tempHome() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--encoding/);
    expect(r.stdout).toBe('');
    expect(s.connections).toHaveLength(0);
  });

  it('exits 2 on every bad flag, naming it, without connecting (in process)', async () => {
    const s = await server();
    const cases: Array<[string[], RegExp]> = [
      [['dtc', 'check', '--port', String(s.port), '--account', 'PAPER1'], /--symbol/],
      [['dtc', 'check', '--port', String(s.port), '--symbol', 'ES'], /--account/],
      [['dtc', 'check', '--symbol', 'ES', '--account', 'A'], /--port/],
      [['dtc', 'check', '--port', '70000', '--symbol', 'ES', '--account', 'A'], /--port/],
      [[...base(s.port), '--encoding', 'protobuf'], /--encoding/],
      [[...base(s.port), '--side', 'short'], /--side/],
      [[...base(s.port), '--password-env', 'MIA_TEST_UNSET_PASSWORD'], /--password-env.*MIA_TEST_UNSET_PASSWORD/],
      [[...base(s.port), '--limit-price', 'abc'], /--limit-price/],
      [[...base(s.port), '--heartbeat', '0'], /--heartbeat/],
      [[...base(s.port), '--market', '--limit-price', '4000'], /--market and --limit-price/],
    ];
    delete process.env['MIA_TEST_UNSET_PASSWORD'];
    for (const [args, message] of cases) {
      let stderr = '';
      const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
        stderr += String(chunk);
        return true;
      });
      let code: number;
      try {
        code = await main(['node', 'mia', ...args]);
      } finally {
        spy.mockRestore();
        process.exitCode = undefined;
      }
      expect(code, args.join(' ')).toBe(2);
      expect(stderr, args.join(' ')).toMatch(message);
    }
    expect(s.connections).toHaveLength(0);
  });
});
