/**
 * The DTC client against a scripted server over loopback: negotiation (including a
 * server that answers with another encoding), logon outcomes, requests and their
 * multi-message answers, heartbeats both ways, dead peer, logoff, drops and reconnects.
 */
import { describe, expect, it } from 'vitest';
import { createDtcMessage } from '../../../adapters/dtc/createMessage.ts';
import { DtcClientError } from '../../../adapters/dtc/dtcClient.ts';
import { encodeMessage } from '../../../adapters/dtc/encodeMessage.ts';
import { EncodingEnum, LogonStatus, OrderStatus, OrderUpdateReason } from '../../../adapters/dtc/enums.ts';
import { MessageType } from '../../../adapters/dtc/messageType.ts';
import type { DtcMessage, Heartbeat, LogonRequest } from '../../../adapters/dtc/messages.ts';
import { standaloneConnection } from '../../../actors/connectionHost.ts';
import type { ConnectionHost } from '../../../core/connection.ts';
import { startFakeDtcServer, type FakeConnection, type FakeServerScript } from './dtcClientFakeServer.ts';
import { CLOCK_MS, nextEvent, sleep, useDtcClients } from './dtcClientHarness.ts';

const { client: makeClient, onCleanup } = useDtcClients();

async function fakeServer(script: FakeServerScript = {}) {
  const server = await startFakeDtcServer(script);
  onCleanup(() => server.close());
  return server;
}

/** Answers the account requests the way Sierra does (numbered series, "none" flags, rejects). */
function accountAnswers(message: DtcMessage, c: FakeConnection): void {
  switch (message.Type) {
    case MessageType.TRADE_ACCOUNTS_REQUEST:
      ['ACC1', 'ACC2', 'ACC3'].forEach((account, i) =>
        c.send(
          createDtcMessage(MessageType.TRADE_ACCOUNT_RESPONSE, {
            RequestID: message.RequestID,
            TotalNumberMessages: 3,
            MessageNumber: i + 1,
            TradeAccount: account,
          }),
        ),
      );
      return;
    case MessageType.CURRENT_POSITIONS_REQUEST:
      c.send(createDtcMessage(MessageType.POSITION_UPDATE, { RequestID: message.RequestID, TotalNumberMessages: 1, MessageNumber: 1, NoPositions: 1 }));
      return;
    case MessageType.OPEN_ORDERS_REQUEST:
      if (message.TradeAccount === 'BAD') {
        c.send(createDtcMessage(MessageType.OPEN_ORDERS_REJECT, { RequestID: message.RequestID, RejectText: 'unknown account' }));
        return;
      }
      // An unsolicited update in the middle of the answer must not be taken for part of it.
      c.send(createDtcMessage(MessageType.ORDER_UPDATE, { RequestID: 0, ClientOrderID: 'other', OrderStatus: OrderStatus.OPEN }));
      for (const n of [1, 2]) {
        c.send(
          createDtcMessage(MessageType.ORDER_UPDATE, {
            RequestID: message.RequestID,
            TotalNumMessages: 2,
            MessageNumber: n,
            ClientOrderID: `o${n}`,
            ServerOrderID: `s${n}`,
            OrderStatus: OrderStatus.OPEN,
            OrderUpdateReason: OrderUpdateReason.OPEN_ORDERS_REQUEST_RESPONSE,
          }),
        );
      }
      return;
    case MessageType.ACCOUNT_BALANCE_REQUEST:
      c.send(
        createDtcMessage(MessageType.ACCOUNT_BALANCE_UPDATE, {
          RequestID: message.RequestID,
          TotalNumberMessages: 1,
          MessageNumber: 1,
          TradeAccount: message.TradeAccount,
          CashBalance: 50_000,
        }),
      );
      return;
    case MessageType.HISTORICAL_ORDER_FILLS_REQUEST:
      c.send(
        createDtcMessage(MessageType.HISTORICAL_ORDER_FILL_RESPONSE, {
          RequestID: message.RequestID,
          TotalNumberMessages: 2,
          MessageNumber: 1,
          UniqueExecutionID: 'x1',
          DateTime: 1_000,
        }),
      );
      c.send(
        createDtcMessage(MessageType.HISTORICAL_ORDER_FILL_RESPONSE, {
          RequestID: message.RequestID,
          TotalNumberMessages: 2,
          MessageNumber: 2,
          UniqueExecutionID: 'x2',
          DateTime: 2_000,
        }),
      );
      return;
    default:
  }
}

describe('DtcClient: negotiation and logon', () => {
  for (const encoding of ['binary', 'json', 'compact'] as const) {
    it(`negotiates ${encoding}, logs on, and speaks it for requests`, async () => {
      const server = await fakeServer({ onMessage: accountAnswers });
      const client = makeClient(server.port, { encoding, username: 'u1', password: 'secret', clientName: 'mia-test' });
      const connected = nextEvent(client, 'connected');
      client.start();
      const [logon] = await connected;
      expect(logon.ServerName).toBe('fake-dtc');
      expect(client.state).toBe('connected');
      expect(client.encoding).toBe({ binary: 0, json: 2, compact: 3 }[encoding]);

      const c = await server.connection(0);
      // The encoding request is the first message and is binary (the server decoded it so).
      expect(c.received[0]).toMatchObject({ Type: MessageType.ENCODING_REQUEST, Encoding: client.encoding });
      const logonRequest = c.received[1] as LogonRequest;
      expect(logonRequest).toMatchObject({
        Type: MessageType.LOGON_REQUEST,
        ProtocolVersion: 8,
        Username: 'u1',
        Password: 'secret',
        HeartbeatIntervalInSeconds: 1,
        ClientName: 'mia-test',
        Integer_1: 0,
      });

      await expect(client.tradeAccounts()).resolves.toEqual(['ACC1', 'ACC2', 'ACC3']);
      await expect(client.positions('ACC1')).resolves.toEqual([]);
      const orders = await client.openOrders('ACC1');
      expect(orders.map((o) => o.ClientOrderID)).toEqual(['o1', 'o2']);
      const balance = await client.accountBalance('ACC1');
      expect(balance?.CashBalance).toBe(50_000);
      const fills = await client.fills('ACC1', 3);
      expect(fills.map((f) => f.UniqueExecutionID)).toEqual(['x1', 'x2']);
      const fillsRequest = c.received.find((m) => m.Type === MessageType.HISTORICAL_ORDER_FILLS_REQUEST);
      expect(fillsRequest).toMatchObject({ NumberOfDays: 3, TradeAccount: 'ACC1' });
    });
  }

  it('switches encoding exactly after the ENCODING_RESPONSE, even when the logon answer shares its TCP chunk', async () => {
    const server = await fakeServer({ handshake: 'coalesced', onMessage: accountAnswers });
    const client = makeClient(server.port, { encoding: 'json' });
    const connected = nextEvent(client, 'connected');
    client.start();
    const [logon] = await connected;
    expect(logon.Result).toBe(LogonStatus.SUCCESS);
    expect(client.encoding).toBe(EncodingEnum.JSON);
    await expect(client.tradeAccounts()).resolves.toHaveLength(3);
  });

  it('reassembles messages the server dribbles one byte per write', async () => {
    const server = await fakeServer({ handshake: 'manual' });
    const client = makeClient(server.port, { encoding: 'compact' });
    const connected = nextEvent(client, 'connected');
    client.start();
    const c = await server.connection(0);
    await c.waitFor((m) => m.Type === MessageType.ENCODING_REQUEST);
    const bytes = Buffer.concat([
      encodeMessage(createDtcMessage(MessageType.ENCODING_RESPONSE, { Encoding: EncodingEnum.JSON_COMPACT }), EncodingEnum.BINARY),
      encodeMessage(createDtcMessage(MessageType.LOGON_RESPONSE, { Result: LogonStatus.SUCCESS, ServerName: 'slow' }), EncodingEnum.JSON_COMPACT),
      encodeMessage(createDtcMessage(MessageType.ORDER_UPDATE, { ClientOrderID: 'dribbled', OrderStatus: OrderStatus.FILLED }), EncodingEnum.JSON_COMPACT),
    ]);
    const messages: DtcMessage[] = [];
    client.on('message', (m) => messages.push(m));
    for (const byte of bytes) {
      c.writeRaw(Buffer.from([byte]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const [logon] = await connected;
    expect(logon.ServerName).toBe('slow');
    await sleep(20);
    expect(messages).toEqual([expect.objectContaining({ Type: MessageType.ORDER_UPDATE, ClientOrderID: 'dribbled' })]);
  });

  it('adopts another supported encoding the server announces, and reports it', async () => {
    const server = await fakeServer({ answerEncoding: () => EncodingEnum.JSON_COMPACT, onMessage: accountAnswers });
    const client = makeClient(server.port, { encoding: 'binary' });
    const adopted = nextEvent(client, 'encodingAdopted');
    const connected = nextEvent(client, 'connected');
    client.start();
    expect(await adopted).toEqual([{ requested: EncodingEnum.BINARY, negotiated: EncodingEnum.JSON_COMPACT }]);
    await connected;
    expect(client.requestedEncoding).toBe(EncodingEnum.BINARY);
    expect(client.encoding).toBe(EncodingEnum.JSON_COMPACT);
    // The server decodes the logon and requests as compact JSON: the answer proves it.
    await expect(client.tradeAccounts()).resolves.toEqual(['ACC1', 'ACC2', 'ACC3']);
  });

  it('fails clearly, without retrying, when the server announces an encoding it does not implement', async () => {
    const server = await fakeServer({ answerEncoding: () => EncodingEnum.PROTOCOL_BUFFERS });
    const client = makeClient(server.port, { encoding: 'json' });
    const failed = nextEvent(client, 'failed');
    client.start();
    const [error] = await failed;
    expect(error).toBeInstanceOf(DtcClientError);
    expect(error.code).toBe('UNSUPPORTED_ENCODING');
    expect(error.message).toContain('encoding 4');
    expect(client.connected).toBe(false);
    expect(client.lastError).toContain('does not implement');
    await sleep(400); // several backoffs: no second connection
    expect(server.connections).toHaveLength(1);
  });

  it('treats a refused logon as LOGON_FAILED with the ResultText, and does not retry ERROR_NO_RECONNECT', async () => {
    const server = await fakeServer({ logon: () => ({ Result: LogonStatus.ERROR_NO_RECONNECT, ResultText: 'bad password' }) });
    const client = makeClient(server.port);
    const failed = nextEvent(client, 'failed');
    let connectedEvents = 0;
    client.on('connected', () => connectedEvents++);
    client.start();
    const [error] = await failed;
    expect(error.code).toBe('LOGON_REFUSED');
    expect(error.message).toContain('bad password');
    expect(client.state).toBe('failed');
    expect(client.logon?.ResultText).toBe('bad password');
    await sleep(400);
    expect(server.connections).toHaveLength(1);
    expect(connectedEvents).toBe(0);
  });

  it('retries a logon refused with ERROR, then gives up with the reason', async () => {
    const server = await fakeServer({ logon: () => ({ Result: LogonStatus.ERROR, ResultText: 'server busy' }) });
    const client = makeClient(server.port, { maxReconnectAttempts: 2 });
    const failed = nextEvent(client, 'failed');
    client.start();
    const [error] = await failed;
    expect(error.code).toBe('LOGON_REFUSED');
    expect(error.message).toContain('server busy');
    expect(server.connections).toHaveLength(3);
  });

  const truncatedLogons: Array<[string, number, Buffer]> = [
    // Size 8: ProtocolVersion only; the header's default Result would read as SUCCESS.
    ['binary', EncodingEnum.BINARY, Buffer.from([8, 0, 2, 0, 8, 0, 0, 0])],
    ['json', EncodingEnum.JSON, Buffer.from('{"Type":2,"ProtocolVersion":8,"ServerName":"half"}\0')],
    ['json (null Result)', EncodingEnum.JSON, Buffer.from('{"Type":2,"Result":null}\0')],
    ['compact', EncodingEnum.JSON_COMPACT, Buffer.from('{"Type":2,"F":[8]}\0')],
  ];
  for (const [label, encoding, bytes] of truncatedLogons) {
    it(`does not read a LOGON_RESPONSE without its Result as a success (${label})`, async () => {
      const server = await fakeServer({ answerEncoding: () => encoding, logon: () => bytes });
      const client = makeClient(server.port, { encoding: 'binary', maxReconnectAttempts: 0 });
      let connected = false;
      client.on('connected', () => (connected = true));
      const failed = nextEvent(client, 'failed');
      client.start();
      const [error] = await failed;
      expect(error.code).toBe('LOGON_REFUSED');
      expect(error.message).toContain('without a Result');
      expect(connected).toBe(false);
    });
  }

  it('accepts a short but complete-enough LOGON_RESPONSE (forward compatibility)', async () => {
    const full = encodeMessage(createDtcMessage(MessageType.LOGON_RESPONSE, { Result: LogonStatus.SUCCESS }), EncodingEnum.BINARY);
    const short = Buffer.from(full.subarray(0, 12));
    short.writeUInt16LE(12, 0);
    const server = await fakeServer({ logon: () => short });
    const client = makeClient(server.port);
    const connected = nextEvent(client, 'connected');
    client.start();
    const [logon] = await connected;
    expect(logon.Result).toBe(LogonStatus.SUCCESS);
  });
});

describe('DtcClient: requests', () => {
  async function loggedOn(script: FakeServerScript, overrides = {}) {
    const server = await fakeServer(script);
    const client = makeClient(server.port, overrides);
    const connected = nextEvent(client, 'connected');
    client.start();
    await connected;
    return { server, client, c: await server.connection(0) };
  }

  it('rejects with the server RejectText, and keeps the session', async () => {
    const { client } = await loggedOn({ onMessage: accountAnswers });
    const error = await client.openOrders('BAD').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DtcClientError);
    expect((error as DtcClientError).code).toBe('REJECTED');
    expect((error as DtcClientError).message).toContain('unknown account');
    await expect(client.openOrders('ACC1')).resolves.toHaveLength(2);
  });

  it('times out a request the server never answers completely', async () => {
    const { client } = await loggedOn(
      {
        onMessage: (m, c) => {
          // One of three promised accounts, then nothing.
          if (m.Type === MessageType.TRADE_ACCOUNTS_REQUEST) {
            c.send(createDtcMessage(MessageType.TRADE_ACCOUNT_RESPONSE, { RequestID: m.RequestID, TotalNumberMessages: 3, MessageNumber: 1, TradeAccount: 'A' }));
          }
        },
      },
      { requestTimeoutMs: 300 },
    );
    const error = (await client.tradeAccounts().catch((e: unknown) => e)) as DtcClientError;
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toContain('1 message(s) received');
  });

  it('gives every request its own RequestID and routes interleaved answers', async () => {
    const { client, c } = await loggedOn({ onMessage: accountAnswers });
    const [a, b, d] = await Promise.all([client.openOrders('ACC1'), client.positions('ACC1'), client.openOrders('ACC2')]);
    expect(a).toHaveLength(2);
    expect(b).toEqual([]);
    expect(d).toHaveLength(2);
    const ids = c.received.filter((m) => 'RequestID' in m).map((m) => (m as { RequestID: number }).RequestID);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => id > 0)).toBe(true);
  });

  it('refuses to send without a session, and refuses an unencodable message, writing nothing', async () => {
    const server = await fakeServer();
    const client = makeClient(server.port);
    const notConnected = (await client.tradeAccounts().catch((e: unknown) => e)) as DtcClientError;
    expect(notConnected.code).toBe('NOT_CONNECTED');
    const connected = nextEvent(client, 'connected');
    client.start();
    await connected;
    const c = await server.connection(0);
    const bad = createDtcMessage(MessageType.SUBMIT_NEW_SINGLE_ORDER, { ClientOrderID: 'x', Quantity: Number.NaN });
    const encodeError = (await client.send(bad).catch((e: unknown) => e)) as DtcClientError;
    expect(encodeError.code).toBe('ENCODE_FAILED');
    await sleep(50);
    expect(c.count(MessageType.SUBMIT_NEW_SINGLE_ORDER)).toBe(0);
  });

  it('asks only for fills it has not seen, after seeing some in order updates', async () => {
    const { client, c } = await loggedOn({ onMessage: accountAnswers });
    const updated = nextEvent(client, 'message');
    c.send(
      createDtcMessage(MessageType.ORDER_UPDATE, {
        ClientOrderID: 'o9',
        OrderStatus: OrderStatus.FILLED,
        LastFillExecutionID: 'x1',
        LastFillDateTime: 1_000_000,
      }),
    );
    await updated;
    expect(client.lastFillSeen).toEqual({ executionId: 'x1', time: 1_000_000 });
    const fresh = await client.fillsSinceLastSeen('ACC1');
    expect(fresh.map((f) => f.UniqueExecutionID)).toEqual(['x2']);
    const request = c.received.findLast((m) => m.Type === MessageType.HISTORICAL_ORDER_FILLS_REQUEST);
    expect(request).toMatchObject({ StartDateTime: 1_000, TradeAccount: 'ACC1' });
    // Both are seen now: nothing new the next time.
    await expect(client.fillsSinceLastSeen('ACC1')).resolves.toEqual([]);
    expect(client.lastFillSeen).toEqual({ executionId: 'x2', time: 2_000_000 });
  });

  it('fails pending requests with DISCONNECTED when the session drops', async () => {
    const { client, c } = await loggedOn({});
    const pending = client.positions('ACC1').catch((e: unknown) => e);
    await c.waitFor((m) => m.Type === MessageType.CURRENT_POSITIONS_REQUEST);
    c.drop();
    const error = (await pending) as DtcClientError;
    expect(error.code).toBe('DISCONNECTED');
  });
});

describe('DtcClient: heartbeats, dead peer, logoff, reconnect', () => {
  it('sends heartbeats at the interval with the clock time, and stays up while the server answers', async () => {
    const server = await fakeServer();
    const client = makeClient(server.port);
    const connected = nextEvent(client, 'connected');
    client.start();
    await connected;
    const c = await server.connection(0);
    await sleep(2_500);
    expect(client.state).toBe('connected');
    const heartbeats = c.received.filter((m): m is Heartbeat => m.Type === MessageType.HEARTBEAT);
    expect(heartbeats.length).toBeGreaterThanOrEqual(2);
    expect(heartbeats.length).toBeLessThanOrEqual(3);
    expect(heartbeats[0]!.CurrentDateTime).toBe(Math.floor(CLOCK_MS / 1000));
    expect(server.connections).toHaveLength(1);
  });

  it('declares a silent server dead after 2x the interval, then reconnects and logs on again', async () => {
    const server = await fakeServer({ echoHeartbeats: false });
    const client = makeClient(server.port);
    const connected = nextEvent(client, 'connected');
    client.start();
    await connected;
    const since = performance.now();
    const [reason] = await nextEvent(client, 'disconnected', 5_000);
    const elapsed = performance.now() - since;
    expect(reason).toBe('stale');
    expect(elapsed).toBeGreaterThanOrEqual(1_900);
    expect(elapsed).toBeLessThan(3_500);
    await nextEvent(client, 'connected', 3_000);
    expect(server.connections).toHaveLength(2);
    expect(client.stats.connectedCount).toBe(2);
  });

  it('tells the machine of the peer\'s life at most once per sixteenth of the interval, not once per chunk', async () => {
    // Counts the MESSAGE events the client gives its connection machine.
    let messages = 0;
    const counting: ConnectionHost = (driver, input) => {
      const link = standaloneConnection(driver, input);
      return {
        ...link,
        send: (event) => {
          if (event.type === 'MESSAGE') messages++;
          link.send(event);
        },
      };
    };
    const server = await fakeServer();
    const client = makeClient(server.port, { connection: counting });
    const connected = nextEvent(client, 'connected');
    client.start();
    await connected;
    const c = await server.connection(0);
    const heartbeat = () => c.send(createDtcMessage(MessageType.HEARTBEAT, { CurrentDateTime: 0 }));
    // A burst of chunks well inside 1/16 s: one step at most.
    const before = messages;
    for (let i = 0; i < 20; i++) {
      heartbeat();
      await sleep(1);
    }
    expect(messages - before).toBeLessThanOrEqual(2);
    // A chunk after a sixteenth of the interval (62.5 ms) is told again.
    await sleep(80);
    const after = messages;
    heartbeat();
    await sleep(20);
    expect(messages - after).toBe(1);
    expect(client.state).toBe('connected');
  });

  it('stops for good on a LOGOFF with do-not-reconnect', async () => {
    const server = await fakeServer();
    const client = makeClient(server.port);
    const connected = nextEvent(client, 'connected');
    client.start();
    await connected;
    const c = await server.connection(0);
    const disconnected = nextEvent(client, 'disconnected');
    const stopped = nextEvent(client, 'stopped');
    c.send(createDtcMessage(MessageType.LOGOFF, { Reason: 'maintenance', DoNotReconnect: 1 }));
    expect(await disconnected).toEqual(['logoff: maintenance']);
    expect(await stopped).toEqual(['logoff: maintenance']);
    expect(client.state).toBe('stopped');
    await c.closed; // the client closed its socket
    await sleep(500);
    expect(server.connections).toHaveLength(1);
  });

  it('reconnects after a LOGOFF that allows it', async () => {
    const server = await fakeServer();
    const client = makeClient(server.port);
    const connected = nextEvent(client, 'connected');
    client.start();
    await connected;
    const c = await server.connection(0);
    c.send(createDtcMessage(MessageType.LOGOFF, { Reason: 'restart', DoNotReconnect: 0 }));
    await nextEvent(client, 'connected');
    expect(server.connections).toHaveLength(2);
  });

  it('reconnects with backoff after the server drops the connection, and logs on again', async () => {
    const server = await fakeServer({ onMessage: accountAnswers });
    const client = makeClient(server.port, { backoffBaseMs: 150, backoffMaxMs: 150 });
    const connected = nextEvent(client, 'connected');
    client.start();
    await connected;
    const reconnected = nextEvent(client, 'connected');
    const disconnected = nextEvent(client, 'disconnected');
    const droppedAt = performance.now();
    (await server.connection(0)).drop();
    expect((await disconnected)[0]).toMatch(/^transport closed/);
    const backoff = client.stats.lastBackoffMs!;
    // Jittered within [cap/2, cap].
    expect(backoff).toBeGreaterThanOrEqual(75);
    expect(backoff).toBeLessThanOrEqual(150);
    await server.connection(1);
    expect(performance.now() - droppedAt).toBeGreaterThanOrEqual(backoff - 5);
    await reconnected;
    // A fresh negotiation and logon on the new socket, and the session works.
    const c2 = server.connections[1]!;
    expect(c2.received.slice(0, 2).map((m) => m.Type)).toEqual([MessageType.ENCODING_REQUEST, MessageType.LOGON_REQUEST]);
    await expect(client.tradeAccounts()).resolves.toHaveLength(3);
  });

  it('turns a refused connection into machine events and gives up after the attempts, never throwing', async () => {
    const server = await fakeServer();
    const port = server.port;
    await server.close();
    const client = makeClient(port, { maxReconnectAttempts: 2, backoffBaseMs: 10, backoffMaxMs: 20 });
    const failed = nextEvent(client, 'failed');
    client.start();
    const [error] = await failed;
    expect(error.code).toBe('RECONNECT_EXHAUSTED');
    expect(error.message).toContain('ECONNREFUSED');
    expect(client.state).toBe('failed');
  });

  it('drops the connection on a fatal framing error from the server, reports it, and reconnects', async () => {
    const server = await fakeServer();
    const client = makeClient(server.port);
    const connected = nextEvent(client, 'connected');
    client.start();
    await connected;
    const protocolError = nextEvent(client, 'protocolError');
    const reconnected = nextEvent(client, 'connected');
    (await server.connection(0)).writeRaw(Buffer.from([2, 0, 3, 0])); // Size 2 < header
    const [error] = await protocolError;
    expect(error.code).toBe('SIZE_TOO_SMALL');
    await reconnected;
    expect(server.connections).toHaveLength(2);
  });

  it('survives a listener that throws', async () => {
    const server = await fakeServer({ onMessage: accountAnswers });
    const client = makeClient(server.port);
    client.on('connected', () => {
      throw new Error('listener bug');
    });
    client.on('message', () => {
      throw new Error('listener bug');
    });
    const connected = nextEvent(client, 'connected');
    client.start();
    await connected;
    await expect(client.tradeAccounts()).resolves.toHaveLength(3);
    expect(client.state).toBe('connected');
  });

  it('leaves no socket or timer behind after stop(), failing what was pending with STOPPED', async () => {
    const server = await fakeServer();
    const count = (kind: string) => process.getActiveResourcesInfo().filter((r) => r === kind).length;
    const sockets = count('TCPSocketWrap');
    const timers = count('Timeout');
    const client = makeClient(server.port);
    const connected = nextEvent(client, 'connected');
    client.start();
    await connected;
    const c = await server.connection(0);
    const pending = client.positions('X').catch((e: unknown) => e); // never answered
    await c.waitFor((m) => m.Type === MessageType.CURRENT_POSITIONS_REQUEST);
    await client.stop();
    expect(((await pending) as DtcClientError).code).toBe('STOPPED');
    // The server sees our LOGOFF, then the close.
    await c.closed;
    expect(c.count(MessageType.LOGOFF)).toBe(1);
    expect(client.state).toBe('disconnected');
    await server.close();
    await sleep(10);
    expect(count('TCPSocketWrap')).toBeLessThanOrEqual(sockets);
    expect(count('Timeout')).toBeLessThanOrEqual(timers);
    await expect(client.tradeAccounts()).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
  });
});
