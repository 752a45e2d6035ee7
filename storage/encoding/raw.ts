// RAW: values as they lie in memory (little-endian), strings as packed lengths plus bytes.
//
// Payload: bool u8[n] | int32 i32[n] | int64 i64[n] | float8 f64[n] | float4 f32[n] |
// decimal f64[n] | string: packed lengths (bit-pack.ts) then the UTF-8 bytes.
import type { Vector, StringVector } from '../../compute/batch/vector.ts';
import type { ByteWriter } from '../io/byte-writer.ts';
import type { ByteReader } from '../io/byte-reader.ts';
import type { ColumnLayout } from '../column-kind.ts';
import { EncodingId, type BlockCodec, type BlockStats, type CodecEnv } from './codec.ts';
import { FRESH_ALLOCATOR, type VectorAllocator } from '../vector-allocator.ts';
import { packedSize, bitWidth, writePacked, readPacked, unpackToInt32 } from './bit-pack.ts';
import { dataCorrupted } from '../../common/errors/index.ts';

/** Lengths of the strings of v as an Int32Array, and their maximum. */
function stringLengths(v: StringVector): { lengths: Int32Array; max: number } {
  const n = v.length;
  const lengths = new Int32Array(n);
  let max = 0;
  for (let i = 0; i < n; i++) { const l = v.offsets[i + 1]! - v.offsets[i]!; lengths[i] = l; if (l > max) max = l; }
  return { lengths, max };
}

/** Writes a string vector as packed lengths + bytes (also used by DICT for its dictionary). */
export function writeStringsRaw(v: StringVector, w: ByteWriter): void {
  const { lengths, max } = stringLengths(v);
  writePacked(w, lengths, v.length, bitWidth(max));
  w.bytes(v.bytes.subarray(v.offsets[0]!, v.offsets[v.length]!));
  w.align(8);
}

/** Reads what {@link writeStringsRaw} wrote. */
export function readStringsRaw(r: ByteReader, n: number, alloc: VectorAllocator = FRESH_ALLOCATOR, ownBytes = false): StringVector {
  const lens = readPacked(r, n);
  const offsets = alloc.int32(n + 1);
  offsets[0] = 0;
  unpackToInt32(lens, 0, offsets.subarray(1));
  let total = 0;
  for (let i = 1; i <= n; i++) { const l = offsets[i]!; if (l < 0) throw dataCorrupted('negative string length'); total += l; offsets[i] = total; }
  const view = r.bytesView(total);
  const bytes = ownBytes ? view.slice() : view;
  r.align(8);
  return { kind: 'string', length: n, nulls: null, offsets, bytes };
}

function float4To64(src: Float32Array, out: Float64Array): Float64Array {
  for (let i = 0; i < src.length; i++) out[i] = src[i]!;
  return out;
}

/** Fixed width in bytes of one RAW value, 0 for strings. */
function rawWidth(layout: ColumnLayout): number {
  switch (layout.kind) {
    case 'bool': return 1;
    case 'int32': return 4;
    case 'float64': return layout.float4 ? 4 : 8;
    case 'string': case 'bigdecimal': return 0;
    default: return 8;
  }
}

/** The RAW codec. */
export const RawEncoding: BlockCodec = {
  id: EncodingId.RAW,

  applies(v: Vector): boolean {
    return v.kind !== 'bigdecimal';
  },

  estimate(v: Vector, _stats: BlockStats, layout: ColumnLayout): number {
    if (v.kind === 'string') {
      let max = 0;
      for (let i = 0; i < v.length; i++) { const l = v.offsets[i + 1]! - v.offsets[i]!; if (l > max) max = l; }
      return packedSize(v.length, bitWidth(max)) + (v.offsets[v.length]! - v.offsets[0]!);
    }
    return v.length * rawWidth(layout);
  },

  encode(v: Vector, _stats: BlockStats, layout: ColumnLayout, w: ByteWriter): void {
    switch (v.kind) {
      case 'bool': case 'int32': case 'int64': case 'decimal': w.typed(v.values); break;
      case 'float64': w.typed(layout.float4 ? Float32Array.from(v.values) : v.values); break;
      case 'string': writeStringsRaw(v, w); break;
      case 'bigdecimal': throw dataCorrupted('RAW cannot hold bigdecimal values');
    }
    w.align(8);
  },

  decode(r: ByteReader, n: number, layout: ColumnLayout, env: CodecEnv): Vector {
    let out: Vector;
    // Values are views of the input where aligned, copies when they must outlive it.
    const own = env.ownBytes;
    switch (layout.kind) {
      case 'bool': { const v = r.bytesView(n); out = { kind: 'bool', length: n, nulls: null, values: own ? v.slice() : v }; break; }
      case 'int32': { const v = r.int32s(n); out = { kind: 'int32', length: n, nulls: null, values: own ? v.slice() : v }; break; }
      case 'int64': { const v = r.bigInt64s(n); out = { kind: 'int64', length: n, nulls: null, values: own ? v.slice() : v }; break; }
      case 'float64': {
        const v = layout.float4 ? float4To64(r.float32s(n), env.alloc.float64(n)) : r.float64s(n);
        out = { kind: 'float64', length: n, nulls: null, values: own && !layout.float4 ? v.slice() : v };
        break;
      }
      case 'decimal': { const v = r.float64s(n); out = { kind: 'decimal', length: n, nulls: null, values: own ? v.slice() : v, scale: layout.scale }; break; }
      case 'string': return readStringsRaw(r, n, env.alloc, own);
      case 'bigdecimal': throw dataCorrupted('RAW block for a bigdecimal column');
    }
    r.align(8);
    return out;
  },
};
