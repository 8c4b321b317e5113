/** Shared set-up for the DTC client tests: clients that are always stopped, and event waits. */
import { once } from 'node:events';
import { afterEach } from 'vitest';
import { ManualClock } from '../../../core/clock.ts';
import { DtcClient, type DtcClientEvents, type DtcClientOptions } from '../../../adapters/dtc/dtcClient.ts';
import { standaloneConnection } from '../../../actors/connectionHost.ts';

/** A fixed clock: heartbeats carry its time, timers stay real (they are the machine's). */
export const CLOCK_MS = Date.UTC(2025, 8, 15, 14, 30, 0);

/**
 * Returns a factory of clients on 127.0.0.1 with fast test settings; every client made is
 * stopped after each test, and `cleanups` run after them (servers).
 */
export function useDtcClients(): {
  client: (port: number, overrides?: Partial<DtcClientOptions>) => DtcClient;
  onCleanup: (cleanup: () => Promise<void>) => void;
} {
  const made: DtcClient[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((c) => c.stop()));
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return {
    client: (port, overrides = {}) => {
      const client = new DtcClient({
        host: '127.0.0.1',
        port,
        encoding: 'binary',
        heartbeatSeconds: 1,
        maxReconnectAttempts: 3,
        backoffBaseMs: 50,
        backoffMaxMs: 200,
        seed: 7,
        requestTimeoutMs: 2_000,
        clock: new ManualClock(CLOCK_MS),
        connection: standaloneConnection,
        ...overrides,
      });
      made.push(client);
      return client;
    },
    onCleanup: (cleanup) => cleanups.push(cleanup),
  };
}

/** The arguments of the next `event` of `client`, or a rejection after `timeoutMs`. */
export async function nextEvent<K extends keyof DtcClientEvents>(
  client: DtcClient,
  event: K,
  timeoutMs = 5_000,
): Promise<DtcClientEvents[K]> {
  const args = await once(client as never, event as string, { signal: AbortSignal.timeout(timeoutMs) });
  return args as DtcClientEvents[K];
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
