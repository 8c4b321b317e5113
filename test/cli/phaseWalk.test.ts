/**
 * The must-show walk of issue 14: one home goes from phase 0 to phase 6, every gate passed on
 * evidence that MIA's own commands produced into the evidence store (never a file written by the
 * test), judged by `mia phase advance` (and `mia signals start`) with no mia running:
 *
 *   0 setup        `mia dtc check --market` against a paper DTC server on loopback, `mia data
 *                  check` against the fake Polygon server, `mia kill --drill` (kill -> flat -> resume),
 *                  and `mia discord test-alert` against the Discord stand-in (optional evidence)
 *   1 calibration  `mia backtest` on real ES minutes (../shared/data)
 *   2 backtest     `mia backtest --walk-forward` on the same data
 *   3 simulation   a paper session on Polygon's live feed (the fake server) through the embedded
 *                  paper DTC server, its three wall-clock months passed by an injected operator
 *                  clock; `mia evidence paper`
 *   4 propFirm     a Polygon session on the loopback paper DTC server as the firm's gateway, its
 *                  account declared propFirm, under the firm's rule profile; `mia evidence propfirm`
 *   5 ownAccount   a Polygon session on the same server as the broker, its account declared live,
 *                  with Discord configured (the surface of operator/controlDiscord.ts on a fake bot):
 *                  the signal is logged to the hash-chained signal log, unpublished; `mia evidence
 *                  signals`, then `mia signals start` judges the signals gate and turns phase 6 on
 *
 * Each session is given one entry the way a strategy signal goes (risk, order actor, venue):
 * the fake feed alternates two fixture rows, on which the confluence seldom fires.
 *
 * The gates' thresholds are the walk's configuration (they are configuration): the sample data
 * is a few weeks of 2023 on which the strategy loses, so the walk's gates ask for what that data
 * can give; what the walk proves is the path, the producers and the judge, not the strategy.
 * The refusals (forged or edited evidence, a replay as paper, a disallowed account, an ML
 * window overlapping the period, too few trades, too short a period) are in phaseOffline.test.ts,
 * runAccountPolicy.test.ts and evidenceStore.test.ts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { controlAction } from '../../cli/control.ts';
import type { ControlCommand } from '../../adapters/control/controlProtocol.ts';
import { runDataCheck } from '../../cli/dataCheck.ts';
import { runKillDrill } from '../../cli/killDrill.ts';
import { runDiscordTestAlert } from '../../cli/discordTestAlert.ts';
import { DiscordStandIn } from '../fixtures/discordStandIn.ts';
import { main } from '../../cli/main.ts';
import { openEvidenceStore } from '../../adapters/store/evidenceStore.ts';
import { ManualClock } from '../../core/clock.ts';
import { startPaperDtcServer, type PaperDtcServer } from '../../adapters/dtc/paperServer.ts';
import { FakePolygonServer } from '../fixtures/fakePolygonServer.ts';
import { loadConfig } from '../../config/load.ts';
import { phaseLogFolder, type PhaseName } from '../../config/gates.ts';
import { openStateStore } from '../../adapters/store/stateStore.ts';
import { createLogger, silentLogger } from '../../adapters/log/logger.ts';
import { sessionParts } from '../../session/fromConfig.ts';
import { startSession, type Session, type SessionSummary } from '../../session/session.ts';
import type { MiaConfig } from '../../config/schema.ts';
import type { StateStore } from '../../adapters/store/stateStore.ts';
import type { DiscordBot } from '../../adapters/discord/discordBot.ts';
import { startDiscordSurface } from '../../operator/controlDiscord.ts';
import { createSessionControl } from '../../operator/controlHandler.ts';
import { readSignalLog, signalLogPath } from '../../adapters/signals/signalLog.ts';
import { ManualTimers } from '../adapters/discord/manualTimers.ts';
import { hasSharedData, sharedData } from '../fixtures/sharedData.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';

const tempHome = useTempHomes('mia-phase-walk-');
const ES = 'es/firstrate/victor-thai_2023-09/ES_1min_sample.csv';
const T0 = Date.UTC(2025, 8, 15, 14, 30, 0);

async function quietly<T>(fn: () => Promise<T> | T): Promise<{ result: T; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((stdout += String(c)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
  try {
    return { result: await fn(), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** `mia <args>` in this process (the same entry point as the binary). */
async function mia(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const saved = process.exitCode;
  const r = await quietly(() => main(['node', 'mia', ...args]));
  process.exitCode = saved;
  return { code: r.result, stdout: r.stdout, stderr: r.stderr };
}

async function phase(home: string, config: string, command: ControlCommand): Promise<{ code: number; json: { ok: boolean; message: string; data?: any } }> {
  const r = await quietly(() => controlAction(command, { home, json: true, config }));
  return { code: r.result, json: JSON.parse(r.stdout) };
}

const DAY = 86_400_000;

/**
 * `mia run` on the Polygon feed as the walk needs it: the home's own state and logs, the
 * fake server's bars pushed over its WebSocket, and the operator's wall clock injected:
 * `wallDays` pass between the session's start and its end (the only way months pass quickly).
 */
async function polygonSession(o: { home: string; config: string; env: NodeJS.ProcessEnv; polygon: FakePolygonServer; phase: PhaseName; clock: ManualClock; wallDays: number; bars: number; venue?: Record<string, unknown>; signalPrice?: number; firstBar?: number; onBar?: (time: number) => void; attach?: (session: Session, store: StateStore, config: MiaConfig) => Promise<() => Promise<void>> }): Promise<SessionSummary> {
  const config = loadConfig({ file: o.config, env: o.env, overrides: { feed: { kind: 'polygon', maxBars: o.bars, start: new Date(T0).toISOString() }, ...(o.venue ? { venue: o.venue } : {}) } });
  const store = await openStateStore(o.home, { clock: o.clock });
  try {
    const logger = createLogger({ home: o.home, folder: phaseLogFolder[o.phase], level: 'info', name: 'mia' });
    const parts = sessionParts(config, { store, logger, env: o.env });
    const session = startSession({ config, store, logger, parts, operatorClock: o.clock });
    // What rides on the session as `mia run` would attach it (the Discord surface), closed before the store.
    const detach = o.attach ? await o.attach(session, store, config) : async () => undefined;
    const ready = await session.venueReady(15_000);
    expect(ready).toEqual({ ready: true });
    // The start is logged with the clock as it was; the end will be `wallDays` later.
    o.clock.set(o.clock.now() + o.wallDays * DAY);
    let ended = false;
    let flattened = false;
    void session.done.then(() => (ended = true));
    const deadline = Date.now() + 15_000;
    for (let pushed = 0; !ended && pushed < 60; ) {
      if (Date.now() > deadline) throw new Error(`the session took no bar in 15 s (${pushed} pushed)`);
      // On a remote venue (its own market) the entry's fill comes first, then the feed moves on;
      // the embedded server fills on the feed's next bar.
      const c = session.actor.getSnapshot().context;
      const remote = o.signalPrice !== undefined;
      // Closed by the operator before the feed ends (a remote venue's exit fills in its own time).
      if (remote && pushed >= 6 && c.book.qty !== 0 && !flattened) {
        flattened = true;
        session.send({ type: 'OPERATOR.FLATTEN', who: 'walk', reason: 'close the evaluation day', time: session.clock.now() });
      }
      const awaitingFill = remote && ((c.counters.ordersSent > 0 && c.counters.fills === 0) || (flattened && c.book.qty !== 0));
      const bar = o.polygon.amMessage('ESZ5', (o.firstBar ?? 0) + pushed);
      if (!awaitingFill && o.polygon.push('futures', [bar]) > 0) {
        pushed++;
        o.onBar?.(Number(bar.e));
      }
      await new Promise((r) => setTimeout(r, 30));
      // Two bars of sixty minutes of fixture prices seldom cross the threshold: one entry is
      // asked for as the strategy would (through risk, the order actor and the paper venue),
      // so that the session's journal has a round trip for its producer to judge.
      const ctx = session.actor.getSnapshot().context;
      if (pushed >= 3 && ctx.counters.ordersSent === 0) {
        // The venue's market: the embedded server trades the feed's prices, a remote one its own.
        const price = o.signalPrice ?? Number(o.polygon.amMessage('ESZ5', (o.firstBar ?? 0) + pushed - 1).c);
        session.send({ type: 'SIGNAL', signal: { side: 'buy', score: 1, threshold: 0, time: session.clock.now(), price, features: {}, available: [] } });
      }
    }
    const summary = await session.done;
    await detach();
    return summary;
  } finally {
    await store.close();
  }
}

describe.skipIf(!hasSharedData(ES) || !hasSharedData('polygon/openapi-examples'))('the phase walk 0 -> 6 (needs ../shared/data)', () => {
  let polygon: FakePolygonServer;
  let dtc: PaperDtcServer;
  let feed: ReturnType<typeof setInterval>;
  /** The paper DTC server's bid: 5000 for the round trip, then the fake feed's level for the firm's session. */
  let bid = 5000;
  /** Where the paper DTC server's clock is: free-running for the round trip, then on the feed's bars. */
  let venueAt: number | null = null;
  beforeAll(async () => {
    polygon = await FakePolygonServer.start({ futures: { ESZ5: { start: T0, minutes: 60 } }, indices: { 'I:SPX': { start: T0, minutes: 60 } } });
    const clock = new ManualClock(T0);
    dtc = await startPaperDtcServer({ clock, slippageTicks: 0 });
    dtc.onBar({ symbol: 'ESZ25', time: T0 - 60_000, open: 4998, high: 5002, low: 4997, close: 5000, volume: 1_000 });
    let time = T0;
    feed = setInterval(() => {
      time = venueAt ?? time + 250;
      clock.set(time);
      dtc.onQuote({ symbol: 'ESZ25', time, bid, ask: bid + 0.25, bidSize: 10, askSize: 10 });
    }, 20);
  });
  afterAll(async () => {
    clearInterval(feed);
    await dtc.close();
    await polygon.close();
  });

  it('walks every gate on evidence MIA produced, each promotion naming the records it rested on', { timeout: 120_000 }, async () => {
    const home = tempHome();
    const config = join(home, 'walk.json');
    writeFileSync(
      config,
      JSON.stringify({
        strategy: { minAvailableWeight: 0 },
        // The fake feed alternates two gold fixture rows a minute apart (big jumps, stops acknowledged
        // a pushed bar later): MIA's own limits roomy enough that its one trade per session is no
        // breach. Every session trades the same data day (2025-09-15); the prop firm's and the live
        // account's rules keep their defaults: each account's daily loss counts from its own phase's
        // start, not the earlier sessions' losses of that day.
        risk: { dailyLossLimit: 10_000, trailingDrawdown: 10_000, maxLossPerTrade: 10_000, unprotectedMaxMs: 600_000 },
        accounts: [{ id: 'PAPER1', kind: 'paper', description: 'the paper DTC server of the walk' }],
        gates: {
          // What a few weeks of 2023 on which the strategy loses can meet (see the module comment).
          calibration: { winRate: 0.2, profitFactor: 0.3, sharpe: -20, maxDrawdownPct: 0.1, recoveryFactor: -5, trades: 5 },
          backtest: { annualReturn: -1, sharpe: -30, maxDrawdownPct: 0.15, monthlyStability: 1e9, robustness: -1, years: 0.01 },
          simulation: { paperMonths: 3, totalReturn: -0.5, winRate: -1, profitFactor: -1, monthlyStability: 1e9 },
          propFirm: { monthlyReturn: -1, winRate: -1, riskBreaches: 0, tradingDays: 1 },

          // One signal of one session, win or lose: the walk proves the signal log is the gate's producer.
          signals: { signalWinRate: -1, signals: 1 },
        },
      }),
    );
    const env = { POLYGON_API_KEY: polygon.apiKey, POLYGON_REST_URL: polygon.restUrl, POLYGON_WS_URL: polygon.wsUrl };
    const walk = JSON.parse(readFileSync(config, 'utf8'));
    // Phases 5-6: the own account at the broker (the paper DTC server, its account declared live), with Discord.
    const CH = { alerts: '100000000000000001', premium: '100000000000000002', public: '100000000000000003' };
    const live = join(home, 'walk-live.json');
    writeFileSync(live, JSON.stringify({ ...walk, accounts: [{ id: 'PAPER1', kind: 'live', description: 'the own account at the broker (a paper DTC server here)' }], venue: { dtc: { host: '127.0.0.1', port: dtc.port, account: 'PAPER1' } }, discord: { guildId: '1300000000000000001', allowedUserIds: ['111111111111111111'], channels: CH } }));

    // Phase 0: the round trip, the data, the kill switch and the logs.
    // No fill here: the prop-firm session below on this server then numbers its first fill SIMX-1,
    // as the embedded server's fills of phase 3 in the home's journal do (core/fillIdentity.ts tells them apart).
    const check = await mia('dtc', 'check', '--port', String(dtc.port), '--symbol', 'ESZ25', '--account', 'PAPER1', '--timeout', '3000', '--home', home, '--config', config);
    expect(check.code).toBe(0);
    expect((await runDataCheck({ home, config, at: new Date(T0 + 3_600_000).toISOString() }, env)).ok).toBe(true);
    expect((await runKillDrill({ drill: true, home, config, timeout: 20_000 }, {})).ok).toBe(true);
    // Discord configured: the test alert through the bot (discord.js against the stand-in), optional setup evidence.
    const discord = await DiscordStandIn.start({ guildId: '1300000000000000001', channels: [CH.alerts] });
    try {
      const alerted = await runDiscordTestAlert({ home, config: live }, { DISCORD_TOKEN: 'walk-token', DISCORD_API_URL: discord.api });
      expect(alerted).toMatchObject({ ok: true, channel: CH.alerts });
      expect(discord.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${CH.alerts}/messages`)).toHaveLength(1);
    } finally {
      await discord.close();
    }
    const setup = await phase(home, config, 'phase.advance');
    expect(setup.json.ok).toBe(true);
    expect(setup.json.data.record).toMatchObject({ kind: 'promotion', from: 'setup', to: 'calibration' });
    // The four checks rest on the three records that state them; the alert states none (the gate has no Discord item).
    expect(setup.json.data.record.evidenceIds).toHaveLength(3);

    // Phase 1 -> 2: a backtest on real ES minutes; phase 2 -> 3: walk-forward on them.
    const backtest = await mia('backtest', '--data', sharedData(ES), '--config', config, '--quiet', '--home', home, '--to', '2023-10-06');
    expect(backtest.code).toBe(0);
    const calibration = await phase(home, config, 'phase.advance');
    expect(calibration.json.data.record.evaluation.refusals).toEqual([]);
    expect(calibration.json.data.record).toMatchObject({ kind: 'promotion', from: 'calibration', to: 'backtest' });
    const wf = await mia('backtest', '--walk-forward', '--in-sample', '3d', '--out-of-sample', '2d', '--data', sharedData(ES), '--config', config, '--quiet', '--home', home, '--to', '2023-10-06');
    expect(wf.code).toBe(0);
    const backtestGate = await phase(home, config, 'phase.advance');
    expect(backtestGate.json.data.record.evaluation.refusals).toEqual([]);
    expect(backtestGate.json.data.record.evaluation.criteria.filter((c: any) => !c.pass)).toEqual([]);
    expect(backtestGate.json.data.record).toMatchObject({ kind: 'promotion', from: 'backtest', to: 'simulation' });
    const ids = openEvidenceStore(home).list().entries.map((e) => e.id);
    expect(backtestGate.json.data.record.evidenceIds).toEqual([ids.at(-1)]);

    // Phase 3 -> 4: three months of paper on live data (wall-clock months, the injected clock).
    const operator = new ManualClock(Date.UTC(2026, 0, 5, 14, 0));
    const paper = await polygonSession({ home, config, env, polygon, phase: 'simulation', clock: operator, wallDays: 93, bars: 12 });
    expect(paper).toMatchObject({ trades: 1 });
    expect(paper.provenance).toBe('polygon');
    const paperEvidence = await mia('evidence', 'paper', '--home', home, '--config', config, '--json');
    expect(paperEvidence.stderr).toBe('');
    expect(paperEvidence.code).toBe(0);
    expect(JSON.parse(paperEvidence.stdout).evidence.metrics.paperMonths).toBeGreaterThan(3);
    const simulation = await phase(home, config, 'phase.advance');
    expect(simulation.json.data.record.evaluation.refusals).toEqual([]);
    expect(simulation.json.data.record.evaluation.criteria.filter((c: any) => !c.pass)).toEqual([]);
    expect(simulation.json.data.record).toMatchObject({ kind: 'promotion', from: 'simulation', to: 'propFirm' });

    // Phase 4 -> 5: the prop firm's evaluation account (the paper DTC server on loopback as the
    // firm's gateway, its account declared propFirm), under the firm's rule profile.
    const prop = join(home, 'walk-prop.json');
    writeFileSync(prop, JSON.stringify({ ...walk, accounts: [{ id: 'PAPER1', kind: 'propFirm', description: "the firm's evaluation account (a paper DTC server here)" }], venue: { dtc: { host: '127.0.0.1', port: dtc.port, account: 'PAPER1' } } }));
    // The gateway's market at the feed's level (the fixture's closes are 2874.2 and 2884.8).
    bid = 2874;
    const evaluation = await polygonSession({ home, config: prop, env, polygon, phase: 'propFirm', clock: operator, wallDays: 30, bars: 12, signalPrice: 2874.25, firstBar: 30, onBar: (t) => (venueAt = t) });
    expect(evaluation).toMatchObject({ trades: 1, openPosition: 0, riskState: 'normal', phase: { id: 4, name: 'propFirm' } });
    const propEvidence = await mia('evidence', 'propfirm', '--home', home, '--config', prop, '--json');
    expect(propEvidence.stderr).toBe('');
    expect(JSON.parse(propEvidence.stdout).evidence.metrics).toMatchObject({ riskBreaches: 0, tradingDays: 1, trades: 1 });
    const propFirm = await phase(home, prop, 'phase.advance');
    expect(propFirm.json.data.record.evaluation.refusals).toEqual([]);
    expect(propFirm.json.data.record.evaluation.criteria.filter((c: any) => !c.pass)).toEqual([]);
    expect(propFirm.json.data.record).toMatchObject({ kind: 'promotion', from: 'propFirm', to: 'ownAccount' });

    // Phase 5 -> 6: the own account (the paper DTC server stands in for the broker, its account
    // declared live) on Polygon's live feed with Discord configured: the surface logs every signal
    // to the hash-chained signal log, unpublished (only phase 6 publishes). A fake bot takes the posts.
    const posts: Array<{ channel: string; text: string }> = [];
    const own = await polygonSession({
      home, config: live, env, polygon, phase: 'ownAccount', clock: operator, wallDays: 7, bars: 12, signalPrice: 2874.25, firstBar: 45, onBar: (t) => (venueAt = t),
      attach: async (session, store, cfg) => {
        const bot: DiscordBot = { post: async (channel, text) => void posts.push({ channel, text }), close: async () => undefined };
        const surface = await startDiscordSurface({
          session, config: cfg, home, audit: store.audit, logger: silentLogger(), clock: operator, timers: new ManualTimers(operator.now()),
          control: createSessionControl({ session, config: cfg, home, audit: store.audit, operatorClock: operator, maxBars: 12 }),
          connect: async () => bot,
        });
        expect(surface.signalLog).not.toBeNull();
        return () => surface.close();
      },
    });
    expect(own).toMatchObject({ trades: 1, openPosition: 0, riskState: 'normal', phase: { id: 5, name: 'ownAccount' } });
    const signalLog = await readSignalLog(signalLogPath(home));
    expect(signalLog.ok).toBe(true);
    expect(signalLog.records.map((r) => r.kind)).toEqual(['signal', 'outcome']);
    expect(posts.filter((p) => p.channel !== CH.alerts)).toEqual([]);
    const signalsEvidence = await mia('evidence', 'signals', '--home', home, '--config', live, '--json');
    expect(signalsEvidence.stderr).toBe('');
    expect(signalsEvidence.code).toBe(0);
    const recorded = JSON.parse(signalsEvidence.stdout).evidence;
    expect(recorded.metrics).toMatchObject({ signals: 1 });
    expect(recorded.provenance).toEqual([{ kind: 'polygon' }]);
    const start = await mia('signals', 'start', '--home', home, '--config', live, '--json');
    expect(start.code).toBe(0);
    const started = JSON.parse(start.stdout);
    expect(started.data.signals).toBe('on');
    expect(started.data.record.evaluation.refusals).toEqual([]);
    expect(started.data.record.evaluation.criteria.filter((c: any) => !c.pass)).toEqual([]);
    expect(started.data.record.evidenceIds).toEqual([openEvidenceStore(home).list().entries.at(-1)!.id]);
    const status = await phase(home, live, 'phase.status');
    expect(status.json.data).toMatchObject({ phase: { id: 5, name: 'ownAccount' }, signals: 'on' });
    // The whole record still verifies: the evidence chain and its data files, and the signal log.
    expect((await mia('evidence', 'verify', '--home', home)).code).toBe(0);
    expect((await mia('signals', 'verify', '--home', home)).code).toBe(0);
  });
});
