/**
 * A TCP proxy for drills: clients connect to it, it connects to the venue's port, and it
 * records every DTC message both ways with the wall time it passed (JSON encoding: the
 * 16-byte binary encoding exchange, then NUL-terminated JSON objects). The venue may die
 * and come back on the same port: each new client connection dials it again.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface RecordedMessage {
  /** Wall time, ms. */
  t: number;
  /** 'link': the proxy's own record of a client connection opening (Type 'open') or closing (Type 'closed'). */
  dir: 'toVenue' | 'toClient' | 'link';
  /** Connection number (one per client connection). */
  conn: number;
  msg: Record<string, unknown>;
}

export interface RecordingProxy {
  readonly port: number;
  readonly log: RecordedMessage[];
  /** Called for every message as it passes (a drill kills on an order leaving). */
  onMessage: ((m: RecordedMessage) => void) | null;
  /** Drops every open connection (both sides). */
  dropAll(): void;
  close(): Promise<void>;
}

function splitter(dir: 'toVenue' | 'toClient', conn: number, push: (m: RecordedMessage) => void) {
  let skip = 16; // the binary ENCODING_REQUEST / ENCODING_RESPONSE
  let buf = '';
  return (chunk: Buffer) => {
    let data = chunk;
    if (skip > 0) {
      const n = Math.min(skip, data.length);
      skip -= n;
      data = data.subarray(n);
    }
    buf += data.toString('latin1');
    let at: number;
    while ((at = buf.indexOf('\0')) >= 0) {
      const text = buf.slice(0, at);
      buf = buf.slice(at + 1);
      try {
        push({ t: Date.now(), dir, conn, msg: JSON.parse(text) as Record<string, unknown> });
      } catch {
        push({ t: Date.now(), dir, conn, msg: { Type: -1, garbage: text.slice(0, 64) } });
      }
    }
  };
}

export async function startRecordingProxy(venuePort: number): Promise<RecordingProxy> {
  const sockets = new Set<Socket>();
  let conns = 0;
  const proxy: RecordingProxy = {
    port: 0,
    log: [],
    onMessage: null,
    dropAll: () => {
      for (const s of sockets) s.destroy();
    },
    close: async () => {},
  };
  const push = (m: RecordedMessage) => {
    proxy.log.push(m);
    proxy.onMessage?.(m);
  };
  const server: Server = createServer((client) => {
    const conn = ++conns;
    push({ t: Date.now(), dir: 'link', conn, msg: { Type: 'open' } });
    const venue = connect(venuePort, '127.0.0.1');
    sockets.add(client);
    sockets.add(venue);
    const toVenue = splitter('toVenue', conn, push);
    const toClient = splitter('toClient', conn, push);
    client.on('data', (b: Buffer) => {
      toVenue(b);
      venue.write(b);
    });
    venue.on('data', (b: Buffer) => {
      toClient(b);
      client.write(b);
    });
    let ended = false;
    const end = () => {
      if (!ended) push({ t: Date.now(), dir: 'link', conn, msg: { Type: 'closed' } });
      ended = true;
      client.destroy();
      venue.destroy();
      sockets.delete(client);
      sockets.delete(venue);
    };
    client.on('close', end);
    venue.on('close', end);
    client.on('error', end);
    venue.on('error', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  Object.assign(proxy, {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((r) => {
        proxy.dropAll();
        server.close(() => r());
      }),
  });
  return proxy;
}
