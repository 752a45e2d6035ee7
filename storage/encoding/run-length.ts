// RLE: runs of equal adjacent values as (value, length) pairs; for sorted low-cardinality columns
// (a sorted date, a status flag) a 64K-row block shrinks to a few hundred bytes.
//
// Payload: u32 runCount | packed (length − 1) per run | sub-block of the run values.
import type { Vector } from '../../compute/batch/vector.ts';
import type { ByteWriter } from '../io/byte-writer.ts';
import type { ByteReader } from '../io/byte-reader.ts';
import type { ColumnLayout } from '../column-kind.ts';
import { EncodingId, type BlockCodec, type BlockStats, type CodecEnv } from './codec.ts';
import { bitWidth, packedSize, writePacked, readPacked, unpackToInt32 } from './bit-pack.ts';
import { DictionaryStringVector, gatherVector, zeroVector } from '../vector-ops.ts';
import { compareStringBytes } from './dictionary-builder.ts';
import { dataCorrupted } from '../../common/errors/index.ts';

/** Start row of every run. */
function runStarts(v: Vector, stats: BlockStats): Int32Array {
  const n = v.length;
  const starts = new Int32Array(stats.runs);
  if (n === 0) return starts;
  let r = 1;
  const d = stats.intDomain;
  if (d !== null) {
    const o = d.offsets;
    for (let i = 1; i < n; i++) if (o[i] !== o[i - 1]) starts[r++] = i;
  } else if (v.kind === 'float64' || v.kind === 'int64' || v.kind === 'decimal') {
    const w = new Int32Array(v.values.buffer, v.values.byteOffset, n * 2);
    for (let i = 1; i < n; i++) if (w[i * 2] !== w[i * 2 - 2] || w[i * 2 + 1] !== w[i * 2 - 1]) starts[r++] = i;
  } else if (v.kind === 'string') {
    const off = v.offsets;
    for (let i = 1; i < n; i++) if (compareStringBytes(v.bytes, off[i]!, off[i + 1]!, v.bytes, off[i - 1]!, off[i]!) !== 0) starts[r++] = i;
  } else if (v.kind === 'bigdecimal') {
    for (let i = 1; i < n; i++) if (v.values[i] !== v.values[i - 1] || v.scales[i] !== v.scales[i - 1]) starts[r++] = i;
  } else {
    const s = v.values;
    for (let i = 1; i < n; i++) if (s[i] !== s[i - 1]) starts[r++] = i;
  }
  return starts;
}

/** The RLE codec. */
export const RleEncoding: BlockCodec = {
  id: EncodingId.RLE,

  applies(v: Vector, stats: BlockStats): boolean {
    return v.length > 0 && v.kind !== 'bigdecimal';
  },

  estimate(v: Vector, stats: BlockStats, layout: ColumnLayout): number {
    const runs = stats.runs;
    let valueBytes: number;
    if (stats.intDomain !== null) valueBytes = 8 + packedSize(runs, bitWidth(stats.intDomain.maxOffset));
    else if (v.kind === 'string') valueBytes = ((v.offsets[v.length]! - v.offsets[0]!) * runs) / Math.max(1, v.length) + packedSize(runs, 16);
    else valueBytes = runs * (layout.float4 ? 4 : 8);
    return 8 + packedSize(runs, bitWidth(stats.maxRunLength - 1)) + valueBytes;
  },

  encode(v: Vector, stats: BlockStats, layout: ColumnLayout, w: ByteWriter, env: CodecEnv): void {
    const n = v.length;
    const starts = runStarts(v, stats);
    const runs = starts.length;
    const lens = new Int32Array(runs);
    for (let r = 0; r < runs; r++) lens[r] = (r + 1 < runs ? starts[r + 1]! : n) - starts[r]! - 1;
    w.u32(runs);
    writePacked(w, lens, runs, bitWidth(stats.maxRunLength - 1));
    env.encodeSub(gatherVector(v, starts, runs), layout, w);
  },

  decode(r: ByteReader, n: number, layout: ColumnLayout, env: CodecEnv): Vector {
    const runs = r.u32();
    if (runs > n || (runs === 0 && n > 0)) throw dataCorrupted(`bad RLE run count ${runs} for ${n} rows`);
    const lens = env.alloc.int32(runs);
    unpackToInt32(readPacked(r, runs), 1, lens);
    // String run values become a dictionary's entries, which outlive the row group (see DICT).
    const values = env.decodeSub(r, runs, layout, layout.kind === 'string');
    let total = 0;
    for (let i = 0; i < runs; i++) total += lens[i]!;
    if (total !== n) throw dataCorrupted(`RLE runs cover ${total} rows, block has ${n}`);
    switch (values.kind) {
      case 'int32': case 'float64': case 'decimal': case 'bool': {
        const out = zeroVector(layout, n, null, env.alloc) as typeof values;
        const o = out.values;
        const s = values.values;
        let pos = 0;
        for (let i = 0; i < runs; i++) { const l = lens[i]!; o.fill(s[i]!, pos, pos + l); pos += l; }
        return out;
      }
      default: {
        const idx = env.alloc.int32(n);
        let pos = 0;
        for (let i = 0; i < runs; i++) { const l = lens[i]!; idx.fill(i, pos, pos + l); pos += l; }
        // Strings stay codes into the run values (expanded only if something reads the bytes).
        if (values.kind === 'string' && values.nulls === null && values.dictionary === undefined) return new DictionaryStringVector(n, null, { codes: idx, entries: values });
        return gatherVector(values, idx, n, env.alloc);
      }
    }
  },
};
