// The binary header in front of every block (and copied into the segment footer): what the block
// holds, how it is encoded, its sizes, zone map and checksums.
//
// Layout (little-endian, total length a multiple of 8):
//   0  u32 magic "CBK1"          4  u16 column index      6  u8 kind code     7  u8 encoding id
//   8  u8 flags (1 LZ4, 2 NULL bitmap, 4 min/max present, 8 max unbounded)   9  u8 0
//   10 u16 zone section length   12 u32 block index (row group number)
//   16 u32 value count           20 u32 NULL count        24 u32 raw (decoded) bytes
//   28 u32 stored payload bytes  32 u32 values section length before LZ4
//   36 u32 CRC-32C of the payload                         40 zone section (zone-map.ts), zero padding
//   last 4 bytes: u32 CRC-32C of every header byte before it
import { crc32c } from '../io/crc32c.ts';
import { dataCorrupted } from '../../common/errors/index.ts';

/** "CBK1" read as a little-endian u32. */
export const BLOCK_MAGIC = 0x314b4243;

/** Header flag bits. */
export const BlockFlag = { LZ4: 1, NULL_BITMAP: 2, HAS_MIN_MAX: 4, MAX_UNBOUNDED: 8 } as const;

/** A decoded block header. */
export interface BlockHeader {
  readonly column: number;
  readonly kindCode: number;
  readonly encoding: number;
  readonly flags: number;
  readonly blockIndex: number;
  readonly valueCount: number;
  readonly nullCount: number;
  readonly rawBytes: number;
  readonly storedBytes: number;
  readonly plainLength: number;
  readonly payloadCrc: number;
  readonly zoneBytes: Uint8Array;
  /** Bytes the header takes on disk. */
  readonly headerLength: number;
}

/** Header length for a zone section of `zoneLength` bytes. */
export function blockHeaderLength(zoneLength: number): number {
  return (40 + zoneLength + 4 + 7) & ~7;
}

/** Serializes a header (computing its length and CRC). */
export function encodeBlockHeader(h: Omit<BlockHeader, 'headerLength'>): Uint8Array {
  const len = blockHeaderLength(h.zoneBytes.length);
  const out = new Uint8Array(len);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, BLOCK_MAGIC, true);
  dv.setUint16(4, h.column, true);
  dv.setUint8(6, h.kindCode);
  dv.setUint8(7, h.encoding);
  dv.setUint8(8, h.flags);
  dv.setUint16(10, h.zoneBytes.length, true);
  dv.setUint32(12, h.blockIndex, true);
  dv.setUint32(16, h.valueCount, true);
  dv.setUint32(20, h.nullCount, true);
  dv.setUint32(24, h.rawBytes, true);
  dv.setUint32(28, h.storedBytes, true);
  dv.setUint32(32, h.plainLength, true);
  dv.setUint32(36, h.payloadCrc, true);
  out.set(h.zoneBytes, 40);
  dv.setUint32(len - 4, crc32c(out, 0, len - 4), true);
  return out;
}

/** Parses and verifies a header at bytes[offset]; throws XX001 on a bad magic, length or CRC. */
export function decodeBlockHeader(bytes: Uint8Array, offset = 0): BlockHeader {
  if (offset + 48 > bytes.length) throw dataCorrupted('block header truncated');
  const dv = new DataView(bytes.buffer, bytes.byteOffset + offset, bytes.length - offset);
  if (dv.getUint32(0, true) !== BLOCK_MAGIC) throw dataCorrupted('bad block header magic');
  const zoneLen = dv.getUint16(10, true);
  const len = blockHeaderLength(zoneLen);
  if (offset + len > bytes.length) throw dataCorrupted('block header truncated');
  if (crc32c(bytes, offset, offset + len - 4) !== dv.getUint32(len - 4, true)) throw dataCorrupted('block header checksum mismatch');
  return {
    column: dv.getUint16(4, true),
    kindCode: dv.getUint8(6),
    encoding: dv.getUint8(7),
    flags: dv.getUint8(8),
    blockIndex: dv.getUint32(12, true),
    valueCount: dv.getUint32(16, true),
    nullCount: dv.getUint32(20, true),
    rawBytes: dv.getUint32(24, true),
    storedBytes: dv.getUint32(28, true),
    plainLength: dv.getUint32(32, true),
    payloadCrc: dv.getUint32(36, true),
    zoneBytes: bytes.slice(offset + 40, offset + 40 + zoneLen),
    headerLength: len,
  };
}
