/**
 * The Discord surface over a real in-process session and a fake bot (operator/controlDiscord.ts):
 * in phase 6 every signal MIA trades goes to premium at once and to public after the
 * delay, each appended to a signal log that verifies, with outcomes that match the
 * journal's trades; alerts reach the alerts channel; slash commands reach the session
 * and are audited. A second surface on the same home never posts a signal twice.
 */
import { describe, expect, it } from 'vitest';
import { signalsEvidence } from '../../backtest/evidenceSignals.ts';
import { configSchema } from '../../config/schema.ts';
import { ManualClock, systemClock } from '../../core/clock.ts';
import { startPaperDtcServer } from '../../adapters/dtc/paperServer.ts';
import { offlinePhaseCommand } from '../../cli/phaseOffline.ts';
import { openStateStore } from '../../adapters/store/stateStore.ts';
import { silentLogger } from '../../adapters/log/logger.ts';
import { readSignalLog, signalLogPath } from '../../adapters/signals/signalLog.ts';
import type { DiscordBot } from '../../adapters/discord/discordBot.ts';
import type { OperatorInteraction, DiscordReply } from '../../adapters/discord/commandHandler.ts';
import { startSession, type Session } from '../../session/session.ts';
import { createSessionControl } from '../../operator/controlHandler.ts';
import { startDiscordSurface } from '../../operator/controlDiscord.ts';
import { riskStatus, type RiskSnapshot } from '../../machines/risk.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';
import { ManualTimers, flush } from '../adapters/discord/manualTimers.ts';

const tempHome = useTempHomes('mia-discord-surface-');
const ALICE = '111111111111111111';
const MALLORY = '999999999999999999';
const CH = { alerts: '100000000000000001', premium: '100000000000000002', public: '100000000000000003' };
const discordConfig = {
  feed: { maxBars: 1500 },
  discord: { allowedUserIds: [ALICE], channels: CH, publicDelaySeconds: 600, alerts: { batchMs: 1000, maxPerMinute: 5, maxQueued: 50 } },
};
/** Phases 5-6 trade only a live account: a paper DTC server on loopback stands in for the broker. */
const LIVE = 'AMP-LIVE-TEST';
let config = configSchema.parse({ venue: { kind: 'simulated' }, ...discordConfig });

/**
 * Starts the stand-in broker (fed by the session's own bars, on the bars' time), points
 * `config` at it, and promotes the home to ownAccount without a session (as an operator
 * would with `mia phase override`), so that the session logs on with the live account.
 */
async function liveVenue(home: string): Promise<{ attach(session: Session): void; close(): Promise<void> }> {
  const clock = new ManualClock(Date.parse(config.feed.start));
  const server = await startPaperDtcServer({ port: 0, clock, accounts: [LIVE], startingBalance: config.startingEquity });
  config = configSchema.parse({ ...discordConfig, venue: { kind: 'dtc', dtc: { host: '127.0.0.1', port: server.port, account: LIVE } }, accounts: [{ id: LIVE, kind: 'live' }] });
  for (let i = 0; i < 5; i++) await offlinePhaseCommand({ command: 'phase.override', who: 'test', reason: 'test setup' }, { home, config, clock: systemClock });
  return {
    attach: (session) =>
      session.bus.subscribe('venue', {
        onBar: (bar) => (clock.set(Math.max(clock.now(), bar.time)), server.onBar(bar)),
        onQuote: (quote) => server.onQuote(quote),
        onEnd: () => server.onEnd(),
      }),
    close: () => server.close(),
  };
}

/** Polls `check` until it stops throwing (file appends settle on their own time). */
async function eventually(check: () => void | Promise<void>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** Turns signals on beside ownAccount (phase 6). */
function enterPhase6(session: Session) {
  const at = '2026-01-05T15:00:00Z';
  session.send({
    type: 'PHASE',
    event: {
      type: 'START_SIGNALS',
      who: 'test',
      at,
      evidence: { metrics: { signalWinRate: 0.7, signals: 40 }, provenance: [{ kind: 'live' }], period: { from: '2025-12-01', to: '2025-12-31' }, producedAt: at, source: 'test' },
    },
  });
}

async function surfaceOn(home: string, session: Session, store: Awaited<ReturnType<typeof openStateStore>>, timers: ManualTimers) {
  const posts: Array<{ channel: string; text: string; at: number }> = [];
  let hooks!: { onInteraction(i: OperatorInteraction): Promise<void> };
  const bot: DiscordBot = {
    post: async (channel, text) => void posts.push({ channel, text, at: timers.clock.now() }),
    close: async () => undefined,
  };
  const control = createSessionControl({ session, config, home, audit: store.audit, operatorClock: timers.clock, maxBars: 1500 });
  const surface = await startDiscordSurface({
    session,
    config,
    home,
    control,
    audit: store.audit,
    logger: silentLogger(),
    clock: timers.clock,
    timers,
    connect: async (h) => {
      hooks = h;
      return bot;
    },
  });
  const slash = async (userId: string, commandName: string, reason?: string) => {
    const replies: DiscordReply[] = [];
    await hooks.onInteraction({ kind: 'command', userId, roleIds: [], commandName, subcommand: null, options: { reason }, reply: async (r) => void replies.push(r) });
    return replies;
  };
  return { posts, surface, slash };
}

describe('discord surface', () => {
  it('publishes phase-6 signals premium then public, logs them verifiably, and obeys only the allow-list', { timeout: 60_000 }, async () => {
    const home = tempHome();
    const timers = new ManualTimers(Date.parse('2026-01-05T15:00:00Z'));
    const broker = await liveVenue(home);
    let store = await openStateStore(home, { clock: systemClock });
    let session = startSession({ config, store, logger: silentLogger() });
    broker.attach(session);
    enterPhase6(session);
    const { posts, surface } = await surfaceOn(home, session, store, timers);
    await session.done;
    const log = surface.signalLog!;
    await log.flush();
    const signals = log.records().filter((r) => r.kind === 'signal');
    expect(signals.length).toBeGreaterThan(0);
    let premium = posts.filter((p) => p.channel === CH.premium);
    const pub = () => posts.filter((p) => p.channel === CH.public);
    await eventually(() => {
      premium = posts.filter((p) => p.channel === CH.premium);
      expect(premium).toHaveLength(signals.length);
    });
    for (const [i, s] of signals.entries()) expect(premium[i]!.text).toContain(`#${s.seq} ${s.hash.slice(0, 12)}`);
    expect(pub()).toHaveLength(0);

    await timers.advance(600_000);
    await flush();
    expect(pub().map((p) => p.text)).toEqual(premium.map((p) => p.text));
    for (const p of pub()) expect(p.at - premium[0]!.at).toBe(600_000);

    // The journal agrees with the log's outcomes, trade for trade.
    let verified = await readSignalLog(signalLogPath(home));
    await eventually(async () => {
      verified = await readSignalLog(signalLogPath(home));
      expect(verified.records.filter((r) => r.kind === 'published')).toHaveLength(signals.length * 2);
    });
    expect(verified.ok).toBe(true);
    const outcomes = verified.records.flatMap((r) => (r.kind === 'outcome' ? [r.outcome] : []));
    expect(outcomes.length).toBeGreaterThan(0);
    const trades = store.journal.trades();
    for (const o of outcomes.filter((x) => x.result !== 'void')) {
      const trade = trades.find((t) => t.exitTime === o.exitTime && t.entryPrice === o.entryPrice);
      expect(trade).toBeDefined();
      expect(o.pnl).toBeCloseTo(trade!.pnl / trade!.qty, 2);
    }
    const publications = verified.records.filter((r) => r.kind === 'published');
    expect(publications).toHaveLength(signals.length * 2);

    // Alerts: fills and the phase changes went to the alerts channel, batched.
    await timers.advance(120_000);
    const alerts = posts.filter((p) => p.channel === CH.alerts).map((p) => p.text).join('\n');
    expect(alerts).toContain('💱');

    await surface.close();
    await store.close();

    // A new surface on the same home: nothing already published is posted again.
    store = await openStateStore(home, { clock: systemClock });
    // One bar a second: the session stays alive for the commands, and quiet.
    session = startSession({ config: { ...config, feed: { ...config.feed, speed: 60 } }, store, logger: silentLogger(), maxBars: Infinity });
    broker.attach(session);
    const second = await surfaceOn(home, session, store, timers);

    // Slash commands: an unknown user is refused and audited; Alice's /kill acts at once.
    const refused = await second.slash(MALLORY, 'kill', 'x');
    expect(refused[0]!.content).toContain('not allowed');
    const killed = await second.slash(ALICE, 'kill', 'enough');
    expect(killed[0]!.content).toContain('killed');
    expect(riskStatus(session.actor.getSnapshot().children.risk!.getSnapshot() as RiskSnapshot)).toBe('killed');
    await session.stop('test over');
    await store.flush();
    const audit = store.audit.entries();
    expect(audit.some((a) => a.who === `discord:${MALLORY}` && a.action === 'discord.kill' && (a.result as { ok: boolean }).ok === false)).toBe(true);
    expect(audit.some((a) => a.who === `discord:${ALICE}` && a.action === 'control.kill' && (a.result as { ok: boolean }).ok === true)).toBe(true);
    await timers.advance(600_000);
    expect(second.posts.filter((p) => p.channel !== CH.alerts)).toEqual([]);
    await second.surface.close();
    await store.close();
    await broker.close();
  });

  it('in phase 5 logs every signal as the track record for the signals gate and publishes none', { timeout: 60_000 }, async () => {
    const home = tempHome();
    const timers = new ManualTimers(Date.parse('2026-01-05T15:00:00Z'));
    const broker = await liveVenue(home);
    const store = await openStateStore(home, { clock: systemClock });
    const session = startSession({ config, store, logger: silentLogger() });
    broker.attach(session);
    const { posts, surface } = await surfaceOn(home, session, store, timers);
    await session.done;
    const log = surface.signalLog!;
    await log.flush();
    await timers.advance(3_600_000);
    const signals = log.records().filter((r) => r.kind === 'signal');
    expect(signals.length).toBeGreaterThan(0);
    expect(posts.filter((p) => p.channel === CH.premium || p.channel === CH.public)).toEqual([]);
    const verified = await readSignalLog(signalLogPath(home));
    expect(verified.ok).toBe(true);
    expect(verified.records.filter((r) => r.kind === 'published')).toEqual([]);
    // The gate's producer judges that unpublished record.
    const outcomes = verified.records.filter((r) => r.kind === 'outcome' && r.outcome.result !== 'void');
    expect(outcomes.length).toBeGreaterThan(0);
    const evidence = signalsEvidence(verified.records, [{ kind: 'live' }] as never, '2026-01-06T00:00:00Z');
    expect(evidence.transition).toBe('signals');
    expect(evidence.evidence.metrics.signals).toBe(outcomes.length);
    await surface.close();
    await store.close();
    await broker.close();
  });
});
