/**
 * The crash drill (issue 13), run as an operator would with the shipped commands:
 * `mia dtc-server --state` runs outside MIA; `mia run` reaches it through a recording
 * proxy (drill/recordingProxy.ts) and is killed with SIGKILL again and again, at random
 * moments and right after an order leaves; the server is killed with orders in flight and
 * restarted on its state file. At the end one last `mia run` reconciles and stops on
 * SIGTERM, and `mia journal --json` is compared with the paper server's state:
 *
 * - venue fills: fills the venue holds for the account;
 * - lost: venue fills of orders MIA sent that its journal does not hold;
 * - duplicate: ClientOrderIDs submitted twice, plus executionIds journaled twice;
 * - stale: orders whose journaled final state differs from the venue's;
 * - foreign: venue orders MIA's journal does not know;
 * - seconds unprotected: wall seconds with a position and no working stop at the venue,
 *   from the order updates the proxy saw.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRecordingProxy, type RecordedMessage } from './recordingProxy.ts';

/** The paper server's account, declared paper: the phase policy trades only declared accounts. */
const PAPER_ACCOUNTS = JSON.stringify([{ id: 'PAPER1', kind: 'paper' }]);

const bin = fileURLToPath(new URL('../bin/mia.js', import.meta.url));
const repo = fileURLToPath(new URL('..', import.meta.url));

export interface DrillOptions {
  clientKills: number;
  serverKills: number;
  /** Simulated minutes per real second, for both markets. */
  speed?: number;
  /** Longest wait for a round's kill moment, ms. */
  roundMs?: number;
  random?: () => number;
  say?: (line: string) => void;
}

export interface DrillTable {
  clientKills: number;
  serverKills: number;
  venueFills: number;
  lost: number;
  duplicate: number;
  stale: number;
  foreign: number;
  secondsUnprotected: number;
  ordersSent: number;
}

interface Proc {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
}

function startMia(args: string[], home: string): Proc {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MIA')));
  const child = spawn(process.execPath, [bin, ...args], { cwd: repo, env: { ...env, MIA_HOME: home, MIA__accounts: PAPER_ACCOUNTS }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  return { child, exited, output: () => out };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Resolves at the client's next LOGON_REQUEST through the proxy (or its exit, or 90 s). */
function loggedOn(proxy: { log: RecordedMessage[] }, p: Proc): Promise<void> {
  const from = proxy.log.length;
  return new Promise((resolve) => {
    const deadline = Date.now() + 90_000;
    const poll = setInterval(() => {
      const seen = proxy.log.slice(from).some((m) => m.dir === 'toVenue' && m.msg.Type === 1);
      if (seen || Date.now() > deadline || p.child.exitCode !== null) {
        clearInterval(poll);
        resolve();
      }
    }, 50);
  });
}

const isOrder = (m: RecordedMessage) => m.dir === 'toVenue' && (m.msg.Type === 208 || m.msg.Type === 201);

export async function runCrashDrill(o: DrillOptions): Promise<DrillTable> {
  const random = o.random ?? Math.random;
  const say = o.say ?? (() => {});
  const speed = o.speed ?? 300;
  const roundMs = o.roundMs ?? 8000;
  const dir = mkdtempSync(join(tmpdir(), 'mia-drill-'));
  const home = join(dir, 'home');
  const serverHome = join(dir, 'server');
  const stateFile = join(dir, 'paper-state.json');
  const venuePort = await freePort();
  const startServer = async () => {
    const p = startMia(['dtc-server', '--port', String(venuePort), '--state', stateFile, '--speed', String(speed), '--encoding-any'], serverHome);
    const deadline = Date.now() + 30_000;
    while (!p.output().includes('listening') && Date.now() < deadline) await sleep(50);
    if (!p.output().includes('listening')) throw new Error(`dtc-server did not start: ${p.output()}`);
    return p;
  };
  let server = await startServer();
  const proxy = await startRecordingProxy(venuePort);
  const runArgs = ['run', '--feed', 'simulated', '--speed', String(speed), '--dtc-host', '127.0.0.1', '--dtc-port', String(proxy.port), '--dtc-encoding', 'json', '--dtc-account', 'PAPER1'];
  let serverKills = 0;
  try {
    const rounds = Math.max(o.clientKills, o.serverKills);
    for (let round = 0; round < rounds; round++) {
      const client = startMia(runArgs, home);
      // Kill moments count from the logon (starting a process costs seconds on a busy machine).
      await loggedOn(proxy, client);
      const killClient = round < o.clientKills;
      const killServer = round < o.serverKills;
      // Odd rounds kill right after an order leaves; even ones at a random moment.
      const afterOrder = round % 2 === 1 || killServer;
      const moment = await new Promise<string>((resolve) => {
        const timer = setTimeout(() => resolve('timeout'), afterOrder ? roundMs * 2 : 1000 + random() * roundMs);
        if (afterOrder) {
          proxy.onMessage = (m) => {
            if (!isOrder(m)) return;
            clearTimeout(timer);
            resolve('order');
          };
        }
      });
      proxy.onMessage = null;
      if (killServer) {
        server.child.kill('SIGKILL');
        await server.exited;
        serverKills++;
        say(`round ${round + 1}: dtc-server killed (${moment === 'order' ? 'order in flight' : 'no order seen'})`);
        await sleep(300);
        server = await startServer();
      }
      if (killClient) {
        client.child.kill('SIGKILL');
        say(`round ${round + 1}: mia run killed (${moment === 'order' ? 'right after an order left' : afterOrder ? 'no order left in time: killed at the deadline' : 'random moment'})`);
      } else {
        await sleep(2000);
        client.child.kill('SIGTERM');
      }
      await client.exited;
    }
    // One last run reconciles with the venue, then stops cleanly.
    const last = startMia(runArgs, home);
    await loggedOn(proxy, last);
    await sleep(Math.min(roundMs, 6000));
    last.child.kill('SIGTERM');
    const end = await last.exited;
    say(`final run exited ${end.code ?? end.signal}`);
    server.child.kill('SIGTERM');
    await server.exited;

    const exported = startMia(['journal', '--json'], home);
    await exported.exited;
    const journal = JSON.parse(exported.output().slice(exported.output().indexOf('{'))) as {
      orders: Array<{ clientOrderId: string; status: string; filledQty: number }>;
      fills: Array<{ executionId: string; clientOrderId: string }>;
    };
    const venue = JSON.parse(readFileSync(stateFile, 'utf8')) as {
      orders: Array<{ clientOrderId: string; status: string; account: string }>;
      fills: Array<{ executionId: string; clientOrderId: string; account: string }>;
    };
    return { ...compare(journal, venue, proxy.log), clientKills: o.clientKills, serverKills };
  } finally {
    server.child.kill('SIGKILL');
    await proxy.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const finalStatus: Record<string, string> = { filled: 'filled', canceled: 'canceled', cancelled: 'canceled', rejected: 'rejected', expired: 'expired' };

export function compare(
  journal: { orders: Array<{ clientOrderId: string; status: string }>; fills: Array<{ executionId: string; clientOrderId: string }> },
  venue: { orders: Array<{ clientOrderId: string; status: string; account: string }>; fills: Array<{ executionId: string; clientOrderId: string; account: string }> },
  log: readonly RecordedMessage[],
): Omit<DrillTable, 'clientKills' | 'serverKills'> {
  const sentIds: string[] = [];
  for (const m of log) {
    if (m.dir !== 'toVenue') continue;
    if (m.msg.Type === 208) sentIds.push(String(m.msg.ClientOrderID));
    if (m.msg.Type === 201) sentIds.push(String(m.msg.ClientOrderID_1), String(m.msg.ClientOrderID_2));
  }
  const sent = new Set(sentIds);
  const journaledOrders = new Map(journal.orders.map((x) => [x.clientOrderId, x]));
  const journaledFills = new Set(journal.fills.map((f) => f.executionId));
  const venueFills = venue.fills.filter((f) => f.account === 'PAPER1');
  const lost = venueFills.filter((f) => sent.has(f.clientOrderId) && !journaledFills.has(f.executionId)).length;
  const duplicate = sentIds.length - sent.size + (journal.fills.length - journaledFills.size);
  let stale = 0;
  let foreign = 0;
  for (const v of venue.orders) {
    const j = journaledOrders.get(v.clientOrderId);
    if (!j) {
      foreign++;
      continue;
    }
    const vs = finalStatus[v.status];
    const js = finalStatus[j.status] ?? j.status;
    if (vs !== undefined && vs !== js) stale++;
  }
  return { venueFills: venueFills.length, lost, duplicate, stale, foreign, secondsUnprotected: unprotectedSeconds(log), ordersSent: sent.size };
}

/** Wall seconds with a position at the venue and no working stop, from the order updates seen. */
export function unprotectedSeconds(log: readonly RecordedMessage[]): number {
  let position = 0;
  const stops = new Map<string, boolean>();
  const seenExec = new Set<string>();
  let since: number | null = null;
  let total = 0;
  for (const m of log) {
    if (m.dir !== 'toClient' || m.msg.Type !== 301) continue;
    const u = m.msg as Record<string, number | string | undefined>;
    const exec = String(u.LastFillExecutionID ?? '');
    if ((u.OrderUpdateReason === 4 || u.OrderUpdateReason === 5) && exec !== '' && !seenExec.has(exec)) {
      seenExec.add(exec);
      const qty = Number(u.LastFillQuantity ?? 0);
      position += u.BuySell === 1 ? qty : -qty;
    }
    if (u.OrderType === 3 || u.OrderType === 4) {
      const working = [1, 2, 3, 4, 5, 6, 10].includes(Number(u.OrderStatus));
      stops.set(String(u.ClientOrderID ?? u.ServerOrderID), working);
    }
    const protectedNow = position === 0 || [...stops.values()].some(Boolean);
    if (!protectedNow && since === null) since = m.t;
    if (protectedNow && since !== null) {
      total += m.t - since;
      since = null;
    }
  }
  if (since !== null && log.length > 0) total += log[log.length - 1]!.t - since;
  return Math.round(total / 100) / 10;
}

export function formatTable(t: DrillTable): string {
  const rows: Array<[string, number]> = [
    ['client kills', t.clientKills],
    ['server kills', t.serverKills],
    ['orders sent', t.ordersSent],
    ['venue fills', t.venueFills],
    ['lost', t.lost],
    ['duplicate', t.duplicate],
    ['stale', t.stale],
    ['foreign', t.foreign],
    ['seconds unprotected', t.secondsUnprotected],
  ];
  return rows.map(([k, v]) => `${k.padEnd(20)} ${v}`).join('\n');
}
