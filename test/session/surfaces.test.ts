/**
 * `startSession({ surfaces })`: the operator surfaces are built before the session
 * (session/fromConfig.ts `sessionSurfaces`), see the inspection events they ask for, and
 * are attached once it runs; the control channel reaches the session through them.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { configSchema } from '../../config/schema.ts';
import { systemClock } from '../../core/clock.ts';
import { openStateStore } from '../../adapters/store/stateStore.ts';
import { silentLogger } from '../../adapters/log/logger.ts';
import { sendControlCommand } from '../../adapters/control/controlClient.ts';
import { startSession, type Session, type SessionSurface } from '../../session/session.ts';
import { sessionSurfaces } from '../../session/fromConfig.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';

const tempHome = useTempHomes('mia-session-surfaces-');
const config = configSchema.parse({ venue: { kind: 'simulated' }, feed: { maxBars: 200, speed: 100 } });

describe('session surfaces', () => {
  it('are attached to the running session, see inspection events if they ask, and the control channel reaches it', async () => {
    const home = tempHome();
    const store = await openStateStore(home, { clock: systemClock });
    const surfaces = await sessionSurfaces(config, { home, store, logger: silentLogger(), clock: systemClock, env: {}, maxBars: null });
    const seen: InspectionEvent[] = [];
    const attachedTo: Session[] = [];
    const watcher: SessionSurface = { inspect: (e) => void seen.push(e), attach: (s) => void attachedTo.push(s) };
    try {
      const session = startSession({ config, store, logger: silentLogger(), maxBars: Infinity, persist: false, surfaces: [...surfaces.list, watcher] });
      expect(attachedTo).toEqual([session]);
      await surfaces.attached();
      // Without persistence the session installs no inspection hook of its own: the surface's is there.
      expect(seen.some((e) => e.type === '@xstate.event' && (e.event as { type: string }).type === 'SESSION.START')).toBe(true);
      const status = await sendControlCommand(home, { command: 'status', who: 'cli:test' });
      expect(status.response).toMatchObject({ ok: true, data: { feed: { maxBars: null }, session: { state: 'trading' } } });
      await session.stop('test over');
    } finally {
      await surfaces.close();
      await store.flush();
    }
    expect(existsSync(join(home, 'control.json'))).toBe(false);
    await store.close();
  });
});
