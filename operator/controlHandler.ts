/**
 * The control channel's handler over a live session: turns each operator command into
 * the orchestrator's OPERATOR.* and PHASE events, reads the machines' snapshots right
 * after (XState processes a send synchronously) to tell the operator what the machines
 * decided, and writes every command with its result to the audit trail.
 *
 * The machines decide: a resume from killed without a reason, an override without one, an
 * advance whose gate fails are refused by the risk and deployment machines, and this
 * handler reports their refusal (ok: false) with their words.
 *
 * Times: operator events carry the session's event time (risk rolls CME trading days on
 * event time, which in a replay is not today); deployment records and audit entries are
 * operator facts stamped with `operatorClock` (the real clock in `mia run`).
 */
import type { Clock } from '../core/clock.ts';
import { openPnl } from '../core/positionBook.ts';
import type { MiaConfig } from '../config/schema.ts';
import type { Evidence, GateTransition } from '../config/gates.ts';
import { runPhaseCommand, type DeploymentPort } from './phaseCommands.ts';
import { instrumentFor } from '../config/instruments.ts';
import type { AuditRecord } from '../adapters/store/auditTrail.ts';
import type { ControlHandler, ControlRequest, ControlResponse, ControlStatus } from '../adapters/control/controlProtocol.ts';
import { currentPhase, signalsOn, type DeploymentSnapshot } from '../machines/deployment.ts';
import { riskStatus, type RiskSnapshot } from '../machines/risk.ts';
import { riskContextNow } from '../machines/riskMarks.ts';
import { sessionState } from '../machines/orchestrator.ts';
import type { Session } from '../session/session.ts';

export interface SessionControlOptions {
  session: Session;
  config: MiaConfig;
  home: string;
  /** Where command records go (the store's audit trail). */
  audit: { append(record: AuditRecord): Promise<unknown> };
  /** Stamps deployment commands (phase history is an operator fact, not replay time). */
  operatorClock: Clock;
  /** Bars the session runs before ending by itself; null when it runs until stopped. */
  maxBars: number | null;
  /**
   * Evidence for `phase advance` (issue 6 collects it). Absent or undefined: an empty
   * evidence set is judged, which passes no gate and shows every criterion it lacks.
   */
  evidence?: (transition: GateTransition) => Evidence | undefined;
  /** Reports an audit write that failed (the command itself still ran). */
  onAuditError?: (err: unknown) => void;
}

export { describeEvaluation, noEvidence } from './phaseCommands.ts';

const round2 = (x: number) => Math.round(x * 100) / 100;

/** A {@link ControlHandler} driving `session`; see the module comment. */
export function createSessionControl(options: SessionControlOptions): ControlHandler {
  const { session, config, home, audit, operatorClock } = options;
  const pointValue = instrumentFor(config.symbol).pointValue;

  const snapshot = () => session.actor.getSnapshot();
  const riskSnap = () => snapshot().children.risk?.getSnapshot() as RiskSnapshot | undefined;
  const deploymentSnap = () => snapshot().children.deployment?.getSnapshot() as DeploymentSnapshot | undefined;
  const riskLine = (r: RiskSnapshot | undefined) =>
    r ? `${riskStatus(r)}${r.context.reasons.length ? ` [${r.context.reasons.join(', ')}]` : ''}` : 'unknown';

  const status = (): ControlStatus => {
    const snap = snapshot();
    const ctx = snap.context;
    const risk = riskSnap();
    const deployment = deploymentSnap();
    const summary = session.summary();
    const phase = deployment ? currentPhase(deployment) : { id: -1, name: 'unknown' };
    const connected = risk ? !risk.context.reasons.includes('venue-down') : false;
    const state = sessionState(snap);
    return {
      pid: process.pid,
      home,
      session: {
        id: ctx.sessionId,
        state: snap.status === 'active' ? String(state) : snap.status,
        bars: summary.bars,
        time: summary.to,
        signals: { ...ctx.counters.signals },
        ordersSent: ctx.counters.ordersSent,
        riskRefusals: ctx.counters.riskRefusals,
        fills: ctx.counters.fills,
        trades: ctx.counters.trades,
      },
      phase: { ...phase, signals: deployment && signalsOn(deployment) ? 'on' : 'off' },
      risk: {
        state: risk ? riskStatus(risk) : 'unknown',
        reasons: risk ? [...risk.context.reasons] : [],
        killedBy: risk?.context.killedBy ?? null,
        killReason: risk?.context.killReason ?? null,
      },
      position: { symbol: ctx.book.symbol, qty: ctx.book.qty, avgPrice: ctx.book.avgPrice },
      pnl: {
        realized: round2(ctx.book.realizedPnl),
        open: round2(ctx.book.qty !== 0 && ctx.lastMark > 0 ? openPnl(ctx.book, ctx.lastMark, pointValue) : 0),
        session: summary.pnl,
        today: round2(risk?.context.realizedPnlToday ?? 0),
        // With the mark risk has not been sent yet (machines/riskMarks.ts).
        equity: round2(riskContextNow(snap)?.equity ?? config.startingEquity),
      },
      // Each order as its order machine has it (the only truth about an order).
      orders: Object.entries(ctx.live).map(([id, o]) => ({
        clientOrderId: id,
        side: o.request.side,
        qty: o.request.qty,
        filledQty: o.state?.context.filledQty ?? 0,
        type: o.request.type,
        purpose: o.request.purpose,
        ...(o.request.price !== undefined ? { price: o.request.price } : {}),
        ...(o.request.stopPrice !== undefined ? { stopPrice: o.request.stopPrice } : {}),
      })),
      feed: { kind: config.feed.kind, provenance: summary.provenance, speed: config.feed.speed, maxBars: options.maxBars },
      venue: { kind: summary.venue, connected },
      connected,
    };
  };

  const eventTime = () => session.clock.now();

  // Phase commands: the same code as without a session (operator/phaseCommands.ts), on the session's machine.
  const phasePort: DeploymentPort = {
    snapshot: deploymentSnap,
    send: (event) => session.send({ type: 'PHASE', event }),
  };
  const phaseCommand = (request: ControlRequest): ControlResponse =>
    runPhaseCommand(request, phasePort, { config, home, clock: operatorClock, ...(options.evidence ? { evidence: options.evidence } : {}) });

  const run = (request: ControlRequest): ControlResponse => {
    const { command, who } = request;
    const reason = request.reason?.trim() ?? '';
    switch (command) {
      case 'status': {
        const s = status();
        return { ok: true, command, message: `phase ${s.phase.id} ${s.phase.name}, risk ${s.risk.state}, position ${s.position.qty}`, data: JSON.parse(JSON.stringify(s)) };
      }
      case 'pause': {
        session.send({ type: 'OPERATOR.PAUSE', who, reason: reason || 'operator pause', time: eventTime() });
        return { ok: true, command, message: `paused: no new entries; risk ${riskLine(riskSnap())}` };
      }
      case 'resume': {
        const wasKilled = riskSnap() ? riskStatus(riskSnap()!) === 'killed' : false;
        session.send({ type: 'OPERATOR.RESUME', who, reason, time: eventTime() });
        const risk = riskSnap();
        if (wasKilled && risk && riskStatus(risk) === 'killed') {
          // The risk machine's own words, without the event dump it appends.
          const refusal = risk.context.log.at(-1);
          const said = refusal?.kind === 'refusal' ? ` (risk: ${refusal.detail.replace(/ \(got .*$/s, '')})` : '';
          return {
            ok: false,
            command,
            message: `resume refused: killed by ${risk.context.killedBy ?? 'unknown'}: ${risk.context.killReason ?? ''}; leaving killed needs a reason${said}`,
          };
        }
        return { ok: true, command, message: `resumed${wasKilled ? ' from killed (reconciling with the venue first)' : ''}: risk ${riskLine(risk)}` };
      }
      case 'kill': {
        // A kill never waits for a reason: the latch comes first, the explanation after.
        session.send({ type: 'OPERATOR.KILL', who, reason: reason || '(no reason given)', time: eventTime() });
        const risk = riskSnap();
        const killed = risk ? riskStatus(risk) === 'killed' : false;
        return killed
          ? { ok: true, command, message: `killed: orders cancelled, position flattening, new orders refused until a resume with a reason (killed by ${risk?.context.killedBy}: ${risk?.context.killReason})` }
          : { ok: false, command, message: `kill did not latch: risk ${riskLine(risk)}` };
      }
      case 'flatten': {
        // Entries pause first, so that no signal between the flatten and its fill opens a new
        // position (a flatten that the strategy undoes a bar later is no flatten).
        const pause = !request.keepTrading;
        if (pause) session.send({ type: 'OPERATOR.PAUSE', who, reason: `flatten${reason ? `: ${reason}` : ''} (entries paused until resume)`, time: eventTime() });
        session.send({ type: 'OPERATOR.FLATTEN', who, reason: reason || 'operator flatten', time: eventTime() });
        const ctx = snapshot().context;
        const after = pause ? `; entries paused until resume (risk ${riskLine(riskSnap())})` : '; entries continue (--keep-trading)';
        return { ok: true, command, message: `flatten requested: position ${ctx.book.qty}, ${Object.keys(ctx.live).length} order(s) live${after}` };
      }
      case 'phase.status':
      case 'phase.history':
      case 'phase.advance':
      case 'phase.override':
      case 'signals.start':
      case 'signals.stop':
        return phaseCommand(request);
    }
  };

  return {
    async handle(request) {
      let response: ControlResponse;
      try {
        response = run(request);
      } catch (e) {
        response = { ok: false, command: request.command, message: `failed: ${(e as Error).message ?? String(e)}` };
      }
      // Status is read, not done, but still an operator fact: it is audited like the rest.
      try {
        await audit.append({
          who: request.who,
          action: `control.${request.command}`,
          args: { detail: request.reason ?? null, sessionTime: new Date(eventTime()).toISOString() },
          result: { ok: response.ok, message: response.message },
        });
      } catch (e) {
        options.onAuditError?.(e);
      }
      return response;
    },
  };
}
