/**
 * The malicious-server drill: a DTC server (JSON encoding) that logs MIA on, answers its
 * reconciliation with nothing, then reports fills for ClientOrderIDs MIA never sent,
 * floods it with frames of unknown types and prints terminal escapes in its texts.
 * `mia run` goes through it for a while and is stopped with SIGTERM; the drill reports
 * what reached MIA's journal and how much log the flood cost.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The paper server's account, declared paper: the phase policy trades only declared accounts. */
const PAPER_ACCOUNTS = JSON.stringify([{ id: 'PAPER1', kind: 'paper' }]);

const bin = fileURLToPath(new URL('../bin/mia.js', import.meta.url));
const repo = fileURLToPath(new URL('..', import.meta.url));
const ENCODING_JSON = Buffer.from([0x10, 0, 7, 0, 8, 0, 0, 0, 2, 0, 0, 0, 0x44, 0x54, 0x43, 0]);

export interface MaliciousResult {
  foreignFillsSent: number;
  foreignFillsJournaledAsMia: number;
  junkFramesSent: number;
  logBytes: number;
  miaExit: string;
}

function evilSession(s: Socket, counts: { foreign: number; junk: number; logons: number }, junkFrames: number): void {
  let skip = 16;
  let buf = '';
  const send = (o: object) => s.write(`${JSON.stringify(o)}\0`);
  s.on('error', () => {});
  s.on('data', (chunk: Buffer) => {
    let data = chunk;
    if (skip > 0) {
      const n = Math.min(skip, data.length);
      skip -= n;
      data = data.subarray(n);
      if (skip === 0) s.write(ENCODING_JSON);
    }
    buf += data.toString('latin1');
    let at: number;
    while ((at = buf.indexOf('\0')) >= 0) {
      const m = JSON.parse(buf.slice(0, at)) as { Type: number; RequestID?: number };
      buf = buf.slice(at + 1);
      const id = m.RequestID ?? 0;
      if (m.Type === 1) {
        counts.logons++;
        send({ Type: 2, ProtocolVersion: 8, Result: 1, ResultText: 'welcome\u001b[2J\u001b[31m', ServerName: 'evil\u0007', TradingIsSupported: 1, OCOOrdersSupported: 1 });
        setTimeout(() => attack(), 1500);
      } else if (m.Type === 3) send({ Type: 3, NumDroppedMessages: 0, CurrentDateTime: Math.floor(Date.now() / 1000) });
      else if (m.Type === 400) send({ Type: 401, TotalNumberMessages: 1, MessageNumber: 1, TradeAccount: 'PAPER1', RequestID: id });
      else if (m.Type === 300) send({ Type: 301, RequestID: id, TotalNumMessages: 1, MessageNumber: 1, NoOrders: 1 });
      else if (m.Type === 305) send({ Type: 306, RequestID: id, TotalNumberMessages: 1, MessageNumber: 1, NoPositions: 1 });
      else if (m.Type === 303) send({ Type: 304, RequestID: id, TotalNumberMessages: 1, MessageNumber: 1, NoOrderFills: 1 });
      else if (m.Type === 601) send({ Type: 600, RequestID: id, TotalNumberMessages: 1, MessageNumber: 1, TradeAccount: 'PAPER1', CashBalance: 100000, BalanceAvailableForNewPositions: 100000 });
    }
  });
  const attack = () => {
    if (s.destroyed) return;
    for (let i = 1; i <= 3; i++) {
      counts.foreign++;
      send({
        Type: 301, RequestID: 0, TotalNumMessages: 1, MessageNumber: 1, Symbol: 'ESZ25', Exchange: 'CME', ServerOrderID: `EVIL-S${i}`, ClientOrderID: `EVIL-${i}`,
        OrderStatus: 7, OrderUpdateReason: 4, OrderType: 1, BuySell: 1, OrderQuantity: 1, FilledQuantity: 1, RemainingQuantity: 0, AverageFillPrice: 5000,
        LastFillPrice: 5000, LastFillQuantity: 1, LastFillDateTime: Date.now(), LastFillExecutionID: `EVIL-X${i}`, TradeAccount: 'PAPER1', InfoText: 'yours\u001b]0;pwned\u0007',
      });
    }
    const junk = Buffer.from(`${JSON.stringify({ Type: 9999 })}\0`);
    for (let i = 0; i < junkFrames; i++) s.write(junk);
    counts.junk += junkFrames;
  };
}

export async function runMaliciousDrill({ junkFrames = 50_000, runMs = 8000, say = (_: string) => {} }: { junkFrames?: number; runMs?: number; say?: (l: string) => void } = {}): Promise<MaliciousResult> {
  const dir = mkdtempSync(join(tmpdir(), 'mia-evil-'));
  const counts = { foreign: 0, junk: 0, logons: 0 };
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    evilSession(s, counts, junkFrames);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MIA')));
  try {
    const run = (args: string[]) => spawn(process.execPath, [bin, ...args], { cwd: repo, env: { ...env, MIA_HOME: dir, MIA__accounts: PAPER_ACCOUNTS }, stdio: ['ignore', 'pipe', 'pipe'] });
    const mia = run(['run', '--feed', 'simulated', '--speed', '300', '--dtc-host', '127.0.0.1', '--dtc-port', String(port), '--dtc-encoding', 'json', '--dtc-account', 'PAPER1']);
    mia.stdout!.resume();
    mia.stderr!.resume();
    const exited = new Promise<{ code: number | null; signal: string | null }>((r) => mia.once('exit', (code, signal) => r({ code, signal })));
    // From the logon on (starting a process costs seconds on a busy machine).
    const deadline = Date.now() + 90_000;
    while (counts.logons === 0 && mia.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, runMs));
    mia.kill('SIGTERM');
    const end = await Promise.race([exited, new Promise<{ code: null; signal: string }>((r) => setTimeout(() => r({ code: null, signal: 'hung (killed)' }), 20_000))]);
    mia.kill('SIGKILL');
    say(`mia run against the malicious server: ${end.code ?? end.signal}`);
    const journal = run(['journal', '--json']);
    let out = '';
    journal.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    journal.stderr!.resume();
    await new Promise((r) => journal.once('exit', r));
    const fills = (JSON.parse(out) as { fills: Array<{ clientOrderId: string }> }).fills;
    const logs = join(dir, 'logs');
    const logBytes = readdirSync(logs, { recursive: true, withFileTypes: true })
      .filter((f) => f.isFile())
      .reduce((a, f) => a + statSync(join(f.parentPath, f.name)).size, 0);
    return {
      foreignFillsSent: counts.foreign,
      foreignFillsJournaledAsMia: fills.filter((f) => f.clientOrderId.startsWith('EVIL-')).length,
      junkFramesSent: counts.junk,
      logBytes,
      miaExit: String(end.code ?? end.signal),
    };
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  }
}
