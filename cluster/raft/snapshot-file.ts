// On-disk format of a Raft snapshot: magic, version, CRC32, JSON metadata, then the state machine's bytes.
//
// Layout (big-endian): ["RSNP"][u32 version = 1][u32 CRC32 of everything after it][u32 meta length]
//                      [meta JSON: {index, term, config}][data]
import { crc32 } from 'node:zlib';
import { dataCorrupted } from '../../common/errors/index.ts';
import { parseConfig, type Snapshot } from './raft-types.ts';

const MAGIC = 0x52534e50; // "RSNP"
const VERSION = 1;
const HEADER_BYTES = 16;

/** Serialises a snapshot into one buffer (written with an atomic replace). */
export function encodeSnapshotFile(snap: Snapshot): Buffer {
  const meta = Buffer.from(JSON.stringify({ index: snap.meta.index, term: snap.meta.term, config: snap.meta.config }), 'utf8');
  const out = Buffer.allocUnsafe(HEADER_BYTES + meta.length + snap.data.length);
  out.writeUInt32BE(MAGIC, 0);
  out.writeUInt32BE(VERSION, 4);
  out.writeUInt32BE(meta.length, 12);
  meta.copy(out, HEADER_BYTES);
  out.set(snap.data, HEADER_BYTES + meta.length);
  out.writeUInt32BE(crc32(out.subarray(12)), 8);
  return out;
}

/** Parses and verifies {@link encodeSnapshotFile}'s bytes; throws XX001 on any damage. */
export function decodeSnapshotFile(buf: Buffer, path: string): Snapshot {
  if (buf.length < HEADER_BYTES || buf.readUInt32BE(0) !== MAGIC) throw dataCorrupted(`${path} is not a Raft snapshot`);
  if (buf.readUInt32BE(4) !== VERSION) throw dataCorrupted(`${path} has unsupported version ${buf.readUInt32BE(4)}`);
  if (crc32(buf.subarray(12)) !== buf.readUInt32BE(8)) throw dataCorrupted(`${path} fails its checksum`);
  const metaLen = buf.readUInt32BE(12);
  if (HEADER_BYTES + metaLen > buf.length) throw dataCorrupted(`${path} has a bad metadata length`);
  const raw: unknown = JSON.parse(buf.subarray(HEADER_BYTES, HEADER_BYTES + metaLen).toString('utf8'));
  if (typeof raw !== 'object' || raw === null) throw dataCorrupted(`${path} has malformed metadata`);
  const { index, term, config } = raw as { index?: unknown; term?: unknown; config?: unknown };
  if (typeof index !== 'number' || typeof term !== 'number') throw dataCorrupted(`${path} has malformed metadata`);
  return { meta: { index, term, config: parseConfig(config) }, data: new Uint8Array(buf.subarray(HEADER_BYTES + metaLen)) };
}
