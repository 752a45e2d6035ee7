// What a block codec is: the encoding ids written in block headers and the encode/decode interface.
import type { Vector } from '../../compute/batch/vector.ts';
import type { ByteWriter } from '../io/byte-writer.ts';
import type { ByteReader } from '../io/byte-reader.ts';
import type { ColumnLayout } from '../column-kind.ts';
import type { IntDomain } from './int-domain.ts';
import type { VectorAllocator } from '../vector-allocator.ts';

/** Encoding ids as stored in block headers (one byte). Never renumber: files on disk carry them. */
export const EncodingId = {
  RAW: 0,
  DICT: 1,
  RLE: 2,
  DELTA: 3,
  FOR: 4,
  NUMERIC_PARTS: 5,
  /** Every row of the block is NULL: no values section at all. */
  ALL_NULL: 6,
} as const;

/** One of {@link EncodingId}. */
export type EncodingIdValue = (typeof EncodingId)[keyof typeof EncodingId];

/** The name each encoding has in stv_blocklist and the docs. */
export const ENCODING_NAMES: Record<EncodingIdValue, string> = {
  0: 'raw', 1: 'dict', 2: 'rle', 3: 'delta', 4: 'for', 5: 'numeric_parts', 6: 'all_null',
};

/** Facts about a block gathered once and shared by every codec's applicability check and size estimate. */
export interface BlockStats {
  readonly n: number;
  /** Integer view (base + offsets) or null when the kind or range does not allow one. */
  readonly intDomain: IntDomain | null;
  /** Number of runs of equal adjacent values. */
  readonly runs: number;
  readonly maxRunLength: number;
  /** Distinct values, or −1 when more than the counting cap. */
  readonly distinct: number;
  /** Bytes the distinct values take raw (strings: their byte length; others: width × count). */
  readonly distinctBytes: number;
  /** Min and max of v[i] − v[i−1] in the integer domain (NaN without one, or a spread ≥ 2^53). */
  readonly minDelta: number;
  readonly maxDelta: number;
}

/** Lets a codec encode a nested vector (dictionary values, run values) with the best codec for it. */
export interface CodecEnv {
  /** Where decoders take output and scratch arrays from. */
  readonly alloc: VectorAllocator;
  /** Decoded vectors must not be views of the input bytes (they outlive the block's buffer). */
  readonly ownBytes: boolean;
  encodeSub(v: Vector, layout: ColumnLayout, w: ByteWriter): void;
  /**
   * Decodes a nested block. `persistent`: into fresh arrays even when `alloc` recycles, for values
   * a decoded vector shares beyond its row group (a dictionary's string entries, which pass-through
   * string columns keep referring to after the scan moved on).
   */
  decodeSub(r: ByteReader, n: number, layout: ColumnLayout, persistent?: boolean): Vector;
}

/** One encoding of a block's non-NULL-aware values (NULL slots hold placeholders). */
export interface BlockCodec {
  readonly id: EncodingIdValue;
  /** Whether the codec can represent this block exactly. */
  applies(v: Vector, stats: BlockStats): boolean;
  /** Estimated payload bytes, for choosing without encoding every candidate. */
  estimate(v: Vector, stats: BlockStats, layout: ColumnLayout): number;
  encode(v: Vector, stats: BlockStats, layout: ColumnLayout, w: ByteWriter, env: CodecEnv): void;
  /** Decodes `n` values; throws XX001 on malformed input. */
  decode(r: ByteReader, n: number, layout: ColumnLayout, env: CodecEnv): Vector;
}
