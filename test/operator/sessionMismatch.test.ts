/** The phase / venue / data disagreement the inspector's banner shows. */
import { describe, expect, it } from 'vitest';
import { phaseMismatch } from '../../operator/sessionMismatch.ts';

const paperDtc = 'dtc binary -> embedded paper server (127.0.0.1)';
const realDtc = 'dtc binary -> 10.0.0.5:11099';

describe('phaseMismatch', () => {
  it('phases 0-2 (setup, calibration, backtest) run on anything', () => {
    for (const id of [0, 1, 2]) expect(phaseMismatch({ phase: { id, name: 'x' }, provenance: 'simulated:seed=42', venue: paperDtc })).toBeNull();
  });

  it('phase 3 simulation needs live data, a paper venue is its point', () => {
    expect(phaseMismatch({ phase: { id: 3, name: 'simulation' }, provenance: 'polygon', venue: paperDtc })).toBeNull();
    expect(phaseMismatch({ phase: { id: 3, name: 'simulation' }, provenance: 'replay:/d/es.csv#abc', venue: paperDtc })).toContain('replay data');
  });

  it('phase 5 ownAccount beside simulated data and the embedded paper server names both', () => {
    const text = phaseMismatch({ phase: { id: 5, name: 'ownAccount' }, provenance: 'simulated:seed=42', venue: paperDtc });
    expect(text).toBe(`phase 5 ownAccount expects live data and a real DTC account, but this session runs on simulated data (simulated:seed=42) and a paper venue (${paperDtc})`);
    expect(phaseMismatch({ phase: { id: 4, name: 'propFirm' }, provenance: 'polygon', venue: 'simulated (in-process paper venue)' })).toContain('a paper venue');
    expect(phaseMismatch({ phase: { id: 5, name: 'ownAccount' }, provenance: 'polygon', venue: realDtc })).toBeNull();
  });
});
