/**
 * `--inspect-stately`: forwards the session's inspection stream to Stately's hosted
 * inspector (Stately Sky) through `@statelyai/inspect`'s `createInspector`, which turns
 * XState's events into Stately's format.
 *
 * The transport is ours rather than `createSkyInspector`'s because that one logs to stdout
 * (a `--json` run must keep stdout pure JSON), reconnects forever and cannot be closed, so
 * a finished run would never exit. Ours speaks the same thing (the Sky party host, room
 * `inspect-<uuid>`, superjson's `{json}` envelope), never throws, keeps the actor
 * registrations plus the last {@link DEFERRED_EVENTS} events while offline, retries
 * rarely on an unref'd timer, and closes for good. It needs the network: it is opt-in and
 * fails soft (a warning; the local inspector keeps working).
 */
import { randomUUID } from 'node:crypto';
import type { InspectionEvent } from 'xstate';
import { createInspector, type StatelyInspectionEvent } from '@statelyai/inspect';
import { WebSocket } from 'ws';

/** Stately Sky's relay and viewer, as `createSkyInspector` of @statelyai/inspect 0.7 uses them. */
export const STATELY_SKY_HOST = 'stately-sky-beta.mellson.partykit.dev';
export const STATELY_VIEWER = 'https://stately.ai/registry/inspect';

/** Events (other than actor registrations) held while the relay is unreachable. */
export const DEFERRED_EVENTS = 200;
/** Actor registrations held for replay on (re)connection. */
const ACTOR_EVENTS = 500;

export interface StatelyForwarderOptions {
  /** Relay WebSocket URL (default: Stately Sky for a fresh session id). */
  relayUrl?: string;
  /** Where the operator watches (default: Stately's viewer for the session id). */
  viewerUrl?: string;
  /** Delay before reconnecting after a failure, ms (default 30 s). */
  retryMs?: number;
  onConnected?: (viewerUrl: string) => void;
  /** Called once per failure streak (not on every retry). */
  onUnavailable?: (reason: string) => void;
}

export interface StatelyForwarder {
  /** The session's inspect hook. */
  inspect(event: InspectionEvent): void;
  readonly viewerUrl: string;
  connected(): boolean;
  close(): void;
}

/** Plain JSON of `value`; functions and cycles become markers, never an exception. */
function toJson(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'function') return { type: (v as { name?: string }).name ?? 'function' };
    if (typeof v === 'bigint') return v.toString();
    if (v !== null && typeof v === 'object') {
      if (seen.has(v)) return '[circular]';
      seen.add(v);
    }
    return v;
  });
}

export function startStatelyForwarder(options: StatelyForwarderOptions = {}): StatelyForwarder {
  const id = randomUUID();
  const relayUrl = options.relayUrl ?? `wss://${STATELY_SKY_HOST}/party/inspect-${id}?_pk=${id}`;
  const viewerUrl = options.viewerUrl ?? `${STATELY_VIEWER}/${id}`;
  const retryMs = options.retryMs ?? 30_000;

  let ws: WebSocket | null = null;
  let open = false;
  let closed = false;
  let failing = false;
  let retry: NodeJS.Timeout | undefined;
  const actorEvents: string[] = [];
  const deferred: string[] = [];

  const sendNow = (text: string) => {
    try {
      ws!.send(text);
    } catch {
      // A send on a socket going down: the close handler deals with it.
    }
  };

  const connect = () => {
    if (closed) return;
    let socket: WebSocket;
    try {
      socket = new WebSocket(relayUrl);
    } catch (err) {
      // A malformed relay URL: no retry can fix it.
      options.onUnavailable?.((err as Error).message);
      return;
    }
    ws = socket;
    socket.on('open', () => {
      if (closed) return socket.terminate();
      open = true;
      failing = false;
      for (const text of actorEvents) sendNow(text);
      for (const text of deferred.splice(0)) sendNow(text);
      options.onConnected?.(viewerUrl);
    });
    // Anything the relay sends is of no use here.
    socket.on('message', () => undefined);
    const down = (reason: string) => {
      if (ws !== socket) return;
      open = false;
      ws = null;
      if (closed) return;
      if (!failing) {
        failing = true;
        options.onUnavailable?.(reason);
      }
      retry = setTimeout(connect, retryMs);
      retry.unref();
    };
    socket.on('error', (err) => {
      down(err.message);
      socket.terminate();
    });
    socket.on('close', (code) => down(`closed (${code})`));
  };

  const inspector = createInspector(
    {
      send(event: StatelyInspectionEvent) {
        if (closed) return;
        const text = toJson({ json: event });
        if (event.type === '@xstate.actor') {
          actorEvents.push(text);
          if (actorEvents.length > ACTOR_EVENTS) actorEvents.shift();
          if (open) sendNow(text);
        } else if (open) sendNow(text);
        else {
          deferred.push(text);
          if (deferred.length > DEFERRED_EVENTS) deferred.shift();
        }
      },
    },
    { maxDeferredEvents: DEFERRED_EVENTS },
  );
  connect();

  return {
    inspect(event) {
      if (closed) return;
      try {
        inspector.inspect.next?.(event);
      } catch {
        // Forwarding is best effort: never a reason for the session to fail.
      }
    },
    viewerUrl,
    connected: () => open,
    close() {
      closed = true;
      open = false;
      clearTimeout(retry);
      ws?.terminate();
      ws = null;
    },
  };
}
