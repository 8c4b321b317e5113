/**
 * The Discord command handler with constructed interactions: allow-listed users and roles
 * act (/kill at once), anyone else is refused and audited, and /resume does nothing
 * without its confirmation button, pressed once, by the same operator, in time.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.ts';
import type { AuditRecord } from '../../../adapters/store/auditTrail.ts';
import type { ControlHandler, ControlRequest, ControlResponse } from '../../../adapters/control/controlProtocol.ts';
import {
  createDiscordCommandHandler,
  type ButtonInteraction,
  type DiscordReply,
  type SlashCommandInteraction,
} from '../../../adapters/discord/commandHandler.ts';

const ALICE = '111111111111111111';
const BOB = '222222222222222222';
const MALLORY = '999999999999999999';
const OPERATORS_ROLE = '333333333333333333';

const status = {
  pid: 1,
  home: '/h',
  session: { id: 'S', state: 'trading', bars: 10, time: null, signals: { long: 1, short: 0 }, ordersSent: 2, riskRefusals: 0, fills: 1, trades: 0 },
  phase: { id: 0, name: 'setup', signals: 'off' },
  risk: { state: 'normal', reasons: [], killedBy: null, killReason: null },
  position: { symbol: 'ESZ25', qty: 1, avgPrice: 6001.25 },
  pnl: { realized: 0, open: 12.5, session: -4.5, today: -4.5, equity: 50008 },
  orders: [{ clientOrderId: 'S-3', side: 'sell', qty: 1, filledQty: 0, type: 'stop', purpose: 'bracket-stop', stopPrice: 5993.25 }],
  feed: { kind: 'simulated', provenance: 'simulated:seed=42', speed: 600, maxBars: null },
  venue: { kind: 'paper', connected: true },
  connected: true,
};

function harness(opts: { users?: string[]; roles?: string[]; confirmMs?: number } = {}) {
  const calls: ControlRequest[] = [];
  const audited: AuditRecord[] = [];
  const control: ControlHandler = {
    async handle(r): Promise<ControlResponse> {
      calls.push(r);
      if (r.command === 'status') return { ok: true, command: r.command, message: 'status', data: status };
      return { ok: true, command: r.command, message: `${r.command} done` };
    },
  };
  const clock = new ManualClock(1_000_000);
  let n = 0;
  const handler = createDiscordCommandHandler({
    control,
    allowedUserIds: opts.users ?? [ALICE, BOB],
    allowedRoleIds: opts.roles ?? [OPERATORS_ROLE],
    audit: async (r) => {
      audited.push(r);
    },
    clock,
    confirmMs: opts.confirmMs ?? 60_000,
    nonce: () => `n${++n}`,
  });
  return { calls, audited, clock, handler };
}

function slash(userId: string, commandName: string, options: Record<string, string> = {}, extra: Partial<SlashCommandInteraction> = {}) {
  const replies: DiscordReply[] = [];
  const interaction: SlashCommandInteraction = {
    kind: 'command',
    userId,
    roleIds: [],
    commandName,
    subcommand: null,
    options,
    reply: async (r) => void replies.push(r),
    ...extra,
  };
  return { interaction, replies };
}

function button(userId: string, customId: string) {
  const updates: DiscordReply[] = [];
  const interaction: ButtonInteraction = { kind: 'button', userId, roleIds: [], customId, update: async (r) => void updates.push(r) };
  return { interaction, updates };
}

describe('discord command handler', () => {
  it('an allow-listed user runs /kill: it acts at once, with who and the reason', async () => {
    const { handler, calls, audited } = harness();
    const { interaction, replies } = slash(ALICE, 'kill', { reason: 'runaway' });
    await handler.handle(interaction);
    expect(calls).toEqual([{ command: 'kill', who: `discord:${ALICE}`, reason: 'runaway' }]);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ ephemeral: true, content: '✅ kill done' });
    // Executed commands are audited by the control handler, not twice here.
    expect(audited).toEqual([]);

    // /kill without a reason still kills.
    const noReason = slash(BOB, 'kill');
    await handler.handle(noReason.interaction);
    expect(calls[1]).toMatchObject({ command: 'kill', who: `discord:${BOB}` });
    expect(calls[1]!.reason).toBeTruthy();
  });

  it('an unknown user is refused, audited, and nothing reaches the session', async () => {
    const { handler, calls, audited } = harness();
    for (const name of ['kill', 'status', 'flatten', 'pause', 'resume', 'pnl', 'positions', 'phase']) {
      const { interaction, replies } = slash(MALLORY, name, { reason: 'hi' }, name === 'phase' ? { subcommand: 'override' } : {});
      await handler.handle(interaction);
      expect(replies).toEqual([{ content: '⛔ You are not allowed to operate MIA.', ephemeral: true }]);
    }
    expect(calls).toEqual([]);
    expect(audited).toHaveLength(8);
    for (const a of audited) expect(a).toMatchObject({ who: `discord:${MALLORY}`, result: { ok: false, message: 'refused: not on the allow-list' } });
    expect(audited.map((a) => a.action)).toContain('discord.kill');
  });

  it('a member holding an allow-listed role is obeyed; other roles are not', async () => {
    const { handler, calls } = harness({ users: [] });
    await handler.handle(slash(MALLORY, 'pause', {}, { roleIds: ['444444444444444444'] }).interaction);
    expect(calls).toEqual([]);
    await handler.handle(slash(MALLORY, 'pause', { reason: 'news' }, { roleIds: ['444444444444444444', OPERATORS_ROLE] }).interaction);
    expect(calls).toEqual([{ command: 'pause', who: `discord:${MALLORY}`, reason: 'news' }]);
  });

  it('empty allow-lists obey nobody', async () => {
    const { handler, calls } = harness({ users: [], roles: [] });
    await handler.handle(slash(ALICE, 'kill', {}, { roleIds: [OPERATORS_ROLE] }).interaction);
    expect(calls).toEqual([]);
  });

  it('/resume without its confirmation does nothing; the button asks, the press acts once', async () => {
    const { handler, calls, audited } = harness();
    const ask = slash(ALICE, 'resume', { reason: 'all clear' });
    await handler.handle(ask.interaction);
    expect(calls).toEqual([]);
    expect(handler.pendingConfirmations()).toBe(1);
    const buttons = ask.replies[0]!.buttons!;
    expect(buttons.map((b) => b.customId)).toEqual(['mia:resume:confirm:n1', 'mia:resume:cancel:n1']);
    expect(audited).toEqual([{ who: `discord:${ALICE}`, action: 'discord.resume', args: { detail: { reason: 'all clear', confirmation: 'n1' } }, result: { ok: true, message: 'awaiting confirmation' } }]);

    const press = button(ALICE, buttons[0]!.customId);
    await handler.handle(press.interaction);
    expect(calls).toEqual([{ command: 'resume', who: `discord:${ALICE}`, reason: 'all clear' }]);
    expect(press.updates).toEqual([{ content: '✅ resume done' }]);

    // A second press (double click) does nothing more.
    const again = button(ALICE, buttons[0]!.customId);
    await handler.handle(again.interaction);
    expect(calls).toHaveLength(1);
    expect(again.updates[0]!.content).toContain('expired or was already used');
  });

  it('/resume needs a reason; cancel, expiry and another operator\'s press do nothing', async () => {
    const { handler, calls, clock, audited } = harness({ confirmMs: 30_000 });
    const noReason = slash(ALICE, 'resume');
    await handler.handle(noReason.interaction);
    expect(noReason.replies[0]!.content).toContain('needs a reason');
    expect(handler.pendingConfirmations()).toBe(0);

    // Cancel.
    await handler.handle(slash(ALICE, 'resume', { reason: 'r1' }).interaction);
    const cancel = button(ALICE, 'mia:resume:cancel:n1');
    await handler.handle(cancel.interaction);
    expect(cancel.updates[0]!.content).toContain('cancelled');

    // Another allow-listed operator cannot confirm Alice's request.
    await handler.handle(slash(ALICE, 'resume', { reason: 'r2' }).interaction);
    const bob = button(BOB, 'mia:resume:confirm:n2');
    await handler.handle(bob.interaction);
    expect(bob.updates[0]!.content).toContain('Only the operator who asked');
    // ...and the request is still Alice's to confirm, until it expires.
    clock.advance(30_000);
    const late = button(ALICE, 'mia:resume:confirm:n2');
    await handler.handle(late.interaction);
    expect(late.updates[0]!.content).toContain('expired');

    // A stranger pressing a (guessed) button is refused too.
    await handler.handle(slash(ALICE, 'resume', { reason: 'r3' }).interaction);
    const stranger = button(MALLORY, 'mia:resume:confirm:n3');
    await handler.handle(stranger.interaction);
    expect(stranger.updates[0]!.content).toContain('not allowed');

    expect(calls).toEqual([]);
    expect(audited.filter((a) => (a.result as { ok: boolean }).ok === false).map((a) => a.action)).toEqual([
      'discord.resume',
      'discord.resume.confirm',
      'discord.resume.confirm',
      'discord.resume.confirm',
    ]);
  });

  it('/status, /pnl and /positions answer from one status; /phase maps its subcommands', async () => {
    const { handler, calls } = harness();
    const s = slash(ALICE, 'status');
    const p = slash(ALICE, 'pnl');
    const pos = slash(ALICE, 'positions');
    for (const x of [s, p, pos]) await handler.handle(x.interaction);
    expect(s.replies[0]!.content).toContain('phase     0 setup');
    expect(p.replies[0]!.content).toContain('session -$4.50');
    expect(pos.replies[0]!.content).toContain('long 1 @ 6001.25');
    expect(pos.replies[0]!.content).toContain('S-3 sell 0/1 stop stop 5993.25');

    await handler.handle(slash(ALICE, 'phase', { reason: 'manual' }, { subcommand: 'override' }).interaction);
    await handler.handle(slash(ALICE, 'phase', {}, { subcommand: 'advance' }).interaction);
    const bad = slash(ALICE, 'phase', {}, { subcommand: 'teleport' });
    await handler.handle(bad.interaction);
    expect(bad.replies[0]!.content).toContain('unknown /phase subcommand');
    expect(calls.map((c) => c.command)).toEqual(['status', 'status', 'status', 'phase.override', 'phase.advance']);
    expect(calls[3]).toMatchObject({ reason: 'manual' });
  });

  it('never throws: a failing reply or control handler is reported, not raised', async () => {
    const errors: unknown[] = [];
    const handler = createDiscordCommandHandler({
      control: { handle: async () => Promise.reject(new Error('session gone')) },
      allowedUserIds: [ALICE],
      allowedRoleIds: [],
      audit: async () => Promise.reject(new Error('audit down')),
      clock: new ManualClock(0),
      confirmMs: 1000,
      onError: (e) => errors.push(e),
    });
    const replies: DiscordReply[] = [];
    await handler.handle({ ...slash(ALICE, 'kill').interaction, reply: async (r) => void replies.push(r) });
    expect(replies[0]!.content).toContain('failed: session gone');
    await handler.handle({ ...slash(ALICE, 'status').interaction, reply: async () => Promise.reject(new Error('interaction expired')) });
    await handler.handle(slash(MALLORY, 'kill').interaction);
    expect(errors.map((e) => (e as Error).message)).toEqual(['interaction expired', 'audit down']);
  });
});
