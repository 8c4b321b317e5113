/**
 * The inspector's server over real sockets: 127.0.0.1 only, nothing without the token
 * (HTTP and ws), a page that names no other host, inspector.url written 0600 and removed
 * on close, and pushes coalesced whatever the feed's rate.
 */
import { readFileSync, existsSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { connect } from 'node:net';
import { describe, expect, it, afterEach } from 'vitest';
import { WebSocket } from 'ws';
import { startInspectorServer, type InspectorFeed, type InspectorServer } from '../../../adapters/inspector/inspectorServer.ts';
import { inspectorPage } from '../../../adapters/inspector/inspectorPage.ts';
import { inspectorUrlPath } from '../../../adapters/inspector/inspectorUrlFile.ts';
import { useTempHomes } from '../../fixtures/tempHome.ts';

const tempHome = useTempHomes('mia-inspector-');
const servers: InspectorServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** A feed whose state changes on every call: only the server's pacing limits the pushes. */
function busyFeed() {
  let version = 0;
  let renders = 0;
  const feed: InspectorFeed<{ n: number }> = {
    open: () => ({ n: 0 }),
    render: (cursor) => {
      renders++;
      cursor.n++;
      version++;
      return JSON.stringify({ type: 'view', n: cursor.n, version });
    },
  };
  return { feed, renders: () => renders };
}

async function start(home: string, feed: InspectorFeed<unknown> = busyFeed().feed as InspectorFeed<unknown>, extra: { intervalMs?: number } = {}) {
  const refusals: Array<{ status: number; reason: string; path: string }> = [];
  const server = await startInspectorServer({ home, feed, page: inspectorPage(), onRefused: (r) => refusals.push(r), ...extra });
  servers.push(server);
  return { server, refusals };
}

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a ws; resolves with the HTTP status of a refused upgrade, or 101 and the socket. */
function openWs(url: string, headers: Record<string, string> = {}): Promise<{ status: number; ws?: WebSocket; messages: string[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    // Collected from the start: the server pushes the first view right after the upgrade.
    const messages: string[] = [];
    ws.on('message', (m) => messages.push(String(m)));
    ws.once('open', () => resolve({ status: 101, ws, messages }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0, messages });
      ws.terminate();
    });
    ws.once('error', (err) => reject(err));
  });
}

async function waitUntil(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const wsUrl = (url: string, token: string | null) => {
  const u = new URL(url);
  return `ws://127.0.0.1:${u.port}/ws${token === null ? '' : `?token=${token}`}`;
};

describe('inspector server', () => {
  it('serves the page only with the right token; the URL file is 0600 and goes on close', async () => {
    const home = tempHome();
    const { server, refusals } = await start(home);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}$/);
    const token = new URL(server.url).searchParams.get('token')!;

    const ok = await get(server.url);
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('<title>MIA inspector</title>');
    expect(String(ok.headers['content-security-policy'])).toContain("connect-src 'self'");

    const base = `http://127.0.0.1:${server.port}/`;
    const missing = await get(base);
    expect(missing.status).toBe(401);
    expect(missing.body).not.toContain('MIA inspector');
    const wrong = await get(`${base}?token=${'0'.repeat(64)}`);
    expect(wrong.status).toBe(403);
    expect(wrong.body).not.toContain('MIA inspector');
    // A token one character short is refused too (no prefix match).
    expect((await get(`${base}?token=${token.slice(0, -1)}`)).status).toBe(403);
    // DNS rebinding: a page from another name that resolves to 127.0.0.1 is refused.
    expect((await get(server.url, { host: `evil.example:${server.port}` })).status).toBe(403);
    expect(refusals.map((r) => r.status)).toEqual([401, 403, 403, 403]);

    // inspector.url: owner-only, one line, the URL.
    const file = inspectorUrlPath(home);
    expect(server.file).toBe(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe(`${server.url}\n`);
    await server.close();
    expect(existsSync(file)).toBe(false);
  });

  it('refuses ws upgrades without the right token or from another origin', async () => {
    const { server } = await start(tempHome());
    const token = new URL(server.url).searchParams.get('token')!;
    expect((await openWs(wsUrl(server.url, null))).status).toBe(401);
    expect((await openWs(wsUrl(server.url, 'f'.repeat(64)))).status).toBe(403);
    expect((await openWs(wsUrl(server.url, token), { origin: 'http://evil.example' })).status).toBe(403);
    const good = await openWs(wsUrl(server.url, token), { origin: `http://127.0.0.1:${server.port}` });
    expect(good.status).toBe(101);
    await waitUntil(() => good.messages.length > 0);
    expect(JSON.parse(good.messages[0]!)).toMatchObject({ type: 'view', n: 1 });
    good.ws!.terminate();
  });

  it('listens on 127.0.0.1 only', async () => {
    const { server } = await start(tempHome());
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    if (!external) {
      console.warn('no non-loopback IPv4 interface: the external-address check is skipped');
      return;
    }
    const refused = await new Promise<string>((resolve) => {
      const c = connect(server.port, external.address);
      c.once('connect', () => {
        c.destroy();
        resolve('connected');
      });
      c.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
  });

  it('serves a page that names no host but its own and loads nothing from outside', () => {
    const page = inspectorPage();
    expect(page.match(/https?:\/\//g) ?? []).toEqual([]);
    // No external resources of any kind.
    expect(page).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=/i);
    expect(page).not.toMatch(/@import|url\(/i);
  });

  it('coalesces pushes to at most one per interval per client however fast the feed changes', async () => {
    const busy = busyFeed();
    const { server } = await start(tempHome(), busy.feed as InspectorFeed<unknown>, { intervalMs: 100 });
    const token = new URL(server.url).searchParams.get('token')!;
    const started = Date.now();
    const { ws, messages: received } = await openWs(wsUrl(server.url, token));
    await new Promise((r) => setTimeout(r, 1_000));
    ws!.terminate();
    const elapsed = Date.now() - started;
    const messages = received.length;
    // One on connect, then at most one per 100 ms tick.
    expect(messages).toBeGreaterThan(0);
    expect(messages).toBeLessThanOrEqual(2 + Math.ceil(elapsed / 100));
    expect(busy.renders()).toBeLessThanOrEqual(2 + Math.ceil(elapsed / 100));
  });
});
