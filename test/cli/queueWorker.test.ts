/**
 * Distributed walk-forward through the real commands on real ES minute bars (FirstRate,
 * March 2023): two `mia worker` processes on a redis-server of the test's own, and
 * `mia backtest --walk-forward --queue` writes the very bytes the in-process run writes;
 * again when one worker is killed (SIGKILL) in the middle of a job, which the other worker
 * then runs; and `mia sweep --queue` gives the local sweep's rows. The password travels in
 * MIA_QUEUE_PASSWORD and is never printed.
 */
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMia, startMia, type MiaProcess } from '../fixtures/runMia.ts';
import { hasRedisServer, NO_REDIS, startRedis, type TestRedis } from '../fixtures/redisServer.ts';
import { hasSharedData, sharedData } from '../fixtures/sharedData.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';

const MARCH = 'es/firstrate/edisoniver_2023-03/ES_1min_sample.csv';
const tempHome = useTempHomes('mia-queue-cli-');
const ready = hasRedisServer() && hasSharedData(MARCH);
const why = !hasRedisServer() ? NO_REDIS : `shared data ${MARCH} is absent`;

/** stderr of a started process as it comes, with a way to wait for a line. */
function watch(p: MiaProcess) {
  let text = '';
  const waiters: Array<{ re: RegExp; from: number; done: (m: RegExpMatchArray) => void }> = [];
  p.child.stderr!.on('data', (b: Buffer) => {
    text += b.toString();
    for (const w of waiters.splice(0)) {
      const m = text.slice(w.from).match(w.re);
      if (m) w.done(m);
      else waiters.push(w);
    }
  });
  return {
    text: () => text,
    mark: () => text.length,
    waitFor: (re: RegExp, from = 0) =>
      new Promise<RegExpMatchArray>((done) => {
        const m = text.slice(from).match(re);
        if (m) done(m);
        else waiters.push({ re, from, done });
      }),
  };
}

describe.skipIf(!ready)(`mia worker and --queue on real ES bars${ready ? '' : ` (skipped: ${why})`}`, () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('two workers give the in-process walk-forward byte for byte, also when one is killed mid-job', async () => {
    const home = tempHome();
    const grid = join(home, 'grid.json');
    writeFileSync(grid, JSON.stringify({ 'strategy.stopPoints': [4, 8] }));
    const env = { MIA_HOME: home, MIA__strategy__minAvailableWeight: '0', MIA_QUEUE_PASSWORD: redis.password };
    const args = (out: string) => ['backtest', '--data', sharedData(MARCH), '--walk-forward', '--grid', grid, '--in-sample', '3d', '--out-of-sample', '1d', '--from', '2023-03-13', '--to', '2023-03-20', '--quiet', '--no-evidence', '--json', join(home, out)];
    const workerArgs = ['worker', '--queue', redis.url, '--lock-ms', '2000'];

    const a = startMia(workerArgs, env);
    const b = startMia(workerArgs, env);
    const [wa, wb] = [watch(a), watch(b)];
    const [local] = await Promise.all([runMia(args('local.json'), env), wa.waitFor(/serving/), wb.waitFor(/serving/)]);
    expect(local.code).toBe(0);

    const queued = await runMia([...args('queued.json'), '--queue', redis.url], env);
    expect(queued.stderr).toBe('');
    expect(queued.code).toBe(0);
    const expected = readFileSync(join(home, 'local.json'));
    // The comparison has something to compare: windows chose a set and traded out of sample.
    const wf = JSON.parse(expected.toString()).walkForward;
    expect(wf.windows.length).toBe(3);
    expect(wf.windows.some((w: { chosen: unknown }) => w.chosen !== null)).toBe(true);
    expect(wf.outOfSample.trades.length).toBeGreaterThan(0);
    expect(readFileSync(join(home, 'queued.json')).equals(expected)).toBe(true);
    // Both workers took jobs.
    expect(wa.text()).toMatch(/job \S+ done/);
    expect(wb.text()).toMatch(/job \S+ done/);

    // Again, and worker A dies (kill -9) as soon as it starts a job of this run. The jobs are
    // 3-4 trading days (a few hundred ms), far longer than the few ms the kill takes to land.
    const from = wa.mark();
    const run = runMia([...args('killed.json'), '--queue', redis.url], env);
    const [, jobId] = await wa.waitFor(/job (\S+) started/, from);
    a.child.kill('SIGKILL');
    const killed = await run;
    expect(killed.code).toBe(0);
    expect(readFileSync(join(home, 'killed.json')).equals(expected)).toBe(true);
    // The job A had in hand was run by B after A's lock ran out.
    expect(wb.text()).toContain(`job ${jobId} done`);
    expect(wa.text()).not.toContain(`job ${jobId} done`);

    // mia sweep --queue: the rows, choice and provenance of the local sweep (`workers` counts the queue's).
    const sweepArgs = (out: string) => ['sweep', '--data', sharedData(MARCH), '--grid', grid, '--from', '2023-03-14', '--to', '2023-03-15', '--min-trades', '1', '--json', join(home, out)];
    const [localSweep, queuedSweep] = await Promise.all([runMia([...sweepArgs('sweep-local.json'), '--workers', '1'], env), runMia([...sweepArgs('sweep-queued.json'), '--queue', redis.url], env)]);
    expect([localSweep.code, queuedSweep.code, queuedSweep.stderr]).toEqual([0, 0, '']);
    const { workers: localWorkers, ...localRows } = JSON.parse(readFileSync(join(home, 'sweep-local.json'), 'utf8'));
    const { workers: queueWorkers, ...queuedRows } = JSON.parse(readFileSync(join(home, 'sweep-queued.json'), 'utf8'));
    expect(queuedRows).toEqual(localRows);
    expect([localWorkers, queueWorkers]).toEqual([1, 1]);

    for (const text of [wa.text(), wb.text(), local.stderr, queued.stderr, killed.stderr]) expect(text).not.toContain(redis.password);
    b.child.kill('SIGTERM');
    expect((await b.done).code).toBe(0);
  }, 240_000);

  it('mia calibrate --queue on two workers gives the in-process calibration byte for byte, also when one is killed mid-job', async () => {
    const home = tempHome();
    const env = { MIA_HOME: home, MIA_QUEUE_PASSWORD: redis.password };
    const args = (out: string) => [
      'calibrate', '--data', sharedData(MARCH), '--from', '2023-03-13', '--to', '2023-03-17', '--in-sample', '3d', '--out-of-sample', '1d',
      '--candidates', '4', '--threshold-steps', '3', '--min-trades', '1', '--quiet', '--no-evidence', '--json', join(home, out),
    ];
    const workerArgs = ['worker', '--queue', redis.url, '--lock-ms', '2000'];
    const a = startMia(workerArgs, env);
    const b = startMia(workerArgs, env);
    const [wa, wb] = [watch(a), watch(b)];
    const [local] = await Promise.all([runMia([...args('local.json'), '--workers', '1'], env), wa.waitFor(/serving/), wb.waitFor(/serving/)]);
    expect(local.code).toBe(0);
    const expected = readFileSync(join(home, 'local.json'));
    // Something to compare: every window ran its candidates in sample.
    const result = JSON.parse(expected.toString()) as { windows: Array<{ candidates: Array<{ trades: number }> }> };
    expect(result.windows.length).toBe(2);
    expect(result.windows.every((w) => w.candidates.some((c) => c.trades > 0))).toBe(true);

    const from = wa.mark();
    const run = runMia([...args('queued.json'), '--queue', redis.url], env);
    await wa.waitFor(/job (\S+) started/, from);
    a.child.kill('SIGKILL');
    const queued = await run;
    expect([queued.code, queued.stderr]).toEqual([0, '']);
    expect(readFileSync(join(home, 'queued.json')).equals(expected)).toBe(true);
    expect(wb.text()).toMatch(/job \S+ done/);
    b.child.kill('SIGTERM');
    expect((await b.done).code).toBe(0);
  }, 240_000);

  it('a walk-forward with --vix and a --chains directory on the queue gives the in-process bytes (the streams travel by content)', async () => {
    const home = tempHome();
    // The 2023-02-07 chain is weeks old in March: its age limit is raised so gamma and the
    // options flow score, and the streams change the out-of-sample trades (checked below).
    const config = join(home, 'config.json');
    writeFileSync(config, JSON.stringify({ strategy: { minAvailableWeight: 0, features: { gammaLevels: { maxAgeMinutes: 100_000 }, optionsFlow: { maxAgeMinutes: 100_000 } } }, backtest: { walkForward: { warmup: false } } }));
    const env = { MIA_HOME: home, MIA_QUEUE_PASSWORD: redis.password };
    // A chains directory of an SPX chain and an SPY one (links; the loader skips the SPY one on both sides).
    const chainDir = join(home, 'chains');
    mkdirSync(chainDir);
    for (const c of ['spx_quotedata_2023-02-07.csv', 'spy_quotedata_2023-04-11.csv']) symlinkSync(sharedData(`options/cboe/${c}`), join(chainDir, c));
    const streams = ['--vix', sharedData('vix/VIX_History.csv'), '--chains', chainDir];
    const args = (out: string, withStreams = true) => ['backtest', '--data', sharedData(MARCH), '--config', config, '--from', '2023-03-13', '--to', '2023-03-16', '--walk-forward', '--in-sample', '2d', '--out-of-sample', '2d', ...(withStreams ? streams : []), '--quiet', '--no-evidence', '--json', join(home, out)];
    const cache = join(home, 'cache');
    const w = startMia(['worker', '--queue', redis.url, '--cache-dir', cache], env);
    const ww = watch(w);
    const [local, bare] = await Promise.all([runMia(args('local.json'), env), runMia(args('bare.json', false), env), ww.waitFor(/serving/)]);
    expect([local.code, bare.code]).toEqual([0, 0]);
    const expected = readFileSync(join(home, 'local.json'));
    const oos = (f: string) => JSON.parse(readFileSync(join(home, f), 'utf8')).walkForward.outOfSample.trades;
    expect(oos('local.json').length).toBeGreaterThan(0);
    expect(oos('local.json')).not.toEqual(oos('bare.json')); // a worker that dropped the streams would be seen

    const queued = await runMia([...args('queued.json'), '--queue', redis.url], env);
    expect([queued.code, queued.stderr]).toEqual([0, '']);
    expect(readFileSync(join(home, 'queued.json')).equals(expected)).toBe(true);
    expect(ww.text()).toMatch(/job \S+ done/);
    // The chains directory was rebuilt on the worker's side from the files named by sha256,
    // the other underlying's exports with it (the loader skips them there as here).
    const [rebuilt] = readdirSync(join(cache, 'chains'));
    const names = readdirSync(join(cache, 'chains', rebuilt!));
    expect(names.some((n) => /^spx_quotedata/i.test(n))).toBe(true);
    expect(names.some((n) => /^spy_quotedata/i.test(n))).toBe(true);
    w.child.kill('SIGTERM');
    expect((await w.done).code).toBe(0);
  }, 240_000);

  it('a wrong password is a usage error (exit 2) that names no password', async () => {
    const home = tempHome();
    const r = await runMia(['worker', '--queue', redis.url], { MIA_HOME: home, MIA_QUEUE_PASSWORD: 'not-the-password' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refused the credentials/);
    expect(r.stderr).not.toContain('not-the-password');
  }, 60_000);
});
