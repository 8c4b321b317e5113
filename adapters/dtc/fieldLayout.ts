/**
 * The vocabulary of the declarative layout table: one FieldSpec per struct member, with
 * its binary kind, offset and default. The binary and JSON codecs are generated from
 * these specs; no message has hand-written byte code.
 */
import type { DtcMessage } from './messages.ts';

export type IntegerKind = 'int8' | 'uint8' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64';
/** Binary kinds of struct members: fixed-width numbers, or a fixed char array. */
export type FieldKind = IntegerKind | 'double' | 'float' | 'char';

/** DBL_MAX, the protocol's "unset" marker for doubles. */
export const DBL_MAX = Number.MAX_VALUE;
/** UINT_MAX, the protocol's "unset" marker for some uint32 counters. */
export const UINT32_MAX = 0xffff_ffff;

/** Bytes of the binary header (uint16 Size, uint16 Type) that precedes every field. */
export const HEADER_SIZE = 4;

/** One struct member. */
export interface FieldSpec<N extends string = string> {
  readonly name: N;
  readonly kind: FieldKind;
  /** Byte offset from the start of the message (the header included). */
  readonly offset: number;
  /** Bytes on the wire: the kind's width, or the char array length. */
  readonly size: number;
  /** Value of a field the sender did not provide; `undefined` only for absent doubles. */
  readonly default: number | string | undefined;
  /** A double for which DBL_MAX means unset: it decodes to `undefined` and back. */
  readonly absent: boolean;
  /** An `Unused*` member: it keeps its binary offset and compact position, named JSON omits it. */
  readonly unused: boolean;
}

/** The layout of one message type. */
export interface MessageLayout {
  readonly type: number;
  /** The message type constant, e.g. `ORDER_UPDATE`. */
  readonly name: string;
  /** Our struct size (the newest header we implement). */
  readonly size: number;
  /** Sizes seen in published headers, older and newer; every one must decode. */
  readonly knownSizes: readonly number[];
  /** Members in struct order, which is also the JSON compact order. */
  readonly fields: readonly FieldSpec[];
}

/** Width in bytes of each fixed-width kind. */
export const KIND_WIDTH: Readonly<Record<IntegerKind | 'double' | 'float', number>> = {
  int8: 1,
  uint8: 1,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  uint64: 8,
  double: 8,
  float: 4,
};

/** Integer ranges as [min, max + 1): 64-bit bounds are exact powers of two, values exact to 2^53. */
export const INTEGER_RANGE: Readonly<Record<IntegerKind, readonly [number, number]>> = {
  int8: [-(2 ** 7), 2 ** 7],
  uint8: [0, 2 ** 8],
  uint16: [0, 2 ** 16],
  int32: [-(2 ** 31), 2 ** 31],
  uint32: [0, 2 ** 32],
  int64: [-(2 ** 63), 2 ** 63],
  uint64: [0, 2 ** 64],
};

// Branded specs let defineLayout check each member name against its interface type.
type NumberSpec<N extends string> = FieldSpec<N> & { readonly valueType: 'number' };
type AbsentSpec<N extends string> = FieldSpec<N> & { readonly valueType: 'absent' };
type StringSpec<N extends string> = FieldSpec<N> & { readonly valueType: 'string' };

const spec = <N extends string, V extends string>(
  name: N,
  kind: FieldKind,
  offset: number,
  size: number,
  dflt: number | string | undefined,
  valueType: V,
) => ({
  name,
  kind,
  offset,
  size,
  default: dflt,
  absent: valueType === 'absent',
  unused: name.startsWith('Unused'),
  valueType,
});

const integer =
  (kind: IntegerKind) =>
  <N extends string>(name: N, offset: number, dflt = 0): NumberSpec<N> =>
    spec(name, kind, offset, KIND_WIDTH[kind], dflt, 'number' as const);

/** Integer members: `kind(name, offset, default = 0)`. */
export const int8 = integer('int8');
export const uint8 = integer('uint8');
export const uint16 = integer('uint16');
export const int32 = integer('int32');
export const uint32 = integer('uint32');
export const int64 = integer('int64');
export const uint64 = integer('uint64');

/** A 4-byte float (e.g. the quantities of MARKET_DATA_UPDATE_BID_ASK); values must be exact in float32. */
export const float = <N extends string>(name: N, offset: number, dflt = 0): NumberSpec<N> =>
  spec(name, 'float', offset, 4, dflt, 'number' as const);

/** A double that is always meaningful (default 0 unless the header says otherwise). */
export const double = <N extends string>(name: N, offset: number, dflt = 0): NumberSpec<N> =>
  spec(name, 'double', offset, 8, dflt, 'number' as const);

/** A double defaulting to DBL_MAX, modelled as `undefined` when unset. */
export const absentDouble = <N extends string>(name: N, offset: number): AbsentSpec<N> =>
  spec(name, 'double', offset, 8, undefined, 'absent' as const);

/** A fixed char array of `size` bytes, NUL-terminated within its size. */
export const chars = <N extends string>(name: N, offset: number, size: number, dflt = ''): StringSpec<N> =>
  spec(name, 'char', offset, size, dflt, 'string' as const);

type MemberOf<M> = Exclude<keyof M, 'Type'> & string;
type KeysWhere<M, V> = { [K in MemberOf<M>]: M[K] extends V ? K : never }[MemberOf<M>];
type OptionalKeys<M> = { [K in MemberOf<M>]-?: object extends Pick<M, K> ? K : never }[MemberOf<M>];

type SpecFor<M> =
  | NumberSpec<KeysWhere<M, number>>
  | AbsentSpec<OptionalKeys<M>>
  | StringSpec<KeysWhere<M, string>>;

type Missing<M, F extends readonly FieldSpec[]> = Exclude<MemberOf<M>, F[number]['name']>;
type CoversAll<M, F extends readonly FieldSpec[]> = [Missing<M, F>] extends [never]
  ? unknown
  : { readonly missingMembers: Missing<M, F> };

/**
 * Declares the layout of message `M`. The compiler checks that every member of `M`
 * appears, with a kind matching its TypeScript type (string, number, optional number).
 */
export const defineLayout =
  <M extends DtcMessage>() =>
  <const F extends readonly SpecFor<M>[]>(layout: {
    type: M['Type'];
    name: string;
    size: number;
    knownSizes: readonly number[];
    fields: F & CoversAll<M, F>;
  }): MessageLayout => ({
    type: layout.type,
    name: layout.name,
    size: layout.size,
    knownSizes: layout.knownSizes,
    fields: layout.fields.map(({ valueType: _valueType, ...field }) => field),
  });
