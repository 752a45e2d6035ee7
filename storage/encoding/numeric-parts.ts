// NUMERIC_PARTS: wide numerics (bigint unscaled values + per-value scales) split into two
// sub-blocks that the ordinary codecs compress: the scales as integers (usually one run) and the
// unscaled values as int64 when they all fit, else as their decimal digits in a string block.
//
// Payload: sub-block scales (int32) | u8 tag (1 = int64 values, 2 = decimal-digit strings) | sub-block values.
import type { Vector, BigDecimalVector } from '../../compute/batch/vector.ts';
import type { ByteWriter } from '../io/byte-writer.ts';
import type { ByteReader } from '../io/byte-reader.ts';
import type { ColumnLayout } from '../column-kind.ts';
import { EncodingId, type BlockCodec, type BlockStats, type CodecEnv } from './codec.ts';
import { dataCorrupted } from '../../common/errors/index.ts';

const INT32_LAYOUT: ColumnLayout = { kind: 'int32', scale: 0, float4: false };
const INT64_LAYOUT: ColumnLayout = { kind: 'int64', scale: 0, float4: false };
const STRING_LAYOUT: ColumnLayout = { kind: 'string', scale: 0, float4: false };
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
const TAG_INT64 = 1;
const TAG_DIGITS = 2;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The NUMERIC_PARTS codec (the one encoding of 'bigdecimal' blocks). */
export const NumericPartsEncoding: BlockCodec = {
  id: EncodingId.NUMERIC_PARTS,

  applies(v: Vector): boolean {
    return v.kind === 'bigdecimal';
  },

  estimate(v: Vector): number {
    return v.length * 10;
  },

  encode(v: Vector, _stats: BlockStats, _layout: ColumnLayout, w: ByteWriter, env: CodecEnv): void {
    if (v.kind !== 'bigdecimal') throw dataCorrupted('NUMERIC_PARTS needs a bigdecimal block');
    const n = v.length;
    env.encodeSub({ kind: 'int32', length: n, nulls: null, values: Int32Array.from(v.scales) }, INT32_LAYOUT, w);
    let fits = true;
    for (let i = 0; i < n; i++) { const x = v.values[i]!; if (x < I64_MIN || x > I64_MAX) { fits = false; break; } }
    if (fits) {
      w.u8(TAG_INT64);
      env.encodeSub({ kind: 'int64', length: n, nulls: null, values: BigInt64Array.from(v.values) }, INT64_LAYOUT, w);
      return;
    }
    w.u8(TAG_DIGITS);
    const parts: Uint8Array[] = [];
    const offsets = new Int32Array(n + 1);
    let total = 0;
    for (let i = 0; i < n; i++) { const b = encoder.encode(v.values[i]!.toString()); parts.push(b); total += b.length; offsets[i + 1] = total; }
    const bytes = new Uint8Array(total);
    for (let i = 0; i < n; i++) bytes.set(parts[i]!, offsets[i]!);
    env.encodeSub({ kind: 'string', length: n, nulls: null, offsets, bytes }, STRING_LAYOUT, w);
  },

  decode(r: ByteReader, n: number, _layout: ColumnLayout, env: CodecEnv): Vector {
    const sc = env.decodeSub(r, n, INT32_LAYOUT);
    if (sc.kind !== 'int32') throw dataCorrupted('numeric scales sub-block');
    const scales = new Uint16Array(n);
    for (let i = 0; i < n; i++) {
      const s = sc.values[i]!;
      if (s < 0 || s > 1000) throw dataCorrupted(`numeric scale ${s} out of range`);
      scales[i] = s;
    }
    const tag = r.u8();
    const values = new Array<bigint>(n);
    if (tag === TAG_INT64) {
      const iv = env.decodeSub(r, n, INT64_LAYOUT);
      if (iv.kind !== 'int64') throw dataCorrupted('numeric values sub-block');
      for (let i = 0; i < n; i++) values[i] = iv.values[i]!;
    } else if (tag === TAG_DIGITS) {
      const sv = env.decodeSub(r, n, STRING_LAYOUT);
      if (sv.kind !== 'string') throw dataCorrupted('numeric digits sub-block');
      for (let i = 0; i < n; i++) {
        const text = decoder.decode(sv.bytes.subarray(sv.offsets[i]!, sv.offsets[i + 1]!));
        if (!/^-?\d+$/.test(text)) throw dataCorrupted('numeric digits malformed');
        values[i] = BigInt(text);
      }
    } else {
      throw dataCorrupted(`numeric values tag ${tag}`);
    }
    const out: BigDecimalVector = { kind: 'bigdecimal', length: n, nulls: null, values, scales };
    return out;
  },
};
