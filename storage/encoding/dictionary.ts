// DICT: a sorted dictionary of the block's distinct values plus a bit-packed code per row
// (Redshift's BYTEDICT / TEXT255 idea, without the 256-entry limit). Codes preserve order.
//
// Payload: u32 dictionary size | packed codes (n values) | sub-block of the dictionary values.
import type { Vector } from '../../compute/batch/vector.ts';
import type { ByteWriter } from '../io/byte-writer.ts';
import type { ByteReader } from '../io/byte-reader.ts';
import type { ColumnLayout } from '../column-kind.ts';
import { EncodingId, type BlockCodec, type BlockStats, type CodecEnv } from './codec.ts';
import { bitWidth, packedSize, writePacked, readPacked, unpackToInt32 } from './bit-pack.ts';
import { gatherVector } from '../vector-ops.ts';
import type { DictionaryParts } from './dictionary-builder.ts';
import type { FullBlockStats } from './block-stats.ts';
import { dataCorrupted } from '../../common/errors/index.ts';

function partsOf(stats: BlockStats): DictionaryParts | null {
  return (stats as Partial<FullBlockStats>).dictionary ?? null;
}

/**
 * Reads a DICT payload as dictionary + codes without expanding it (for dictionary-code scans).
 * `codes` receives the codes when given (else they get an array of `env.alloc`); `check` = false
 * leaves checking that every code is below the dictionary's size to the caller.
 */
export function decodeDictionaryParts(r: ByteReader, n: number, layout: ColumnLayout, env: CodecEnv, codes = env.alloc.int32(n), check = true): DictionaryParts {
  const size = r.u32();
  if (size > n || (size === 0 && n > 0)) throw dataCorrupted(`bad dictionary size ${size} for ${n} rows`);
  const s = readPacked(r, n);
  if (s.width > 32) throw dataCorrupted('dictionary code width');
  unpackToInt32(s, 0, codes);
  // String entries outlive the row group: columns passed through keep them (codes are copied).
  const dict = env.decodeSub(r, size, layout, layout.kind === 'string');
  if (check) {
    let bad = 0;
    for (let i = 0; i < n; i++) bad |= codes[i]! | (size - 1 - codes[i]!);
    if (bad < 0) throw dataCorrupted('dictionary code out of range');
  }
  return { dict, codes };
}

/** Scratch codes for expanding decodes (the codes die with the call). */
const NO_CODES = new Int32Array(0);
let scratchCodes = NO_CODES;

/**
 * out[i] = dict[codes[i]] for a number dictionary, checking every code is in range on the way:
 * one pass, monomorphic (a Float64Array or an Int32Array pair of source and target).
 */
function expandF64(dict: Float64Array, codes: Int32Array, n: number, out: Float64Array): void {
  const last = dict.length - 1;
  let bad = 0;
  for (let i = 0; i < n; i++) { const c = codes[i]!; bad |= c | (last - c); out[i] = dict[c]!; }
  if (bad < 0) throw dataCorrupted('dictionary code out of range');
}

function expandI32(dict: Int32Array, codes: Int32Array, n: number, out: Int32Array): void {
  const last = dict.length - 1;
  let bad = 0;
  for (let i = 0; i < n; i++) { const c = codes[i]!; bad |= c | (last - c); out[i] = dict[c]!; }
  if (bad < 0) throw dataCorrupted('dictionary code out of range');
}

/** The DICT codec. */
export const DictEncoding: BlockCodec = {
  id: EncodingId.DICT,

  applies(_v: Vector, stats: BlockStats): boolean {
    return partsOf(stats) !== null;
  },

  estimate(_v: Vector, stats: BlockStats, layout: ColumnLayout): number {
    const p = partsOf(stats);
    if (p === null) return Infinity;
    const d = p.dict.length;
    let dictBytes = stats.distinctBytes + packedSize(d, 16);
    if (stats.intDomain !== null) dictBytes = 24 + packedSize(d, bitWidth(stats.intDomain.maxOffset) - Math.max(0, Math.floor(Math.log2(d)) - 1));
    else if (layout.float4) dictBytes = d * 4;
    return 8 + packedSize(stats.n, bitWidth(d - 1)) + dictBytes;
  },

  encode(_v: Vector, stats: BlockStats, layout: ColumnLayout, w: ByteWriter, env: CodecEnv): void {
    const p = partsOf(stats);
    if (p === null) throw dataCorrupted('DICT without a dictionary');
    w.u32(p.dict.length);
    writePacked(w, p.codes, stats.n, bitWidth(p.dict.length - 1));
    env.encodeSub(p.dict, layout, w);
  },

  decode(r: ByteReader, n: number, layout: ColumnLayout, env: CodecEnv): Vector {
    // Taken while in use, so a (corrupt) dictionary nested in a dictionary gets its own.
    const codes = scratchCodes.length >= n ? scratchCodes : new Int32Array(Math.max(n, 65536));
    scratchCodes = NO_CODES;
    const { dict } = decodeDictionaryParts(r, n, layout, env, codes, false);
    scratchCodes = codes;
    if (dict.nulls === null && (dict.kind === 'decimal' || dict.kind === 'float64')) {
      const values = env.alloc.float64(n);
      expandF64(dict.values, codes, n, values);
      return dict.kind === 'decimal' ? { kind: 'decimal', length: n, nulls: null, values, scale: dict.scale } : { kind: 'float64', length: n, nulls: null, values };
    }
    if (dict.nulls === null && dict.kind === 'int32') {
      const values = env.alloc.int32(n);
      expandI32(dict.values, codes, n, values);
      return { kind: 'int32', length: n, nulls: null, values };
    }
    const size = dict.length;
    for (let i = 0; i < n; i++) if (codes[i]! >= size || codes[i]! < 0) throw dataCorrupted('dictionary code out of range');
    return gatherVector(dict, codes.subarray(0, n), n, env.alloc);
  },
};
