// Binary interval: Int64 microseconds, Int32 days, Int32 months.
import { internalError } from '../../../common/errors/index.ts';
import { Interval } from '../../../sql/types/interval.ts';
import type { BinaryCodec } from './binary-codec.ts';
import { expectSize } from './binary-codec.ts';

/** interval send/recv. */
export const IntervalBinary: BinaryCodec = {
  encode(w, _t, v) {
    if (!(v instanceof Interval)) throw internalError('interval column holds a non-Interval value');
    w.int64(v.micros).int32(v.days).int32(v.months);
  },
  decode(bytes, t) {
    expectSize(bytes, 16, t);
    return new Interval(bytes.readInt32BE(12), bytes.readInt32BE(8), bytes.readBigInt64BE(0));
  },
};
