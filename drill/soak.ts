/**
 * The soak (`npm run drill -- --soak-months M`): M simulated months of paper trading at full
 * speed, `mia run --feed simulated --speed max` against the paper DTC server over loopback
 * (the embedded one: `mia run` without `--dtc-host` starts the same server `mia dtc-server`
 * runs, fed by MIA's own market, so fills and marks come from one market; an external
 * `mia dtc-server` runs its own, unrelated, simulated market on its own clock, which at full
 * speed would race ahead of MIA's). One process for the whole run, so that a leak shows.
 *
 * Every few seconds: the process's RSS (/proc), `mia status --json` (simulated time, bars,
 * orders, fills, risk) and the bytes under state/ (ledger, snapshots, audit) and logs/.
 * When risk latches limited or killed, the soak resumes it as an operator would (counted);
 * the P&L kills are lifted (see the env below).
 * Printed by simulated week: RSS, wall seconds per simulated day, disk, orders, fills.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/mia.js', import.meta.url));
const repo = fileURLToPath(new URL('..', import.meta.url));
const PAPER_ACCOUNTS = JSON.stringify([{ id: 'PAPER1', kind: 'paper' }]);
/** The simulated feed's bars per calendar day (it skips the CME closes and weekends). */
const BARS_PER_DAY = 1083;
const DAY_MS = 86_400_000;

export interface SoakOptions {
  months: number;
  /** Sampling period, ms. */
  sampleMs?: number;
  say?: (line: string) => void;
}

export interface SoakWeek {
  week: number;
  /** Simulated date the week's last sample was taken at. */
  simDate: string;
  rssMb: number;
  wallSecondsPerSimDay: number;
  stateKb: number;
  logsKb: number;
  orders: number;
  fills: number;
}

export interface SoakResult {
  months: number;
  bars: number;
  wallSeconds: number;
  simDays: number;
  exit: string;
  resumes: number;
  resumeReasons: Record<string, number>;
  weeks: SoakWeek[];
  summary: string;
}

interface Sample {
  wall: number;
  sim: number;
  bars: number;
  rss: number;
  state: number;
  logs: number;
  orders: number;
  fills: number;
}

function bytesUnder(dir: string): number {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((f) => f.isFile())
      .reduce((a, f) => a + statSync(join(f.parentPath, f.name)).size, 0);
  } catch {
    return 0;
  }
}

function rssBytes(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

function runMia(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr!.resume();
    child.once('exit', () => resolve(out));
  });
}

export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const say = o.say ?? (() => {});
  const sampleMs = o.sampleMs ?? 3_000;
  const home = mkdtempSync(join(tmpdir(), 'mia-soak-'));
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MIA')));
  // The P&L kills latch for good on a losing simulated strategy (the trailing drawdown's peak
  // never comes back) and would end the trading a soak is there to exercise: lifted, as in
  // the crash drill; every other limit keeps its default and is resumed when it latches.
  const env = { ...base, MIA_HOME: home, MIA__accounts: PAPER_ACCOUNTS, MIA__risk__dailyLossLimit: '100000000', MIA__risk__trailingDrawdown: '100000000' };
  const bars = Math.ceil(o.months * 30.44 * BARS_PER_DAY);
  const samples: Sample[] = [];
  let resumes = 0;
  const resumeReasons: Record<string, number> = {};
  const started = Date.now();
  const mia = spawn(process.execPath, [bin, 'run', '--feed', 'simulated', '--speed', 'max', '--max-bars', String(bars), '--dtc-account', 'PAPER1'], {
    cwd: repo,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  mia.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  mia.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) => mia.once('exit', (code, signal) => r({ code, signal })));
  let running = true;
  void exited.then(() => (running = false));
  try {
    while (running) {
      await new Promise((r) => setTimeout(r, sampleMs));
      if (!running) break;
      const rss = rssBytes(mia.pid!);
      const text = await runMia(['status', '--json'], env);
      let status: { session?: { time: string | null; bars: number; ordersSent: number; fills: number }; risk?: { state: string; reasons: string[]; killReason: string | null } } | undefined;
      try {
        status = (JSON.parse(text.slice(text.indexOf('{'))) as { data?: typeof status }).data;
      } catch {
        status = undefined;
      }
      if (!status?.session?.time) continue;
      const s: Sample = {
        wall: Date.now() - started,
        sim: Date.parse(status.session.time),
        bars: status.session.bars,
        rss,
        state: bytesUnder(join(home, 'state')),
        logs: bytesUnder(join(home, 'logs')),
        orders: status.session.ordersSent,
        fills: status.session.fills,
      };
      samples.push(s);
      const risk = status.risk;
      if (risk && (risk.state === 'limited' || risk.state === 'killed')) {
        const why = risk.state === 'killed' ? `killed: ${(risk.killReason ?? 'unknown').replace(/[\d.$,]+/g, '#')}` : `limited: ${risk.reasons.join('+')}`;
        await runMia(['resume', '--reason', `soak operator: ${why}`], env);
        resumes++;
        resumeReasons[why] = (resumeReasons[why] ?? 0) + 1;
      }
      if (samples.length % 10 === 0) say(`soak: ${new Date(s.sim).toISOString().slice(0, 10)}, ${s.bars} bars, rss ${(s.rss / 2 ** 20).toFixed(0)} MB, state ${(s.state / 1024).toFixed(0)} KB, ${Math.round(s.wall / 1000)} s`);
    }
    const end = await exited;
    const wallSeconds = (Date.now() - started) / 1000;
    const weeks = byWeek(samples);
    const first = samples[0];
    const last = samples.at(-1);
    const simDays = first && last ? (last.sim - first.sim) / DAY_MS : 0;
    return {
      months: o.months,
      bars,
      wallSeconds: Math.round(wallSeconds),
      simDays: Math.round(simDays * 10) / 10,
      exit: String(end.code ?? end.signal),
      resumes,
      resumeReasons,
      weeks,
      summary: out.slice(out.lastIndexOf('MIA session')).trim(),
    };
  } finally {
    if (running) mia.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  }
}

/** One row per simulated week (from the first sample): its last sample, its peak RSS, its pace. */
export function byWeek(samples: readonly Sample[]): SoakWeek[] {
  const first = samples[0];
  if (!first) return [];
  const groups = new Map<number, Sample[]>();
  for (const s of samples) {
    const w = Math.floor((s.sim - first.sim) / (7 * DAY_MS)) + 1;
    groups.set(w, [...(groups.get(w) ?? []), s]);
  }
  const rows: SoakWeek[] = [];
  let prev: Sample = first;
  for (const [week, g] of [...groups.entries()].sort((a, b) => a[0] - b[0])) {
    const last = g.at(-1)!;
    const simDays = (last.sim - prev.sim) / DAY_MS;
    rows.push({
      week,
      simDate: new Date(last.sim).toISOString().slice(0, 10),
      rssMb: Math.round(Math.max(...g.map((s) => s.rss)) / 2 ** 20),
      wallSecondsPerSimDay: simDays > 0 ? Math.round(((last.wall - prev.wall) / 1000 / simDays) * 100) / 100 : 0,
      stateKb: Math.round(last.state / 1024),
      logsKb: Math.round(last.logs / 1024),
      orders: last.orders,
      fills: last.fills,
    });
    prev = last;
  }
  return rows;
}

export function formatSoak(r: SoakResult): string {
  const head = ['week', 'sim date', 'RSS MB', 'wall s/sim day', 'state KB', 'logs KB', 'orders', 'fills'];
  const rows = r.weeks.map((w) => [w.week, w.simDate, w.rssMb, w.wallSecondsPerSimDay, w.stateKb, w.logsKb, w.orders, w.fills].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  return [
    `${r.months} simulated month(s): ${r.bars} bars asked, ${r.simDays} simulated days sampled in ${r.wallSeconds} s wall, mia run exited ${r.exit}`,
    `operator resumes: ${r.resumes}${Object.keys(r.resumeReasons).length ? ` (${Object.entries(r.resumeReasons).map(([k, v]) => `${k}: ${v}`).join('; ')})` : ''}`,
    line(head),
    ...rows.map(line),
    '',
    r.summary,
  ].join('\n');
}
