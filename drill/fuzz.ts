/**
 * The fuzz drill (`npm run drill -- --fuzz N`): N fuzzed DTC frames over loopback, half at
 * MIA's DTC client (a fuzzing server logs it on, then streams), half at the paper DTC
 * server (a fuzzing client logs on, then sends). Frames start from valid messages of every
 * type in the layout table, in both encodings, and are then mutated: bytes flipped, NaN and
 * infinite doubles, unknown and missing types, bodies cut short or padded, JSON members of
 * the wrong kind, text that is not JSON. Each connection ends with a frame that breaks the
 * stream (truncated, a size under the header, oversized) and the next one starts afresh.
 *
 * Reports crashes (uncaught exceptions and unhandled rejections in this process: must be 0),
 * frames per second, whether both ends still work afterwards, and the log bytes each side
 * wrote (bounded: warnings about a peer are rate-limited per connection).
 */
import { createServer, connect, type Socket } from 'node:net';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { ManualClock } from '../core/clock.ts';
import { standaloneConnection } from '../actors/connectionHost.ts';
import { createDtcMessage } from '../adapters/dtc/createMessage.ts';
import { DtcClient } from '../adapters/dtc/dtcClient.ts';
import { encodeMessage } from '../adapters/dtc/encodeMessage.ts';
import { EncodingEnum } from '../adapters/dtc/enums.ts';
import { INTEGER_RANGE, type FieldSpec } from '../adapters/dtc/fieldLayout.ts';
import { MESSAGE_LAYOUTS } from '../adapters/dtc/messageLayouts.ts';
import { MessageType } from '../adapters/dtc/messageType.ts';
import type { DtcMessage } from '../adapters/dtc/messages.ts';
import { startPaperDtcServer } from '../adapters/dtc/paperServer.ts';

export interface FuzzOptions {
  frames: number;
  /** Frames per connection before the stream-breaking one. */
  perConnection?: number;
  seed?: number;
  say?: (line: string) => void;
}

/** Protocol errors the client reported, by code; HANDLER_THREW means MIA's own code threw on a frame. */
export const errorCodes: Record<string, number> = {};
export const handlerThrew: string[] = [];

export interface FuzzSide {
  framesSent: number;
  connections: number;
  /** Messages and protocol errors the target reported (client side only; -1 when not observable). */
  observed: number;
  logBytes: number;
  /** The target still worked after the flood (a clean logon and a request answered). */
  healthyAfter: boolean;
}

export interface FuzzResult {
  frames: number;
  crashes: number;
  seconds: number;
  framesPerSecond: number;
  client: FuzzSide;
  server: FuzzSide;
}

/** mulberry32: a small seeded generator (the drill is repeatable for a seed). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ODD_TEXT = ['', 'ESZ25', 'PAPER1', '\u001b[2J', 'ﬀ\u0000x', 'x'.repeat(200), '{"Type":', '\\u0000'];

function randomMember(f: FieldSpec, r: () => number): unknown {
  if (f.kind === 'char') return ODD_TEXT[Math.floor(r() * ODD_TEXT.length)]!.slice(0, Math.max(0, f.size - 1));
  if (f.kind === 'float') return Math.fround(r() * 1000);
  if (f.kind === 'double') return r() < 0.5 ? 5000 + Math.round(r() * 400) / 4 : (r() - 0.5) * 1e12;
  const [lo, hi] = INTEGER_RANGE[f.kind];
  return r() < 0.3 ? (r() < 0.5 ? lo : hi) : Math.min(hi, Math.max(lo, Math.floor(lo + r() * Math.min(hi - lo, 1e6))));
}

/** Valid messages of every type (members random within their kind), encoded both ways. */
function corpus(r: () => number, perType: number): { binary: Buffer[]; json: Buffer[] } {
  const binary: Buffer[] = [];
  const json: Buffer[] = [];
  for (const layout of MESSAGE_LAYOUTS.values()) {
    // A LOGOFF ends the session by design (a peer may always hang up): not a fuzz case.
    if (layout.type === MessageType.LOGOFF) continue;
    for (let i = 0; i < perType; i++) {
      const members: Record<string, unknown> = {};
      for (const f of layout.fields) if (r() < 0.7) members[f.name] = randomMember(f, r);
      let message: DtcMessage;
      try {
        message = createDtcMessage(layout.type as never, members as never) as DtcMessage;
        binary.push(encodeMessage(message, EncodingEnum.BINARY));
        json.push(encodeMessage(message, EncodingEnum.JSON));
      } catch {
        // A member the encoder refuses: the corpus only holds frames it can produce.
      }
    }
  }
  return { binary, json };
}

const NAN = Buffer.from([0, 0, 0, 0, 0, 0, 0xf8, 0x7f]);
const INF = Buffer.from([0, 0, 0, 0, 0, 0, 0xf0, 0x7f]);

/** One binary frame that keeps the stream framed (its Size is its length). */
function mutateBinary(src: Buffer, r: () => number): Buffer {
  const roll = r();
  let out: Buffer;
  if (roll < 0.15) return src;
  if (roll < 0.45) {
    out = Buffer.from(src);
    const flips = 1 + Math.floor(r() * 8);
    for (let i = 0; i < flips && out.length > 4; i++) out[4 + Math.floor(r() * (out.length - 4))] = Math.floor(r() * 256);
  } else if (roll < 0.6) {
    out = Buffer.from(src);
    if (out.length >= 12) (r() < 0.5 ? NAN : INF).copy(out, 4 + Math.floor(r() * (out.length - 11)));
  } else if (roll < 0.7) {
    out = Buffer.from(src);
    let type: number;
    do type = Math.floor(r() * 65536);
    while (MESSAGE_LAYOUTS.has(type));
    out.writeUInt16LE(type, 2);
  } else if (roll < 0.85) {
    // Cut short: a body smaller than the layout (the header's Size says so).
    out = Buffer.from(src.subarray(0, 4 + Math.floor(r() * Math.max(1, src.length - 4))));
  } else {
    // Padded: members past the layout (a newer protocol version), or zeros.
    out = Buffer.concat([src, Buffer.alloc(1 + Math.floor(r() * 64), Math.floor(r() * 256))]);
  }
  out.writeUInt16LE(Math.min(out.length, 0xffff), 0);
  return out;
}

const JSON_ODD = ['NaN', 'Infinity', '-1e400', 'null', '"NaN"', '[]', '{"a":{"b":{"c":[1,2,{}]}}}', '"\\u0000"', '1e308', 'true', '-0'];

/** One JSON frame (NUL-terminated): mutated text that never holds a NUL before its end. */
function mutateJson(src: Buffer, r: () => number): Buffer {
  const text = src.subarray(0, src.length - 1).toString('utf8');
  const roll = r();
  let out: string;
  if (roll < 0.15) out = text;
  else if (roll < 0.5) {
    // One member's value replaced by something of the wrong kind.
    const members = [...text.matchAll(/"([A-Za-z0-9_]+)":/g)];
    const m = members[Math.floor(r() * members.length)];
    if (!m || m.index === undefined) out = text;
    else {
      const at = m.index + m[0].length;
      const end = text.slice(at).search(/[,}]/);
      out = `${text.slice(0, at)}${JSON_ODD[Math.floor(r() * JSON_ODD.length)]}${end < 0 ? '}' : text.slice(at + end)}`;
    }
  } else if (roll < 0.6) out = text.replace(/"Type":\d+/, `"Type":${Math.floor(r() * 70000) - 1000}`);
  else if (roll < 0.65) out = text.replace(/"Type":\d+,?/, '');
  else if (roll < 0.8) out = text.slice(0, Math.floor(r() * text.length));
  else if (roll < 0.9) {
    const bytes = Buffer.from(text);
    for (let i = 0; i < 4; i++) bytes[Math.floor(r() * bytes.length)] = 1 + Math.floor(r() * 255);
    out = bytes.toString('latin1');
  } else out = JSON.stringify({ Type: Number(text.match(/"Type":(\d+)/)?.[1] ?? 3), Deep: JSON.parse('['.repeat(500) + ']'.repeat(500)) });
  return Buffer.from(`${out.replaceAll('\0', ' ')}\0`, 'latin1');
}

/** What ends a connection: a frame the decoder cannot get past. */
function breaker(encoding: number, r: () => number): Buffer {
  const roll = r();
  if (encoding === EncodingEnum.BINARY) {
    if (roll < 0.33) return Buffer.from([2, 0, 3, 0]); // Size under the header
    if (roll < 0.66) {
      const b = Buffer.alloc(4);
      b.writeUInt16LE(0xffff, 0);
      b.writeUInt16LE(MessageType.ORDER_UPDATE, 2);
      return b; // declares 65535 bytes, then the connection ends: truncated
    }
    return Buffer.alloc(70_000, 0x41); // a Size of 0x4141, then bytes that never frame
  }
  // JSON text longer than any message, never terminated: oversized.
  return Buffer.alloc(70_000, 0x41);
}

interface Gen {
  next(encoding: number): Buffer;
}

function generator(seed: number): Gen {
  const r = prng(seed);
  const c = corpus(r, 6);
  return {
    next: (encoding) =>
      encoding === EncodingEnum.BINARY ? mutateBinary(c.binary[Math.floor(r() * c.binary.length)]!, r) : mutateJson(c.json[Math.floor(r() * c.json.length)]!, r),
  };
}

const fileSize = (path: string) => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

/** Writes `frames`, in batches, waiting for the socket to drain; false if it closed first. */
async function pour(socket: Socket, frames: () => Buffer | null): Promise<number> {
  let sent = 0;
  for (;;) {
    const batch: Buffer[] = [];
    for (let i = 0; i < 256; i++) {
      const f = frames();
      if (f === null) break;
      batch.push(f);
    }
    if (batch.length === 0) return sent;
    if (socket.destroyed) return sent;
    const ok = socket.write(Buffer.concat(batch));
    sent += batch.length;
    if (!ok) {
      const open = await new Promise<boolean>((resolve) => {
        socket.once('drain', () => resolve(true));
        socket.once('close', () => resolve(false));
      });
      if (!open) return sent;
    }
  }
}

const encodingResponse = (encoding: number) => encodeMessage(createDtcMessage(MessageType.ENCODING_RESPONSE, { ProtocolVersion: 8, Encoding: encoding, ProtocolType: 'DTC' }), EncodingEnum.BINARY);

/** The client side: a fuzzing server on loopback, MIA's DtcClient connecting to it again and again. */
async function fuzzClient(frames: number, perConnection: number, gen: Gen, dir: string, encoding: number): Promise<FuzzSide> {
  const logFile = join(dir, `client-${encoding}.log`);
  const logger = pino({ level: 'info' }, pino.destination({ dest: logFile, sync: true }));
  let remaining = frames;
  let connections = 0;
  let sent = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  let allSent = false;
  const server = createServer((s) => {
    connections++;
    s.on('error', () => {});
    let stage = 0;
    s.on('data', () => {
      if (stage === 0) {
        stage = 1;
        s.write(encodingResponse(encoding));
      } else if (stage === 1) {
        stage = 2;
        const logon = createDtcMessage(MessageType.LOGON_RESPONSE, { ProtocolVersion: 8, Result: 1, ResultText: 'fuzz', ServerName: 'fuzz', TradingIsSupported: 1, OCOOrdersSupported: 1, MarketDataSupported: 1 });
        s.write(encodeMessage(logon, encoding));
        const quota = Math.min(perConnection, remaining);
        remaining -= quota;
        let left = quota;
        void pour(s, () => (left-- > 0 ? gen.next(encoding) : null)).then((n) => {
          sent += n;
          remaining += quota - n; // what a closed connection did not take goes to the next one
          if (remaining <= 0) {
            // The client has read everything once it sees the end (then 'disconnected').
            allSent = true;
            s.end();
            return;
          }
          sent++;
          s.end(breaker(encoding, Math.random));
        });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  let observed = 0;
  const client = new DtcClient({
    host: '127.0.0.1',
    port,
    encoding: encoding === EncodingEnum.BINARY ? 'binary' : 'json',
    heartbeatSeconds: 60,
    maxReconnectAttempts: 1_000_000,
    backoffBaseMs: 1,
    backoffMaxMs: 5,
    seed: 7,
    requestTimeoutMs: 2_000,
    clock: new ManualClock(Date.UTC(2025, 10, 3, 14, 30)),
    connection: standaloneConnection,
    logger,
  });
  client.on('message', () => observed++);
  client.on('protocolError', (e) => {
    observed++;
    errorCodes[e.code] = (errorCodes[e.code] ?? 0) + 1;
    if (e.code === 'HANDLER_THREW' && handlerThrew.length < 5) handlerThrew.push(String((e.cause as Error | undefined)?.stack ?? e.message).slice(0, 600));
  });
  client.on('disconnected', () => {
    if (allSent) done();
  });
  let failed: string | null = null;
  client.on('failed', (e) => {
    failed = String(e.message);
    done();
  });
  client.on('stopped', (reason) => {
    failed = `stopped: ${reason}`;
    done();
  });
  client.start();
  await finished;
  await client.stop();
  await new Promise<void>((r) => server.close(() => r()));
  logger.flush();
  if (failed) process.stdout.write(`client gave up: ${failed}\n`);
  // Healthy after: the same client code logs on to a real paper server and gets its accounts.
  const healthy = await clientStillWorks();
  return { framesSent: sent, connections, observed, logBytes: fileSize(logFile), healthyAfter: healthy && failed === null };
}

async function clientStillWorks(): Promise<boolean> {
  const paper = await startPaperDtcServer({ clock: new ManualClock(Date.UTC(2025, 10, 3, 14, 30)) });
  const client = new DtcClient({
    host: '127.0.0.1', port: paper.port, encoding: 'binary', heartbeatSeconds: 60, maxReconnectAttempts: 1, backoffBaseMs: 10, backoffMaxMs: 10, seed: 7,
    requestTimeoutMs: 2_000, clock: new ManualClock(Date.UTC(2025, 10, 3, 14, 30)), connection: standaloneConnection,
  });
  try {
    const up = new Promise<void>((r) => client.once('connected', () => r()));
    client.start();
    await Promise.race([up, new Promise((_, j) => setTimeout(() => j(new Error('no logon')), 5_000))]);
    return (await client.tradeAccounts()).length > 0;
  } catch {
    return false;
  } finally {
    await client.stop();
    await paper.close();
  }
}

/** The server side: fuzzing clients against an in-process paper DTC server. */
async function fuzzServer(frames: number, perConnection: number, gen: Gen, dir: string): Promise<FuzzSide> {
  const logFile = join(dir, 'server.log');
  const logger = pino({ level: 'info' }, pino.destination({ dest: logFile, sync: true }));
  const paper = await startPaperDtcServer({ clock: new ManualClock(Date.UTC(2025, 10, 3, 14, 30)), logger });
  let remaining = frames;
  let sent = 0;
  let connections = 0;
  try {
    while (remaining > 0) {
      const encoding = connections % 2 === 0 ? EncodingEnum.BINARY : EncodingEnum.JSON;
      connections++;
      const s = connect(paper.port, '127.0.0.1');
      s.on('error', () => {});
      s.on('data', () => {}); // read and drop what the server answers
      await new Promise<void>((r, j) => {
        s.once('connect', () => r());
        s.once('error', j);
      });
      const encReq = createDtcMessage(MessageType.ENCODING_REQUEST, { ProtocolVersion: 8, Encoding: encoding, ProtocolType: 'DTC' });
      s.write(encodeMessage(encReq, EncodingEnum.BINARY));
      await new Promise((r) => setTimeout(r, 2));
      s.write(encodeMessage(createDtcMessage(MessageType.LOGON_REQUEST, { ProtocolVersion: 8, HeartbeatIntervalInSeconds: 60, ClientName: 'fuzz' }), encoding));
      const quota = Math.min(perConnection, remaining);
      let left = quota;
      const n = await pour(s, () => (left-- > 0 ? gen.next(encoding) : null));
      sent += n;
      remaining -= Math.max(n, 1);
      if (!s.destroyed) s.write(breaker(encoding, Math.random));
      sent++;
      await new Promise<void>((r) => {
        s.once('close', () => r());
        s.end();
        setTimeout(() => {
          s.destroy();
          r();
        }, 200);
      });
    }
    // Healthy after: a clean client logs on and gets its trade accounts.
    const client = new DtcClient({
      host: '127.0.0.1', port: paper.port, encoding: 'json', heartbeatSeconds: 60, maxReconnectAttempts: 1, backoffBaseMs: 10, backoffMaxMs: 10, seed: 7,
      requestTimeoutMs: 2_000, clock: new ManualClock(Date.UTC(2025, 10, 3, 14, 30)), connection: standaloneConnection,
    });
    let healthy = false;
    try {
      const up = new Promise<void>((r) => client.once('connected', () => r()));
      client.start();
      await Promise.race([up, new Promise((_, j) => setTimeout(() => j(new Error('no logon')), 5_000))]);
      healthy = (await client.tradeAccounts()).length > 0;
    } catch {
      healthy = false;
    } finally {
      await client.stop();
    }
    return { framesSent: sent, connections, observed: -1, logBytes: 0, healthyAfter: healthy };
  } finally {
    await paper.close();
    logger.flush();
    // Size read after close: the last warnings are in.
    Object.assign(globalThis, {});
  }
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzResult> {
  const say = o.say ?? (() => {});
  const perConnection = o.perConnection ?? 5_000;
  const gen = generator(o.seed ?? 13);
  const dir = mkdtempSync(join(tmpdir(), 'mia-fuzz-'));
  let crashes = 0;
  const crash = (e: unknown) => {
    crashes++;
    say(`CRASH: ${String((e as Error)?.stack ?? e).slice(0, 400)}`);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  const start = process.hrtime.bigint();
  try {
    const quarter = Math.floor(o.frames / 4);
    const clientBinary = await fuzzClient(quarter, perConnection, gen, dir, EncodingEnum.BINARY);
    say(`client, binary: ${clientBinary.framesSent} frames over ${clientBinary.connections} connections`);
    const clientJson = await fuzzClient(quarter, perConnection, gen, dir, EncodingEnum.JSON);
    say(`client, json: ${clientJson.framesSent} frames over ${clientJson.connections} connections`);
    const server = await fuzzServer(o.frames - 2 * quarter, perConnection, gen, dir);
    server.logBytes = fileSize(join(dir, 'server.log'));
    say(`paper server: ${server.framesSent} frames over ${server.connections} connections`);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const client: FuzzSide = {
      framesSent: clientBinary.framesSent + clientJson.framesSent,
      connections: clientBinary.connections + clientJson.connections,
      observed: clientBinary.observed + clientJson.observed,
      logBytes: clientBinary.logBytes + clientJson.logBytes,
      healthyAfter: clientBinary.healthyAfter && clientJson.healthyAfter,
    };
    const frames = client.framesSent + server.framesSent;
    return { frames, crashes, seconds: Math.round(seconds * 10) / 10, framesPerSecond: Math.round(frames / seconds), client, server };
  } finally {
    process.off('uncaughtException', crash);
    process.off('unhandledRejection', crash);
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatFuzz(f: FuzzResult): string {
  const side = (name: string, s: FuzzSide) =>
    [
      `${name} frames`.padEnd(30) + ` ${s.framesSent}`,
      `${name} connections`.padEnd(30) + ` ${s.connections}`,
      ...(s.observed >= 0 ? [`${name} messages+errors seen`.padEnd(30) + ` ${s.observed}`] : []),
      `${name} log bytes`.padEnd(30) + ` ${s.logBytes} (${(s.logBytes / Math.max(1, s.framesSent)).toFixed(3)} B/frame, ${Math.round(s.logBytes / Math.max(1, s.connections))} B/connection)`,
      `${name} works afterwards`.padEnd(30) + ` ${s.healthyAfter ? 'yes' : 'NO'}`,
    ].join('\n');
  const codes = Object.entries(errorCodes).map(([k, v]) => `  ${k}: ${v}`);
  return [...(codes.length ? ['client protocol errors by code', ...codes] : []), ...handlerThrew.map((h) => `handler threw: ${h}`), `frames`.padEnd(30) + ` ${f.frames}`, `crashes`.padEnd(30) + ` ${f.crashes}`, `seconds`.padEnd(30) + ` ${f.seconds}`, `frames/s`.padEnd(30) + ` ${f.framesPerSecond}`, side('client', f.client), side('server', f.server)].join('\n');
}
