/**
 * The discord.js side without a gateway: the slash command definitions match what the
 * handler understands, and interactions (cached member or raw API member) are mapped to
 * the handler's shapes, replies ephemeral with their buttons.
 */
import { describe, expect, it } from 'vitest';
import { ApplicationCommandOptionType, MessageFlags, type Interaction } from 'discord.js';
import { slashCommandDefinitions, toOperatorInteraction } from '../../../adapters/discord/discordBot.ts';
import { discordCommandNames } from '../../../adapters/discord/commandHandler.ts';

describe('slash command definitions', () => {
  it('are exactly the handler\'s commands; /resume and /phase override require a reason', () => {
    const defs = slashCommandDefinitions();
    expect(defs.map((d) => d.name).sort()).toEqual([...discordCommandNames].sort());
    const resume = defs.find((d) => d.name === 'resume')!;
    expect(resume.options).toEqual([expect.objectContaining({ name: 'reason', required: true, type: ApplicationCommandOptionType.String })]);
    const kill = defs.find((d) => d.name === 'kill')!;
    expect(kill.options).toEqual([expect.objectContaining({ name: 'reason', required: false })]);
    const phase = defs.find((d) => d.name === 'phase')!;
    const subs = (phase.options ?? []) as Array<{ name: string; type: number; options?: Array<{ name: string; required?: boolean }> }>;
    expect(subs.map((s) => s.name)).toEqual(['status', 'advance', 'override']);
    expect(subs.every((s) => s.type === ApplicationCommandOptionType.Subcommand)).toBe(true);
    expect(subs.find((s) => s.name === 'override')!.options).toEqual([expect.objectContaining({ name: 'reason', required: true })]);
  });
});

describe('toOperatorInteraction', () => {
  it('maps a chat command with a cached member; the reply is ephemeral and carries buttons', async () => {
    const sent: unknown[] = [];
    const fake = {
      isChatInputCommand: () => true,
      isButton: () => false,
      user: { id: '111111111111111111' },
      member: { roles: { cache: new Map([['333333333333333333', {}]]) } },
      commandName: 'phase',
      options: { getSubcommand: () => 'override', getString: (n: string) => (n === 'reason' ? 'by hand' : null), getBoolean: () => null },
      reply: async (r: unknown) => void sent.push(r),
    } as unknown as Interaction;
    const op = toOperatorInteraction(fake);
    expect(op).toMatchObject({ kind: 'command', userId: '111111111111111111', roleIds: ['333333333333333333'], commandName: 'phase', subcommand: 'override', options: { reason: 'by hand' } });
    if (op?.kind !== 'command') throw new Error('expected a command');
    await op.reply({ content: 'hi', ephemeral: true, buttons: [{ customId: 'mia:resume:confirm:x', label: 'Confirm', style: 'danger' }] });
    const reply = sent[0] as { content: string; flags: number; components: Array<{ toJSON(): { components: Array<{ custom_id: string }> } }> };
    expect(reply.content).toBe('hi');
    expect(reply.flags).toBe(MessageFlags.Ephemeral);
    expect(reply.components[0]!.toJSON().components[0]!.custom_id).toBe('mia:resume:confirm:x');
  });

  it('maps a button press with a raw API member; ignores other interactions', () => {
    const button = {
      isChatInputCommand: () => false,
      isButton: () => true,
      user: { id: '222222222222222222' },
      member: { roles: ['444444444444444444'] },
      customId: 'mia:resume:cancel:x',
      update: async () => undefined,
    } as unknown as Interaction;
    expect(toOperatorInteraction(button)).toMatchObject({ kind: 'button', userId: '222222222222222222', roleIds: ['444444444444444444'], customId: 'mia:resume:cancel:x' });
    const other = { isChatInputCommand: () => false, isButton: () => false, member: null, user: { id: '1' } } as unknown as Interaction;
    expect(toOperatorInteraction(other)).toBeNull();
  });
});
