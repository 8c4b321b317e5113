/**
 * What `mia run` does with the ML filter (the session it runs, in process): with no model
 * in the home it trades unfiltered, every signal says the filter is off, and the log says
 * so once; with the home's latest model, signals carry its P(win) and only those above
 * `ml.threshold` reach the orchestrator; a corrupt model stops the session before it starts.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { InspectionEvent } from 'xstate';
import { describe, expect, it } from 'vitest';
import { startSession } from '../../session/session.ts';
import { activateModel, MlModelFileError, saveModelInHome } from '../../adapters/files/mlModelFile.ts';
import { openStateStore } from '../../adapters/store/stateStore.ts';
import { configSchema, type MiaConfigInput } from '../../config/schema.ts';
import { systemClock } from '../../core/clock.ts';
import type { ScoredSignal } from '../../strategy/scorer.ts';
import { trainFilter } from '../../strategy/ml/trainFilter.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';
import { ES_MARCH, hasFirstRate } from '../strategy/fixtures/firstRate.ts';
import { defaultRules, lightMl, realSamples } from '../strategy/ml/mlFixtures.ts';

const tempHome = useTempHomes('mia-ml-run-');

async function runSession(home: string, input: MiaConfigInput) {
  const config = configSchema.parse({ feed: { maxBars: 400 }, venue: { kind: 'simulated' }, ...input });
  const lines: { msg: string; ml?: unknown }[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  const signals: ScoredSignal[] = [];
  const inspect = (e: InspectionEvent) => {
    if (e.type === '@xstate.event' && e.event.type === 'SIGNAL') signals.push((e.event as unknown as { signal: ScoredSignal }).signal);
  };
  const store = await openStateStore(home, { clock: systemClock });
  try {
    const session = startSession({ config, store, logger: pino({ level: 'info' }, sink), inspect });
    const summary = await session.done;
    return { summary, signals, lines };
  } finally {
    await store.close();
  }
}

describe('mia run and the ML filter', () => {
  it('no model: signals are unfiltered and say the filter is off; the log says it once', { timeout: 120_000 }, async () => {
    const { summary, signals, lines } = await runSession(tempHome(), {});
    expect(summary.signals.long + summary.signals.short).toBeGreaterThan(0);
    expect(signals.length).toBe(summary.signals.long + summary.signals.short);
    for (const s of signals) expect(s.ml).toEqual({ off: 'no trained model' });
    expect(summary.ml).toEqual({ filtered: 0, modelVersion: null, off: 'no trained model' });
    expect(lines.filter((l) => /ML filter/.test(l.msg))).toEqual([expect.objectContaining({ msg: 'ML filter off: no trained model', ml: { model: null, modelVersion: null, off: 'no trained model' } })]);
  });

  it.skipIf(!hasFirstRate(ES_MARCH))('with the home\'s model: signals carry its P(win); at threshold 1 none passes', { timeout: 180_000 }, async () => {
    const home = tempHome();
    const real = realSamples(ES_MARCH);
    const ml = lightMl({ training: { folds: 3, minSignals: 20, rf: { trees: 4, maxDepth: 3 }, gbt: { trees: 4 }, lr: { iterations: 30 } } });
    const { model } = trainFilter({ samples: real.samples, unlabelled: 0, settings: ml, rules: defaultRules(), modelVersion: 1, dataProvenance: [], configHash: 'b'.repeat(64) });
    await saveModelInHome(home, model);
    await activateModel(home, { modelVersion: 1, forced: true, reason: 'test' });

    const open = await runSession(home, { ml: { threshold: 0 } });
    expect(open.signals.length).toBeGreaterThan(0);
    for (const s of open.signals) expect(s.ml).toMatchObject({ threshold: 0, modelVersion: 1, probability: expect.any(Number) });
    expect(open.lines.filter((l) => /ML filter/.test(l.msg)).map((l) => l.msg)).toEqual(['ML filter on: model v1']);
    expect(open.summary.ml).toEqual({ filtered: 0, modelVersion: 1, off: null });

    const other = tempHome();
    await saveModelInHome(other, model);
    await activateModel(other, { modelVersion: 1, forced: true, reason: 'test' });
    const shut = await runSession(other, { ml: { threshold: 1 } });
    expect(shut.signals).toEqual([]);
    expect(shut.summary.signals).toEqual({ long: 0, short: 0 });
    // Every crossing was held back by the filter, and the summary counts them.
    expect(shut.summary.ml.filtered).toBe(open.signals.length);
  });

  it('a corrupt model in the home stops the session before it starts, naming the file', { timeout: 60_000 }, async () => {
    const home = tempHome();
    mkdirSync(join(home, 'models'));
    writeFileSync(join(home, 'models', 'ml-filter-v3.json'), '{"format":"mia-ml-filter","version":1');
    writeFileSync(join(home, 'models', 'active.json'), JSON.stringify({ modelVersion: 3, forced: true, reason: 'test' }));
    const store = await openStateStore(home, { clock: systemClock });
    try {
      const start = () => startSession({ config: configSchema.parse({ venue: { kind: 'simulated' } }), store, logger: pino({ level: 'silent' }) });
      expect(start).toThrow(MlModelFileError);
      expect(start).toThrow(join(home, 'models', 'ml-filter-v3.json'));
    } finally {
      await store.close();
    }
  });
});

