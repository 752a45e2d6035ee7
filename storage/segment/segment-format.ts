// Segment file layout: file header, blocks, footer (metadata + block directory) and trailer.
//
//   0   "CLNSEG01" | u32 format version | u32 CRC-32C of the previous 12 bytes        (16 bytes)
//   16  blocks, row group by row group, column by column; each 8-aligned:
//       block header (block-header.ts) + payload (block-codec.ts)
//   F   footer: u32 metadata JSON length | JSON (SegmentMeta) | zero pad to 8 |
//       u32 block count | u32 0 | per block: u64 file offset + a copy of its header
//   end trailer (32 bytes): u64 footer offset | u32 footer length | u32 footer CRC-32C |
//       u32 format version | u32 CRC-32C of these 20 bytes | "CLNSEGZ1"
//
// A segment is self-describing (schema, table and segment id in the footer) and verifiable alone.
import type { SqlType } from '../../sql/types/sql-type.ts';
import { ByteWriter } from '../io/byte-writer.ts';
import { ByteReader } from '../io/byte-reader.ts';
import { crc32c } from '../io/crc32c.ts';
import { dataCorrupted } from '../../common/errors/index.ts';
import { decodeBlockHeader, type BlockHeader } from './block-header.ts';

/** Current segment format version. */
export const SEGMENT_FORMAT_VERSION = 1;
/** File header magic. */
export const SEGMENT_MAGIC = 'CLNSEG01';
/** Trailer magic. */
export const TRAILER_MAGIC = 'CLNSEGZ1';
export const FILE_HEADER_LENGTH = 16;
export const TRAILER_LENGTH = 32;

/** Segment-level metadata kept as JSON in the footer. */
export interface SegmentMeta {
  readonly formatVersion: number;
  readonly tableId: number;
  readonly segmentId: number;
  readonly rowCount: number;
  /** Rows per row group (every column's blocks cut at the same rows); the last may be shorter. */
  readonly blockRows: number;
  readonly rowGroups: number;
  readonly columns: readonly { readonly name: string; readonly type: SqlType }[];
  /** Segment column indexes the rows are ordered by. */
  readonly sortKey: readonly number[];
  readonly sortStyle: 'compound' | 'interleaved';
}

/** One block as listed in the footer. */
export interface BlockEntry {
  readonly offset: number;
  readonly header: BlockHeader;
  /** The header exactly as stored (a read block must match it). */
  readonly headerBytes: Uint8Array;
}

/** A parsed footer; blocks[rowGroup * columns + column]. */
export interface SegmentFooter {
  readonly meta: SegmentMeta;
  readonly blocks: readonly BlockEntry[];
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** The 16-byte file header. */
export function encodeFileHeader(): Uint8Array {
  const out = new Uint8Array(FILE_HEADER_LENGTH);
  out.set(enc.encode(SEGMENT_MAGIC));
  const dv = new DataView(out.buffer);
  dv.setUint32(8, SEGMENT_FORMAT_VERSION, true);
  dv.setUint32(12, crc32c(out, 0, 12), true);
  return out;
}

/** Verifies a file header. */
export function checkFileHeader(bytes: Uint8Array): void {
  if (bytes.length < FILE_HEADER_LENGTH || dec.decode(bytes.subarray(0, 8)) !== SEGMENT_MAGIC) throw dataCorrupted('not a segment file');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, FILE_HEADER_LENGTH);
  if (crc32c(bytes, 0, 12) !== dv.getUint32(12, true)) throw dataCorrupted('segment file header checksum mismatch');
  if (dv.getUint32(8, true) !== SEGMENT_FORMAT_VERSION) throw dataCorrupted(`unsupported segment format version ${dv.getUint32(8, true)}`);
}

/** Serializes footer + trailer, given the footer's file offset. */
export function encodeFooter(meta: SegmentMeta, blocks: readonly BlockEntry[], footerOffset: number): Uint8Array {
  const w = new ByteWriter(4096 + blocks.length * 96);
  const json = enc.encode(JSON.stringify(meta));
  w.u32(json.length);
  w.bytes(json);
  w.align(8);
  w.u32(blocks.length);
  w.u32(0);
  for (const b of blocks) { w.u64(b.offset); w.bytes(b.headerBytes); }
  const footerLength = w.length;
  const footerCrc = crc32c(w.view8(), 0, footerLength);
  const t = w.length;
  w.u64(footerOffset);
  w.u32(footerLength);
  w.u32(footerCrc);
  w.u32(SEGMENT_FORMAT_VERSION);
  w.u32(crc32c(w.view8(), t, t + 20));
  w.bytes(enc.encode(TRAILER_MAGIC));
  return w.finish();
}

/** Parses the trailer: where the footer is and its checksum. */
export function decodeTrailer(bytes: Uint8Array, fileSize: number): { footerOffset: number; footerLength: number; footerCrc: number } {
  if (bytes.length !== TRAILER_LENGTH || dec.decode(bytes.subarray(24, 32)) !== TRAILER_MAGIC) throw dataCorrupted('segment trailer missing (file truncated?)');
  if (crc32c(bytes, 0, 20) !== new DataView(bytes.buffer, bytes.byteOffset, 32).getUint32(20, true)) throw dataCorrupted('segment trailer checksum mismatch');
  const r = new ByteReader(bytes);
  const footerOffset = r.u64();
  const footerLength = r.u32();
  const footerCrc = r.u32();
  const version = r.u32();
  if (version !== SEGMENT_FORMAT_VERSION) throw dataCorrupted(`unsupported segment format version ${version}`);
  if (footerOffset < FILE_HEADER_LENGTH || footerOffset + footerLength + TRAILER_LENGTH !== fileSize) throw dataCorrupted('segment footer location out of range');
  return { footerOffset, footerLength, footerCrc };
}

function narrowMeta(x: unknown): SegmentMeta {
  const m = x as Partial<SegmentMeta> | null;
  if (m === null || typeof m !== 'object' || typeof m.tableId !== 'number' || typeof m.segmentId !== 'number'
    || typeof m.rowCount !== 'number' || typeof m.blockRows !== 'number' || typeof m.rowGroups !== 'number'
    || !Array.isArray(m.columns) || !Array.isArray(m.sortKey) || m.formatVersion !== SEGMENT_FORMAT_VERSION) {
    throw dataCorrupted('segment metadata malformed');
  }
  return m as SegmentMeta;
}

/** Parses and verifies a footer. */
export function decodeFooter(bytes: Uint8Array, footerOffset: number, expectedCrc: number): SegmentFooter {
  if (crc32c(bytes) !== expectedCrc) throw dataCorrupted('segment footer checksum mismatch');
  const r = new ByteReader(bytes);
  const jsonLen = r.u32();
  let meta: SegmentMeta;
  try {
    meta = narrowMeta(JSON.parse(dec.decode(r.bytesView(jsonLen))));
  } catch (err) {
    throw dataCorrupted(`segment metadata unreadable: ${err instanceof Error ? err.message : String(err)}`);
  }
  r.align(8);
  const count = r.u32();
  r.u32();
  if (count !== meta.rowGroups * meta.columns.length) throw dataCorrupted('segment block count does not match its metadata');
  const blocks: BlockEntry[] = [];
  for (let i = 0; i < count; i++) {
    const offset = r.u64();
    const header = decodeBlockHeader(bytes, r.pos);
    const headerBytes = bytes.slice(r.pos, r.pos + header.headerLength);
    r.pos += header.headerLength;
    if (offset < FILE_HEADER_LENGTH || offset + header.headerLength + header.storedBytes > footerOffset) throw dataCorrupted('block offset out of range');
    const expectColumn = i % meta.columns.length;
    if (header.column !== expectColumn || header.blockIndex !== Math.floor(i / meta.columns.length)) throw dataCorrupted('block directory out of order');
    blocks.push({ offset, header, headerBytes });
  }
  return { meta, blocks };
}
