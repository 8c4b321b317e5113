/**
 * One WebSocket connection attempt to a Polygon cluster (`<wsUrl>/futures`, `/indices`),
 * on `ws` directly. Transport only: it reports open, frames, pongs, close and errors to
 * its handlers and never decides anything; the connection machine (via polygonStream.ts)
 * does. After `close()` no handler is called again, so a late event of a socket that was
 * replaced can never reach the session that replaced it.
 *
 * Not client-js's `websocketClient`: it wraps the `websocket` package, sends the auth
 * message itself on open and exposes no ping/pong, which the machine's heartbeat needs.
 */
import { createRequire } from 'node:module';
import type WebSocket from 'ws';

/** `ws` (and its native helpers) loads with the first socket, not at start: most sessions never open one. */
let wsClass: typeof WebSocket | undefined;
const loadWs = (): typeof WebSocket => (wsClass ??= createRequire(import.meta.url)('ws') as typeof WebSocket);

export interface PolygonSocketHandlers {
  onOpen(): void;
  onFrame(text: string): void;
  /** Reply to our ping: proof the peer is alive even when the market is quiet. */
  onPong(): void;
  onClose(reason: string): void;
  onError(reason: string): void;
}

export class PolygonSocket {
  private readonly ws: WebSocket;
  private closed = false;

  constructor(url: string, handlers: PolygonSocketHandlers) {
    this.ws = new (loadWs())(url, { handshakeTimeout: 30_000 });
    const live = <A extends unknown[]>(fn: (...args: A) => void) => (...args: A) => {
      if (!this.closed) fn(...args);
    };
    this.ws.on('open', live(() => handlers.onOpen()));
    this.ws.on('message', live((data: WebSocket.RawData) => handlers.onFrame(rawToText(data))));
    this.ws.on('pong', live(() => handlers.onPong()));
    this.ws.on('close', live((code: number, reason: Buffer) => {
      this.closed = true;
      handlers.onClose(`code ${code}${reason.length > 0 ? ` ${reason.toString()}` : ''}`);
    }));
    // `ws` emits 'error' then 'close'; the error alone is reported, the close ends the attempt.
    this.ws.on('error', live((err: Error) => handlers.onError((err as NodeJS.ErrnoException).code ?? err.message)));
  }

  /** Sends a JSON message; false when the socket is not open (the machine will reconnect). */
  send(message: unknown): boolean {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  ping(): void {
    if (!this.closed && this.ws.readyState === this.ws.OPEN) this.ws.ping();
  }

  /** Drops the connection at once; idempotent; silences every handler. */
  close(): void {
    if (this.closed && this.ws.readyState === this.ws.CLOSED) return;
    this.closed = true;
    // A socket still connecting has nothing to close gracefully; terminate covers every state.
    this.ws.on('error', () => undefined);
    this.ws.terminate();
  }
}

function rawToText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
