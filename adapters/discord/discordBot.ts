/**
 * The discord.js wiring: log in with the token from the environment, register MIA's
 * slash commands (in one guild when configured, else globally), turn each interaction
 * into the plain shapes of commandHandler.ts, and post messages to channels. Started only
 * when DISCORD_TOKEN is set; the token is passed to discord.js and never logged.
 */
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  Client,
  Events,
  GatewayIntentBits,
  MessageFlags,
  REST,
  Routes,
  SlashCommandBuilder,
  type GuildMember,
  type Interaction,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
  type SlashCommandStringOption,
} from 'discord.js';
import type { DiscordButton, DiscordReply, OperatorInteraction } from './commandHandler.ts';

export interface DiscordBotOptions {
  token: string;
  /** Guild for instant command registration; null registers globally. */
  guildId: string | null;
  /**
   * Base URL of Discord's REST API (default Discord's own, https://discord.com/api); the
   * gateway URL comes from its GET /gateway/bot. Tests point it at a local stand-in.
   */
  api?: string;
  onInteraction(interaction: OperatorInteraction): Promise<void>;
  /** Connection facts (ready, disconnected, errors) for alerts and logs; never the token. */
  onEvent?(event: { kind: 'ready' | 'disconnect' | 'error'; detail: string }): void;
}

export interface DiscordBot {
  /** Posts `text` to a channel; rejects if the channel is unknown or not a text channel. */
  post(channelId: string, text: string): Promise<void>;
  close(): Promise<void>;
}

const reasonOption = (required: boolean) => (o: SlashCommandStringOption) =>
  o.setName('reason').setDescription('why (recorded in the audit trail)').setRequired(required).setMaxLength(400);

/** The slash commands MIA registers. */
export function slashCommandDefinitions(): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  return [
    new SlashCommandBuilder().setName('status').setDescription('MIA status: phase, risk, position, P&L, orders'),
    new SlashCommandBuilder().setName('pnl').setDescription('P&L of the running session'),
    new SlashCommandBuilder().setName('positions').setDescription('open position and working orders'),
    new SlashCommandBuilder().setName('pause').setDescription('stop new entries').addStringOption(reasonOption(false)),
    new SlashCommandBuilder().setName('resume').setDescription('resume trading (asks for confirmation)').addStringOption(reasonOption(true)),
    new SlashCommandBuilder().setName('kill').setDescription('kill switch: cancel all, flatten, refuse orders (acts at once)').addStringOption(reasonOption(false)),
    new SlashCommandBuilder()
      .setName('flatten')
      .setDescription('cancel working orders, close the position, pause entries until /resume')
      .addStringOption(reasonOption(false))
      .addBooleanOption((o) => o.setName('keep-trading').setDescription('close the position but let the strategy enter again').setRequired(false)),
    new SlashCommandBuilder()
      .setName('phase')
      .setDescription('deployment phase')
      .addSubcommand((s) => s.setName('status').setDescription('current phase and last gate evaluation'))
      .addSubcommand((s) => s.setName('advance').setDescription('promote if the gate passes'))
      .addSubcommand((s) => s.setName('override').setDescription('promote regardless of the gate').addStringOption(reasonOption(true))),
  ].map((b) => b.toJSON() as RESTPostAPIChatInputApplicationCommandsJSONBody);
}

const buttonStyle: Record<DiscordButton['style'], ButtonStyle> = {
  danger: ButtonStyle.Danger,
  secondary: ButtonStyle.Secondary,
  success: ButtonStyle.Success,
  primary: ButtonStyle.Primary,
};

function components(buttons: DiscordButton[] | undefined) {
  if (!buttons || buttons.length === 0) return [];
  return [new ActionRowBuilder<ButtonBuilder>().addComponents(buttons.map((b) => new ButtonBuilder().setCustomId(b.customId).setLabel(b.label).setStyle(buttonStyle[b.style])))];
}

/** Role ids of an interaction's member, cached or raw. */
function roleIdsOf(member: GuildMember | { roles: string[] } | null | undefined): string[] {
  if (!member) return [];
  const roles = member.roles as unknown;
  if (Array.isArray(roles)) return roles.filter((r): r is string => typeof r === 'string');
  const cache = (roles as { cache?: Map<string, unknown> }).cache;
  return cache ? [...cache.keys()] : [];
}

/** The handler's view of a discord.js interaction; null for anything it does not handle. */
export function toOperatorInteraction(interaction: Interaction): OperatorInteraction | null {
  const roleIds = roleIdsOf(interaction.member as GuildMember | { roles: string[] } | null);
  if (interaction.isChatInputCommand()) {
    return {
      kind: 'command',
      userId: interaction.user.id,
      roleIds,
      commandName: interaction.commandName,
      subcommand: interaction.options.getSubcommand(false),
      options: { reason: interaction.options.getString('reason') ?? undefined, keepTrading: interaction.options.getBoolean('keep-trading') ?? undefined },
      reply: (r: DiscordReply) =>
        interaction.reply({ content: r.content, components: components(r.buttons), ...(r.ephemeral ? { flags: MessageFlags.Ephemeral } : {}) }),
    };
  }
  if (interaction.isButton()) {
    return {
      kind: 'button',
      userId: interaction.user.id,
      roleIds,
      customId: interaction.customId,
      update: (r: DiscordReply) => interaction.update({ content: r.content, components: components(r.buttons) }),
    };
  }
  return null;
}

/** Logs in, registers the commands once ready, and routes interactions. */
export async function startDiscordBot(options: DiscordBotOptions): Promise<DiscordBot> {
  const restOptions = options.api ? { api: options.api } : {};
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: restOptions });
  const event = options.onEvent ?? (() => undefined);

  client.once(Events.ClientReady, (ready) => {
    event({ kind: 'ready', detail: `logged in as ${ready.user.tag}` });
    const rest = new REST(restOptions).setToken(options.token);
    const route = options.guildId ? Routes.applicationGuildCommands(ready.application.id, options.guildId) : Routes.applicationCommands(ready.application.id);
    rest.put(route, { body: slashCommandDefinitions() }).catch((err: unknown) => event({ kind: 'error', detail: `slash command registration failed: ${(err as Error).message}` }));
  });
  client.on(Events.InteractionCreate, (interaction) => {
    const operator = toOperatorInteraction(interaction);
    if (operator) void options.onInteraction(operator).catch((err: unknown) => event({ kind: 'error', detail: (err as Error).message ?? String(err) }));
  });
  client.on(Events.ShardDisconnect, (_e, shard) => event({ kind: 'disconnect', detail: `gateway shard ${shard} disconnected` }));
  client.on(Events.Error, (err) => event({ kind: 'error', detail: err.message }));

  try {
    await client.login(options.token);
  } catch (err) {
    // A refused login must not leave a half-open client (sockets, timers) behind.
    await client.destroy().catch(() => undefined);
    throw err;
  }

  return {
    async post(channelId, text) {
      const channel = await client.channels.fetch(channelId);
      if (!channel || !channel.isSendable()) throw new Error(`Discord channel ${channelId} is unknown or not a text channel`);
      await channel.send({ content: text });
    },
    async close() {
      await client.destroy();
    },
  };
}
