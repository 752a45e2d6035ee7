// On-disk framing of one Raft log entry: length prefix, CRC32, then the entry.
//
// Record layout (big-endian):
//   [u32 payload length][u32 CRC32 of payload][payload]
//   payload = [u8 entry type][u48 index][u48 term][data bytes]
import { crc32 } from 'node:zlib';
import type { EntryTypeCode, LogEntry } from './raft-types.ts';

/** Bytes before the payload. */
export const RECORD_HEADER_BYTES = 8;
/** Payload bytes before the entry's data. */
const PAYLOAD_FIXED_BYTES = 13;
/** A length beyond this is garbage, not an entry. */
export const MAX_RECORD_PAYLOAD = 256 * 1024 * 1024;

/** Size of an entry's record on disk. */
export function recordBytes(e: LogEntry): number {
  return RECORD_HEADER_BYTES + PAYLOAD_FIXED_BYTES + e.data.length;
}

/** Encodes entries as consecutive records into one buffer. */
export function encodeRecords(entries: readonly LogEntry[]): Buffer {
  let total = 0;
  for (const e of entries) total += RECORD_HEADER_BYTES + PAYLOAD_FIXED_BYTES + e.data.length;
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const e of entries) {
    const len = PAYLOAD_FIXED_BYTES + e.data.length;
    const p = at + RECORD_HEADER_BYTES;
    out.writeUInt8(e.type, p);
    out.writeUIntBE(e.index, p + 1, 6);
    out.writeUIntBE(e.term, p + 7, 6);
    out.set(e.data, p + PAYLOAD_FIXED_BYTES);
    out.writeUInt32BE(len, at);
    out.writeUInt32BE(crc32(out.subarray(p, p + len)), at + 4);
    at = p + len;
  }
  return out;
}

/** What a scan of a segment found. */
export interface ScanResult {
  readonly entries: LogEntry[];
  /** Byte offset of each entry's record. */
  readonly offsets: number[];
  /** Bytes of valid records from the start. */
  readonly validBytes: number;
  /** Why the scan stopped before the end, or null if every byte was a valid record. */
  readonly problem: string | null;
}

/**
 * Parses records until the end or the first bad one (short header, impossible length,
 * payload past the end, CRC mismatch, or an index that does not continue the sequence).
 * `firstIndex` is the index the first record must carry.
 */
export function scanRecords(buf: Buffer, firstIndex: number): ScanResult {
  const entries: LogEntry[] = [];
  const offsets: number[] = [];
  let at = 0;
  let problem: string | null = null;
  while (at < buf.length) {
    if (buf.length - at < RECORD_HEADER_BYTES) {
      problem = 'truncated record header';
      break;
    }
    const len = buf.readUInt32BE(at);
    if (len < PAYLOAD_FIXED_BYTES || len > MAX_RECORD_PAYLOAD) {
      problem = `impossible record length ${len}`;
      break;
    }
    const p = at + RECORD_HEADER_BYTES;
    if (p + len > buf.length) {
      problem = 'truncated record payload';
      break;
    }
    const payload = buf.subarray(p, p + len);
    if (crc32(payload) !== buf.readUInt32BE(at + 4)) {
      problem = 'record checksum mismatch';
      break;
    }
    const index = payload.readUIntBE(1, 6);
    const expected = firstIndex + entries.length;
    if (index !== expected) {
      problem = `record holds index ${index} where ${expected} was expected`;
      break;
    }
    const type = payload.readUInt8(0);
    if (type > 3) {
      problem = `unknown entry type ${type}`;
      break;
    }
    // Copy the data out so entries do not pin the whole segment buffer.
    entries.push({ index, term: payload.readUIntBE(7, 6), type: type as EntryTypeCode, data: new Uint8Array(payload.subarray(PAYLOAD_FIXED_BYTES)) });
    offsets.push(at);
    at = p + len;
  }
  return { entries, offsets, validBytes: at, problem };
}
