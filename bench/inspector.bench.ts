/**
 * The inspector's cost (issue 7's benchmark): sustained orchestrator state events per
 * second (XState `@xstate.event` inspection events whose target is the root orchestrator,
 * per second of wall time) of a session on the simulated market at speed max, in process
 * (simulated venue), with the inspector attached (bridge + server on 127.0.0.1) and a
 * headless Chromium showing the page, against the same run without the inspector. Also the
 * inspector attached with no browser, to tell the bridge's cost from the pushes'.
 *
 * A session at speed max spends most of its time in the strategy (bars never go through
 * XState), so the session figures mostly show that the inspector stays out of the way. To
 * put a number on the hook itself, the inspection events of one run are recorded and
 * replayed into a fresh bridge: nanoseconds per inspection event, and the cost of one
 * view (what a push to a client serialises).
 *
 * Every configuration counts with the same one-line hook, runs the same seeded session in
 * a fresh home, and is repeated; the best run of each is reported (the least disturbed by
 * other processes on the machine). Wall time, not CPU time: the pushes to the browser
 * are part of the cost. Run: `node --import tsx bench/inspector.bench.ts`.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InspectionEvent } from 'xstate';
import { chromium, type Browser, type Page } from 'playwright-core';
import { configSchema } from '../config/schema.ts';
import { systemClock } from '../core/clock.ts';
import { openStateStore } from '../adapters/store/stateStore.ts';
import { silentLogger } from '../adapters/log/logger.ts';
import { startSession } from '../session/session.ts';
import { createInspectorBridge } from '../operator/inspectorBridge.ts';
import { startInspectorServer } from '../adapters/inspector/inspectorServer.ts';
import { inspectorPage } from '../adapters/inspector/inspectorPage.ts';

const BARS = 2_000;
const RUNS = 3;
const CHROMIUM = '/usr/bin/chromium';

// Loss limits out of reach so that the session trades (and the machines move) to the end.
const config = configSchema.parse({
  feed: { kind: 'simulated', maxBars: BARS, speed: 'max', seed: 7 },
  venue: { kind: 'simulated' },
  risk: { dailyLossLimit: 1e9, trailingDrawdown: 1e9 },
});

type Mode = 'none' | 'inspector' | 'inspector+browser';

interface Figure {
  events: number;
  /** Inspection events of every kind, every actor. */
  all: number;
  seconds: number;
  perSecond: number;
  pushes: number;
}

async function runOnce(mode: Mode, browser: Browser | null): Promise<Figure> {
  const home = mkdtempSync(join(tmpdir(), 'mia-bench-inspector-'));
  const store = await openStateStore(home, { clock: systemClock });
  let events = 0;
  let all = 0;
  const count = (e: InspectionEvent) => {
    all++;
    if (e.type === '@xstate.event' && e.rootId === e.actorRef.sessionId) events++;
  };
  const bridge = mode === 'none' ? null : createInspectorBridge({ clock: systemClock });
  let pushes = 0;
  const server = bridge
    ? await startInspectorServer({
        home,
        page: inspectorPage(),
        feed: {
          open: () => bridge.open(),
          render: (cursor, force) => {
            const m = bridge.render(cursor, force);
            if (m !== null) pushes++;
            return m;
          },
        },
      })
    : null;
  let page: Page | null = null;
  try {
    if (server && mode === 'inspector+browser') {
      page = await browser!.newPage();
      await page.goto(server.url);
      await page.locator('#conn.open').waitFor({ timeout: 30_000 });
    }
    const inspect = bridge ? (e: InspectionEvent) => (count(e), bridge.inspect(e)) : count;
    const started = performance.now();
    const session = startSession({ config, store, logger: silentLogger(), inspect });
    bridge?.attach(session);
    await session.done;
    const seconds = (performance.now() - started) / 1000;
    if (page) {
      // The page really followed: it drew the stopped orchestrator where it ended.
      await page.locator('#machines .machine[data-actor="orchestrator"] .final-state', { hasText: 'running.ended' }).waitFor({ timeout: 30_000 });
    }
    return { events, all, seconds, perSecond: events / seconds, pushes };
  } finally {
    await page?.close();
    await server?.close();
    await store.close();
    rmSync(home, { recursive: true, force: true });
  }
}

const hasChromium = existsSync(CHROMIUM);
const browser = hasChromium ? await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] }) : null;
if (!hasChromium) console.log(`${CHROMIUM} is absent: the browser configuration is skipped`);
const modes: Mode[] = hasChromium ? ['none', 'inspector', 'inspector+browser'] : ['none', 'inspector'];
const best = new Map<Mode, Figure>();
try {
  // Warm-up: module loading and JIT out of the first measured run.
  await runOnce('none', null);
  for (let r = 0; r < RUNS; r++) {
    for (const mode of modes) {
      const f = await runOnce(mode, browser);
      const prev = best.get(mode);
      if (!prev || f.perSecond > prev.perSecond) best.set(mode, f);
    }
  }
} finally {
  await browser?.close();
}

/** The hook alone: one session's inspection events replayed into a fresh bridge. */
async function hookCost(): Promise<{ nsPerEvent: number; events: number; viewMs: number; viewBytes: number }> {
  const home = mkdtempSync(join(tmpdir(), 'mia-bench-inspector-'));
  const store = await openStateStore(home, { clock: systemClock });
  const recorded: InspectionEvent[] = [];
  const session = startSession({ config, store, logger: silentLogger(), inspect: (e) => recorded.push(e) });
  await session.done;
  await store.close();
  rmSync(home, { recursive: true, force: true });
  const bridge = createInspectorBridge({ clock: systemClock });
  bridge.attach(session);
  const loops = Math.max(1, Math.ceil(1e6 / recorded.length));
  for (const e of recorded) bridge.inspect(e); // warm-up
  const t0 = process.hrtime.bigint();
  for (let l = 0; l < loops; l++) for (let i = 0; i < recorded.length; i++) bridge.inspect(recorded[i]!);
  const ns = Number(process.hrtime.bigint() - t0);
  const views = 50;
  let bytes = 0;
  const t1 = performance.now();
  for (let v = 0; v < views; v++) bytes = bridge.render(bridge.open(), true)!.length;
  return { nsPerEvent: ns / (loops * recorded.length), events: loops * recorded.length, viewMs: (performance.now() - t1) / views, viewBytes: bytes };
}
const hook = await hookCost();

const base = best.get('none')!;
console.log(`session: ${BARS} simulated bars at speed max, in-process venue; best of ${RUNS} runs each`);
for (const mode of modes) {
  const f = best.get(mode)!;
  const ratio = f.perSecond / base.perSecond;
  console.log(
    `${mode.padEnd(18)} ${f.events} orchestrator events (${f.all} inspection events) in ${f.seconds.toFixed(2)} s = ${Math.round(f.perSecond).toLocaleString('en-US')} events/s` +
      (mode === 'none' ? '' : `  (x${ratio.toFixed(2)} of no inspector; ${f.pushes} pushes)`),
  );
}
console.log(`bridge hook: ${hook.nsPerEvent.toFixed(0)} ns per inspection event (${hook.events.toLocaleString('en-US')} replayed); one full view ${hook.viewMs.toFixed(2)} ms, ${Math.round(hook.viewBytes / 1024)} KiB`);
