// Binary date (Int32 days) and timestamp/timestamptz (Int64 µs), both counted from 2000-01-01.
import { featureNotSupported } from '../../../common/errors/index.ts';
import type { BinaryCodec } from './binary-codec.ts';
import { expectSize, toBigInt, toNumber } from './binary-codec.ts';

/** Days from 1970-01-01 (our Datum epoch) to 2000-01-01 (PostgreSQL's binary epoch). */
export const PG_EPOCH_DAYS = 10_957;
/** Microseconds from 1970-01-01 to 2000-01-01. */
export const PG_EPOCH_MICROS = 946_684_800_000_000n;

const DATE_INFINITY = 0x7fffffff;
const DATE_NEG_INFINITY = -0x80000000;
const TS_INFINITY = 0x7fffffffffffffffn;
const TS_NEG_INFINITY = -0x8000000000000000n;

/** date send/recv: Int32 days since 2000-01-01 (infinite dates are refused on receive). */
export const DateBinary: BinaryCodec = {
  encode(w, _t, v) {
    w.int32(toNumber(v) - PG_EPOCH_DAYS);
  },
  decode(bytes, t) {
    expectSize(bytes, 4, t);
    const d = bytes.readInt32BE(0);
    if (d === DATE_INFINITY || d === DATE_NEG_INFINITY) throw featureNotSupported('infinite date');
    return d + PG_EPOCH_DAYS;
  },
};

/** timestamp and timestamptz send/recv: Int64 µs since 2000-01-01 UTC. */
export const TimestampBinary: BinaryCodec = {
  encode(w, _t, v) {
    w.int64(toBigInt(v) - PG_EPOCH_MICROS);
  },
  decode(bytes, t) {
    expectSize(bytes, 8, t);
    const us = bytes.readBigInt64BE(0);
    if (us === TS_INFINITY || us === TS_NEG_INFINITY) throw featureNotSupported('infinite timestamp');
    return us + PG_EPOCH_MICROS;
  },
};
