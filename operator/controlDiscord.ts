/**
 * MIA's Discord surface for a live session: operator slash commands (through the same
 * control handler as the CLI), alerts to the alerts channel, and in phase 6 the signals:
 * premium at once, public after the delay, each appended to the hash-chained signal log
 * with its publications and its outcome.
 *
 * Everything Discord-specific is behind `DiscordBot` (discordBot.ts builds the real one
 * from discord.js), so tests run this glue with a fake bot.
 */
import type { InspectionEvent } from 'xstate';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { MiaConfig } from '../config/schema.ts';
import type { AuditRecord } from '../adapters/store/auditTrail.ts';
import type { ControlHandler } from '../adapters/control/controlProtocol.ts';
import { AlertQueue, type AlertKind } from '../adapters/discord/alerts.ts';
import { createDiscordCommandHandler, type OperatorInteraction } from '../adapters/discord/commandHandler.ts';
import type { DiscordBot } from '../adapters/discord/discordBot.ts';
import { SignalPublisher } from '../adapters/discord/signalPublisher.ts';
import type { Timers } from '../adapters/discord/timers.ts';
import { openSignalLog, signalLogPath, type SignalLog, type SignalRecord } from '../adapters/signals/signalLog.ts';
import { SignalTracker } from '../adapters/signals/signalTracker.ts';
import { currentPhase, signalsOn, type DeploymentSnapshot } from '../machines/deployment.ts';
import type { SignalPayload } from '../machines/orchestratorEvents.ts';
import type { Session } from '../session/session.ts';

export interface DiscordSurfaceOptions {
  session: Session;
  config: MiaConfig;
  home: string;
  control: ControlHandler;
  audit: { append(record: AuditRecord): Promise<unknown> };
  logger: Logger;
  /** Operator clock: confirmations, alert times, public delays. */
  clock: Clock;
  /** Builds the bot; it calls `onInteraction` for every operator interaction. */
  connect(hooks: { onInteraction(i: OperatorInteraction): Promise<void>; onEvent(e: { kind: string; detail: string }): void }): Promise<DiscordBot>;
  timers?: Timers;
}

export interface DiscordSurface {
  /** The signal log, when the premium or public channel is configured and the log verified. */
  readonly signalLog: SignalLog | null;
  close(): Promise<void>;
}

/** The message of a signal, quoting its log seq and hash prefix so the record can be checked. */
export function signalMessage(record: SignalRecord): string {
  if (record.kind !== 'signal') return '';
  const s = record.signal;
  const arrow = s.side === 'long' ? '📈 LONG' : '📉 SHORT';
  const parts = [`${arrow} ${s.symbol} @ ${s.price}`];
  if (s.stop !== undefined) parts.push(`stop ${s.stop}`);
  if (s.target !== undefined) parts.push(`target ${s.target}`);
  parts.push(`score ${s.score}`, new Date(s.signalTime).toISOString().replace('.000Z', 'Z'), `#${record.seq} ${record.hash.slice(0, 12)}`);
  return parts.join(' | ');
}

export async function startDiscordSurface(options: DiscordSurfaceOptions): Promise<DiscordSurface> {
  const { session, config, home, logger, clock } = options;
  const d = config.discord;
  const warn = (err: unknown, what: string) => logger.warn({ err: (err as Error).message ?? String(err) }, what);

  if (d.allowedUserIds.length === 0 && d.allowedRoleIds.length === 0) {
    logger.warn('discord: no allow-listed user or role ids (discord.allowedUserIds / allowedRoleIds): every operator command will be refused');
  }
  const handler = createDiscordCommandHandler({
    control: options.control,
    allowedUserIds: d.allowedUserIds,
    allowedRoleIds: d.allowedRoleIds,
    audit: (r) => options.audit.append(r),
    clock,
    confirmMs: d.confirmSeconds * 1000,
    onError: (err) => warn(err, 'discord reply failed'),
  });

  let alerts: AlertQueue | null = null;
  const alert = (kind: AlertKind, text: string) => alerts?.push({ kind, text, time: clock.now() });

  const bot = await options.connect({
    onInteraction: (i) => handler.handle(i),
    onEvent: (e) => {
      logger.info({ discord: e.kind, detail: e.detail }, 'discord');
      if (e.kind !== 'ready') alert(e.kind === 'disconnect' ? 'disconnect' : 'error', `Discord: ${e.detail}`);
    },
  });

  const alertsChannel = d.channels.alerts;
  if (alertsChannel) {
    alerts = new AlertQueue({
      send: (text) => bot.post(alertsChannel, text),
      clock,
      ...(options.timers ? { timers: options.timers } : {}),
      batchMs: d.alerts.batchMs,
      maxPerMinute: d.alerts.maxPerMinute,
      maxQueued: d.alerts.maxQueued,
      onError: (err) => warn(err, 'discord alert failed'),
    });
  }

  // Signals (phase 6): only with a channel to publish to and a log that verifies.
  let log: SignalLog | null = null;
  let publisher: SignalPublisher | null = null;
  const channels = { premium: d.channels.premium, public: d.channels.public };
  if (channels.premium || channels.public) {
    try {
      log = await openSignalLog(signalLogPath(home), clock);
    } catch (err) {
      logger.error({ err: (err as Error).message }, 'signal log refused: signals will not be published');
      alert('error', `signals disabled: ${(err as Error).message}`);
    }
  }
  if (log) {
    const signalLog = log;
    publisher = new SignalPublisher({
      post: async (audience, text) => {
        const channel = channels[audience];
        if (channel) await bot.post(channel, text);
      },
      publicDelayMs: d.publicDelaySeconds * 1000,
      clock,
      ...(options.timers ? { timers: options.timers } : {}),
      onPublished: (signalId, audience) => {
        signalLog.append({ kind: 'published', published: { signalId, audience } }).catch((err: unknown) => warn(err, 'signal log append failed'));
      },
      onError: (err, signalId, audience) => {
        warn(err, `signal ${signalId} not published to ${audience}`);
        alert('error', `signal ${signalId} could not be published to ${audience}`);
      },
    });
    // After a restart: never post twice; post what the public channel is still owed.
    const premiumAt = new Map<string, number>();
    const publicDone = new Set<string>();
    for (const r of signalLog.records()) {
      if (r.kind !== 'published') continue;
      publisher.alreadyPublished(r.published.signalId, r.published.audience);
      if (r.published.audience === 'premium') premiumAt.set(r.published.signalId, r.time);
      else publicDone.add(r.published.signalId);
    }
    for (const r of signalLog.records()) {
      if (r.kind === 'signal' && premiumAt.has(r.signal.id) && !publicDone.has(r.signal.id)) {
        publisher.schedulePublic({ id: r.signal.id, text: signalMessage(r) }, premiumAt.get(r.signal.id)!);
      }
    }
  }

  const tracker = new SignalTracker({ symbol: config.symbol, stopPoints: config.strategy.stopPoints, targetPoints: config.strategy.targetPoints });
  const deployment = () => session.actor.getSnapshot().children.deployment?.getSnapshot() as DeploymentSnapshot | undefined;
  const appendAll = (bodies: ReturnType<SignalTracker['onTrade']>) => {
    if (!log) return;
    for (const body of bodies) {
      // Published only while phase 6 is on: in phase 5 the log is the track record the signals gate judges.
      const publish = body.kind === 'signal' && isSignalsOn();
      log
        .append(body)
        .then((record) => {
          if (record.kind === 'signal' && publish) publisher?.publish({ id: record.signal.id, text: signalMessage(record) });
        })
        .catch((err: unknown) => warn(err, 'signal log append failed'));
    }
  };
  const isSignalsOn = () => {
    const d = deployment();
    return d !== undefined && signalsOn(d);
  };
  /**
   * Signals enter the log while Discord signals are on (phase 6) and, unpublished, in the own-account
   * phase before them: the signals gate (`mia evidence signals`) needs a track record before anything
   * is published, and only phase 6 publishes.
   */
  const logsSignals = () => {
    const d = deployment();
    return d !== undefined && (signalsOn(d) || currentPhase(d).name === 'ownAccount');
  };

  const subscriptions = [
    session.actor.on('journal.order', (e) => {
      if (!log) return;
      // A new signal is logged in phase 5 and 6 (published in 6 only); the ones already logged are followed to their outcome.
      if (e.status === 'submitted' && e.request.purpose === 'entry' && !logsSignals()) return;
      appendAll(tracker.onOrder(e.clientOrderId, e.request, e.status));
    }),
    session.actor.on('journal.fill', (e) => {
      tracker.onFill(e.fill);
      const f = e.fill;
      alert('fill', `${f.side} ${f.qty} ${f.symbol} @ ${f.price} (${f.clientOrderId})`);
    }),
    session.actor.on('journal.trade', (e) => appendAll(tracker.onTrade(e.trade))),
    session.actor.on('audit', (e) => {
      if (e.who === 'risk') alert('risk', `risk ${e.detail}`);
      else if (e.action === 'venue-down') alert('disconnect', `venue down: ${e.detail}`);
      else if (e.who === 'supervisor') alert('error', `supervisor ${e.action}: ${e.detail}`);
      else if (['kill', 'pause', 'resume', 'flatten'].includes(e.action)) alert('risk', `${e.action} by ${e.who}: ${e.detail}`);
    }),
  ];

  // Signals and phase changes are not emitted records: watch them in the actor system.
  let lastPhase = (() => {
    const snap = deployment();
    return snap ? `${currentPhase(snap).name}/${signalsOn(snap) ? 'on' : 'off'}` : '';
  })();
  const inspection = session.actor.system.inspect((ev: InspectionEvent) => {
    if (ev.type === '@xstate.event' && ev.actorRef === session.actor && ev.event.type === 'SIGNAL') {
      tracker.onSignal((ev.event as unknown as { signal: SignalPayload }).signal);
    } else if (ev.type === '@xstate.snapshot' && ev.actorRef === session.actor.getSnapshot().children.deployment) {
      const snap = ev.snapshot as DeploymentSnapshot;
      const now = `${currentPhase(snap).name}/${signalsOn(snap) ? 'on' : 'off'}`;
      if (now !== lastPhase) {
        const p = currentPhase(snap);
        alert('phase', `phase ${p.id} ${p.name}, signals ${signalsOn(snap) ? 'on' : 'off'} (was ${lastPhase})`);
        lastPhase = now;
      }
    }
  });

  return {
    signalLog: log,
    async close() {
      inspection.unsubscribe();
      for (const s of subscriptions) s.unsubscribe();
      publisher?.close();
      alerts?.close();
      // Appends already asked for (signals, outcomes, publications) reach the disk first.
      await log?.flush();
      await bot.close();
    },
  };
}
