import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LIVENESS_FRACTION, LivenessGate } from '../../core/livenessGate.ts';

describe('LivenessGate', () => {
  it('tells the first sign at once, then at most once per 1/16 of the heartbeat', () => {
    let now = 1_000;
    const gate = new LivenessGate(1_600, () => now);
    expect(gate.due()).toBe(true);
    now += 99;
    expect(gate.due()).toBe(false);
    now += 1;
    expect(gate.due()).toBe(true);
  });

  it('a reset tells the next sign at once', () => {
    let now = 0;
    const gate = new LivenessGate(16_000, () => now);
    expect(gate.due()).toBe(true);
    now += 1;
    gate.reset();
    expect(gate.due()).toBe(true);
  });

  it('never leaves a gap between told signs longer than the signs plus 1/16 heartbeat', () => {
    // Whatever the arrival times, every sign of life is told within heartbeat/16 of itself
    // by a told sign at or before it: the dead-peer timer is never more than 1/16 early.
    fc.assert(
      fc.property(fc.integer({ min: 16, max: 60_000 }), fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 1, maxLength: 200 }), (heartbeat, gaps) => {
        let now = 0;
        const gate = new LivenessGate(heartbeat, () => now);
        let lastTold = Number.NEGATIVE_INFINITY;
        for (const gap of gaps) {
          now += gap;
          if (gate.due()) lastTold = now;
          expect(now - lastTold).toBeLessThan(heartbeat / LIVENESS_FRACTION);
        }
      }),
    );
  });
});
