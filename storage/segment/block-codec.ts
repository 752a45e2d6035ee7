// Turns one column's rows of one row group into a block (header + payload) and back.
//
// Payload: [NULL bitmap, ceil(n/8) bytes, bit i = row i is NULL, zero-padded to 8 — only when
// some but not all rows are NULL] [values section: the codec's bytes, LZ4-compressed if flagged;
// absent for ALL_NULL blocks]. NULL rows hold placeholders in the values section.
import type { Vector } from '../../compute/batch/vector.ts';
import type { ColumnLayout } from '../column-kind.ts';
import { KIND_CODE } from '../column-kind.ts';
import { crc32c } from '../io/crc32c.ts';
import { dataCorrupted } from '../../common/errors/index.ts';
import { EncodingId } from '../encoding/codec.ts';
import { encodeValues, plainSection, decodeValues, codecEnvFor } from '../encoding/value-codec.ts';
import { FRESH_ALLOCATOR, type VectorAllocator } from '../vector-allocator.ts';
import type { EncodingPolicy } from '../encoding/encoding-policy.ts';
import { decodeDictionaryParts } from '../encoding/dictionary.ts';
import { ByteReader } from '../io/byte-reader.ts';
import { computeZoneMap, encodeZoneBounds, type ZoneMap } from '../zone-map.ts';
import { fillNullPlaceholders, allNullVector, rawByteSize, DictionaryStringVector, withNulls } from '../vector-ops.ts';
import { BlockFlag, encodeBlockHeader, decodeBlockHeader, type BlockHeader } from './block-header.ts';

/** A block ready to be written. */
export interface EncodedBlock {
  readonly header: BlockHeader;
  readonly headerBytes: Uint8Array;
  readonly payload: Uint8Array;
  readonly zone: ZoneMap;
}

function bitmapOf(nulls: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(bitmapLength(n));
  for (let i = 0; i < n; i++) if (nulls[i] !== 0) out[i >>> 3]! |= 1 << (i & 7);
  return out;
}

function bitmapLength(n: number): number {
  return (((n + 7) >>> 3) + 7) & ~7;
}

/** Encodes rows of one column as a block. */
export function encodeBlock(v: Vector, layout: ColumnLayout, policy: EncodingPolicy, column: number, blockIndex: number): EncodedBlock {
  const n = v.length;
  const zone = computeZoneMap(v);
  const { bytes: zoneBytes, maxUnbounded } = encodeZoneBounds(zone, layout.kind);
  let flags = 0;
  if (zoneBytes.length > 0) flags |= BlockFlag.HAS_MIN_MAX;
  if (maxUnbounded) flags |= BlockFlag.MAX_UNBOUNDED;
  let payload: Uint8Array;
  let encoding: number;
  let plainLength = 0;
  if (n > 0 && zone.nullCount === n) {
    encoding = EncodingId.ALL_NULL;
    payload = new Uint8Array(0);
  } else {
    const vals = encodeValues(fillNullPlaceholders(v), layout, policy);
    encoding = vals.encoding;
    plainLength = vals.plainLength;
    if (vals.lz4) flags |= BlockFlag.LZ4;
    if (zone.nullCount > 0) {
      flags |= BlockFlag.NULL_BITMAP;
      const bm = bitmapOf(v.nulls!, n);
      const blen = bitmapLength(n);
      payload = new Uint8Array(blen + vals.bytes.length);
      payload.set(bm.subarray(0, blen));
      payload.set(vals.bytes, blen);
    } else {
      payload = vals.bytes;
    }
  }
  const h = {
    column, kindCode: KIND_CODE[layout.kind], encoding, flags, blockIndex,
    valueCount: n, nullCount: zone.nullCount, rawBytes: rawByteSize(v, layout.kind),
    storedBytes: payload.length, plainLength, payloadCrc: crc32c(payload), zoneBytes,
  };
  const headerBytes = encodeBlockHeader(h);
  return { header: { ...h, headerLength: headerBytes.length }, headerBytes, payload, zone };
}

/**
 * Verifies and decodes a block read from disk: `buf` holds header + payload; `expected` is the
 * footer's copy of the header, which must match byte for byte. Throws XX001 on any mismatch.
 */
export function decodeBlock(buf: Uint8Array, expected: Uint8Array, layout: ColumnLayout, stringCodes: boolean, alloc: VectorAllocator = FRESH_ALLOCATOR): Vector {
  if (buf.length < expected.length) throw dataCorrupted('block truncated');
  for (let i = 0; i < expected.length; i++) {
    if (buf[i] !== expected[i]) throw dataCorrupted('block header differs from the segment footer');
  }
  const h = decodeBlockHeader(buf, 0);
  if (h.kindCode !== KIND_CODE[layout.kind]) throw dataCorrupted(`block kind ${h.kindCode} does not match the column`);
  const payload = buf.subarray(h.headerLength, h.headerLength + h.storedBytes);
  if (payload.length !== h.storedBytes) throw dataCorrupted('block payload truncated');
  if (crc32c(payload) !== h.payloadCrc) throw dataCorrupted('block checksum mismatch');
  return decodeVerifiedPayload(h, payload, layout, stringCodes, alloc);
}

/**
 * Decodes a payload whose checksum has been verified. With `stringCodes`, a dictionary-encoded
 * string block comes as a DictionaryStringVector (codes into its entries, expanded only if read).
 */
export function decodeVerifiedPayload(h: BlockHeader, payload: Uint8Array, layout: ColumnLayout, stringCodes: boolean, alloc: VectorAllocator = FRESH_ALLOCATOR): Vector {
  const n = h.valueCount;
  if (h.encoding === EncodingId.ALL_NULL) {
    if (h.nullCount !== n) throw dataCorrupted('ALL_NULL block with non-NULL rows');
    return allNullVector(layout, n, alloc);
  }
  let nulls: Uint8Array | null = null;
  let pos = 0;
  if ((h.flags & BlockFlag.NULL_BITMAP) !== 0) {
    const blen = bitmapLength(n);
    if (payload.length < blen) throw dataCorrupted('NULL bitmap truncated');
    nulls = alloc.uint8(n);
    let count = 0;
    for (let i = 0; i < n; i++) { const b = (payload[i >>> 3]! >>> (i & 7)) & 1; nulls[i] = b; count += b; }
    if (count !== h.nullCount) throw dataCorrupted('NULL bitmap disagrees with the NULL count');
    pos = blen;
  } else if (h.nullCount !== 0) {
    throw dataCorrupted('NULL count without a NULL bitmap');
  }
  const plain = plainSection(payload.subarray(pos), (h.flags & BlockFlag.LZ4) !== 0, h.plainLength);
  if (stringCodes && h.encoding === EncodingId.DICT && layout.kind === 'string') {
    const { dict, codes } = decodeDictionaryParts(new ByteReader(plain), n, layout, codecEnvFor(alloc));
    if (dict.kind !== 'string') throw dataCorrupted('string dictionary of another kind');
    return new DictionaryStringVector(n, nulls, { codes, entries: dict });
  }
  const vector = decodeValues(plain, h.encoding, n, layout, alloc);
  return nulls === null ? vector : withNulls(vector, nulls);
}
