/**
 * `mia dtc-server` through the real command in its own process: the listening line, a
 * client trading against the simulated feed, clean stop on SIGTERM, state surviving
 * `kill -9`, credentials from the environment, and the exit codes.
 */
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { BuySell, EncodingEnum, OrderStatus, OrderType } from '../../adapters/dtc/enums.ts';
import { MessageType } from '../../adapters/dtc/messageType.ts';
import { startMia, type MiaProcess } from '../fixtures/runMia.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';
import { RawDtcClient } from '../adapters/dtc/rawDtcClient.ts';

const tempHome = useTempHomes('mia-dtc-server-');
const LISTENING = /^dtc-server listening on 127\.0\.0\.1:(\d+)$/m;

/** Starts the server and resolves with its port once it printed the listening line. */
async function serve(args: string[], env: Record<string, string>): Promise<{ mia: MiaProcess; port: number }> {
  const mia = startMia(['dtc-server', '--port', '0', ...args], env);
  const deadline = Date.now() + 15_000;
  for (;;) {
    const m = LISTENING.exec(mia.stdout());
    if (m) return { mia, port: Number(m[1]) };
    if (mia.child.exitCode !== null || Date.now() > deadline) {
      const r = await Promise.race([mia.done, new Promise((res) => setTimeout(res, 100))]);
      throw new Error(`dtc-server did not start: ${JSON.stringify(r)}`);
    }
    await RawDtcClient.pause(25);
  }
}

/** `mia dtc-server ...args` through main() in this process, for runs that end before serving. */
async function inProcess(args: string[], env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  const added = Object.keys(env).filter((k) => !(k in process.env));
  const written: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  Object.assign(process.env, env);
  try {
    return { code: await main(['node', 'mia', 'dtc-server', ...args]), stderr: written.join('') };
  } finally {
    spy.mockRestore();
    for (const k of added) delete process.env[k];
    process.exitCode = undefined;
  }
}

const order = (id: string, extra: Record<string, number | string> = {}) => ({
  Symbol: 'ESZ25', Exchange: 'CME', TradeAccount: 'PAPER1', ClientOrderID: id, OrderType: OrderType.MARKET, BuySell: BuySell.BUY, Quantity: 1, ...extra,
});

describe('mia dtc-server', () => {
  it('prints the real port, checks the password from --password-env, serves a client on the simulated feed, stops with exit 0 on SIGTERM', async () => {
    const home = tempHome();
    const { mia, port } = await serve(['--speed', '40', '--username', 'ops', '--password-env', 'PAPER_PW'], { MIA_HOME: home, PAPER_PW: 'hunter2' });
    const bad = await RawDtcClient.connect(port);
    await bad.negotiate(EncodingEnum.BINARY);
    expect((await bad.logon({ Username: 'ops', Password: 'nope' })).Result).toBe(3);
    bad.close();
    const c = await RawDtcClient.loggedOn(port, EncodingEnum.JSON, { Username: 'ops', Password: 'hunter2' });
    try {
      await RawDtcClient.pause(150); // a few bars
      c.sendNew(MessageType.MARKET_DATA_REQUEST, { RequestAction: 1, SymbolID: 1, Symbol: 'ESZ25', Exchange: 'CME' });
      const snap = await c.take(MessageType.MARKET_DATA_SNAPSHOT);
      expect(snap.LastTradePrice).toBeGreaterThan(0);
      c.sendNew(MessageType.SUBMIT_NEW_SINGLE_ORDER, order('CLI1'));
      const filled = await c.take(MessageType.ORDER_UPDATE, (m) => m.ClientOrderID === 'CLI1' && m.OrderStatus === OrderStatus.FILLED);
      expect(Number.isInteger(filled.LastFillPrice! * 4)).toBe(true);
    } finally {
      c.close();
    }
    mia.child.kill('SIGTERM');
    const r = await mia.done;
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([`dtc-server listening on 127.0.0.1:${port}`]);
  });

  it('--state survives kill -9: the restarted server still has the working order, the position and the fill', async () => {
    const home = tempHome();
    const state = join(home, 'paper.json');
    const first = await serve(['--speed', '50', '--state', state, '--account', 'SIM1', '--balance', '20000'], { MIA_HOME: home });
    const c = await RawDtcClient.loggedOn(first.port);
    c.sendNew(MessageType.SUBMIT_NEW_SINGLE_ORDER, order('BUY', { TradeAccount: 'SIM1' }));
    const fill = await c.take(MessageType.ORDER_UPDATE, (m) => m.ClientOrderID === 'BUY' && m.OrderStatus === OrderStatus.FILLED);
    c.sendNew(MessageType.SUBMIT_NEW_SINGLE_ORDER, order('FAR', { TradeAccount: 'SIM1', OrderType: OrderType.LIMIT, Price1: 100 }));
    await c.take(MessageType.ORDER_UPDATE, (m) => m.ClientOrderID === 'FAR');
    first.mia.child.kill('SIGKILL');
    await first.mia.done;
    c.close();

    const second = await serve(['--feed', 'none', '--state', state, '--account', 'SIM1'], { MIA_HOME: home });
    const d = await RawDtcClient.loggedOn(second.port, EncodingEnum.JSON_COMPACT);
    try {
      d.sendNew(MessageType.OPEN_ORDERS_REQUEST, { RequestID: 1, TradeAccount: 'SIM1' });
      expect(await d.take(MessageType.ORDER_UPDATE, (m) => m.RequestID === 1)).toMatchObject({ ClientOrderID: 'FAR', OrderStatus: OrderStatus.OPEN, Price1: 100 });
      d.sendNew(MessageType.CURRENT_POSITIONS_REQUEST, { RequestID: 2, TradeAccount: 'SIM1' });
      expect(await d.take(MessageType.POSITION_UPDATE, (m) => m.RequestID === 2)).toMatchObject({ Quantity: 1, AveragePrice: fill.LastFillPrice });
      d.sendNew(MessageType.HISTORICAL_ORDER_FILLS_REQUEST, { RequestID: 3, TradeAccount: 'SIM1' });
      expect(await d.take(MessageType.HISTORICAL_ORDER_FILL_RESPONSE, (m) => m.RequestID === 3)).toMatchObject({ UniqueExecutionID: fill.LastFillExecutionID });
      d.sendNew(MessageType.ACCOUNT_BALANCE_REQUEST, { RequestID: 4, TradeAccount: 'SIM1' });
      expect((await d.take(MessageType.ACCOUNT_BALANCE_UPDATE, (m) => m.RequestID === 4)).CashBalance).toBe(20_000 - 2.25);
    } finally {
      d.close();
    }
    second.mia.child.kill('SIGINT');
    expect((await second.mia.done).code).toBe(0);
  });

  it.each<[string, string[], Record<string, string>, RegExp]>([
    ['--password-env without --username', ['--password-env', 'PW'], { PW: 'x' }, /--password-env needs --username/],
    ['an unset password variable', ['--username', 'u', '--password-env', 'MIA_TEST_MISSING_PW'], {}, /MIA_TEST_MISSING_PW is not set/],
    ['a bad port', ['--port', '70000'], {}, /--port must be an integer/],
    ['a bad balance', ['--balance', '-5'], {}, /--balance must be a positive number/],
    ['a repeated account', ['--account', 'A', '--account', 'A'], {}, /--account given twice/],
    ['a bad configuration value', [], { MIA__venue__slippageTicks: '-1' }, /venue\.slippageTicks/],
  ])('exits 2 naming the problem on %s (in process: nothing starts)', async (_name, args, env, message) => {
    const { code, stderr } = await inProcess(['--feed', 'none', '--home', tempHome(), ...args], env);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('exits 1 when the port is taken (in process: it fails before serving)', async () => {
    const blocker = createServer();
    await new Promise<void>((res) => blocker.listen(0, '127.0.0.1', () => res()));
    const port = (blocker.address() as { port: number }).port;
    const { code, stderr } = await inProcess(['--feed', 'none', '--port', String(port), '--home', tempHome()], {});
    blocker.close();
    expect(code).toBe(1);
    expect(stderr).toMatch(/EADDRINUSE/);
  });
});
