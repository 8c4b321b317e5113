/**
 * The control channel's client: finds the MIA running at a home through its control.json
 * and sends it one command. Used by `mia status|pause|resume|kill|flatten|phase`.
 */
import { CONTROL_ROUTE, type ControlRequest, type ControlResponse } from './controlProtocol.ts';
import { readControlFile, type ControlEndpoint } from './controlFile.ts';
import { MiaError, type MiaErrorOptions } from '../../core/errors.ts';

/** Nothing answers at the home: no control.json, a dead pid, or a refused connection. */
export class ControlUnavailableError extends MiaError<'CONTROL_UNAVAILABLE'> {
  override readonly name = 'ControlUnavailableError';
  constructor(
    readonly home: string,
    readonly detail?: string,
  ) {
    super('CONTROL_UNAVAILABLE', `no running mia at ${home}${detail ? ` (${detail})` : ''}`);
  }
}

/** The server answered something that is not a control response. */
export class ControlProtocolError extends MiaError<'CONTROL_PROTOCOL'> {
  override readonly name = 'ControlProtocolError';
  constructor(message: string, options?: MiaErrorOptions) {
    super('CONTROL_PROTOCOL', message, options);
  }
}

/** A response and its HTTP status (401 bad token, 400 malformed, 200 handled, ...). */
export interface ControlReply {
  status: number;
  response: ControlResponse;
}

export interface SendOptions {
  /** Whole-exchange timeout, ms (default 10 s). */
  timeoutMs?: number;
  /** Use this endpoint instead of reading control.json (tests). */
  endpoint?: ControlEndpoint;
}

const unreachable = new Set(['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE']);

/** Sends `request` to the MIA running at `home`. */
export async function sendControlCommand(home: string, request: ControlRequest, options: SendOptions = {}): Promise<ControlReply> {
  const endpoint = options.endpoint ?? (await readControlFile(home));
  if (!endpoint) throw new ControlUnavailableError(home);
  const body = JSON.stringify(request);
  const timeoutMs = options.timeoutMs ?? 10_000;
  // node:http (streams, net, ...) and zod only once there is a mia to ask: "none running" answers without them.
  const [{ request: httpRequest }, { controlResponseSchema }] = await Promise.all([import('node:http'), import('./controlSchemas.ts')]);
  return new Promise<ControlReply>((resolve, reject) => {
    const req = httpRequest(
      {
        ...('socket' in endpoint ? { socketPath: endpoint.socket } : { host: '127.0.0.1', port: endpoint.port }),
        method: 'POST',
        path: CONTROL_ROUTE,
        headers: {
          authorization: `Bearer ${endpoint.token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            reject(new ControlProtocolError(`HTTP ${res.statusCode}: not a control response: ${text.slice(0, 200)}`));
            return;
          }
          const parsed = controlResponseSchema.safeParse(json, { jitless: true }); // one parse per process: no compiled fast path
          if (!parsed.success) reject(new ControlProtocolError(`HTTP ${res.statusCode}: malformed control response`));
          else resolve({ status: res.statusCode ?? 0, response: parsed.data });
        });
      },
    );
    req.on('timeout', () => req.destroy(new ControlProtocolError(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== undefined && unreachable.has(e.code)) reject(new ControlUnavailableError(home, e.code));
      else reject(e);
    });
    req.end(body);
  });
}
