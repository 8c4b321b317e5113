/**
 * Discord operator commands, decided without discord.js: given an interaction-like object
 * (who, their roles, the command and its options, and how to answer), an allow-list and
 * the control channel's handler, it refuses or acts. discordBot.ts adapts real
 * interactions to these shapes; tests construct them.
 *
 * - Only allow-listed user ids, or members holding an allow-listed role, are obeyed;
 *   anyone else is refused, and the attempt is audited.
 * - /kill acts at once. /resume never acts on the slash command alone: it needs a reason
 *   and asks for a confirmation button, which only the same operator can press, once,
 *   before it expires.
 * - Commands that reach the session are audited by the control handler with their result
 *   (who = `discord:<userId>`); refusals and confirmation steps are audited here.
 */
import type { Clock } from '../../core/clock.ts';
import type { AuditRecord } from '../store/auditTrail.ts';
import type { ControlCommand, ControlHandler, ControlResponse, ControlStatus } from '../control/controlProtocol.ts';
import { formatPnl, formatPositions, formatStatus } from '../control/formatStatus.ts';

/** A button under a reply. */
export interface DiscordButton {
  customId: string;
  label: string;
  style: 'danger' | 'secondary' | 'success' | 'primary';
}

/** What the handler answers; replies to operator commands are ephemeral (only the operator sees them). */
export interface DiscordReply {
  content: string;
  ephemeral?: boolean;
  buttons?: DiscordButton[];
}

/** A slash command as the handler needs it. */
export interface SlashCommandInteraction {
  kind: 'command';
  userId: string;
  /** Role ids of the member in the guild (empty in a DM). */
  roleIds: readonly string[];
  /** Without the slash: 'status', 'kill', 'phase'... */
  commandName: string;
  /** For /phase: 'status' | 'advance' | 'override'. */
  subcommand: string | null;
  /** Options by name: `reason` (string); `keepTrading` for /flatten (its `keep-trading` boolean). */
  options: Readonly<{ reason?: string | undefined; keepTrading?: boolean | undefined }>;
  reply(reply: DiscordReply): Promise<unknown>;
}

/** A press on one of the handler's buttons. */
export interface ButtonInteraction {
  kind: 'button';
  userId: string;
  roleIds: readonly string[];
  customId: string;
  /** Replaces the message that carried the button (its buttons go away). */
  update(reply: DiscordReply): Promise<unknown>;
}

export type OperatorInteraction = SlashCommandInteraction | ButtonInteraction;

export interface DiscordCommandHandlerOptions {
  control: ControlHandler;
  allowedUserIds: readonly string[];
  allowedRoleIds: readonly string[];
  audit(record: AuditRecord): Promise<unknown>;
  clock: Clock;
  /** How long a /resume confirmation stays valid, ms. */
  confirmMs: number;
  /** Makes the id of a confirmation (default: random). */
  nonce?: () => string;
  /** A reply or audit that failed (the interaction may have expired); never thrown. */
  onError?(err: unknown): void;
}

export interface DiscordCommandHandler {
  handle(interaction: OperatorInteraction): Promise<void>;
  /** Resume confirmations still waiting for their button. */
  pendingConfirmations(): number;
}

/** The slash commands this handler understands. */
export const discordCommandNames = ['status', 'pause', 'resume', 'kill', 'flatten', 'phase', 'pnl', 'positions'] as const;

const CONFIRM = 'mia:resume:confirm:';
const CANCEL = 'mia:resume:cancel:';
const MAX_CONTENT = 1900;

interface PendingResume {
  userId: string;
  reason: string;
  expiresAt: number;
}

const clip = (text: string) => (text.length > MAX_CONTENT ? `${text.slice(0, MAX_CONTENT)}\n…` : text);
const block = (text: string) => `\`\`\`\n${clip(text)}\n\`\`\``;

export function createDiscordCommandHandler(options: DiscordCommandHandlerOptions): DiscordCommandHandler {
  const { control, clock } = options;
  const users = new Set(options.allowedUserIds);
  const roles = new Set(options.allowedRoleIds);
  const pending = new Map<string, PendingResume>();
  const nonce = options.nonce ?? (() => `${clock.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`);

  const allowed = (i: OperatorInteraction) => users.has(i.userId) || i.roleIds.some((r) => roles.has(r));
  const who = (i: OperatorInteraction) => `discord:${i.userId}`;

  const safe = async (p: () => Promise<unknown>) => {
    try {
      await p();
    } catch (err) {
      options.onError?.(err);
    }
  };
  const audit = (i: OperatorInteraction, action: string, detail: unknown, ok: boolean, message: string) =>
    safe(() => options.audit({ who: who(i), action, args: { detail }, result: { ok, message } }));

  const purgeExpired = () => {
    const now = clock.now();
    for (const [id, p] of pending) if (p.expiresAt <= now) pending.delete(id);
  };

  const ask = (i: OperatorInteraction, command: ControlCommand, reason?: string, extra: { keepTrading?: boolean } = {}): Promise<ControlResponse> =>
    control.handle({ command, who: who(i), ...(reason !== undefined && reason.trim() !== '' ? { reason } : {}), ...(extra.keepTrading ? { keepTrading: true } : {}) }).catch(
      (err: unknown): ControlResponse => ({ ok: false, command, message: `failed: ${(err as Error).message ?? String(err)}` }),
    );

  const answer = (r: ControlResponse) => `${r.ok ? '✅' : '⛔'} ${clip(r.message)}`;

  const onCommand = async (i: SlashCommandInteraction): Promise<void> => {
    const name = i.commandName;
    const reason = i.options.reason?.trim() || undefined;
    const label = name === 'phase' ? `/phase ${i.subcommand ?? ''}`.trim() : `/${name}`;
    if (!allowed(i)) {
      await audit(i, `discord.${name}`, { command: label, reason: reason ?? null }, false, 'refused: not on the allow-list');
      await safe(() => i.reply({ content: '⛔ You are not allowed to operate MIA.', ephemeral: true }));
      return;
    }
    const reply = (content: string, buttons?: DiscordButton[]) => safe(() => i.reply({ content, ephemeral: true, ...(buttons ? { buttons } : {}) }));
    switch (name) {
      case 'status':
      case 'pnl':
      case 'positions': {
        const r = await ask(i, 'status');
        if (!r.ok || !r.data) return reply(answer(r));
        const s = r.data as unknown as ControlStatus;
        return reply(block(name === 'status' ? formatStatus(s) : name === 'pnl' ? formatPnl(s) : formatPositions(s)));
      }
      case 'kill':
        return reply(answer(await ask(i, 'kill', reason ?? `via Discord ${label}`)));
      case 'pause':
        return reply(answer(await ask(i, name, reason)));
      case 'flatten':
        return reply(answer(await ask(i, name, reason, { keepTrading: i.options.keepTrading === true })));
      case 'phase': {
        const sub = i.subcommand;
        if (sub !== 'status' && sub !== 'advance' && sub !== 'override') {
          await audit(i, 'discord.phase', { subcommand: sub }, false, 'refused: unknown subcommand');
          return reply(`⛔ unknown /phase subcommand ${JSON.stringify(sub)}`);
        }
        const r = await ask(i, `phase.${sub}`, reason);
        return reply(r.ok && sub === 'status' ? `${answer(r)}\n${block(JSON.stringify(r.data, null, 1))}` : answer(r));
      }
      case 'resume': {
        if (!reason) {
          await audit(i, 'discord.resume', { reason: null }, false, 'refused: a resume needs a reason');
          return reply('⛔ /resume needs a reason.');
        }
        purgeExpired();
        const id = nonce();
        pending.set(id, { userId: i.userId, reason, expiresAt: clock.now() + options.confirmMs });
        await audit(i, 'discord.resume', { reason, confirmation: id }, true, 'awaiting confirmation');
        return reply(`Resume trading? Reason: “${clip(reason)}”. Confirm within ${Math.round(options.confirmMs / 1000)} s.`, [
          { customId: `${CONFIRM}${id}`, label: 'Confirm resume', style: 'danger' },
          { customId: `${CANCEL}${id}`, label: 'Cancel', style: 'secondary' },
        ]);
      }
      default:
        await audit(i, `discord.${name}`, { command: label }, false, 'refused: unknown command');
        return reply(`⛔ unknown command ${label}`);
    }
  };

  const onButton = async (i: ButtonInteraction): Promise<void> => {
    const confirm = i.customId.startsWith(CONFIRM);
    const cancel = i.customId.startsWith(CANCEL);
    if (!confirm && !cancel) return; // not one of ours
    const id = i.customId.slice((confirm ? CONFIRM : CANCEL).length);
    const update = (content: string) => safe(() => i.update({ content }));
    if (!allowed(i)) {
      await audit(i, 'discord.resume.confirm', { confirmation: id }, false, 'refused: not on the allow-list');
      return update('⛔ You are not allowed to operate MIA.');
    }
    purgeExpired();
    const p = pending.get(id);
    if (!p) {
      await audit(i, 'discord.resume.confirm', { confirmation: id }, false, 'refused: unknown or expired confirmation');
      return update('⛔ This confirmation has expired or was already used. Nothing was done.');
    }
    if (p.userId !== i.userId) {
      await audit(i, 'discord.resume.confirm', { confirmation: id, requestedBy: p.userId }, false, 'refused: only the operator who asked may confirm');
      return update('⛔ Only the operator who asked for the resume may confirm it.');
    }
    // Single use: a double click cannot resume twice.
    pending.delete(id);
    if (cancel) {
      await audit(i, 'discord.resume.cancel', { confirmation: id, reason: p.reason }, true, 'cancelled by the operator');
      return update('Resume cancelled. Nothing was done.');
    }
    const r = await ask(i, 'resume', p.reason);
    return update(answer(r));
  };

  return {
    async handle(interaction) {
      try {
        if (interaction.kind === 'command') await onCommand(interaction);
        else await onButton(interaction);
      } catch (err) {
        // The bot's event loop must never see a throw.
        options.onError?.(err);
      }
    },
    pendingConfirmations() {
      purgeExpired();
      return pending.size;
    },
  };
}
