/**
 * The inspector's server: HTTP and WebSocket on 127.0.0.1 only (an ephemeral port unless
 * one is given). `GET /?token=T` serves the page, `GET /ws?token=T` upgrades to the live
 * stream. The token (32 random bytes, hex) is in the URL, which goes to
 * `<home>/inspector.url` (0600) and is removed on close. Without the token nothing is
 * served: 401 when it is missing, 403 when it is wrong (compared in constant time), and a
 * Host or Origin other than this server's own is refused too (DNS rebinding).
 *
 * No XState and no model here: what a client receives comes from an {@link InspectorFeed}.
 * Pushes are coalesced: one timer visits every client at most `1000 / intervalMs` times a
 * second, asks the feed for what changed, and skips a client whose socket is still
 * draining, so a fast replay never floods a browser nor waits for one.
 */
import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket } from 'ws';
import { tokenMatches } from '../control/controlServer.ts';
import { removeInspectorUrl, writeInspectorUrl } from './inspectorUrlFile.ts';

/** What the clients are told; `C` is the feed's per-client cursor. */
export interface InspectorFeed<C> {
  /** A cursor for a client that just connected. */
  open(): C;
  /**
   * The next message for the client at `cursor` (advancing it), or null when nothing
   * changed since. `force`: send the state even if unchanged (a periodic refresh of what
   * moves outside XState, such as the bar count).
   */
  render(cursor: C, force: boolean): string | null;
}

export interface InspectorServerOptions<C> {
  home: string;
  feed: InspectorFeed<C>;
  /** The page served at `/` (self-contained: inline CSS and JS, no external request). */
  page: string;
  /** TCP port on 127.0.0.1; 0 or absent picks an ephemeral port. */
  port?: number;
  /** Shortest time between two pushes to one client, ms (default 100: at most 10/s). */
  intervalMs?: number;
  /** Pushes between two forced refreshes (default 10: once a second at 100 ms). */
  refreshEvery?: number;
  /** A client whose socket holds more than this many unsent bytes is skipped (default 1 MiB). */
  maxBufferedBytes?: number;
  /** Source of the token's bytes (default: crypto). */
  randomBytes?: (size: number) => Buffer;
  /** Called for every refused request (logging). */
  onRefused?: (refusal: { status: number; reason: string; path: string; remote: string }) => void;
}

export interface InspectorServer {
  /** `http://127.0.0.1:PORT/?token=...` */
  readonly url: string;
  readonly port: number;
  /** Path of the published inspector.url. */
  readonly file: string;
  /** Clients connected over ws now. */
  clients(): number;
  /** Stops listening, closes every client and removes inspector.url. Idempotent. */
  close(): Promise<void>;
}

const HTML_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  // The page may talk to this server only: no CDN, no external request, no framing.
  'content-security-policy': "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

/** Starts the server, then publishes inspector.url; see the module comment. */
export async function startInspectorServer<C>(options: InspectorServerOptions<C>): Promise<InspectorServer> {
  const { home, feed, page, onRefused } = options;
  const intervalMs = options.intervalMs ?? 100;
  const refreshEvery = options.refreshEvery ?? 10;
  const maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
  const token = (options.randomBytes ?? cryptoRandomBytes)(32).toString('hex');
  let port = 0;

  /** Why `req` may not have anything, or null when it may. */
  const refusal = (req: IncomingMessage, url: URL): { status: number; reason: string } | null => {
    if (req.headers.host !== `127.0.0.1:${port}`) return { status: 403, reason: `unexpected Host ${req.headers.host ?? '(none)'}` };
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://127.0.0.1:${port}`) return { status: 403, reason: `unexpected Origin ${origin}` };
    const given = url.searchParams.get('token');
    if (given === null) return { status: 401, reason: 'missing token' };
    if (!tokenMatches(token, given)) return { status: 403, reason: 'bad token' };
    return null;
  };
  const parse = (req: IncomingMessage): URL => new URL(req.url ?? '/', 'http://127.0.0.1');
  const report = (req: IncomingMessage, url: URL, r: { status: number; reason: string }) => {
    try {
      onRefused?.({ ...r, path: url.pathname, remote: req.socket.remoteAddress ?? 'unknown' });
    } catch {
      // A logging hook failing must not take the server down.
    }
  };

  const server = createServer((req, res) => {
    const url = parse(req);
    const refused = refusal(req, url);
    if (refused) {
      report(req, url, refused);
      return plain(res, refused.status, `refused: ${refused.reason}\n`);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, `${req.method} not allowed\n`);
    if (url.pathname !== '/') return plain(res, 404, `no route ${url.pathname}\n`);
    res.writeHead(200, { ...HTML_HEADERS, 'content-length': Buffer.byteLength(page) });
    res.end(req.method === 'HEAD' ? undefined : page);
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;

  // Clients send nothing the server reads: a tiny payload limit.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  const cursors = new Map<WebSocket, C>();
  const push = (ws: WebSocket, cursor: C, force: boolean) => {
    if (ws.readyState !== WebSocket.OPEN || ws.bufferedAmount > maxBuffered) return;
    const message = feed.render(cursor, force);
    if (message !== null) ws.send(message);
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = parse(req);
    const refused = refusal(req, url) ?? (url.pathname === '/ws' ? null : { status: 404, reason: `no route ${url.pathname}` });
    if (refused) {
      report(req, url, refused);
      const text = `refused: ${refused.reason}\n`;
      socket.end(`HTTP/1.1 ${refused.status} ${refused.status === 401 ? 'Unauthorized' : refused.status === 403 ? 'Forbidden' : 'Not Found'}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const cursor = feed.open();
      cursors.set(ws, cursor);
      ws.on('close', () => cursors.delete(ws));
      ws.on('error', () => ws.terminate());
      push(ws, cursor, true);
    });
  });

  let ticks = 0;
  const timer = setInterval(() => {
    ticks++;
    const force = ticks % refreshEvery === 0;
    for (const [ws, cursor] of cursors) {
      try {
        push(ws, cursor, force);
      } catch {
        ws.terminate();
      }
    }
  }, intervalMs);
  // The inspector never keeps a finished run alive.
  timer.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err: unknown) => {
    clearInterval(timer);
    throw err;
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('inspector server has no TCP address');
  port = address.port;
  const url = `http://127.0.0.1:${port}/?token=${token}`;
  let file: string;
  try {
    file = await writeInspectorUrl(home, url);
  } catch (e) {
    clearInterval(timer);
    server.close();
    throw e;
  }

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    file,
    clients: () => cursors.size,
    close() {
      closing ??= (async () => {
        clearInterval(timer);
        await removeInspectorUrl(home, url);
        for (const ws of cursors.keys()) ws.terminate();
        cursors.clear();
        wss.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}
