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
 * - unprotected: episodes with a position and no working stop at the venue (from the
 *   traffic the proxy saw), split into those while MIA had a logged-on link (what
 *   `risk.unprotectedMaxMs` governs) and those while it had none (MIA killed, or the venue
 *   down: the exposure a crash causes before a restart); count, longest, and over 5 s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  /** Writes the proxy's recorded traffic there (JSON lines) for analysis. */
  logFile?: string;
  /** Leaves the drill's directory (MIA's home, the venue's state) in place. */
  keep?: boolean;
}

export interface DrillTable {
  clientKills: number;
  serverKills: number;
  venueFills: number;
  lost: number;
  duplicate: number;
  stale: number;
  foreign: number;
  /** Episodes with a position and no working stop, wall seconds, against a 5 s limit. */
  unprotected: UnprotectedMeasure;
  ordersSent: number;
  /** Times the drill, as an operator, resumed a limited or killed risk machine, and why it was. */
  resumes: number;
  resumeReasons: Record<string, number>;
  /** Times MIA's own watch (`risk.unprotectedMaxMs`) flattened a position, from its audit trail. */
  watchFlattens: number;
}

function readAudit(home: string): Array<{ action: string; detail: string }> {
  try {
    return readFileSync(join(home, 'state', 'audit.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as { action: string; args?: { detail?: string } })
      .map((a) => ({ action: a.action, detail: String(a.args?.detail ?? '') }));
  } catch {
    return [];
  }
}

interface Proc {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
}

/**
 * The drill's risk settings, and why. MIA's simulated feed and the paper server's market are
 * two unrelated simulated markets (MIA marks its position with its own feed's prices while
 * fills come at the server's), and every `mia run` replays its feed from the same start, so
 * the same trading day over and over: the P&L kills (daily loss, trailing drawdown) and
 * the trades-per-day cap would stop the drill for reasons that are artifacts of that. They
 * are lifted. The drill compresses time (`speed` simulated minutes per wall second), so
 * `unprotectedMaxMs`, in event time, is scaled to mean 5 wall seconds, what the drill
 * measures. Everything else keeps its default, and what latches is resumed as an operator
 * would (operatorCheck), counted in the table.
 */
export function drillRiskEnv(speed: number): Record<string, string> {
  return {
    MIA__risk__dailyLossLimit: '100000000',
    MIA__risk__trailingDrawdown: '100000000',
    MIA__risk__maxTradesPerDay: '1000000',
    MIA__risk__unprotectedMaxMs: String(Math.round(UNPROTECTED_LIMIT_MS * 60 * speed)),
  };
}

/** The drill's limit on a position without a working stop, wall ms. */
export const UNPROTECTED_LIMIT_MS = 5_000;

let extraEnv: Record<string, string> = {};

function startMia(args: string[], home: string): Proc {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MIA')));
  const child = spawn(process.execPath, [bin, ...args], { cwd: repo, env: { ...env, ...extraEnv, MIA_HOME: home, MIA__accounts: PAPER_ACCOUNTS }, stdio: ['ignore', 'pipe', 'pipe'] });
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

/**
 * What an operator does when MIA stops trading: `mia status --json` says why risk is
 * limited or killed, and `mia resume --reason` lifts it (a latched kill or limit stays
 * across restarts, so a drill that never resumes stops trading after its first one).
 * Waits, bounded, for the reconciliation after logon first. Returns the reason resumed, or null.
 */
async function operatorCheck(home: string, running: Proc): Promise<string | null> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && running.child.exitCode === null) {
    const status = startMia(['status', '--json'], home);
    await status.exited;
    let risk: { state: string; reasons: string[]; killReason: string | null } | undefined;
    try {
      const out = status.output();
      risk = (JSON.parse(out.slice(out.indexOf('{'))) as { data?: { risk?: typeof risk } }).data?.risk;
    } catch {
      risk = undefined;
    }
    if (!risk || risk.state === 'reconciling') {
      await sleep(500);
      continue;
    }
    if (risk.state !== 'limited' && risk.state !== 'killed') return null;
    const why = risk.state === 'killed' ? `killed: ${(risk.killReason ?? 'unknown').replace(/[\d.$,]+/g, '#')}` : `limited: ${risk.reasons.join('+')}`;
    const resume = startMia(['resume', '--reason', `drill operator: ${why}`], home);
    await resume.exited;
    return why;
  }
  return null;
}

const isOrder = (m: RecordedMessage) => m.dir === 'toVenue' && (m.msg.Type === 208 || m.msg.Type === 201);

export async function runCrashDrill(o: DrillOptions): Promise<DrillTable> {
  const random = o.random ?? Math.random;
  const say = o.say ?? (() => {});
  const speed = o.speed ?? 300;
  const roundMs = o.roundMs ?? 8000;
  extraEnv = drillRiskEnv(speed);
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
  let resumes = 0;
  const resumeReasons: Record<string, number> = {};
  const operate = async (p: Proc) => {
    const why = await operatorCheck(home, p);
    if (why === null) return;
    resumes++;
    resumeReasons[why] = (resumeReasons[why] ?? 0) + 1;
    say(`operator: resumed (${why})`);
  };
  try {
    const rounds = Math.max(o.clientKills, o.serverKills);
    for (let round = 0; round < rounds; round++) {
      const client = startMia(runArgs, home);
      // Kill moments count from the logon (starting a process costs seconds on a busy machine).
      await loggedOn(proxy, client);
      await operate(client);
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
    const watchAlerts = readAudit(home).filter((a) => a.action === 'unprotected-position');
    for (const a of watchAlerts) say(`watch: ${a.detail}`);
    for (const line of explain(journal, venue, proxy.log)) say(line);
    return { ...compare(journal, venue, proxy.log), clientKills: o.clientKills, serverKills, resumes, resumeReasons, watchFlattens: watchAlerts.length };
  } finally {
    if (o.logFile) writeFileSync(o.logFile, proxy.log.map((m) => JSON.stringify(m)).join('\n') + '\n');
    server.child.kill('SIGKILL');
    await proxy.close();
    if (o.keep) say(`kept: ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

const finalStatus: Record<string, string> = { filled: 'filled', canceled: 'canceled', cancelled: 'canceled', rejected: 'rejected', expired: 'expired' };

export function compare(
  journal: { orders: Array<{ clientOrderId: string; status: string }>; fills: Array<{ executionId: string; clientOrderId: string }> },
  venue: { orders: Array<{ clientOrderId: string; status: string; account: string }>; fills: Array<{ executionId: string; clientOrderId: string; account: string }> },
  log: readonly RecordedMessage[],
): Omit<DrillTable, 'clientKills' | 'serverKills' | 'resumes' | 'resumeReasons' | 'watchFlattens'> {
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
  return { venueFills: venueFills.length, lost, duplicate, stale, foreign, unprotected: unprotectedEpisodes(log, UNPROTECTED_LIMIT_MS), ordersSent: sent.size };
}

/** One line per lost fill and stale order: what the journal says against the venue. */
export function explain(
  journal: { orders: Array<{ clientOrderId: string; status: string; filledQty?: number }>; fills: Array<{ executionId: string; clientOrderId: string }> },
  venue: { orders: Array<{ clientOrderId: string; status: string; account: string }>; fills: Array<{ executionId: string; clientOrderId: string; account: string }> },
  log: readonly RecordedMessage[],
): string[] {
  const lines: string[] = [];
  const sent = new Set<string>();
  for (const m of log) {
    if (m.dir !== 'toVenue') continue;
    if (m.msg.Type === 208) sent.add(String(m.msg.ClientOrderID));
    if (m.msg.Type === 201) [m.msg.ClientOrderID_1, m.msg.ClientOrderID_2].forEach((c) => sent.add(String(c)));
  }
  const orders = new Map(journal.orders.map((x) => [x.clientOrderId, x]));
  const fills = new Set(journal.fills.map((f) => f.executionId));
  for (const f of venue.fills) if (f.account === 'PAPER1' && sent.has(f.clientOrderId) && !fills.has(f.executionId)) lines.push(`lost fill ${f.executionId} of ${f.clientOrderId} (journal: ${orders.get(f.clientOrderId)?.status ?? 'no order'})`);
  for (const v of venue.orders) {
    const j = orders.get(v.clientOrderId);
    const vs = finalStatus[v.status];
    if (j && vs !== undefined && vs !== (finalStatus[j.status] ?? j.status)) lines.push(`stale ${v.clientOrderId}: venue ${v.status}, journal ${j.status} (filled ${j.filledQty ?? '?'})`);
  }
  return lines;
}

/** Exposure without a working stop, split by whether MIA had a logged-on link to the venue. */
export interface UnprotectedMeasure {
  /** Episodes (maximal stretches) with a position and no working stop while a link was logged on. */
  connected: EpisodeStats;
  /** The same while no link was up: MIA killed and not yet back, or the venue down. */
  down: EpisodeStats;
}

export interface EpisodeStats {
  episodes: number;
  /** Longest episode, wall seconds (0.1 s resolution). */
  maxSeconds: number;
  /** Episodes longer than the limit. */
  overLimit: number;
  totalSeconds: number;
}

const WORKING = new Set([1, 2, 3, 4, 5, 6, 10]);

/**
 * Stretches with a position at the venue and no working stop on its closing side, from
 * the traffic the proxy saw, split where MIA's link to the venue went up or down:
 *
 * - position: fills of order updates (each execution once), reset to the venue's
 *   POSITION_UPDATE when one arrives (it also covers fills made while MIA was away, which
 *   reach MIA only as history);
 * - stops: stop orders by ServerOrderID (the venue's id; the ClientOrderID only when the
 *   venue gave none), working or not per their latest update; each connection's first
 *   open-orders answer replaces the set (an OCO leg cancelled, or a stop filled, while
 *   MIA was away is absent from it);
 * - connected: from a LOGON_RESPONSE on a client connection until that connection closes.
 */
export function unprotectedEpisodes(log: readonly RecordedMessage[], limitMs = 5_000): UnprotectedMeasure {
  let position = 0;
  const stops = new Map<string, { working: boolean; side: number }>();
  const seenExec = new Set<string>();
  const refreshed = new Set<number>();
  const up = new Set<number>();
  const stats = () => ({ episodes: 0, maxSeconds: 0, overLimit: 0, totalSeconds: 0, maxMs: 0, totalMs: 0 });
  const acc = { connected: stats(), down: stats() };
  let open: { since: number; connected: boolean } | null = null;
  const close = (t: number) => {
    if (!open) return;
    const a = acc[open.connected ? 'connected' : 'down'];
    const ms = t - open.since;
    a.episodes++;
    a.totalMs += ms;
    a.maxMs = Math.max(a.maxMs, ms);
    if (ms > limitMs) a.overLimit++;
    open = null;
  };
  for (const m of log) {
    const u = m.msg as Record<string, number | string | undefined>;
    if (m.dir === 'link' && u.Type === 'closed') up.delete(m.conn);
    if (m.dir === 'toClient' && u.Type === 2 && Number(u.Result ?? 1) === 1) up.add(m.conn);
    if (m.dir === 'toClient' && u.Type === 306 && Number(u.NoPositions ?? 0) !== 1) position = Number(u.Quantity ?? 0);
    if (m.dir === 'toClient' && u.Type === 306 && Number(u.NoPositions ?? 0) === 1) position = 0;
    if (m.dir === 'toClient' && u.Type === 304 && u.UniqueExecutionID) seenExec.add(String(u.UniqueExecutionID));
    if (m.dir === 'toClient' && u.Type === 301) {
      if (Number(u.RequestID ?? 0) !== 0 && !refreshed.has(m.conn)) {
        refreshed.add(m.conn);
        stops.clear();
      }
      const exec = String(u.LastFillExecutionID ?? '');
      if ((u.OrderUpdateReason === 4 || u.OrderUpdateReason === 5) && exec !== '' && !seenExec.has(exec)) {
        seenExec.add(exec);
        const qty = Number(u.LastFillQuantity ?? 0);
        position += u.BuySell === 1 ? qty : -qty;
      }
      if (u.OrderType === 3 || u.OrderType === 4) {
        const key = String(u.ServerOrderID || u.ClientOrderID || '');
        if (key !== '') stops.set(key, { working: WORKING.has(Number(u.OrderStatus)), side: Number(u.BuySell) });
      }
    }
    const closingSide = position > 0 ? 2 : 1;
    const unprotectedNow = position !== 0 && ![...stops.values()].some((s) => s.working && s.side === closingSide);
    const connected = up.size > 0;
    if (open && (!unprotectedNow || open.connected !== connected)) close(m.t);
    if (unprotectedNow && !open) open = { since: m.t, connected };
  }
  if (log.length > 0) close(log[log.length - 1]!.t);
  const round = (ms: number) => Math.round(ms / 100) / 10;
  const out = (a: ReturnType<typeof stats>): EpisodeStats => ({ episodes: a.episodes, maxSeconds: round(a.maxMs), overLimit: a.overLimit, totalSeconds: round(a.totalMs) });
  return { connected: out(acc.connected), down: out(acc.down) };
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
    ['unprotected while connected: episodes', t.unprotected.connected.episodes],
    ['  longest (s)', t.unprotected.connected.maxSeconds],
    ['  over 5 s', t.unprotected.connected.overLimit],
    ['unprotected while down: episodes', t.unprotected.down.episodes],
    ['  longest (s)', t.unprotected.down.maxSeconds],
    ['  over 5 s', t.unprotected.down.overLimit],
    ['watch flattens (MIA alerts)', t.watchFlattens],
    ['operator resumes', t.resumes],
  ];
  const reasons = Object.entries(t.resumeReasons).map(([k, v]) => `  ${k}: ${v}`);
  return [...rows.map(([k, v]) => `${k.padEnd(38)} ${v}`), ...(reasons.length > 0 ? ['resumed because', ...reasons] : [])].join('\n');
}
