// DELTA: for sorted or slowly changing integers, dates and timestamps: store the first value and
// each step v[i] − v[i−1], frame-of-referenced by the smallest step and bit-packed. A sorted date
// column with a few rows per day packs each step into one or two bits.
//
// Payload: i64 base (block minimum) | f64 first offset (v[0] − base) | f64 minDelta |
//          packed (delta − minDelta), n − 1 values.
import type { Vector } from '../../compute/batch/vector.ts';
import type { ByteWriter } from '../io/byte-writer.ts';
import type { ByteReader } from '../io/byte-reader.ts';
import type { ColumnLayout } from '../column-kind.ts';
import { EncodingId, type BlockCodec, type BlockStats, type CodecEnv } from './codec.ts';
import { bitWidth, packedSize, writePacked, readPacked, unpackToFloat64, unpackToInt32 } from './bit-pack.ts';
import { writeInt64Offsets } from './int-domain.ts';
import { zeroVector } from '../vector-ops.ts';
import { dataCorrupted } from '../../common/errors/index.ts';

const TWO53 = 9007199254740992;

/** The DELTA codec. */
export const DeltaEncoding: BlockCodec = {
  id: EncodingId.DELTA,

  applies(_v: Vector, stats: BlockStats): boolean {
    return stats.intDomain !== null && stats.n >= 2 && !Number.isNaN(stats.minDelta) && stats.maxDelta - stats.minDelta < TWO53;
  },

  estimate(v: Vector, stats: BlockStats): number {
    if (!this.applies(v, stats)) return Infinity;
    return 24 + packedSize(stats.n - 1, bitWidth(stats.maxDelta - stats.minDelta));
  },

  encode(_v: Vector, stats: BlockStats, _layout: ColumnLayout, w: ByteWriter): void {
    const d = stats.intDomain;
    if (d === null) throw dataCorrupted('DELTA needs an integer block');
    const n = stats.n;
    const offs = d.offsets;
    const minDelta = stats.minDelta;
    const steps = new Float64Array(Math.max(0, n - 1));
    for (let i = 1; i < n; i++) steps[i - 1] = offs[i]! - offs[i - 1]! - minDelta;
    w.i64(d.base);
    w.f64(n > 0 ? offs[0]! : 0);
    w.f64(minDelta);
    writePacked(w, steps, n - 1, bitWidth(stats.maxDelta - minDelta));
  },

  decode(r: ByteReader, n: number, layout: ColumnLayout, env: CodecEnv): Vector {
    const base = r.i64();
    const first = r.f64();
    const minDelta = r.f64();
    if (n < 1 || !Number.isFinite(first) || !Number.isFinite(minDelta)) throw dataCorrupted('bad DELTA header');
    const s = readPacked(r, n - 1);
    const out = zeroVector(layout, n, null, env.alloc);
    if (out.kind === 'int32' && s.width <= 32) {
      // int32 output: steps and the running sum in wrapping 32-bit arithmetic, which is exact
      // modulo 2^32 and so exact for values that fit int32.
      const steps32 = env.alloc.int32(n - 1);
      unpackToInt32(s, minDelta | 0, steps32);
      const o = out.values;
      let cur = (Number(base) + first) | 0;
      o[0] = cur;
      for (let i = 1; i < n; i++) { cur = (cur + steps32[i - 1]!) | 0; o[i] = cur; }
      return out;
    }
    // steps[i] = v[i+1] − v[i] as exact doubles.
    const steps = env.alloc.float64(n - 1);
    unpackToFloat64(s, minDelta, steps);
    switch (out.kind) {
      case 'int32': {
        const o = out.values;
        const b = Number(base);
        let cur = first;
        o[0] = (b + cur) | 0;
        for (let i = 1; i < n; i++) { cur += steps[i - 1]!; o[i] = (b + cur) | 0; }
        break;
      }
      case 'decimal': {
        const o = out.values;
        const b = Number(base);
        let cur = first;
        o[0] = b + cur;
        for (let i = 1; i < n; i++) { cur += steps[i - 1]!; o[i] = b + cur; }
        break;
      }
      case 'bool': case 'int64': {
        const offs = env.alloc.float64(n);
        let cur = first;
        offs[0] = cur;
        for (let i = 1; i < n; i++) { cur += steps[i - 1]!; offs[i] = cur; }
        if (out.kind === 'int64') writeInt64Offsets(base, offs, n, out.values);
        else { const o = out.values; for (let i = 0; i < n; i++) o[i] = offs[i]!; }
        break;
      }
      default:
        throw dataCorrupted(`DELTA block for a ${layout.kind} column`);
    }
    return out;
  },
};
