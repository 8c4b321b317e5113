/**
 * Discord end to end: the real discord.js client (startDiscordBot) connects to a local
 * Discord stand-in (REST on 127.0.0.1 and the gateway over `ws`, URL from GET
 * /gateway/bot) and runs MIA's Discord surface over a live session: slash-command
 * registration, commands from allow-listed and other users, the resume confirmation
 * button, alerts, and phase-6 signal publishing, all through discord.js itself.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../../config/schema.ts';
import { ManualClock, systemClock } from '../../../core/clock.ts';
import { startPaperDtcServer } from '../../../adapters/dtc/paperServer.ts';
import { offlinePhaseCommand } from '../../../cli/phaseOffline.ts';
import { openStateStore, type StateStore } from '../../../adapters/store/stateStore.ts';
import { silentLogger } from '../../../adapters/log/logger.ts';
import { startDiscordBot } from '../../../adapters/discord/discordBot.ts';
import { startSession, type Session } from '../../../session/session.ts';
import { createSessionControl } from '../../../operator/controlHandler.ts';
import { startDiscordSurface, type DiscordSurface } from '../../../operator/controlDiscord.ts';
import { DiscordStandIn, type StandInRequest } from '../../fixtures/discordStandIn.ts';
import { useTempHomes } from '../../fixtures/tempHome.ts';

const tempHome = useTempHomes('mia-discord-e2e-');
const GUILD = '1200000000000000001';
const ALERTS = '1200000000000000011';
const PREMIUM = '1200000000000000012';
const PUBLIC = '1200000000000000013';
const alice = { id: '1200000000000000101', username: 'alice' };
const mallory = { id: '1200000000000000102', username: 'mallory' };
const operatorRole = '1200000000000000201';
const bob = { id: '1200000000000000103', username: 'bob', roles: [operatorRole] };

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Callback {
  type: number;
  data: { content: string; flags?: number; components?: Array<{ components: Array<{ custom_id: string; label: string }> }> };
}
const callback = (r: StandInRequest) => r.body as Callback;

/** Phases 5-6 trade only a live account: with `live`, a paper DTC server on loopback stands in for the broker and the home is promoted to ownAccount first. */
const LIVE = 'AMP-LIVE-E2E';

async function setup({ live = false }: { live?: boolean } = {}) {
  const standIn = await DiscordStandIn.start({ guildId: GUILD, channels: [ALERTS, PREMIUM, PUBLIC], roles: [operatorRole] });
  cleanups.push(() => standIn.close());
  const home = tempHome();
  const brokerClock = new ManualClock(0);
  const broker = live ? await startPaperDtcServer({ port: 0, clock: brokerClock, accounts: [LIVE] }) : null;
  if (broker) cleanups.push(() => broker.close());
  const config = configSchema.parse({
    ...(broker ? { venue: { kind: 'dtc', dtc: { host: '127.0.0.1', port: broker.port, account: LIVE } }, accounts: [{ id: LIVE, kind: 'live' }] } : { venue: { kind: 'simulated' } }),
    feed: { speed: 240, maxBars: 5_000 },
    risk: { dailyLossLimit: 1_000_000, trailingDrawdown: 1_000_000, maxConsecutiveLosses: 1000 },
    discord: { guildId: GUILD, allowedUserIds: [alice.id], allowedRoleIds: [operatorRole], channels: { alerts: ALERTS, premium: PREMIUM, public: PUBLIC }, publicDelaySeconds: 0, alerts: { batchMs: 50 } },
  });
  if (broker) for (let i = 0; i < 5; i++) await offlinePhaseCommand({ command: 'phase.override', who: 'test', reason: 'test setup' }, { home, config, clock: systemClock });
  const store: StateStore = await openStateStore(home, { clock: systemClock });
  const session: Session = startSession({ config, store, logger: silentLogger() });
  if (broker) {
    brokerClock.set(Date.parse(config.feed.start));
    session.bus.subscribe('venue', {
      onBar: (bar) => (brokerClock.set(Math.max(brokerClock.now(), bar.time)), broker.onBar(bar)),
      onQuote: (quote) => broker.onQuote(quote),
      onEnd: () => broker.onEnd(),
    });
  }
  cleanups.push(async () => {
    await session.stop('test over');
    await store.close();
  });
  const audit = { append: async () => undefined };
  const control = createSessionControl({ session, config, home, audit, operatorClock: systemClock, maxBars: 5_000 });
  const surface: DiscordSurface = await startDiscordSurface({
    session,
    config,
    home,
    control,
    audit,
    logger: silentLogger(),
    clock: systemClock,
    connect: (hooks) => startDiscordBot({ token: 'stand-in-token', guildId: GUILD, api: standIn.api, onInteraction: hooks.onInteraction, onEvent: hooks.onEvent }),
  });
  cleanups.push(() => surface.close());
  return { standIn, session, control };
}

describe('Discord end to end (discord.js against a local stand-in)', () => {
  it('registers every slash command in the guild, answers allow-listed users, refuses others, confirms a resume with a button, posts alerts', async () => {
    const { standIn, control } = await setup();

    // Registration: PUT of the guild's commands, authorised with the bot token, over the stand-in's REST.
    const registration = await standIn.waitFor('command registration', (r) => r.method === 'PUT' && r.path === `/applications/${standIn.applicationId}/guilds/${GUILD}/commands`);
    expect(registration.authorization).toBe('Bot stand-in-token');
    const names = (registration.body as Array<{ name: string; options?: Array<{ name: string }> }>).map((c) => c.name).sort();
    expect(names).toEqual(['flatten', 'kill', 'pause', 'phase', 'pnl', 'positions', 'resume', 'status']);
    const flatten = (registration.body as Array<{ name: string; options?: Array<{ name: string }> }>).find((c) => c.name === 'flatten')!;
    expect(flatten.options!.map((o) => o.name)).toEqual(['reason', 'keep-trading']);
    // The client identified on the gateway the REST API named (GET /gateway/bot).
    expect(standIn.gatewayReceived.some((p) => p.op === 2 && p.d.token === 'stand-in-token')).toBe(true);

    // An allow-listed user: /status answers privately (ephemeral) with the status.
    const status = callback(await standIn.callbackOf(standIn.command(alice, 'status')));
    expect(status.type).toBe(4);
    expect(status.data.flags).toBe(64);
    expect(status.data.content).toMatch(/phase/);
    const pnl = callback(await standIn.callbackOf(standIn.command(bob, 'pnl'))); // allowed by role
    expect(pnl.data.content).not.toContain('not allowed');

    // Someone else: refused, and nothing happens.
    const refused = callback(await standIn.callbackOf(standIn.command(mallory, 'pause', { reason: 'mine now' })));
    expect(refused.data.content).toContain('not allowed');
    const statusOf = async () => (await control.handle({ command: 'status', who: 'test' })).data as { risk: { state: string; reasons: string[] } };
    expect((await statusOf()).risk.reasons).not.toContain('operator-pause');

    // /pause from alice pauses; an alert reaches the alerts channel through discord.js.
    const paused = callback(await standIn.callbackOf(standIn.command(alice, 'pause', { reason: 'coffee' })));
    expect(paused.data.content).toContain('paused');
    expect((await statusOf()).risk.reasons).toContain('operator-pause');
    const alert = await standIn.waitFor('a pause alert', (r) => r.method === 'POST' && r.path === `/channels/${ALERTS}/messages` && String((r.body as { content: string }).content).includes('pause'));
    expect((alert.body as { content: string }).content).toContain('discord:');

    // /resume asks for confirmation with buttons; mallory's click is refused, alice's resumes.
    const ask = callback(await standIn.callbackOf(standIn.command(alice, 'resume', { reason: 'back' })));
    const buttons = ask.data.components![0]!.components;
    expect(buttons.map((b) => b.label)).toEqual(['Confirm resume', 'Cancel']);
    const confirm = buttons[0]!.custom_id;
    const stranger = callback(await standIn.callbackOf(standIn.button(mallory, confirm)));
    expect(stranger.type).toBe(7); // UPDATE_MESSAGE
    expect(stranger.data.content).toContain('not allowed');
    expect((await statusOf()).risk.reasons).toContain('operator-pause');
    const confirmed = callback(await standIn.callbackOf(standIn.button(alice, confirm)));
    expect(confirmed.type).toBe(7);
    expect(confirmed.data.content).toContain('resumed');
    expect((await statusOf()).risk.reasons).not.toContain('operator-pause');

    // /flatten with keep-trading leaves entries on; without it, entries pause.
    const kept = callback(await standIn.callbackOf(standIn.command(alice, 'flatten', { flags: { 'keep-trading': true } })));
    expect(kept.data.content).toContain('entries continue');
    const flat = callback(await standIn.callbackOf(standIn.command(alice, 'flatten')));
    expect(flat.data.content).toContain('entries paused until resume');
  });

  it('in phase 6 publishes signals to the premium and the public channel through discord.js', async () => {
    const { standIn, session } = await setup({ live: true });
    await standIn.waitFor('command registration', (r) => r.method === 'PUT');
    const at = new Date().toISOString();
    const evidence = { metrics: { signalWinRate: 0.7, signals: 40 }, provenance: [{ kind: 'live' }], period: { from: '2025-12-01', to: '2025-12-31' } };
    session.send({ type: 'PHASE', event: { type: 'START_SIGNALS', who: 'test', at, evidence } as never });
    const premium = await standIn.waitFor('a premium signal', (r) => r.method === 'POST' && r.path === `/channels/${PREMIUM}/messages`, 20_000);
    const text = (premium.body as { content: string }).content;
    expect(text).toMatch(/^📈 LONG|^📉 SHORT/);
    expect(text).toMatch(/#\d+ [0-9a-f]{12}$/); // the log's seq and hash prefix
    const pub = await standIn.waitFor('the same signal in public', (r) => r.method === 'POST' && r.path === `/channels/${PUBLIC}/messages` && (r.body as { content: string }).content === text, 10_000);
    expect(pub).toBeDefined();
  });
});
