/**
 * The control server and client over loopback and a unix socket, with a recording handler:
 * the token file, authentication (constant-time comparison, wrong or missing token, browser
 * origin), malformed requests, a failing handler, and clean removal of control.json.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { startControlServer, tokenMatches, MAX_BODY_BYTES, CONTROL_ROUTE, type ControlRefusal, type ControlServer } from '../../../adapters/control/controlServer.ts';
import { ControlUnavailableError, sendControlCommand } from '../../../adapters/control/controlClient.ts';
import { ControlFileError, readControlFile } from '../../../adapters/control/controlFile.ts';
import type { ControlHandler, ControlRequest } from '../../../adapters/control/controlProtocol.ts';
import { useTempHomes } from '../../fixtures/tempHome.ts';

const tempHome = useTempHomes('mia-control-server-');
const servers: ControlServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function recordingHandler(fail = false) {
  const seen: ControlRequest[] = [];
  const handler: ControlHandler = {
    async handle(r) {
      seen.push(r);
      if (fail) throw new Error('handler exploded');
      return { ok: r.command !== 'resume', command: r.command, message: `did ${r.command}`, data: { echo: r.reason ?? null } };
    },
  };
  return { seen, handler };
}

async function start(opts: { socket?: string; fail?: boolean } = {}) {
  const home = tempHome();
  const { seen, handler } = recordingHandler(opts.fail);
  const refusals: ControlRefusal[] = [];
  const server = await startControlServer({ home, handler, onRefused: (r) => refusals.push(r), ...(opts.socket ? { socket: opts.socket } : {}) });
  servers.push(server);
  return { home, server, seen, refusals };
}

/** A raw HTTP exchange, for what the client never sends. */
function raw(port: number, init: { method?: string; path?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: init.method ?? 'POST', path: init.path ?? CONTROL_ROUTE, headers: init.headers ?? {} }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    req.end(init.body ?? '');
  });
}

describe('control server', () => {
  it('publishes a 0600 control.json with a fresh 32-byte token and answers the right token', async () => {
    const { home, server, seen } = await start();
    const file = join(home, 'control.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const published = JSON.parse(readFileSync(file, 'utf8'));
    expect(published).toEqual(server.endpoint);
    expect(published.token).toMatch(/^[0-9a-f]{64}$/);
    expect(published.pid).toBe(process.pid);

    const reply = await sendControlCommand(home, { command: 'pause', who: 'cli:alice', reason: 'lunch' });
    expect(reply.status).toBe(200);
    expect(reply.response).toEqual({ ok: true, command: 'pause', message: 'did pause', data: { echo: 'lunch' } });
    expect(seen).toEqual([{ command: 'pause', who: 'cli:alice', reason: 'lunch' }]);

    // Two servers never share a token.
    const other = await start();
    expect(other.server.endpoint.token).not.toBe(server.endpoint.token);
  });

  it('refuses a wrong, missing or malformed token before the handler, and reports it', async () => {
    const { home, server, seen, refusals } = await start();
    const port = 'port' in server.endpoint ? server.endpoint.port : 0;
    const body = JSON.stringify({ command: 'kill', who: 'cli:mallory', reason: 'x' });
    const wrong = await sendControlCommand(home, { command: 'kill', who: 'cli:mallory', reason: 'x' }, { endpoint: { ...server.endpoint, token: 'f'.repeat(64) } });
    expect(wrong.status).toBe(401);
    expect(wrong.response.ok).toBe(false);
    expect((await raw(port, { body })).status).toBe(401);
    expect((await raw(port, { body, headers: { authorization: `Basic ${server.endpoint.token}` } })).status).toBe(401);
    expect((await raw(port, { body, headers: { authorization: `Bearer ${server.endpoint.token.slice(1)}` } })).status).toBe(401);
    expect(seen).toEqual([]);
    expect(refusals.map((r) => [r.status, r.remote])).toEqual([
      [401, '127.0.0.1'],
      [401, '127.0.0.1'],
      [401, '127.0.0.1'],
      [401, '127.0.0.1'],
    ]);
  });

  it('refuses browser origins, other routes and methods, bad JSON, unknown commands and oversized bodies', async () => {
    const { server, seen, refusals } = await start();
    const port = 'port' in server.endpoint ? server.endpoint.port : 0;
    const auth = { authorization: `Bearer ${server.endpoint.token}`, 'content-type': 'application/json' };
    const ok = JSON.stringify({ command: 'status', who: 'cli:alice' });
    expect((await raw(port, { body: ok, headers: { ...auth, origin: 'https://evil.example' } })).status).toBe(403);
    expect((await raw(port, { body: ok, headers: auth, path: '/v1/other' })).status).toBe(404);
    expect((await raw(port, { method: 'GET', headers: auth })).status).toBe(405);
    expect((await raw(port, { body: '{not json', headers: auth })).status).toBe(400);
    const unknown = await raw(port, { body: JSON.stringify({ command: 'sell-everything', who: 'cli:alice' }), headers: auth });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toContain('command');
    expect((await raw(port, { body: JSON.stringify({ command: 'status' }), headers: auth })).status).toBe(400);
    expect((await raw(port, { body: JSON.stringify({ command: 'status', who: 'a', extra: 1 }), headers: auth })).status).toBe(400);
    expect((await raw(port, { body: 'x'.repeat(MAX_BODY_BYTES + 10), headers: auth }).catch(() => ({ status: 413 }))).status).toBe(413);
    expect(seen).toEqual([]);
    expect(refusals.map((r) => r.status)).toEqual([403, 404, 405, 400, 400, 400, 400, 413]);
    // Still serving after all that.
    expect((await raw(port, { body: ok, headers: auth })).status).toBe(200);
  });

  it('a handler that throws yields 500 with its message; the server keeps serving', async () => {
    const { home } = await start({ fail: true });
    const r = await sendControlCommand(home, { command: 'status', who: 'cli:alice' });
    expect(r.status).toBe(500);
    expect(r.response).toMatchObject({ ok: false, message: 'failed: handler exploded' });
    expect((await sendControlCommand(home, { command: 'status', who: 'cli:alice' })).status).toBe(500);
  });

  it('serves on a unix socket (0600) and removes socket and control.json on close', async () => {
    const dir = tempHome();
    const socket = join(dir, 'mia.sock');
    const { home, server } = await start({ socket });
    expect(server.endpoint).toMatchObject({ socket });
    expect(statSync(socket).mode & 0o777).toBe(0o600);
    const r = await sendControlCommand(home, { command: 'flatten', who: 'cli:alice' });
    expect(r.response.message).toBe('did flatten');
    await server.close();
    expect(existsSync(socket)).toBe(false);
    expect(existsSync(join(home, 'control.json'))).toBe(false);
    await expect(sendControlCommand(home, { command: 'status', who: 'cli:alice' })).rejects.toBeInstanceOf(ControlUnavailableError);
  });

  it('close removes control.json; a client then finds nobody home', async () => {
    const { home, server } = await start();
    await server.close();
    await server.close(); // idempotent
    expect(existsSync(join(home, 'control.json'))).toBe(false);
    const err = await sendControlCommand(home, { command: 'status', who: 'cli:alice' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ControlUnavailableError);
    expect((err as Error).message).toBe(`no running mia at ${home}`);
  });
});

describe('control.json readers', () => {
  it('a file naming a dead pid counts as nobody home; a corrupt one is a typed error', async () => {
    const home = tempHome();
    const file = join(home, 'control.json');
    // Pid 2^22+1 is above Linux's pid_max default range: never a live process here.
    writeFileSync(file, JSON.stringify({ port: 1, token: 'a'.repeat(64), pid: 4_194_305 }));
    expect(await readControlFile(home)).toBeNull();
    writeFileSync(file, '{"port": 1, "tok');
    await expect(readControlFile(home)).rejects.toBeInstanceOf(ControlFileError);
    writeFileSync(file, JSON.stringify({ port: 1, token: 'short', pid: process.pid }));
    await expect(readControlFile(home)).rejects.toThrow(/unexpected content/);
  });
});

describe('tokenMatches', () => {
  it('accepts exactly the expected token', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (expected, given) => {
        expect(tokenMatches(expected, given)).toBe(expected === given);
        expect(tokenMatches(expected, expected)).toBe(true);
      }),
    );
    expect(tokenMatches('abc', undefined)).toBe(false);
  });
});
