/** The risk state in words with its cause, read off a real risk machine. */
import { createActor } from 'xstate';
import { describe, expect, it } from 'vitest';
import { riskMachine } from '../../machines/risk.ts';
import { riskLimitsSchema } from '../../config/schema.ts';
import { describeRisk } from '../../operator/riskCause.ts';

const T = Date.parse('2026-01-05T15:00:00Z');
const start = () => {
  const actor = createActor(riskMachine, { input: { limits: riskLimitsSchema.parse({ maxConsecutiveLosses: 3 }), startingEquity: 50_000, pointValue: 50 } }).start();
  actor.send({ type: 'RECONCILED', time: T, position: 0 });
  return actor;
};

describe('describeRisk', () => {
  it('normal, then limited with the count of consecutive losses, then the pause added beside it', () => {
    const actor = start();
    expect(describeRisk(actor.getSnapshot())).toBe('normal');
    for (let i = 1; i <= 3; i++) actor.send({ type: 'TRADE_CLOSED', time: T + i * 60_000, pnl: -50 });
    expect(describeRisk(actor.getSnapshot())).toBe('limited (3 consecutive losses, limit 3)');
    actor.send({ type: 'PAUSE', time: T + 300_000, who: 'cli:alice', reason: 'lunch' });
    expect(describeRisk(actor.getSnapshot())).toBe('limited (3 consecutive losses, limit 3; operator pause (mia resume lifts it))');
  });

  it('killed names who and why', () => {
    const actor = start();
    actor.send({ type: 'KILL', time: T + 1, who: 'discord:42', reason: 'fat finger' });
    expect(describeRisk(actor.getSnapshot())).toBe('killed by discord:42: fat finger');
  });
});
