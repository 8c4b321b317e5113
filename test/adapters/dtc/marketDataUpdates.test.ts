/**
 * MARKET_DATA_UPDATE_TRADE (107) and MARKET_DATA_UPDATE_BID_ASK (108): the binary layout of
 * DTCProtocol.h (version 8, pack 8: 40 bytes each, BID_ASK's quantities are floats), both
 * encodings round-tripped by property.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBinary } from '../../../adapters/dtc/binaryCodec.ts';
import { encodeMessage } from '../../../adapters/dtc/encodeMessage.ts';
import { EncodingEnum } from '../../../adapters/dtc/enums.ts';
import { DtcFrameError } from '../../../adapters/dtc/frameError.ts';
import { decodeJson } from '../../../adapters/dtc/jsonCodec.ts';
import { MessageType } from '../../../adapters/dtc/messageType.ts';
import { MESSAGE_LAYOUTS } from '../../../adapters/dtc/messageLayouts.ts';
import { createDtcMessage } from '../../../adapters/dtc/createMessage.ts';
import { ENCODINGS, expectedAfter, messageArbitrary } from './arbitraries.ts';

const decode = (bytes: Buffer, encoding: number) => (encoding === EncodingEnum.BINARY ? decodeBinary(bytes) : decodeJson(bytes));

describe('market data updates: layout from DTCProtocol.h', () => {
  it('a TRADE frame laid out by hand at the header offsets decodes member by member', () => {
    const b = Buffer.alloc(40);
    b.writeUInt16LE(40, 0);
    b.writeUInt16LE(107, 2);
    b.writeUInt32LE(7, 4); // SymbolID
    b.writeUInt16LE(2, 8); // AtBidOrAsk: at ask
    b.writeDoubleLE(6001.25, 16); // Price
    b.writeDoubleLE(3, 24); // Volume
    b.writeDoubleLE(1762180200.25, 32); // DateTime, seconds with milliseconds
    expect(decodeBinary(b)).toEqual({ Type: 107, SymbolID: 7, AtBidOrAsk: 2, Price: 6001.25, Volume: 3, DateTime: 1762180200.25 });
  });

  it('a BID_ASK frame laid out by hand decodes, float quantities and DBL_MAX as unset', () => {
    const b = Buffer.alloc(40);
    b.writeUInt16LE(40, 0);
    b.writeUInt16LE(108, 2);
    b.writeUInt32LE(7, 4);
    b.writeDoubleLE(6000.75, 8); // BidPrice
    b.writeFloatLE(12.5, 16); // BidQuantity
    b.writeDoubleLE(Number.MAX_VALUE, 24); // AskPrice unset
    b.writeFloatLE(0, 32);
    b.writeUInt32LE(1762180200, 36); // DateTime, whole seconds
    expect(decodeBinary(b)).toEqual({ Type: 108, SymbolID: 7, BidPrice: 6000.75, BidQuantity: 12.5, AskPrice: undefined, AskQuantity: 0, DateTime: 1762180200 });
    const encoded = encodeMessage(createDtcMessage(MessageType.MARKET_DATA_UPDATE_BID_ASK, { SymbolID: 7, BidPrice: 6000.75, BidQuantity: 12.5, DateTime: 1762180200 }), EncodingEnum.BINARY);
    expect(encoded.equals(b)).toBe(true);
  });

  it('a quantity float32 cannot hold exactly is refused, never rounded on the wire', () => {
    const m = createDtcMessage(MessageType.MARKET_DATA_UPDATE_BID_ASK, { BidQuantity: 0.1 });
    expect(() => encodeMessage(m, EncodingEnum.BINARY)).toThrow(DtcFrameError);
  });

  for (const type of [MessageType.MARKET_DATA_UPDATE_TRADE, MessageType.MARKET_DATA_UPDATE_BID_ASK]) {
    const layout = MESSAGE_LAYOUTS.get(type)!;
    for (const encoding of ENCODINGS) {
      it(`${layout.name} round-trips in encoding ${encoding}`, () => {
        fc.assert(
          fc.property(messageArbitrary(layout), (m) => {
            expect(decode(encodeMessage(m, encoding), encoding)).toEqual(expectedAfter(m, encoding));
          }),
          { numRuns: 300 },
        );
      });
    }
  }
});
