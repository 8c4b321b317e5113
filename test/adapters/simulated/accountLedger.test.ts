import { describe, it, expect } from 'vitest';
import { AccountLedger } from '../../../adapters/simulated/accountLedger.ts';
import type { VenueOrder } from '../../../adapters/simulated/venueTypes.ts';

const order = (id: string, side: 'buy' | 'sell', qty = 1, account = 'PAPER1'): VenueOrder => ({
  clientOrderId: id, serverOrderId: `SIM-${id}`, account, symbol: 'ESZ25', exchange: 'CME', side, qty, type: 'market', tif: 'day', purpose: 'entry',
  submittedAt: 0, status: 'working', filledQty: 0, receivedAt: 0, updatedAt: 0, seq: 1,
});

describe('AccountLedger (the simulated venue\'s accounts)', () => {
  const params = { startingBalance: 50_000, marginPerContract: 500, commissionPerContract: 2.25 };

  it('books fills into cash, positions, margin and open P&L at the last mark', () => {
    const ledger = new AccountLedger(params);
    ledger.open('PAPER1');
    const t = Date.parse('2025-11-04T15:00:00Z');
    const first = ledger.book(order('A', 'buy', 2), 100, t);
    expect(first.fill).toMatchObject({ executionId: 'SIMX-1', positionAfter: 2, openClose: 'open', account: 'PAPER1', serverOrderId: 'SIM-A' });
    ledger.mark('ESZ25', 101, t + 60_000);
    expect(ledger.positions('PAPER1')).toEqual([expect.objectContaining({ qty: 2, avgPrice: 100, openPnl: 100, marginRequirement: 1000 })]);
    const second = ledger.book(order('B', 'sell', 2), 102, t + 120_000);
    // Round trip: 2 points x 2 contracts x $50 = $200, minus 4 sides x $2.25 commission.
    expect(second.fill).toMatchObject({ openClose: 'close', positionAfter: 0 });
    expect(first.fill.cashChange + second.fill.cashChange).toBeCloseTo(200 - 9, 9);
    const balance = ledger.balance('PAPER1', undefined, 0)!;
    expect(balance).toMatchObject({ cash: 50_000 + 191, openPnl: 0, marginRequirement: 0, available: 50_191, executions: 2, updatedAt: t + 120_000 });
    expect(ledger.netPosition('PAPER1')).toBe(0);
    expect(ledger.balance('NOPE', undefined, 0)).toBeUndefined();
  });

  it('daily P&L counts the fills of the CME trading day only (17:00 CT boundary)', () => {
    const ledger = new AccountLedger(params);
    ledger.open('PAPER1');
    ledger.book(order('A', 'buy'), 100, Date.parse('2025-11-04T21:00:00Z')); // Tue 15:00 CT
    ledger.book(order('B', 'sell'), 101, Date.parse('2025-11-04T23:30:00Z')); // Tue 17:30 CT: Wednesday's day
    const wednesday = ledger.balance('PAPER1', Date.parse('2025-11-05T15:00:00Z'), 0)!;
    expect(wednesday.dailyPnl).toBeCloseTo(ledger.fills({ account: 'PAPER1' })[1]!.cashChange, 9);
  });

  it('exports and loads its state', () => {
    const ledger = new AccountLedger(params);
    ledger.open('PAPER1');
    ledger.book(order('A', 'buy'), 100, 1_000);
    ledger.mark('ES', 100.5, 2_000);
    const copy = new AccountLedger(params);
    copy.load(JSON.parse(JSON.stringify(ledger.exportState())));
    expect(copy.exportState()).toEqual(ledger.exportState());
    expect(copy.book(order('B', 'sell'), 101, 3_000).base.executionId).toBe('SIMX-2');
  });
});
