/**
 * `mia discord test-alert`: the setup step "a Discord test alert when configured" (issue 14,
 * item 5). The bot (adapters/discord/discordBot.ts, the same one `mia run` starts) logs in
 * with DISCORD_TOKEN from the environment (DISCORD_API_URL points it at another Discord REST
 * API, a local stand-in in tests), posts one test alert to `discord.channels.alerts`, and
 * logs out. The token is never printed.
 *
 * With `--home` (or MIA_HOME), an alert that was posted is recorded through the evidence store
 * as setup evidence (source `discord-test-alert`). The setup gate's checklist (config/gates.ts
 * `setupChecks`) has no Discord item, so the record states no check and the gate requires
 * nothing more than before: it is optional evidence, listed by `mia evidence list`.
 * Exit codes: 0 posted (and recorded); 1 not posted (login, channel or timeout, named);
 * 2 bad flags or configuration (DISCORD_TOKEN unset, no alerts channel).
 */
import type { Command } from 'commander';
import { loadConfig } from '../config/load.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { startDiscordBot, type DiscordBot } from '../adapters/discord/discordBot.ts';
import { openEvidenceStore } from '../adapters/store/evidenceStore.ts';
import { resolveHome } from './home.ts';
import { EXIT_FAILURE, EXIT_OK, UsageError, positiveInt } from './usage.ts';

const WHO = 'mia discord test-alert';

export interface DiscordTestAlertFlags {
  home?: string;
  config?: string;
  json?: boolean;
  /** Longest wait for login and post, wall-clock ms. */
  timeout?: number;
}

export interface DiscordTestAlertResult {
  ok: boolean;
  channel: string;
  /** The text posted (or that could not be). */
  text: string;
  /** Why it was not posted. */
  error?: string;
  /** The evidence record written, when a home was given and the alert was posted. */
  evidence?: string;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Rejects after `ms` naming `what`, so that an unreachable Discord is a failure, not a hang. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Posts the test alert and, with a home, records it. Throws UsageError / ConfigError for bad
 * flags or configuration (exit 2).
 */
export async function runDiscordTestAlert(flags: DiscordTestAlertFlags, env: NodeJS.ProcessEnv = process.env, clock: Clock = systemClock): Promise<DiscordTestAlertResult> {
  const config = loadConfig(flags.config ? { file: flags.config } : {});
  const token = env.DISCORD_TOKEN?.trim();
  if (!token) throw new UsageError('DISCORD_TOKEN is not set: the bot token comes from the environment only');
  const channel = config.discord.channels.alerts;
  if (channel === null) throw new UsageError('discord.channels.alerts is not configured: the test alert goes to the alerts channel');
  const timeout = flags.timeout ?? 15_000;
  const now = new Date(clock.now()).toISOString();
  const text = `🔔 MIA test alert ${now}: alerts reach this channel`;
  const api = env.DISCORD_API_URL?.trim() || undefined;

  let bot: DiscordBot | null = null;
  let result: DiscordTestAlertResult;
  try {
    const login = startDiscordBot({ token, guildId: config.discord.guildId, ...(api ? { api } : {}), onInteraction: async () => undefined });
    // A login that completes after the timeout still logs out (no client left open behind).
    login.then((late) => (bot === null ? late.close() : undefined)).catch(() => undefined);
    bot = await within(login, timeout, 'Discord login');
    await within(bot.post(channel, text), timeout, `posting to channel ${channel}`);
    result = { ok: true, channel, text };
  } catch (err) {
    result = { ok: false, channel, text, error: message(err) };
  } finally {
    await bot?.close().catch(() => undefined);
  }

  const home = flags.home ?? env.MIA_HOME;
  if (home !== undefined && result.ok) {
    result.evidence = await openEvidenceStore(resolveHome(home, env)).record(
      {
        transition: 'setup->calibration',
        evidence: { metrics: {}, provenance: [], period: { from: now.slice(0, 10), to: now.slice(0, 10) }, checks: {}, producedAt: now, source: 'discord-test-alert' },
        detail: { discordTestAlert: true, channel, api: api === undefined ? 'discord' : 'DISCORD_API_URL' },
      },
      WHO,
    );
  }
  return result;
}

function format(r: DiscordTestAlertResult): string {
  const lines = [r.ok ? `discord test alert OK: posted to channel ${r.channel}` : `discord test alert FAILED: channel ${r.channel}: ${r.error}`];
  if (r.evidence) lines.push(`evidence: ${r.evidence}`);
  return `${lines.join('\n')}\n`;
}

/** The command's action: prints the result and returns the exit code. */
export async function discordTestAlertAction(flags: DiscordTestAlertFlags, env: NodeJS.ProcessEnv = process.env, clock: Clock = systemClock): Promise<number> {
  const result = await runDiscordTestAlert(flags, env, clock);
  if (flags.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else if (result.ok) process.stdout.write(format(result));
  if (!result.ok) process.stderr.write(`mia: ${format(result).trimEnd()}\n`);
  return result.ok ? EXIT_OK : EXIT_FAILURE;
}

/** `mia discord test-alert`. */
export function registerDiscordCommands(program: Command): void {
  const discord = program.command('discord').description('the Discord bot (DISCORD_TOKEN from the environment)');
  discord
    .command('test-alert')
    .description('post one test alert to discord.channels.alerts; with --home, record it as (optional) setup evidence')
    .option('--home <dir>', 'record a posted alert as setup evidence in this home; also MIA_HOME')
    .option('--config <file>', 'configuration file; also MIA_CONFIG')
    .option('--timeout <ms>', 'longest wait for login and post', positiveInt('--timeout'), 15_000)
    .option('--json', 'print the result as JSON')
    .action(async (flags: DiscordTestAlertFlags) => {
      process.exitCode = await discordTestAlertAction(flags);
    });
}
