import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { consoleLogFormat, createLogger, logFilePath, REDACTED, secretKeys, silentLogger } from '../../../adapters/log/logger.ts';
import { spawnFixture } from '../../fixtures/spawnFixture.ts';
import { useTempHomes } from '../../fixtures/tempHome.ts';

const newHome = useTempHomes('mia-log-');
const FOLDER = 'phase_3_simulation_3months';

const lines = (path: string): Record<string, unknown>[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('createLogger', () => {
  it('writes JSON lines to <home>/logs/<folder>/mia.log, creating the folders', () => {
    const home = newHome();
    const log = createLogger({ home, folder: FOLDER, level: 'info', name: 'orchestrator' });
    log.info({ phase: 3 }, 'started');
    log.debug('below the level');
    log.warn('careful');
    const path = join(home, 'logs', FOLDER, 'mia.log');
    expect(logFilePath(home, FOLDER)).toBe(path);
    const written = lines(path);
    expect(written.map((l) => [l.level, l.msg, l.name])).toEqual([
      [30, 'started', 'orchestrator'],
      [40, 'careful', 'orchestrator'],
    ]);
    expect(written[0]?.phase).toBe(3);
  });

  it('console pretty: human-readable lines at the same level, JSON lines in the file, secrets redacted in both', () => {
    const home = newHome();
    let printed = '';
    const consoleStream = new PassThrough();
    consoleStream.on('data', (b: Buffer) => (printed += b.toString()));
    const log = createLogger({ home, folder: FOLDER, level: 'warn', name: 'mia', console: 'pretty', consoleStream });
    log.info('too chatty');
    log.warn({ password: 'SECRET-pw', venue: { token: 'SECRET-token' }, qty: 2 }, 'venue disconnected');
    log.error('kill latched');
    const file = lines(logFilePath(home, FOLDER));
    expect(file.map((l) => l.msg)).toEqual(['venue disconnected', 'kill latched']);
    expect(printed.trim().split('\n')).toHaveLength(2);
    expect(printed).toMatch(/WARN \(mia\): venue disconnected/);
    expect(printed).toMatch(/ERROR \(mia\): kill latched/);
    expect(printed).not.toMatch(/^\{/m); // not JSON
    expect(printed).toContain('qty');
    expect(printed + readFileSync(logFilePath(home, FOLDER), 'utf8')).not.toContain('SECRET-');
  });

  it('console json: the same lines as the file; auto is pretty on a terminal and off on a pipe', () => {
    const home = newHome();
    let printed = '';
    const consoleStream = new PassThrough();
    consoleStream.on('data', (b: Buffer) => (printed += b.toString()));
    createLogger({ home, folder: FOLDER, level: 'debug', console: 'json', consoleStream }).debug({ apiKey: 'SECRET-k' }, 'detail');
    const consoleLines = printed.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(consoleLines).toEqual(lines(logFilePath(home, FOLDER)));
    expect(consoleLines[0]).toMatchObject({ level: 20, msg: 'detail', apiKey: REDACTED });
    expect(consoleLogFormat('auto', true)).toBe('pretty');
    expect(consoleLogFormat('auto', false)).toBe('off');
    expect(consoleLogFormat('json', false)).toBe('json');
  });

  it('keeps each phase in its own folder', () => {
    const home = newHome();
    createLogger({ home, folder: 'phase_0_setup', level: 'info' }).info('zero');
    createLogger({ home, folder: 'phase_1_calibration', level: 'info' }).info('one');
    expect(lines(logFilePath(home, 'phase_0_setup')).map((l) => l.msg)).toEqual(['zero']);
    expect(lines(logFilePath(home, 'phase_1_calibration')).map((l) => l.msg)).toEqual(['one']);
  });

  it('refuses a folder that would escape the logs directory', () => {
    const home = newHome();
    for (const folder of ['', '..', '../elsewhere', 'a/b', 'a\\b']) {
      expect(() => createLogger({ home, folder, level: 'info' })).toThrow(/single path segment/);
    }
    expect(existsSync(join(home, 'logs'))).toBe(false);
  });

  it('never lets a secret reach the file, at the top level or nested one or two levels', () => {
    const home = newHome();
    const log = createLogger({ home, folder: FOLDER, level: 'info' });
    const secret = (key: string, depth: number) => `SECRET-${key}-${depth}`;
    for (const key of secretKeys) {
      log.info({ [key]: secret(key, 0), a: { [key]: secret(key, 1), b: { [key]: secret(key, 2) } } }, `obj ${key}`);
      log.child({ [key]: secret(key, 10), c: { [key]: secret(key, 11) } }).info(`child ${key}`);
    }
    const bytes = readFileSync(logFilePath(home, FOLDER), 'utf8');
    expect(bytes).not.toContain('SECRET-');
    const written = lines(logFilePath(home, FOLDER));
    for (const key of secretKeys) {
      const obj = written.find((l) => l.msg === `obj ${key}`) as Record<string, any>;
      expect([obj[key], obj.a[key], obj.a.b[key]]).toEqual([REDACTED, REDACTED, REDACTED]);
      const child = written.find((l) => l.msg === `child ${key}`) as Record<string, any>;
      expect([child[key], child.c[key]]).toEqual([REDACTED, REDACTED]);
    }
  });

  it('leaves ordinary fields alone', () => {
    const home = newHome();
    createLogger({ home, folder: FOLDER, level: 'info' }).info({ tokens: 3, user: { name: 'op' } }, 'plain');
    expect(lines(logFilePath(home, FOLDER))[0]).toMatchObject({ tokens: 3, user: { name: 'op' } });
  });

  it('has every line on disk when the process is killed right after logging', async () => {
    const home = newHome();
    const child = spawnFixture('logThenCrash.ts', [home, FOLDER, '25']);
    const exit = await child.exited;
    expect(exit.signal, child.stderr()).toBe('SIGKILL');
    const written = lines(logFilePath(home, FOLDER));
    expect(written.map((l) => l.i)).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });
});

describe('silentLogger', () => {
  it('has every level disabled', () => {
    const log = silentLogger();
    expect(log.level).toBe('silent');
    expect(log.isLevelEnabled('fatal')).toBe(false);
  });
});
