/**
 * A minimal DTC client for tests, built on the codec only (no retry, no state machine):
 * it connects to 127.0.0.1, negotiates an encoding, logs on, sends any message and
 * waits for the messages it expects. Everything received is kept in `received`; `take`
 * consumes matching messages in arrival order so a test can walk through a sequence.
 */
import { connect, type Socket } from 'node:net';
import { createDtcMessage } from '../../../adapters/dtc/createMessage.ts';
import { encodeMessage, SUPPORTED_ENCODINGS } from '../../../adapters/dtc/encodeMessage.ts';
import { EncodingEnum } from '../../../adapters/dtc/enums.ts';
import { DtcFrameDecoder } from '../../../adapters/dtc/frameDecoder.ts';
import type { DtcFrameError } from '../../../adapters/dtc/frameError.ts';
import { MessageType } from '../../../adapters/dtc/messageType.ts';
import type { DtcMessage, DtcMessageOf, LogonRequest, LogonResponse } from '../../../adapters/dtc/messages.ts';

type Waiter = { match: (m: DtcMessage) => boolean; resolve: (m: DtcMessage) => void };

export class RawDtcClient {
  /** Every message received, in order (also the ones already taken). */
  readonly received: DtcMessage[] = [];
  /** Frame errors the decoder reported. */
  readonly errors: DtcFrameError[] = [];
  /** Resolves when the server closes the connection (or it drops). */
  readonly closed: Promise<void>;
  private readonly inbox: DtcMessage[] = [];
  private readonly waiters = new Set<Waiter>();
  private readonly decoder = new DtcFrameDecoder();
  private encoding: number = EncodingEnum.BINARY;
  private isClosed = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      try {
        this.decoder.push(chunk, (r) => {
          if (!r.ok) {
            this.errors.push(r.error);
            return;
          }
          const m = r.message;
          // The server switches after its (binary) ENCODING_RESPONSE; so do we.
          if (m.Type === MessageType.ENCODING_RESPONSE && SUPPORTED_ENCODINGS.has(m.Encoding)) {
            this.decoder.setEncoding(m.Encoding);
            this.encoding = m.Encoding;
          }
          this.received.push(m);
          for (const w of this.waiters) {
            if (w.match(m)) {
              this.waiters.delete(w);
              w.resolve(m);
              return;
            }
          }
          this.inbox.push(m);
        });
      } catch {
        // the decoder failed; the error is in `errors`
      }
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.once('close', () => {
      this.isClosed = true;
      resolve();
    }));
  }

  /** Connects to the server on 127.0.0.1:`port`. */
  static connect(port: number): Promise<RawDtcClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawDtcClient(socket));
      });
    });
  }

  /** Connects, negotiates `encoding` and logs on; returns the client and the logon answer. */
  static async loggedOn(port: number, encoding: number = EncodingEnum.BINARY, logon: Partial<Omit<LogonRequest, 'Type'>> = {}): Promise<RawDtcClient> {
    const client = await RawDtcClient.connect(port);
    await client.negotiate(encoding);
    const response = await client.logon(logon);
    if (response.Result !== 1) throw new Error(`logon failed: ${response.ResultText}`);
    return client;
  }

  get isOpen(): boolean {
    return !this.isClosed;
  }

  /** The encoding this client speaks now. */
  get currentEncoding(): number {
    return this.encoding;
  }

  /** Sends a message in the current encoding. */
  send(message: DtcMessage): void {
    this.socket.write(encodeMessage(message, this.encoding));
  }

  /** Builds and sends a message of `type`. */
  sendNew<T extends MessageType>(type: T, members: Partial<Omit<DtcMessageOf<T>, 'Type'>> = {}): void {
    this.send(createDtcMessage(type, members) as DtcMessage);
  }

  /** Writes raw bytes. */
  sendBytes(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Sends a binary ENCODING_REQUEST and waits for the (binary) answer; switches on it. */
  async negotiate(encoding: number): Promise<DtcMessageOf<typeof MessageType.ENCODING_RESPONSE>> {
    this.socket.write(encodeMessage(createDtcMessage(MessageType.ENCODING_REQUEST, { Encoding: encoding }), EncodingEnum.BINARY));
    return this.take(MessageType.ENCODING_RESPONSE);
  }

  /** Sends LOGON_REQUEST (heartbeat 60 s unless told) and waits for LOGON_RESPONSE. */
  async logon(fields: Partial<Omit<LogonRequest, 'Type'>> = {}): Promise<LogonResponse> {
    this.sendNew(MessageType.LOGON_REQUEST, { HeartbeatIntervalInSeconds: 60, ClientName: 'raw test client', ...fields });
    return this.take(MessageType.LOGON_RESPONSE);
  }

  /**
   * The first unconsumed message of `type` matching `where`, waiting for it if needed.
   * @throws after `timeoutMs` without one.
   */
  take<T extends MessageType>(type: T, where: (m: DtcMessageOf<T>) => boolean = () => true, timeoutMs = 3_000): Promise<DtcMessageOf<T>> {
    const match = (m: DtcMessage): boolean => m.Type === type && where(m as DtcMessageOf<T>);
    const i = this.inbox.findIndex(match);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0] as DtcMessageOf<T>);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as DtcMessageOf<T>);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no message of type ${type} matching within ${timeoutMs} ms; received types: ${this.received.map((m) => m.Type).join(',')}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** `count` messages of `type` in arrival order. */
  async takeMany<T extends MessageType>(type: T, count: number, where: (m: DtcMessageOf<T>) => boolean = () => true): Promise<DtcMessageOf<T>[]> {
    const out: DtcMessageOf<T>[] = [];
    for (let i = 0; i < count; i++) out.push(await this.take(type, where));
    return out;
  }

  /** Unconsumed messages of `type` received so far (not consumed). */
  pending<T extends MessageType>(type: T): DtcMessageOf<T>[] {
    return this.inbox.filter((m) => m.Type === type) as DtcMessageOf<T>[];
  }

  /** Forgets the unconsumed messages. */
  drain(): void {
    this.inbox.length = 0;
  }

  /** Waits `ms` (to prove that nothing arrives). */
  static pause(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  close(): void {
    this.socket.destroy();
  }
}
