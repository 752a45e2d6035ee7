// Binary int2, int4, int8 and oid: big-endian two's complement (oid unsigned).
import type { BinaryCodec } from './binary-codec.ts';
import { expectSize, toBigInt, toNumber } from './binary-codec.ts';

/** int2 send/recv: Int16. */
export const Int2Binary: BinaryCodec = {
  encode(w, _t, v) {
    w.int16(toNumber(v));
  },
  decode(bytes, t) {
    expectSize(bytes, 2, t);
    return bytes.readInt16BE(0);
  },
};

/** int4 send/recv: Int32. */
export const Int4Binary: BinaryCodec = {
  encode(w, _t, v) {
    w.int32(toNumber(v));
  },
  decode(bytes, t) {
    expectSize(bytes, 4, t);
    return bytes.readInt32BE(0);
  },
};

/** int8 send/recv: Int64 (Datum bigint). */
export const Int8Binary: BinaryCodec = {
  encode(w, _t, v) {
    w.int64(BigInt.asIntN(64, toBigInt(v)));
  },
  decode(bytes, t) {
    expectSize(bytes, 8, t);
    return bytes.readBigInt64BE(0);
  },
};

/** oid send/recv: unsigned Int32. */
export const OidBinary: BinaryCodec = {
  encode(w, _t, v) {
    w.uint32(toNumber(v));
  },
  decode(bytes, t) {
    expectSize(bytes, 4, t);
    return bytes.readUInt32BE(0);
  },
};
