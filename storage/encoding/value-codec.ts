// Encodes and decodes a block's values section: picks the codec (by estimated size, or forced),
// adds LZ4 on top where it pays, and handles nested sub-blocks (dictionary and run values).
//
// Sub-block layout (8-aligned): u8 encoding | u8 0 | u16 0 | u32 payload length | payload.
import type { Vector } from '../../compute/batch/vector.ts';
import { ByteWriter } from '../io/byte-writer.ts';
import { ByteReader } from '../io/byte-reader.ts';
import type { ColumnLayout } from '../column-kind.ts';
import { dataCorrupted } from '../../common/errors/index.ts';
import { CODECS, CANDIDATES } from './index.ts';
import { EncodingId, type BlockCodec, type CodecEnv, type EncodingIdValue } from './codec.ts';
import { computeBlockStats, type FullBlockStats } from './block-stats.ts';
import { lz4Compress, lz4Decompress } from './lz4.ts';
import type { EncodingPolicy } from './encoding-policy.ts';
import { FRESH_ALLOCATOR, type VectorAllocator } from '../vector-allocator.ts';

/** LZ4 is kept only if it saves at least this fraction of the plain values section. */
const LZ4_MIN_SAVING = 0.125;
/** Sections smaller than this are not worth an LZ4 attempt. */
const LZ4_MIN_BYTES = 256;
/** Nested sub-blocks deeper than this use only single-pass codecs, which bounds recursion. */
const MAX_NESTED_DEPTH = 1;

/** An encoded values section. */
export interface EncodedValues {
  readonly encoding: EncodingIdValue;
  readonly lz4: boolean;
  /** The stored bytes (LZ4-compressed when lz4). */
  readonly bytes: Uint8Array;
  /** Length of the section before LZ4 (equal to bytes.length without it). */
  readonly plainLength: number;
}

function pickCodec(v: Vector, stats: FullBlockStats, layout: ColumnLayout, depth: number): BlockCodec {
  let best: BlockCodec | null = null;
  let bestSize = Infinity;
  for (const c of CANDIDATES[v.kind]) {
    if (depth > MAX_NESTED_DEPTH && (c.id === EncodingId.DICT || c.id === EncodingId.RLE)) continue;
    if (!c.applies(v, stats)) continue;
    const size = c.estimate(v, stats, layout);
    if (size < bestSize) { best = c; bestSize = size; }
  }
  if (best === null) throw dataCorrupted(`no codec can hold a ${v.kind} block`);
  return best;
}

/** The environment codecs use for nested values, one level deeper. */
function envAt(depth: number, alloc: VectorAllocator, ownBytes = false): CodecEnv {
  return {
    alloc,
    ownBytes,
    encodeSub(v: Vector, layout: ColumnLayout, w: ByteWriter): void {
      const stats = computeBlockStats(v);
      const codec = pickCodec(v, stats, layout, depth + 1);
      w.align(8);
      w.u8(codec.id); w.u8(0); w.u16(0);
      const lenPos = w.length;
      w.u32(0);
      const start = w.length;
      codec.encode(v, stats, layout, w, envAt(depth + 1, FRESH_ALLOCATOR));
      w.align(8);
      w.patchU32(lenPos, w.length - start);
    },
    decodeSub(r: ByteReader, n: number, layout: ColumnLayout, persistent = false): Vector {
      r.align(8);
      const id = r.u8();
      r.u8(); r.u16();
      const len = r.u32();
      const codec = codecById(id);
      const end = r.pos + len;
      if (end > r.end) throw dataCorrupted('sub-block overruns its block');
      const sub = new ByteReader(r.bytes, r.pos, end);
      const v = codec.decode(sub, n, layout, persistent ? envAt(depth + 1, FRESH_ALLOCATOR, true) : envAt(depth + 1, alloc, ownBytes));
      r.pos = end;
      return v;
    },
  };
}

const TOP_ENV = envAt(0, FRESH_ALLOCATOR);

/** The top-level decoding environment for an allocator. */
export function codecEnvFor(alloc: VectorAllocator): CodecEnv {
  return alloc === FRESH_ALLOCATOR ? TOP_ENV : envAt(0, alloc);
}

/** The codec for a stored encoding id; throws XX001 for an unknown one. */
export function codecById(id: number): BlockCodec {
  const c = (CODECS as Record<number, BlockCodec | null | undefined>)[id];
  if (c === undefined || c === null) throw dataCorrupted(`unknown block encoding ${id}`);
  return c;
}

function encodeWith(codec: BlockCodec, v: Vector, stats: FullBlockStats, layout: ColumnLayout): Uint8Array {
  const w = new ByteWriter(1024 + v.length * 2);
  codec.encode(v, stats, layout, w, TOP_ENV);
  w.align(8);
  return w.finish();
}

function maybeLz4(encoding: EncodingIdValue, plain: Uint8Array, force: boolean): EncodedValues {
  if (force || plain.length >= LZ4_MIN_BYTES) {
    const packed = lz4Compress(plain);
    if (force || packed.length <= plain.length * (1 - LZ4_MIN_SAVING)) {
      return { encoding, lz4: true, bytes: packed, plainLength: plain.length };
    }
  }
  return { encoding, lz4: false, bytes: plain, plainLength: plain.length };
}

/**
 * Encodes a block's values (NULL slots already hold placeholders) under the policy.
 * Automatic: the candidate with the smallest estimate, then LZ4 if it saves ≥ 12.5%; strings and
 * floats also try RAW+LZ4 and keep whichever is smaller on disk.
 */
export function encodeValues(v: Vector, layout: ColumnLayout, policy: EncodingPolicy): EncodedValues {
  const stats = computeBlockStats(v);
  if (policy.kind === 'forced') {
    const forced = CODECS[policy.encoding];
    if (forced !== null && forced.applies(v, stats)) {
      const plain = encodeWith(forced, v, stats, layout);
      return policy.lz4 ? maybeLz4(forced.id, plain, true) : { encoding: forced.id, lz4: false, bytes: plain, plainLength: plain.length };
    }
  }
  const codec = pickCodec(v, stats, layout, 0);
  const best = maybeLz4(codec.id, encodeWith(codec, v, stats, layout), false);
  if ((v.kind === 'string' || v.kind === 'float64') && codec.id !== EncodingId.RAW) {
    const raw = CODECS[EncodingId.RAW]!;
    const alt = maybeLz4(EncodingId.RAW, encodeWith(raw, v, stats, layout), false);
    if (alt.bytes.length < best.bytes.length) return alt;
  }
  return best;
}

/** Turns a stored values section back into plain codec bytes (undoing LZ4). */
export function plainSection(stored: Uint8Array, lz4: boolean, plainLength: number): Uint8Array {
  if (!lz4) {
    if (stored.length !== plainLength) throw dataCorrupted('values section length mismatch');
    return stored;
  }
  return lz4Decompress(stored, plainLength);
}

/** Decodes `n` values from a plain (non-LZ4) values section. */
export function decodeValues(plain: Uint8Array, encoding: number, n: number, layout: ColumnLayout, alloc: VectorAllocator = FRESH_ALLOCATOR): Vector {
  const codec = codecById(encoding);
  const r = new ByteReader(plain);
  const v = codec.decode(r, n, layout, codecEnvFor(alloc));
  if (v.length !== n) throw dataCorrupted(`block decoded to ${v.length} values, expected ${n}`);
  return v;
}

/** The environment top-level codecs decode with (for callers that drive a codec directly). */
export const topLevelCodecEnv: CodecEnv = TOP_ENV;
