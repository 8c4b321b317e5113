import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createActor } from 'xstate';
import { riskLimitsSchema } from '../../config/schema.ts';
import { riskMachine, riskStatus, type RiskEvent } from '../../machines/risk.ts';
import { acceptChangesNothing, markOnlyMoves, withPendingEquity, type PendingEquity } from '../../machines/riskMarks.ts';

/** Tuesday 2025-11-04 14:00 America/Chicago: the 17:00 CME roll is three hours away. */
const START = Date.UTC(2025, 10, 4, 20, 0);
const EQUITY = 50_000;

type Step = { kind: 'mark'; openPnl: number } | { kind: 'trade'; pnl: number } | { kind: 'order' } | { kind: 'accept' } | { kind: 'reject' } | { kind: 'pause' } | { kind: 'unpause' };

const step: fc.Arbitrary<{ advance: number; step: Step }> = fc.record({
  // Mostly a minute, sometimes hours (the trading day rolls at 17:00 Chicago).
  advance: fc.oneof({ weight: 8, arbitrary: fc.constant(60_000) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 30 }).map((h) => h * 3_600_000) }),
  step: fc.oneof(
    { weight: 12, arbitrary: fc.integer({ min: -3_000, max: 3_000 }).map((openPnl): Step => ({ kind: 'mark', openPnl })) },
    { weight: 2, arbitrary: fc.integer({ min: -800, max: 800 }).map((pnl): Step => ({ kind: 'trade', pnl })) },
    { weight: 1, arbitrary: fc.constant<Step>({ kind: 'order' }) },
    { weight: 2, arbitrary: fc.constant<Step>({ kind: 'accept' }) },
    { weight: 1, arbitrary: fc.constant<Step>({ kind: 'reject' }) },
    { weight: 1, arbitrary: fc.constant<Step>({ kind: 'pause' }) },
    { weight: 1, arbitrary: fc.constant<Step>({ kind: 'unpause' }) },
  ),
});

describe('equity marks held from risk while they only move its equity, acceptances that change nothing not sent', () => {
  it('leave risk in the same state at every step, and the same context once the held mark is applied', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('intraday' as const, 'eod' as const),
        fc.constantFrom(1_000, 2_000),
        fc.array(step, { minLength: 1, maxLength: 80 }),
        (mode, dailyLossLimit, steps) => {
          const limits = riskLimitsSchema.parse({ trailingDrawdownMode: mode, dailyLossLimit, trailingDrawdown: 2_500, maxConsecutiveLosses: 3 });
          const input = { limits, startingEquity: EQUITY, pointValue: 50 };
          const every = createActor(riskMachine, { input }).start();
          const held = createActor(riskMachine, { input }).start();
          let pending: PendingEquity | null = null;
          const sendHeld = (e: RiskEvent) => {
            if (pending) held.send({ type: 'EQUITY', ...pending });
            pending = null;
            held.send(e);
          };
          for (const a of [every, held]) a.send({ type: 'RECONCILED', time: START, position: 0 });
          let time = START;
          let realized = 0;
          let marksHeld = 0;
          for (const { advance, step: s } of steps) {
            time += advance;
            let e: RiskEvent;
            if (s.kind === 'mark') e = { type: 'EQUITY', time, equity: EQUITY + realized + s.openPnl, openPnl: s.openPnl };
            else if (s.kind === 'trade') {
              realized += s.pnl;
              e = { type: 'TRADE_CLOSED', time, pnl: s.pnl };
            } else if (s.kind === 'order') e = { type: 'ORDER_SENT', time, clientOrderId: `C${time}`, entry: true };
            else if (s.kind === 'accept') e = { type: 'ORDER_ACCEPTED', time };
            else if (s.kind === 'reject') e = { type: 'ORDER_REJECTED', time, reason: 'no' };
            else if (s.kind === 'pause') e = { type: 'PAUSE', time, who: 'test', reason: 'r' };
            else e = { type: 'UNPAUSE', time, who: 'test' };
            every.send(e);
            if (e.type === 'EQUITY' && markOnlyMoves(held.getSnapshot(), e)) {
              pending = { time: e.time, equity: e.equity, openPnl: e.openPnl };
              marksHeld++;
            } else if (e.type === 'ORDER_ACCEPTED' && acceptChangesNothing(held.getSnapshot(), e.time)) {
              // Not sent at all: risk would end exactly where it is.
            } else sendHeld(e);
            expect(riskStatus(held.getSnapshot())).toBe(riskStatus(every.getSnapshot()));
            expect(withPendingEquity(held.getSnapshot().context, pending)).toEqual(every.getSnapshot().context);
          }
          if (pending) held.send({ type: 'EQUITY', ...(pending as PendingEquity) });
          expect(held.getSnapshot().value).toEqual(every.getSnapshot().value);
          expect(held.getSnapshot().context).toEqual(every.getSnapshot().context);
          return marksHeld >= 0;
        },
      ),
      { numRuns: 300 },
    );
  });

  it('sends a mark that would kill, make a new peak or roll the day', () => {
    const limits = riskLimitsSchema.parse({ trailingDrawdownMode: 'intraday', dailyLossLimit: 1_000, trailingDrawdown: 2_500 });
    const risk = createActor(riskMachine, { input: { limits, startingEquity: EQUITY, pointValue: 50 } }).start();
    // The first event rolls the day in (the context knows no day yet).
    expect(markOnlyMoves(risk.getSnapshot(), { time: START, equity: EQUITY - 10, openPnl: -10 })).toBe(false);
    risk.send({ type: 'RECONCILED', time: START, position: 0 });
    risk.send({ type: 'EQUITY', time: START, equity: EQUITY - 10, openPnl: -10 });
    expect(markOnlyMoves(risk.getSnapshot(), { time: START + 60_000, equity: EQUITY - 20, openPnl: -20 })).toBe(true);
    expect(markOnlyMoves(risk.getSnapshot(), { time: START + 60_000, equity: EQUITY + 20, openPnl: 20 })).toBe(false);
    expect(markOnlyMoves(risk.getSnapshot(), { time: START + 60_000, equity: EQUITY - 1_000, openPnl: -1_000 })).toBe(false);
    expect(markOnlyMoves(risk.getSnapshot(), { time: START + 4 * 3_600_000, equity: EQUITY - 20, openPnl: -20 })).toBe(false);
    expect(markOnlyMoves(risk.getSnapshot(), { time: START + 60_000, equity: Number.NaN, openPnl: 0 })).toBe(false);
  });
});
