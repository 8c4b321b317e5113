/**
 * The control channel's server: HTTP on 127.0.0.1 (an ephemeral port unless one is
 * given) or on a unix socket, one route `POST /v1/command` taking a JSON
 * {@link ControlRequest} with `Authorization: Bearer <token>`. The token (32 random bytes,
 * hex) and the address go to `<home>/control.json` (mode 0600), removed on close.
 *
 * No XState here: every authenticated, well-formed request goes to a {@link ControlHandler}.
 * Requests refused before the handler (bad token, malformed body, browser origin) are
 * reported to `onRefused` so that the owner of the audit trail can record them.
 */
import { createHash, randomBytes as cryptoRandomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { chmod, lstat, unlink } from 'node:fs/promises';
import { connect } from 'node:net';
import { CONTROL_ROUTE, type ControlHandler, type ControlResponse } from './controlProtocol.ts';
import { removeControlFile, writeControlFile, type ControlEndpoint } from './controlFile.ts';

export { CONTROL_ROUTE };

/** Largest request body accepted, bytes. */
export const MAX_BODY_BYTES = 16 * 1024;

/** A request refused before it reached the handler. */
export interface ControlRefusal {
  status: number;
  reason: string;
  /** The command named in the body, when it could be read. */
  command?: string;
  remote: string;
}

export interface ControlServerOptions {
  home: string;
  handler: ControlHandler;
  /** TCP port on 127.0.0.1; 0 or absent picks an ephemeral port. */
  port?: number;
  /** Listen on this unix socket instead of TCP. */
  socket?: string;
  onRefused?: (refusal: ControlRefusal) => void;
  /** Source of the token's bytes (default: crypto). */
  randomBytes?: (size: number) => Buffer;
}

export interface ControlServer {
  readonly endpoint: ControlEndpoint;
  /** Path of the published control.json. */
  readonly file: string;
  /** Stops listening, drops open connections and removes control.json. Idempotent. */
  close(): Promise<void>;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Constant-time: both sides are hashed to the same length before comparing. */
export function tokenMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  return timingSafeEqual(digest(expected), digest(given));
}

function bearer(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m?.[1];
}

function send(res: ServerResponse, status: number, body: ControlResponse): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** A socket file left by a dead process is removed; one somebody still answers on is not. */
async function clearStaleSocket(path: string): Promise<void> {
  try {
    const st = await lstat(path);
    if (!st.isSocket()) throw new Error(`${path} exists and is not a socket: refusing to replace it`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  const live = await new Promise<boolean>((resolve) => {
    const c = connect(path);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
  if (live) throw new Error(`${path} is in use by another process`);
  await unlink(path);
}

function listen(server: Server, opts: { port?: number; socket?: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const done = () => {
      server.off('error', reject);
      resolve();
    };
    if (opts.socket !== undefined) server.listen(opts.socket, done);
    else server.listen(opts.port ?? 0, '127.0.0.1', done);
  });
}

/** Starts the server, then publishes control.json; see the module comment. */
export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const { home, handler, onRefused } = options;
  const token = (options.randomBytes ?? cryptoRandomBytes)(32).toString('hex');

  const refuse = (req: IncomingMessage, res: ServerResponse, status: number, reason: string, command?: string) => {
    const remote = req.socket.remoteAddress ?? 'unix-socket';
    try {
      onRefused?.({ status, reason, remote, ...(command !== undefined ? { command } : {}) });
    } catch {
      // An audit hook failing must not take the channel down.
    }
    send(res, status, { ok: false, command: command ?? 'unknown', message: `refused: ${reason}` });
  };

  const server = createServer((req, res) => {
    void (async () => {
      if (req.url !== CONTROL_ROUTE) return refuse(req, res, 404, `no route ${req.method} ${req.url}`);
      if (req.method !== 'POST') return refuse(req, res, 405, `${req.method} not allowed, use POST`);
      // Browsers send Origin; MIA's clients never do. A web page must not drive the kill switch.
      if (req.headers.origin !== undefined) return refuse(req, res, 403, 'requests from a browser origin are not accepted');
      if (!tokenMatches(token, bearer(req))) return refuse(req, res, 401, 'bad or missing token');
      let body: string;
      try {
        body = await readBody(req);
      } catch (e) {
        return refuse(req, res, e instanceof BodyTooLarge ? 413 : 400, e instanceof BodyTooLarge ? `body larger than ${MAX_BODY_BYTES} bytes` : 'unreadable body');
      }
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch (e) {
        return refuse(req, res, 400, `body is not JSON (${(e as Error).message})`);
      }
      // The schemas load with the first request, not at start: a session's first bar does not wait for them.
      const { controlRequestSchema } = await import('./controlSchemas.ts');
      const parsed = controlRequestSchema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const command = typeof (json as { command?: unknown })?.command === 'string' ? (json as { command: string }).command : undefined;
        return refuse(req, res, 400, `malformed request: ${issue ? `${issue.path.join('.') || '(body)'}: ${issue.message}` : 'invalid'}`, command);
      }
      let response: ControlResponse;
      try {
        response = await handler.handle(parsed.data);
      } catch (e) {
        return send(res, 500, { ok: false, command: parsed.data.command, message: `failed: ${(e as Error).message ?? String(e)}` });
      }
      send(res, 200, response);
    })().catch(() => {
      // The response may be half-written; the socket is dropped, the process lives on.
      res.destroy();
    });
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;

  if (options.socket !== undefined) await clearStaleSocket(options.socket);
  await listen(server, options);
  let endpoint: ControlEndpoint;
  if (options.socket !== undefined) {
    await chmod(options.socket, 0o600);
    endpoint = { socket: options.socket, token, pid: process.pid };
  } else {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('control server has no TCP address');
    endpoint = { port: address.port, token, pid: process.pid };
  }
  let file: string;
  try {
    file = await writeControlFile(home, endpoint);
  } catch (e) {
    server.close();
    throw e;
  }

  let closing: Promise<void> | undefined;
  return {
    endpoint,
    file,
    close() {
      closing ??= (async () => {
        await removeControlFile(home, process.pid);
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        if (options.socket !== undefined) await unlink(options.socket).catch(() => undefined);
      })();
      return closing;
    },
  };
}
