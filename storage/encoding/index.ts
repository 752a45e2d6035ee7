// The codec registry: encoding id → codec, and the order in which candidates are tried per kind.
import type { VectorKind } from '../../compute/batch/vector.ts';
import { EncodingId, type BlockCodec, type EncodingIdValue } from './codec.ts';
import { RawEncoding } from './raw.ts';
import { DictEncoding } from './dictionary.ts';
import { RleEncoding } from './run-length.ts';
import { DeltaEncoding } from './delta.ts';
import { ForEncoding } from './frame-of-reference.ts';
import { NumericPartsEncoding } from './numeric-parts.ts';

/** Every codec by id; ALL_NULL has no payload and so no codec. */
export const CODECS: Record<EncodingIdValue, BlockCodec | null> = {
  [EncodingId.RAW]: RawEncoding,
  [EncodingId.DICT]: DictEncoding,
  [EncodingId.RLE]: RleEncoding,
  [EncodingId.DELTA]: DeltaEncoding,
  [EncodingId.FOR]: ForEncoding,
  [EncodingId.NUMERIC_PARTS]: NumericPartsEncoding,
  [EncodingId.ALL_NULL]: null,
};

/**
 * Candidates per kind. On equal estimated size the earlier one wins, so the order is by decode
 * speed: FOR unpacks in one pass, DELTA needs a prefix sum, RLE and DICT a second expansion
 * pass, RAW last for integers because a frame almost always beats it.
 */
export const CANDIDATES: Record<VectorKind, readonly BlockCodec[]> = {
  bool: [ForEncoding, RleEncoding, RawEncoding],
  int32: [ForEncoding, DeltaEncoding, RleEncoding, DictEncoding, RawEncoding],
  int64: [ForEncoding, DeltaEncoding, RleEncoding, DictEncoding, RawEncoding],
  decimal: [ForEncoding, DeltaEncoding, RleEncoding, DictEncoding, RawEncoding],
  float64: [RawEncoding, RleEncoding, DictEncoding],
  string: [RawEncoding, DictEncoding, RleEncoding],
  bigdecimal: [NumericPartsEncoding],
};

export { EncodingId, ENCODING_NAMES } from './codec.ts';
export type { EncodingIdValue, BlockCodec } from './codec.ts';
