/**
 * Conformance with the official DTCProtocol.h (issue 13): member names in JSON and the
 * time unit of ACCOUNT_BALANCE_UPDATE.TransactionDateTime.
 */
import { describe, expect, it } from 'vitest';
import { createDtcMessage } from '../../../adapters/dtc/createMessage.ts';
import { decodeJson, encodeJson } from '../../../adapters/dtc/jsonCodec.ts';
import { MessageType } from '../../../adapters/dtc/messageType.ts';
import { balanceUpdateFor } from '../../../adapters/dtc/paperMessages.ts';

describe('DTC conformance with the official header', () => {
  it("LOGON_REQUEST's int at offset 148 goes out in JSON as Unused1", () => {
    const logon = createDtcMessage(MessageType.LOGON_REQUEST, { ProtocolVersion: 8, Username: 'u', HeartbeatIntervalInSeconds: 10, Unused1: 0 });
    const text = encodeJson(logon).toString('utf8');
    expect(text).not.toContain('TradeMode');
    // A peer naming the member as the header does is understood.
    const back = decodeJson(Buffer.from('{"Type":1,"ProtocolVersion":8,"Unused1":2,"HeartbeatIntervalInSeconds":10}\0'));
    expect(back).toMatchObject({ Type: MessageType.LOGON_REQUEST, Unused1: 2 });
  });

  it('ACCOUNT_BALANCE_UPDATE.TransactionDateTime is in microseconds (t_DateTimeWithMicrosecondsInt)', () => {
    const updatedAt = Date.UTC(2025, 10, 3, 14, 30, 1, 250);
    const m = balanceUpdateFor(
      { account: 'PAPER1', cash: 100_000, openPnl: 0, marginRequirement: 0, available: 100_000, dailyPnl: 0, startingBalance: 100_000, executions: 3, updatedAt },
      { requestId: 1 } as never,
    );
    expect(m.TransactionDateTime).toBe(updatedAt * 1000);
  });
});
