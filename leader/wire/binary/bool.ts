// Binary boolean: one byte, 1 for true and 0 for false.
import type { BinaryCodec } from './binary-codec.ts';
import { expectSize } from './binary-codec.ts';

/** bool send/recv. */
export const BoolBinary: BinaryCodec = {
  encode(w, _t, v) {
    w.int8(v === true ? 1 : 0);
  },
  decode(bytes, t) {
    expectSize(bytes, 1, t);
    return bytes[0] !== 0;
  },
};
