import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.ts';
import { HomeLockedError } from '../../../adapters/store/homeLock.ts';
import { openStateStore } from '../../../adapters/store/stateStore.ts';
import { spawnFixture } from '../../fixtures/spawnFixture.ts';
import { useTempHomes } from '../../fixtures/tempHome.ts';

const newHome = useTempHomes('mia-lock-');
const clock = new ManualClock(0);
const lockOf = (home: string) => join(home, 'state', 'lock');

describe('home lock', () => {
  it('refuses a home held by another live process, and takes it over once that process is dead', async () => {
    const home = newHome();
    const holder = spawnFixture('storeLockHolder.ts', [home]);
    try {
      await holder.ready;
      const pid = holder.child.pid!;
      expect(readFileSync(lockOf(home), 'utf8').trim()).toBe(String(pid));

      const refused = await openStateStore(home, { clock }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(HomeLockedError);
      expect((refused as Error).message).toContain(`pid ${pid}`);
      expect((refused as Error).message).toContain(lockOf(home));
      expect(readFileSync(lockOf(home), 'utf8').trim()).toBe(String(pid));

      holder.child.kill('SIGKILL');
      await holder.exited;
      // The dead holder never released its lock: it is stale and taken over.
      expect(readFileSync(lockOf(home), 'utf8').trim()).toBe(String(pid));
      const store = await openStateStore(home, { clock });
      expect(readFileSync(lockOf(home), 'utf8').trim()).toBe(String(process.pid));
      await store.close();
      expect(existsSync(lockOf(home))).toBe(false);
    } finally {
      holder.child.kill('SIGKILL');
    }
  });

  it('refuses another process while this one holds the home', async () => {
    const home = newHome();
    const store = await openStateStore(home, { clock });
    const intruder = spawnFixture('storeLockHolder.ts', [home]);
    try {
      // Whichever comes first: the intruder giving up (expected) or getting the home.
      const outcome = await Promise.race([intruder.exited, intruder.ready.then(() => 'got the home' as const)]);
      expect(outcome).not.toBe('got the home');
      expect(outcome).toMatchObject({ code: 1 });
      expect(intruder.stderr()).toContain(`locked by pid ${process.pid}`);
      expect(intruder.stdout()).not.toContain('ready');
      expect(readFileSync(lockOf(home), 'utf8').trim()).toBe(String(process.pid));
    } finally {
      intruder.child.kill('SIGKILL');
      await store.close();
    }
  });

  it('refuses a second store on the same home within one process', async () => {
    const home = newHome();
    const first = await openStateStore(home, { clock });
    await expect(openStateStore(home, { clock })).rejects.toBeInstanceOf(HomeLockedError);
    await first.close();
    const second = await openStateStore(home, { clock });
    await second.close();
  });

  it('takes over a lock naming our own pid that predates this process (restart with a reused pid)', async () => {
    const home = newHome();
    await (await openStateStore(home, { clock })).close();
    writeFileSync(lockOf(home), `${process.pid}\n`);
    const longAgo = new Date(performance.timeOrigin - 60_000);
    utimesSync(lockOf(home), longAgo, longAgo);
    const store = await openStateStore(home, { clock });
    await store.close();
  });

  it('refuses an unreadable lock rather than guessing', async () => {
    const home = newHome();
    await (await openStateStore(home, { clock })).close();
    writeFileSync(lockOf(home), 'not a pid');
    await expect(openStateStore(home, { clock })).rejects.toThrow(/unreadable home lock/);
    expect(readFileSync(lockOf(home), 'utf8')).toBe('not a pid');
  });
});
