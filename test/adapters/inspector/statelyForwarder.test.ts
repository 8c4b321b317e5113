/**
 * `--inspect-stately`'s forwarder against a local stand-in for Stately's relay: the
 * inspection stream arrives in Stately's format (via @statelyai/inspect), actor
 * registrations held while the relay was down are replayed when it comes up, and an
 * unreachable relay only produces a warning.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createActor, createMachine } from 'xstate';
import { WebSocketServer } from 'ws';
import { startStatelyForwarder, type StatelyForwarder } from '../../../adapters/inspector/statelyForwarder.ts';

const toggle = createMachine({ id: 'toggle', initial: 'off', states: { off: { on: { FLIP: 'on' } }, on: { on: { FLIP: 'off' } } } });

const forwarders: StatelyForwarder[] = [];
const relays: WebSocketServer[] = [];
afterEach(() => {
  for (const f of forwarders.splice(0)) f.close();
  for (const r of relays.splice(0)) r.close();
});

async function waitUntil(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function relay(port = 0) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port });
  relays.push(wss);
  await once(wss, 'listening');
  const received: Array<{ json: { type: string; sessionId: string; name?: string; event?: { type: string }; snapshot?: { value?: unknown } } }> = [];
  wss.on('connection', (ws) => ws.on('message', (m) => received.push(JSON.parse(String(m)))));
  return { wss, port: (wss.address() as AddressInfo).port, received };
}

describe('Stately forwarder', () => {
  it('forwards actors, events and snapshots in Stately format, replaying what it held while the relay was down', async () => {
    // A free port with nothing listening yet.
    const probe = await relay();
    const port = probe.port;
    probe.wss.close();
    await once(probe.wss, 'close');

    const unavailable: string[] = [];
    let connectedTo: string | null = null;
    const f = startStatelyForwarder({
      relayUrl: `ws://127.0.0.1:${port}/party/test`,
      viewerUrl: 'viewer://test',
      retryMs: 100,
      onUnavailable: (r) => unavailable.push(r),
      onConnected: (url) => (connectedTo = url),
    });
    forwarders.push(f);
    const actor = createActor(toggle, { inspect: (e) => f.inspect(e) });
    actor.start();
    actor.send({ type: 'FLIP' });
    await waitUntil(() => unavailable.length > 0);
    expect(f.connected()).toBe(false);

    // The relay comes up: the forwarder reconnects and replays.
    const up = await relay(port);
    await waitUntil(() => f.connected() && up.received.some((m) => m.json.type === '@xstate.snapshot'));
    expect(connectedTo).toBe('viewer://test');
    const registration = up.received.find((m) => m.json.type === '@xstate.actor')!;
    expect(registration.json).toMatchObject({ name: 'toggle', sessionId: actor.sessionId });
    expect(up.received.some((m) => m.json.type === '@xstate.event' && m.json.event?.type === 'FLIP')).toBe(true);

    // Live from now on.
    actor.send({ type: 'FLIP' });
    await waitUntil(() => up.received.some((m) => m.json.type === '@xstate.snapshot' && m.json.snapshot?.value === 'off'));
    // One warning for the failure streak, not one per retry.
    expect(unavailable).toHaveLength(1);
    actor.stop();
  });

  it('fails soft on an unreachable relay and stops for good on close', async () => {
    const unavailable: string[] = [];
    const f = startStatelyForwarder({ relayUrl: 'ws://127.0.0.1:9/', retryMs: 50, onUnavailable: (r) => unavailable.push(r) });
    forwarders.push(f);
    const actor = createActor(toggle, { inspect: (e) => f.inspect(e) });
    actor.start();
    for (let i = 0; i < 500; i++) actor.send({ type: 'FLIP' });
    await waitUntil(() => unavailable.length > 0);
    expect(actor.getSnapshot().value).toBe('off');
    f.close();
    // Events after close are ignored without error.
    actor.send({ type: 'FLIP' });
    expect(f.connected()).toBe(false);
    actor.stop();
  });

  it('reports a malformed relay URL instead of throwing', () => {
    const unavailable: string[] = [];
    const f = startStatelyForwarder({ relayUrl: 'not a url', onUnavailable: (r) => unavailable.push(r) });
    forwarders.push(f);
    expect(unavailable).toHaveLength(1);
    f.close();
  });
});
