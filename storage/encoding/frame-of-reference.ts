// FOR: frame of reference plus bit packing (the AZ64 / "mostly N" idea) for integers, dates,
// timestamps, booleans and scaled decimals: store the block minimum once, then each value's
// offset from it in just as many bits as the largest offset needs.
//
// Payload: i64 base | packed offsets (bit-pack.ts).
import type { Vector } from '../../compute/batch/vector.ts';
import type { ByteWriter } from '../io/byte-writer.ts';
import type { ByteReader } from '../io/byte-reader.ts';
import type { ColumnLayout } from '../column-kind.ts';
import { EncodingId, type BlockCodec, type BlockStats, type CodecEnv } from './codec.ts';
import { bitWidth, packedSize, writePacked, readPacked, unpackToInt32, unpackToFloat64 } from './bit-pack.ts';
import { writeInt64Offsets } from './int-domain.ts';
import { zeroVector } from '../vector-ops.ts';
import { dataCorrupted } from '../../common/errors/index.ts';

const TWO32 = 4294967296;

/** The FOR codec. */
export const ForEncoding: BlockCodec = {
  id: EncodingId.FOR,

  applies(_v: Vector, stats: BlockStats): boolean {
    return stats.intDomain !== null;
  },

  estimate(_v: Vector, stats: BlockStats): number {
    const d = stats.intDomain;
    return d === null ? Infinity : 8 + packedSize(stats.n, bitWidth(d.maxOffset));
  },

  encode(_v: Vector, stats: BlockStats, _layout: ColumnLayout, w: ByteWriter): void {
    const d = stats.intDomain;
    if (d === null) throw dataCorrupted('FOR needs an integer block');
    w.i64(d.base);
    writePacked(w, d.offsets, stats.n, bitWidth(d.maxOffset));
  },

  decode(r: ByteReader, n: number, layout: ColumnLayout, env: CodecEnv): Vector {
    const base = r.i64();
    const s = readPacked(r, n);
    const out = zeroVector(layout, n, null, env.alloc);
    switch (out.kind) {
      case 'int32':
        if (s.width > 32) throw dataCorrupted('FOR width too large for int32');
        unpackToInt32(s, Number(base), out.values);
        break;
      case 'decimal':
        unpackToFloat64(s, Number(base), out.values);
        break;
      case 'bool': {
        const tmp = env.alloc.int32(n);
        unpackToInt32(s, Number(base), tmp);
        out.values.set(tmp);
        break;
      }
      case 'int64': {
        const offs = env.alloc.float64(n);
        if (s.width <= 32) {
          // base's low word plus an offset under 2^32: the low word wraps, the high word takes the carry.
          const lo = Number(BigInt.asUintN(32, base));
          const hi = Number(BigInt.asIntN(32, base >> 32n));
          unpackToFloat64(s, lo, offs);
          const o32 = new Int32Array(out.values.buffer, out.values.byteOffset, n * 2);
          for (let i = 0; i < n; i++) {
            const x = offs[i]!;
            o32[i * 2] = x | 0;
            o32[i * 2 + 1] = x >= TWO32 ? hi + 1 : hi;
          }
          break;
        }
        unpackToFloat64(s, 0, offs);
        writeInt64Offsets(base, offs, n, out.values);
        break;
      }
      default:
        throw dataCorrupted(`FOR block for a ${layout.kind} column`);
    }
    return out;
  },
};
