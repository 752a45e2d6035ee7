// Binary float4 and float8: IEEE 754 big-endian.
import type { BinaryCodec } from './binary-codec.ts';
import { expectSize, toNumber } from './binary-codec.ts';

/** float4 send/recv: IEEE single. */
export const Float4Binary: BinaryCodec = {
  encode(w, _t, v) {
    w.float32(toNumber(v));
  },
  decode(bytes, t) {
    expectSize(bytes, 4, t);
    return bytes.readFloatBE(0);
  },
};

/** float8 send/recv: IEEE double. */
export const Float8Binary: BinaryCodec = {
  encode(w, _t, v) {
    w.float64(toNumber(v));
  },
  decode(bytes, t) {
    expectSize(bytes, 8, t);
    return bytes.readDoubleBE(0);
  },
};
