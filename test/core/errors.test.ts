/**
 * One error convention: every MIA error is a MiaError with a stable code and, when it
 * wraps another failure, its cause; CHILD.FAILED carries the code a supervisor needs.
 */
import { describe, expect, it } from 'vitest';
import { MiaError, errorCode, failureCodeOf } from '../../core/errors.ts';
import { childFailed } from '../../machines/orchestratorEvents.ts';
import { DtcClientError } from '../../adapters/dtc/dtcClientError.ts';
import { DtcFrameError } from '../../adapters/dtc/frameError.ts';
import { PolygonError } from '../../adapters/polygon/polygonError.ts';
import { DataFileError } from '../../adapters/files/seriesTypes.ts';
import { ConfigError } from '../../config/load.ts';
import { UsageError } from '../../cli/usage.ts';
import { CorruptStateError } from '../../adapters/store/jsonDocument.ts';
import { HomeLockedError } from '../../adapters/store/homeLock.ts';

describe('MiaError', () => {
  it('carries its code, its cause and its meaning for a supervisor', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const error = new MiaError('TIMEOUT', 'no logon in 10 s', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: 'TIMEOUT', message: 'no logon in 10 s', cause, failure: 'TIMEOUT' });
    expect(new MiaError('SOMETHING_ELSE', 'x').failure).toBe('INTERNAL');
    expect(new MiaError('X', 'x').cause).toBeUndefined();
    expect(errorCode(cause)).toBe('ECONNREFUSED');
    expect(errorCode(new Error('plain'))).toBeNull();
    expect(failureCodeOf(new Error('plain'))).toBe('INTERNAL');
  });

  it('the module errors keep their fields and gain stable codes', () => {
    const cases: Array<[MiaError, string, string]> = [
      [new DtcClientError('LOGON_REFUSED', 'logon failed: refused'), 'LOGON_REFUSED', 'LOGON_REFUSED'],
      [new DtcClientError('RECONNECT_EXHAUSTED', 'gave up'), 'RECONNECT_EXHAUSTED', 'CONNECTION_LOST'],
      [new DtcClientError('RECONNECT_EXHAUSTED', 'gave up', { failure: 'TIMEOUT' }), 'RECONNECT_EXHAUSTED', 'TIMEOUT'],
      [new DtcClientError('UNSUPPORTED_ENCODING', 'json?'), 'UNSUPPORTED_ENCODING', 'PROTOCOL_UNSUPPORTED'],
      [new DtcFrameError('TRUNCATED', 'cut'), 'TRUNCATED', 'CONNECTION_LOST'],
      [new PolygonError('auth', 'bad key'), 'POLYGON_AUTH', 'LOGON_REFUSED'],
      [new PolygonError('rate-limited', 'slow down'), 'POLYGON_RATE_LIMITED', 'PEER_REFUSED'],
      [new PolygonError('timeout', 'late'), 'POLYGON_TIMEOUT', 'TIMEOUT'],
      [new DataFileError('not-found', 'a.csv', 'no such file'), 'not-found', 'INTERNAL'],
      [new ConfigError('risk.dailyLossLimit', 'must be > 0'), 'CONFIG_INVALID', 'INTERNAL'],
      [new UsageError('--speed must be max or a number'), 'USAGE', 'INTERNAL'],
      [new CorruptStateError('/h/state.json', 'not JSON'), 'STATE_CORRUPT', 'INTERNAL'],
      [new HomeLockedError('/h/lock', 42), 'HOME_LOCKED', 'INTERNAL'],
    ];
    for (const [error, code, failure] of cases) {
      expect(error).toBeInstanceOf(MiaError);
      expect([error.code, error.failure]).toEqual([code, failure]);
    }
    expect(new ConfigError('risk.dailyLossLimit', 'must be > 0')).toMatchObject({ name: 'ConfigError', key: 'risk.dailyLossLimit' });
    expect(new DataFileError('bad-option', 'a.csv', 'tz?', 'tz')).toMatchObject({ name: 'DataFileError', isUsage: true, option: 'tz' });
    expect(new PolygonError('auth', 'bad key')).toMatchObject({ name: 'PolygonError', kind: 'auth' });
  });
});

describe('CHILD.FAILED', () => {
  it('carries the typed code and the human message, so a refused logon is told from a timeout', () => {
    expect(childFailed('execution', new DtcClientError('LOGON_REFUSED', 'logon failed: refused (ERROR_NO_RECONNECT)'), 5)).toEqual({
      type: 'CHILD.FAILED',
      child: 'execution',
      code: 'LOGON_REFUSED',
      error: 'logon failed: refused (ERROR_NO_RECONNECT)',
      time: 5,
    });
    expect(childFailed('marketData', 'polygon stream gave up: timeout while connecting', 6, 'TIMEOUT')).toMatchObject({ code: 'TIMEOUT' });
    // A bug is INTERNAL, whatever the caller guessed; an error's own meaning wins over the guess.
    expect(childFailed('scoring', new TypeError('x is undefined'), 7)).toMatchObject({ code: 'INTERNAL', error: 'x is undefined' });
    expect(childFailed('execution', new DtcClientError('TIMEOUT', 'no answer'), 8, 'CONNECTION_LOST')).toMatchObject({ code: 'TIMEOUT' });
  });
});
