/**
 * Evidence producers of the prop-firm and signals gates: only sessions on a propFirm
 * account count, every risk kill inside them is a breach that fails the gate, trading days
 * are counted; the signal log's closed outcomes give the signal win rate and sample.
 */
import { describe, expect, it } from 'vitest';
import { evaluateGate } from '../../config/gates.ts';
import { defaultConfig } from '../../config/schema.ts';
import type { Trade } from '../../core/types.ts';
import { propFirmEvidence } from '../../backtest/evidencePropFirm.ts';
import { signalsEvidence } from '../../backtest/evidenceSignals.ts';
import type { PaperSession } from '../../backtest/evidencePaper.ts';
import type { SignalRecord } from '../../adapters/signals/signalLog.ts';

import { isCmeTradeDate } from '../../core/cmeCalendar.ts';

const gates = defaultConfig().gates;
const DAY = 86_400_000;
const T0 = Date.parse('2026-02-02T15:00:00Z'); // a Monday

/** `n` trades from T0, one per CME trade date (no weekend, no holiday), winning $400 (every 5th loses $200). */
function trades(n: number, from = T0): Trade[] {
  const out: Trade[] = [];
  for (let t = from; out.length < n; t += DAY) {
    if (!isCmeTradeDate(Math.floor(t / DAY))) continue;
    const pnl = (out.length + 1) % 5 === 0 ? -200 : 400;
    out.push({ symbol: 'ESH6', side: 'long', qty: 1, entryTime: t, exitTime: t + 1_800_000, entryPrice: 6000, exitPrice: 6000 + pnl / 50, commission: 0, pnl });
  }
  return out;
}

const session = (id: string, kind: string, from: number, to: number): PaperSession[] => [
  { sessionId: id, provenance: 'polygon', from: null, to: null, startedAt: new Date(from).toISOString(), account: { id: `ACC-${kind}`, kind } },
  { sessionId: id, provenance: 'polygon', from: new Date(from).toISOString(), to: new Date(to).toISOString(), endedAt: new Date(to).toISOString() },
];

describe('prop-firm evidence', () => {
  const ts = trades(30);
  const end = ts.at(-1)!.exitTime;
  it('counts only the prop-firm sessions, their trading days, and passes with no breach', () => {
    const paperBefore = session('P', 'paper', T0 - 40 * DAY, T0 - DAY);
    const piece = propFirmEvidence({ trades: [...trades(5, T0 - 30 * DAY), ...ts], sessions: [...paperBefore, ...session('F', 'propFirm', T0, end)], breaches: [], startingEquity: 50_000, producedAt: '2026-04-01T00:00:00.000Z' });
    expect(piece.evidence.source).toBe('prop-firm-journal');
    expect(piece.evidence.metrics).toMatchObject({ trades: 30, tradingDays: 30, riskBreaches: 0 });
    expect(piece.detail).toMatchObject({ accounts: ['ACC-propFirm'], sessions: ['F'] });
    expect(evaluateGate('propFirm->ownAccount', piece.evidence, gates).pass).toBe(true);
  });

  it('a risk kill inside the prop-firm sessions is a breach that fails the gate; too few days fail too', () => {
    const breach = { time: T0 + 3 * DAY, detail: 'normal -> killed' };
    const piece = propFirmEvidence({ trades: ts, sessions: session('F', 'propFirm', T0, end), breaches: [breach, { time: T0 - 10 * DAY, detail: 'normal -> killed' }], startingEquity: 50_000, producedAt: '2026-04-01T00:00:00.000Z' });
    expect(piece.evidence.metrics.riskBreaches).toBe(1);
    const judged = evaluateGate('propFirm->ownAccount', piece.evidence, gates);
    expect(judged.criteria.find((c) => c.name === 'riskBreaches')).toMatchObject({ actual: 1, pass: false });
    const short = propFirmEvidence({ trades: trades(12), sessions: session('F', 'propFirm', T0, T0 + 20 * DAY), breaches: [], startingEquity: 50_000, producedAt: '2026-04-01T00:00:00.000Z' });
    expect(evaluateGate('propFirm->ownAccount', short.evidence, gates).criteria.find((c) => c.name === 'tradingDays')).toMatchObject({ actual: 12, threshold: 20, pass: false });
  });

  it('refuses to produce anything without a prop-firm session', () => {
    expect(() => propFirmEvidence({ trades: ts, sessions: session('P', 'paper', T0, end), breaches: [], startingEquity: 50_000, producedAt: '2026-04-01T00:00:00.000Z' })).toThrow(/no session on a propFirm account/);
  });
});

describe('signals evidence', () => {
  const outcome = (seq: number, result: 'win' | 'loss' | 'void'): SignalRecord => ({ kind: 'outcome', outcome: { signalId: `s${seq}`, result, points: result === 'win' ? 4 : -4, pnl: result === 'win' ? 195 : -205 }, seq, time: T0 + seq * 60_000, prevHash: '0'.repeat(64), hash: 'a'.repeat(64) });
  it('judges the closed outcomes: win rate and count, void ones left out', () => {
    const records = [...Array.from({ length: 28 }, (_, i) => outcome(i + 1, i % 3 === 0 ? 'loss' : 'win')), outcome(29, 'void'), outcome(30, 'void')];
    const piece = signalsEvidence(records, [{ kind: 'polygon' }], '2026-04-01T00:00:00.000Z');
    expect(piece.evidence.metrics).toEqual({ signalWinRate: 18 / 28, signals: 28 });
    const judged = evaluateGate('signals', piece.evidence, gates);
    // 64% beats 60%, but 28 closed signals are fewer than 30.
    expect(judged.criteria.filter((c) => !c.pass).map((c) => c.name)).toEqual(['signals']);
  });
});
