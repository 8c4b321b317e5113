/**
 * The surfaces `mia run` opens (operator/controlSurfaces.ts): the control channel listens
 * before any session exists and says "starting" until one is attached; a port already in
 * use fails the start with a clear message; without DISCORD_TOKEN there is no Discord.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { configSchema } from '../../config/schema.ts';
import { systemClock } from '../../core/clock.ts';
import { openStateStore } from '../../adapters/store/stateStore.ts';
import { silentLogger } from '../../adapters/log/logger.ts';
import { sendControlCommand } from '../../adapters/control/controlClient.ts';
import { startSession } from '../../session/session.ts';
import { startControlSurfaces } from '../../operator/controlSurfaces.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';

const tempHome = useTempHomes('mia-control-surfaces-');
// A paced feed: the session runs until stopped, and a max-speed one would only race the journal.
const config = configSchema.parse({ venue: { kind: 'simulated' }, feed: { maxBars: 200, speed: 100 } });

describe('control surfaces', () => {
  it('answer "starting" before a session is attached, then reach it; close removes control.json', async () => {
    const home = tempHome();
    const store = await openStateStore(home, { clock: systemClock });
    const logged: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(line) });
    const surfaces = await startControlSurfaces({ config, home, audit: store.audit, logger, clock: systemClock, env: {} });
    try {
      const early = await sendControlCommand(home, { command: 'kill', who: 'cli:alice', reason: 'too early' });
      expect(early.response).toMatchObject({ ok: false, message: expect.stringContaining('is starting') });

      const session = startSession({ config, store, logger: silentLogger(), maxBars: Infinity });
      await surfaces.attach(session, null);
      expect(surfaces.discord()).toBeNull();
      // Discord off is said, once, in the log.
      expect(logged.filter((l) => l.includes('discord off: DISCORD_TOKEN is not set'))).toHaveLength(1);
      const status = await sendControlCommand(home, { command: 'status', who: 'cli:alice' });
      expect(status.response.ok).toBe(true);
      expect(status.response.data).toMatchObject({ feed: { maxBars: null }, session: { state: 'trading' } });
      await session.stop('test over');
    } finally {
      await surfaces.close();
      await store.flush();
    }
    expect(existsSync(join(home, 'control.json'))).toBe(false);
    const audit = store.audit.entries().filter((e) => e.who === 'cli:alice').map((e) => [e.action, (e.result as { ok: boolean }).ok]);
    expect(audit).toEqual([
      ['control.kill', false],
      ['control.status', true],
    ]);
    await store.close();
  });

  it('a control port already in use fails the start, naming the address', async () => {
    const [a, b] = [tempHome(), tempHome()];
    const first = await startControlSurfaces({ config, home: a, audit: { append: async () => undefined }, logger: silentLogger(), clock: systemClock, env: {} });
    try {
      const port = 'port' in first.control.endpoint ? first.control.endpoint.port : 0;
      await expect(
        startControlSurfaces({ config, home: b, audit: { append: async () => undefined }, logger: silentLogger(), clock: systemClock, controlPort: port, env: {} }),
      ).rejects.toThrow(`the control channel cannot listen on 127.0.0.1:${port}`);
      expect(existsSync(join(b, 'control.json'))).toBe(false);
    } finally {
      await first.close();
    }
  });
});
