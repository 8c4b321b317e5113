import { describe, it, expect } from 'vitest';
import type { RiskSnapshot } from '../../machines/risk.ts';
import { riskContextNow } from '../../machines/riskMarks.ts';
import { COMMISSION, T0, fillOf, signal, startHarness, startTrading, testSettings, useHarnessTeardown, type Harness } from './orchestratorHarness.ts';

const MIN = 60_000;
const track = useHarnessTeardown();
const open = (...args: Parameters<typeof startHarness>) => track(startHarness(...args));
const riskCtx = (h: Harness) => (h.actor.getSnapshot().children.risk!.getSnapshot() as RiskSnapshot).context;
const equitySent = (h: Harness) => h.actor.getSnapshot().context.pendingEquity ?? null;

/** Trading, long 1 at 6000 with its bracket working. */
function longWithBracket(h: Harness): void {
  startTrading(h);
  h.send(signal('buy', T0 + MIN));
  const entry = h.submits()[0]!;
  h.from('execution', { type: 'VENUE.FILL', fill: fillOf(entry, 6000, 'x-entry', T0 + MIN + 100) });
  for (const leg of h.submits().slice(1)) h.from('execution', { type: 'VENUE.ACCEPTED', clientOrderId: leg.clientOrderId, serverOrderId: `srv-${leg.purpose}`, time: T0 + MIN + 200 });
}

describe('orchestrator: equity marks risk need not hear yet', () => {
  it('holds a mark that only moves equity, shows it through riskContextNow, and gives it to risk before anything else', () => {
    const h = open();
    longWithBracket(h);
    const start = testSettings().startingEquity;
    const before = riskCtx(h);
    // Below the entry: no new peak, far from the limits. Risk is not told yet...
    h.send({ type: 'VENUE.MARK', price: 5998, time: T0 + 2 * MIN });
    h.send({ type: 'VENUE.MARK', price: 5997.5, time: T0 + 3 * MIN });
    expect(riskCtx(h)).toBe(before);
    expect(equitySent(h)).toEqual({ time: T0 + 3 * MIN, equity: start - COMMISSION - 125, openPnl: -125 - COMMISSION });
    // ...but whoever reads risk's equity sees the latest mark.
    expect(riskContextNow(h.actor.getSnapshot())).toMatchObject({ equity: start - COMMISSION - 125, openPnl: -125 - COMMISSION });
    // The next thing risk is told (the exit order, once the bracket's cancels are confirmed) comes after the held mark.
    h.send(signal('sell', T0 + 4 * MIN));
    expect(equitySent(h)).not.toBeNull();
    for (const id of h.cancels()) h.from('execution', { type: 'VENUE.CANCELED', clientOrderId: id, time: T0 + 4 * MIN + 10 });
    expect(h.submits().at(-1)).toMatchObject({ purpose: 'exit', side: 'sell' });
    expect(equitySent(h)).toBeNull();
    expect(riskCtx(h)).toMatchObject({ equity: start - COMMISSION - 125, openPnl: -125 - COMMISSION });
  });

  it('sends at once a mark that makes a new peak or breaches a limit', () => {
    const h = open({ settings: testSettings({ limits: { dailyLossLimit: 400 } }) });
    longWithBracket(h);
    h.send({ type: 'VENUE.MARK', price: 6002, time: T0 + 2 * MIN });
    expect(equitySent(h)).toBeNull();
    expect(riskCtx(h).peakEquity).toBe(riskCtx(h).equity);
    h.send({ type: 'VENUE.MARK', price: 5992, time: T0 + 3 * MIN });
    expect(h.risk()).toBe('killed');
  });
});
