/**
 * The operator surfaces of a running `mia run`: the control channel (always) and Discord
 * (only when DISCORD_TOKEN is set).
 *
 * The control channel is part of the safety net, so it opens before the session trades:
 * if it cannot listen, the run fails before any order. Until a session is attached it
 * answers "starting". Discord is not part of the safety net: if it cannot connect, the
 * session trades on, the failure is logged and audited, and the CLI still reaches the kill
 * switch.
 */
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { MiaConfig } from '../config/schema.ts';
import type { Evidence, GateTransition } from '../config/gates.ts';
import type { AuditRecord } from '../adapters/store/auditTrail.ts';
import type { ControlHandler, ControlRequest, ControlResponse } from '../adapters/control/controlProtocol.ts';
import { startControlServer, type ControlRefusal, type ControlServer } from '../adapters/control/controlServer.ts';
import { rateLimitedReport } from '../core/rateLimitedReport.ts';
import { createSessionControl } from './controlHandler.ts';
import type { DiscordSurface } from './controlDiscord.ts';
import type { Session } from '../session/session.ts';

export interface ControlSurfacesOptions {
  config: MiaConfig;
  home: string;
  audit: { append(record: AuditRecord): Promise<unknown> };
  logger: Logger;
  /** Operator clock (the real one in `mia run`). */
  clock: Clock;
  controlPort?: number;
  controlSocket?: string;
  /** Source of DISCORD_TOKEN (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** The evidence `phase advance` judges (the latest of `<home>/evidence`); see createSessionControl. */
  evidence?: (transition: GateTransition) => Evidence | undefined;
}

export interface ControlSurfaces {
  readonly control: ControlServer;
  /** The Discord surface once attached and connected, else null. */
  discord(): DiscordSurface | null;
  /**
   * Points the channel at `session` (commands reach it from now on) and starts Discord.
   * `maxBars` is what status reports: null when the session runs until stopped.
   */
  attach(session: Session, maxBars: number | null): Promise<void>;
  /** Closes Discord and the control channel (control.json removed). Idempotent. */
  close(): Promise<void>;
}

/** Opens the control channel (no session yet); see the module comment. */
export async function startControlSurfaces(options: ControlSurfacesOptions): Promise<ControlSurfaces> {
  const { config, home, audit, logger, clock } = options;
  const auditSafely = (record: AuditRecord) =>
    audit.append(record).catch((err: unknown) => logger.error({ err: (err as Error).message, action: record.action }, 'audit write failed'));

  // Anyone who can reach the port can make requests be refused: log and audit them at a
  // bounded rate (the next one through says how many were left out), never one write each.
  const refusedReport = rateLimitedReport<ControlRefusal>(
    (r, suppressed) => {
      logger.warn({ remote: r.remote, status: r.status, reason: r.reason, command: r.command, suppressedBefore: suppressed }, 'control request refused');
      void auditSafely({ who: `control:${r.remote}`, action: `control.${r.command ?? 'unknown'}`, args: { status: r.status, suppressedBefore: suppressed }, result: { ok: false, message: `refused: ${r.reason}` } });
    },
    { clock, burst: 10, windowMs: 60_000 },
  );

  let sessionControl: ControlHandler | null = null;
  // The evidence the last advance was judged on, so its answer can say which.
  const served: { evidence: Evidence | undefined | null } = { evidence: null };
  const evidence = options.evidence && ((t: GateTransition) => (served.evidence = options.evidence!(t)));
  const handler: ControlHandler = {
    async handle(request: ControlRequest) {
      served.evidence = null;
      const pending = sessionControl?.handle(request);
      // The handler judges synchronously, before its first await: `served` is this request's.
      const judgedOn = served.evidence as Evidence | undefined | null;
      let response = pending
        ? await pending
        : { ok: false, command: request.command, message: `mia at ${home} is starting: try again in a moment` };
      if (request.command === 'phase.advance' && response.data && judgedOn !== null) {
        response = { ...response, data: { ...(response.data as Record<string, unknown>), evidence: JSON.parse(JSON.stringify(judgedOn ?? null)) } as ControlResponse['data'] };
      }
      if (!sessionControl) void auditSafely({ who: request.who, action: `control.${request.command}`, args: { detail: request.reason ?? null }, result: { ok: false, message: response.message } });
      logger.info({ who: request.who, command: request.command, reason: request.reason, ok: response.ok, message: response.message }, 'control command');
      return response;
    },
  };

  const control = await startControlServer({
    home,
    handler,
    ...(options.controlPort !== undefined ? { port: options.controlPort } : {}),
    ...(options.controlSocket !== undefined ? { socket: options.controlSocket } : {}),
    onRefused: refusedReport,
  }).catch((err: unknown) => {
    const where = options.controlSocket ?? `127.0.0.1:${options.controlPort ?? 0}`;
    throw new Error(`the control channel cannot listen on ${where}: ${(err as Error).message}`);
  });
  logger.info({ endpoint: 'socket' in control.endpoint ? { socket: control.endpoint.socket } : { port: control.endpoint.port }, file: control.file }, 'control channel listening');

  let discord: DiscordSurface | null = null;
  let closing: Promise<void> | undefined;

  const startDiscord = async (session: Session, token: string, api: string | undefined) => {
    try {
      // Loaded only when used: discord.js stays off the start-up path of every other run.
      const [{ startDiscordSurface }, { startDiscordBot }] = await Promise.all([import('./controlDiscord.ts'), import('../adapters/discord/discordBot.ts')]);
      const surface = await startDiscordSurface({
        session,
        config,
        home,
        control: handler,
        audit,
        logger,
        clock,
        connect: (hooks) => startDiscordBot({ token, guildId: config.discord.guildId, ...(api ? { api } : {}), onInteraction: hooks.onInteraction, onEvent: hooks.onEvent }),
      });
      // Closed while connecting: do not leave the bot running.
      if (closing) await surface.close();
      else discord = surface;
      logger.info('discord connected');
    } catch (err) {
      logger.error({ err: (err as Error).message }, 'discord could not start; trading continues without it');
      void auditSafely({ who: 'discord', action: 'discord.start', args: null, result: { ok: false, message: (err as Error).message } });
    }
  };

  return {
    control,
    discord: () => discord,
    async attach(session, maxBars) {
      sessionControl = createSessionControl({
        session,
        config,
        home,
        audit,
        operatorClock: clock,
        maxBars,
        ...(evidence ? { evidence } : {}),
        onAuditError: (err) => logger.error({ err: (err as Error).message }, 'audit write failed'),
      });
      const env = options.env ?? process.env;
      const token = env.DISCORD_TOKEN;
      // DISCORD_API_URL points the bot at another Discord REST API (a local stand-in in tests).
      if (token) await startDiscord(session, token, env.DISCORD_API_URL?.trim() || undefined);
      else logger.info('discord off: DISCORD_TOKEN is not set (no slash commands, alerts or signal publishing)');
    },
    close() {
      closing ??= (async () => {
        await discord?.close().catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'discord close failed'));
        await control.close();
      })();
      return closing;
    },
  };
}
