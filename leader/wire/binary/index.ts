// The binary send/receive codec of every SQL type, keyed by TypeId (a missing type is a compile error).
import type { TypeId } from '../../../sql/types/sql-type.ts';
import type { BinaryCodec } from './binary-codec.ts';
import { BoolBinary } from './bool.ts';
import { DateBinary, TimestampBinary } from './date-time.ts';
import { Float4Binary, Float8Binary } from './float.ts';
import { Int2Binary, Int4Binary, Int8Binary, OidBinary } from './integer.ts';
import { IntervalBinary } from './interval.ts';
import { NumericBinary } from './numeric.ts';
import { TextBinary } from './text.ts';

/**
 * Binary codec per type. timestamptz shares timestamp's: both are µs since 2000-01-01 UTC on the wire.
 * 'unknown' travels as text (PostgreSQL's unknownsend is textsend).
 */
export const BINARY_CODECS: Record<TypeId, BinaryCodec> = {
  bool: BoolBinary,
  int2: Int2Binary,
  int4: Int4Binary,
  int8: Int8Binary,
  oid: OidBinary,
  float4: Float4Binary,
  float8: Float8Binary,
  numeric: NumericBinary,
  char: TextBinary,
  varchar: TextBinary,
  text: TextBinary,
  name: TextBinary,
  unknown: TextBinary,
  date: DateBinary,
  timestamp: TimestampBinary,
  timestamptz: TimestampBinary,
  interval: IntervalBinary,
};

/** Re-exported so callers need one import for the codec table and its type. */
export type { BinaryCodec } from './binary-codec.ts';
