/**
 * A logger that writes nothing, as `pino({ level: 'silent' })` does, without loading pino
 * (its modules cost ~50 ms of a backtest's start, for a logger that never writes). It has
 * the part of pino's Logger the session and its parts use; every call does nothing.
 */
import type { Logger } from 'pino';

const nothing = (): void => undefined;

export function silentLogger(): Logger {
  const logger = {
    level: 'silent',
    levelVal: Infinity,
    fatal: nothing,
    error: nothing,
    warn: nothing,
    info: nothing,
    debug: nothing,
    trace: nothing,
    silent: nothing,
    flush: nothing,
    child: () => logger,
    bindings: () => ({}),
    setBindings: nothing,
    isLevelEnabled: () => false,
  };
  return logger as unknown as Logger;
}
