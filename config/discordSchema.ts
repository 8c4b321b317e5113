/**
 * Discord settings (`discord.*`). The bot itself starts only when the DISCORD_TOKEN
 * environment variable is set; the token is never part of the configuration. With empty
 * allow-lists nobody may operate MIA from Discord: access is granted, never assumed.
 */
import * as z from 'zod';

const snowflake = z.string().regex(/^\d{17,20}$/, 'a Discord id (snowflake) is 17 to 20 digits');
const count = z.number().int().positive();

export const discordSchema = z.strictObject({
  /** Guild whose slash commands are registered (immediate); null registers them globally. */
  guildId: snowflake.nullable().default(null),
  /** Users who may run operator commands. */
  allowedUserIds: z.array(snowflake).default([]),
  /** Members holding any of these roles may run operator commands. */
  allowedRoleIds: z.array(snowflake).default([]),
  channels: z
    .strictObject({
      /** Fills, risk and phase changes, errors, disconnections. */
      alerts: snowflake.nullable().default(null),
      /** Signals the moment they fire (phase 6). */
      premium: snowflake.nullable().default(null),
      /** The same signals after `publicDelaySeconds`. */
      public: snowflake.nullable().default(null),
    })
    .prefault({}),
  /** Delay before a signal reaches the public channel, seconds. */
  publicDelaySeconds: z.number().int().min(0).default(900),
  alerts: z
    .strictObject({
      /** Alerts arriving within this window go out as one message, ms. */
      batchMs: count.default(2_000),
      /** Messages per channel in any rolling minute (Discord allows about 5 per 5 s). */
      maxPerMinute: count.default(6),
      /** Alerts kept while rate-limited; beyond this the oldest are dropped and counted. */
      maxQueued: count.default(200),
    })
    .prefault({}),
  /** How long a /resume confirmation button stays valid, seconds. */
  confirmSeconds: count.default(60),
});

export type DiscordConfig = z.infer<typeof discordSchema>;
