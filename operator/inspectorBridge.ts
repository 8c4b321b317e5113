/**
 * The inspector's bridge: turns XState inspection events (the session's `inspect` hook)
 * and the session's summary into the view model the inspector page draws.
 *
 * Off the hot path: `inspect` does O(1) work per event and serialises nothing. It keeps
 * actor references (their state is read when a client is due an update) and puts each
 * event's references in a fixed ring of the last {@link EVENT_RING_SIZE}. The view is
 * built only when the server flushes to a client (at most 10 times a second), per client
 * cursor: what changed since that client's last message.
 *
 * Each machine is drawn from its definition (`actorRef.logic.root`): every state node,
 * nested and parallel, with the active ones listed by path; actors that are not machines
 * (market data, scoring, execution callbacks) are listed with their status. Orders are no
 * actors (the orchestrator steps each order's machine in its routing table): they are
 * drawn as the orchestrator's children `order:<id>` from that table, and the last finished
 * ones from their final journal records.
 */
import type { ActorRefLike, InspectionEvent } from 'xstate';
import type { Clock } from '../core/clock.ts';
import { riskContextNow } from '../machines/riskMarks.ts';
import type { OrchestratorContext, OrchestratorSnapshot } from '../machines/orchestrator.ts';
import { orderMachine } from '../machines/order.ts';
import { orderActorId } from '../machines/orchestratorTx.ts';
import type { Session, SessionSummary } from '../session/session.ts';
import { tradingDay } from '../core/tradingDay.ts';
import { phaseMismatch } from './sessionMismatch.ts';

/** Events kept for the page. */
export const EVENT_RING_SIZE = 200;

/** Finished actors of one logic (stopped orders...) kept in the tree before the oldest go. */
export const FINISHED_ACTORS_KEPT = 20;

/** One state node of a machine's definition. */
export interface StateNodeView {
  key: string;
  /** Dot path from the root ('' for the root itself). */
  path: string;
  type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  /** Key of the initial child of a compound node. */
  initial: string | null;
  /** Event types this node handles itself (XState internals left out). */
  events: string[];
  states: StateNodeView[];
}

export interface ActorView {
  sessionId: string;
  /** The actor's id in its parent ('risk', 'order:...'); the root is named after its machine. */
  id: string;
  parentId: string | null;
  /** Key of the actor's machine in `definitions`, or null for a non-machine actor. */
  machine: string | null;
  status: string;
  /** Dot paths of the active state nodes (ancestors included); empty for non-machines. */
  active: string[];
}

export interface EventView {
  seq: number;
  type: string;
  /** Sending actor's id, or null for an event from outside (the runner, an operator). */
  source: string | null;
  target: string;
  /** The event's own time (ms UTC, session clock) as ISO, when it carries one. */
  time: string | null;
  /** When the bridge recorded it (operator clock), ISO. */
  at: string;
}

/** A closed trade as the page lists it (times ISO, money in dollars). */
export interface TradeView {
  side: 'long' | 'short';
  qty: number;
  entryTime: string;
  exitTime: string;
  entryPrice: number;
  exitPrice: number;
  pnl: number;
}

/** Trades kept for the page: the current CME trading day's, at most this many. */
export const TRADES_KEPT = 200;

/** Equity points kept; past this, every other point is dropped (the curve keeps its shape). */
export const EQUITY_POINTS_KEPT = 600;

export interface SessionView extends SessionSummary {
  /** Closed trades of the session's current CME trading day, oldest first. */
  dayTrades: TradeView[];
  /** Equity (mark to market) over session time, sampled when the page is updated. */
  equityCurve: Array<{ time: string; equity: number }>;
  /** The phase disagrees with the venue or the data (operator/sessionMismatch.ts), or null. */
  mismatch: string | null;
  riskReasons: string[];
  killReason: string | null;
  killedBy: string | null;
  position: { symbol: string; qty: number; avgPrice: number; lastMark: number; openPnl: number };
  equity: number | null;
  orchestratorState: unknown;
}

export interface InspectorView {
  type: 'view';
  /** Operator clock, ISO. */
  time: string;
  session: SessionView | null;
  actors: ActorView[];
  /** Machine definitions this client has not received yet, by key. */
  definitions: Record<string, StateNodeView>;
  /** Events since this client's previous message, oldest first. */
  events: EventView[];
  /** Events this client missed because the ring wrapped between two messages. */
  eventsDropped: number;
}

/** Per-client position in the stream. */
export interface BridgeCursor {
  nextSeq: number;
  version: number;
  definitions: Set<string>;
}

export interface InspectorBridge {
  /** The session's inspect hook: O(1) per event; see the module comment. */
  inspect(event: InspectionEvent): void;
  /** Adds the session's summary, risk and position to the view. */
  attach(session: Session): void;
  /** Bumped by every recorded event: an unchanged version means nothing to send. */
  readonly version: number;
  open(): BridgeCursor;
  /** The view for `cursor` (advanced), or null when nothing changed and `force` is false. */
  view(cursor: BridgeCursor, force: boolean): InspectorView | null;
  /** {@link view} as JSON: the server's feed. */
  render(cursor: BridgeCursor, force: boolean): string | null;
}

interface ActorRecord {
  ref: ActorRefLike;
  parentId: string | null;
}

interface Internals {
  id: string;
  logic?: { root?: MachineNode; id?: string };
  _parent?: ActorRefLike;
}

interface MachineNode {
  key: string;
  path: string[];
  type: StateNodeView['type'];
  config: { initial?: unknown };
  states: Record<string, MachineNode>;
  ownEvents: string[];
}

const internals = (ref: ActorRefLike): Internals => ref as unknown as Internals;

/**
 * The actor's snapshot, or null while it initialises: XState announces an actor
 * (`@xstate.actor`) from inside its constructor, when reading its snapshot throws.
 */
function snapshotOf(ref: ActorRefLike): { status: string; value?: unknown } | null {
  try {
    return ref.getSnapshot() as { status: string; value?: unknown };
  } catch {
    return null;
  }
}

function nodeView(node: MachineNode): StateNodeView {
  return {
    key: node.key,
    path: node.path.join('.'),
    type: node.type,
    initial: typeof node.config.initial === 'string' ? node.config.initial : null,
    events: node.ownEvents.filter((e) => !e.startsWith('xstate.')),
    states: Object.values(node.states).map(nodeView),
  };
}

/** Active state paths of a machine snapshot's value, ancestors first. */
export function activePaths(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix ? `${prefix}.${value}` : value];
  if (value === null || typeof value !== 'object') return [];
  const out: string[] = [];
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const path = prefix ? `${prefix}.${key}` : key;
    out.push(path, ...activePaths(child, path));
  }
  return out;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function createInspectorBridge({ clock, eventRing = EVENT_RING_SIZE }: { clock: Clock; eventRing?: number }): InspectorBridge {
  const actors = new Map<string, ActorRecord>();
  // The event ring: parallel arrays of references, written in place.
  const ringTarget: (ActorRefLike | undefined)[] = new Array(eventRing);
  const ringSource: (ActorRefLike | undefined)[] = new Array(eventRing);
  const ringEvent: ({ type: string; time?: unknown } | undefined)[] = new Array(eventRing);
  const ringAt = new Float64Array(eventRing);
  let seq = 0;
  let version = 0;
  let session: Session | null = null;
  const day: DayRecord = { day: null, trades: [], equity: [] };
  /** The last finished orders (journal records), drawn in their final state. */
  const finishedOrders: Array<{ clientOrderId: string; parent: string; state: string }> = [];

  /** Definition key of a machine logic, by identity (two machines never share a key). */
  const keys = new WeakMap<object, string>();
  const definitions = new Map<string, StateNodeView>();
  const definitionKey = (logic: NonNullable<Internals['logic']>): string => {
    let key = keys.get(logic);
    if (key === undefined) {
      const base = logic.id ?? 'machine';
      key = base;
      for (let n = 2; definitions.has(key); n++) key = `${base}#${n}`;
      keys.set(logic, key);
      definitions.set(key, nodeView(logic.root!));
    }
    return key;
  };

  const orderKey = () => definitionKey(orderMachine as unknown as NonNullable<Internals['logic']>);

  const nameOf = (ref: ActorRefLike): string => {
    const { id, logic } = internals(ref);
    return id === ref.sessionId && logic?.id ? logic.id : id;
  };

  /**
   * Keeps the tree bounded over a long session: of the finished actors of one logic (the
   * order machine's many orders, a restarted callback), only the last few stay.
   */
  const pruneFinished = () => {
    const finished = new Map<unknown, string[]>();
    for (const [id, rec] of actors) {
      const status = snapshotOf(rec.ref)?.status ?? 'active';
      if (status === 'active') continue;
      const logic = internals(rec.ref).logic ?? internals(rec.ref).id;
      const list = finished.get(logic);
      if (list) list.push(id);
      else finished.set(logic, [id]);
    }
    for (const list of finished.values()) for (const id of list.slice(0, Math.max(0, list.length - FINISHED_ACTORS_KEPT))) actors.delete(id);
  };
  let pruneAt = 256;

  return {
    inspect(event) {
      switch (event.type) {
        case '@xstate.actor': {
          const ref = event.actorRef;
          actors.set(ref.sessionId, { ref, parentId: internals(ref)._parent?.sessionId ?? null });
          // Amortised O(1): a sweep only each time the map doubles past its last size.
          if (actors.size >= pruneAt) {
            pruneFinished();
            pruneAt = Math.max(256, actors.size * 2);
          }
          break;
        }
        case '@xstate.event': {
          const i = seq % eventRing;
          ringTarget[i] = event.actorRef;
          ringSource[i] = event.sourceRef;
          ringEvent[i] = event.event as { type: string; time?: unknown };
          ringAt[i] = clock.now();
          seq++;
          break;
        }
        case '@xstate.snapshot':
          break;
        default:
          return;
      }
      version++;
    },
    attach(s) {
      session = s;
      // Closed trades are journal records: kept for the page (the current trading day's).
      s.actor.on('journal.order', (e) => {
        const state = FINAL_STATE[e.status];
        if (state === undefined) return;
        finishedOrders.push({ clientOrderId: e.clientOrderId, parent: s.actor.sessionId, state });
        if (finishedOrders.length > FINISHED_ACTORS_KEPT) finishedOrders.shift();
        version++;
      });
      s.actor.on('journal.trade', (e) => {
        const t = e.trade;
        const d = tradingDay(t.exitTime);
        if (d !== day.day) {
          day.day = d;
          day.trades = [];
        }
        day.trades.push({ side: t.side, qty: t.qty, entryTime: iso(t.entryTime), exitTime: iso(t.exitTime), entryPrice: t.entryPrice, exitPrice: t.exitPrice, pnl: t.pnl });
        if (day.trades.length > TRADES_KEPT) day.trades.splice(0, day.trades.length - TRADES_KEPT);
        version++;
      });
      version++;
    },
    get version() {
      return version;
    },
    open: () => ({ nextSeq: Math.max(0, seq - eventRing), version: -1, definitions: new Set() }),
    view(cursor, force) {
      if (!force && cursor.version === version) return null;
      cursor.version = version;
      pruneFinished();

      const actorViews: ActorView[] = [];
      const newDefinitions: Record<string, StateNodeView> = {};
      /** Sends a machine's definition with the first view that draws it. */
      const announce = (key: string) => {
        if (cursor.definitions.has(key)) return;
        cursor.definitions.add(key);
        newDefinitions[key] = definitions.get(key)!;
      };
      const order = orderKey();
      let ordersDrawn = false;
      for (const [sessionId, rec] of actors) {
        const snap = snapshotOf(rec.ref) ?? { status: 'starting' };
        const logic = internals(rec.ref).logic;
        const machine = logic?.root ? definitionKey(logic) : null;
        if (machine !== null) announce(machine);
        actorViews.push({
          sessionId,
          id: nameOf(rec.ref),
          parentId: rec.parentId,
          machine,
          status: snap.status,
          active: machine !== null ? activePaths(snap.value) : [],
        });
        // The orchestrator's orders, as their machines have them.
        const live = (snap as { context?: Partial<OrchestratorContext> }).context?.live;
        if (rec.parentId !== null || !live) continue;
        for (const [clientOrderId, o] of Object.entries(live)) {
          if (!o.state) continue;
          const id = orderActorId(clientOrderId);
          ordersDrawn = true;
          actorViews.push({ sessionId: `${sessionId}/${id}`, id, parentId: sessionId, machine: order, status: o.state.status, active: activePaths(o.state.value) });
        }
      }
      for (const f of finishedOrders) {
        const id = orderActorId(f.clientOrderId);
        actorViews.push({ sessionId: `${f.parent}/${id}`, id, parentId: f.parent, machine: order, status: 'done', active: [f.state] });
      }
      if (ordersDrawn || finishedOrders.length > 0) announce(order);

      const from = Math.max(cursor.nextSeq, seq - eventRing);
      const events: EventView[] = [];
      for (let s = from; s < seq; s++) {
        const i = s % eventRing;
        const e = ringEvent[i]!;
        const source = ringSource[i];
        events.push({
          seq: s,
          type: e.type,
          source: source ? nameOf(source) : null,
          target: nameOf(ringTarget[i]!),
          time: typeof e.time === 'number' && Number.isFinite(e.time) ? iso(e.time) : null,
          at: iso(ringAt[i]!),
        });
      }
      const eventsDropped = from - cursor.nextSeq;
      cursor.nextSeq = seq;

      return { type: 'view', time: iso(clock.now()), session: session ? withDay(sessionView(session), day) : null, actors: actorViews, definitions: newDefinitions, events, eventsDropped };
    },
    render(cursor, force) {
      const v = this.view(cursor, force);
      return v === null ? null : JSON.stringify(v);
    },
  };
}

/** The order machine's final state a final journal status names ('lost': rejected, not at the venue). */
const FINAL_STATE: Record<string, string | undefined> = { filled: 'filled', cancelled: 'cancelled', expired: 'expired', rejected: 'rejected', lost: 'rejected' };

interface DayRecord {
  day: string | null;
  trades: TradeView[];
  equity: Array<{ time: string; equity: number }>;
}

/** Adds the day's trades, the equity curve (sampled now) and the phase mismatch to the view. */
function withDay(view: Omit<SessionView, 'dayTrades' | 'equityCurve' | 'mismatch'>, day: DayRecord): SessionView {
  const last = day.equity.at(-1);
  if (view.equity !== null && view.to !== null && (!last || last.time !== view.to)) {
    day.equity.push({ time: view.to, equity: view.equity });
    // Halve the resolution rather than forget the start of the session.
    if (day.equity.length > EQUITY_POINTS_KEPT) day.equity = day.equity.filter((_, i) => i % 2 === 0 || i === day.equity.length - 1);
  }
  return { ...view, dayTrades: [...day.trades], equityCurve: [...day.equity], mismatch: phaseMismatch(view) };
}

/** Summary plus what the operator watches: risk reasons, kill, position and open P&L. */
function sessionView(session: Session): Omit<SessionView, 'dayTrades' | 'equityCurve' | 'mismatch'> {
  const snap = session.actor.getSnapshot() as OrchestratorSnapshot;
  // With the mark risk has not been sent yet (machines/riskMarks.ts); undefined without a risk child.
  const rc = riskContextNow(snap);
  const book = snap.context.book;
  return {
    ...session.summary(),
    riskReasons: rc ? [...rc.reasons] : [],
    killReason: rc?.killReason ?? null,
    killedBy: rc?.killedBy ?? null,
    position: { symbol: book.symbol, qty: book.qty, avgPrice: book.avgPrice, lastMark: snap.context.lastMark, openPnl: rc?.openPnl ?? 0 },
    equity: rc?.equity ?? null,
    orchestratorState: snap.value,
  };
}
