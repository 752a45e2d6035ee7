// Delete vectors: the sorted row numbers deleted from one segment, kept in their own immutable
// file beside it (a new file per change) so segments never change after they are written.
//
// File: "CLNDEL01" | u32 segment id | u32 count | u32 row numbers, ascending | u32 CRC-32C of all before.
import { open, readFile } from 'node:fs/promises';
import { crc32c } from './io/crc32c.ts';
import { dataCorrupted } from '../common/errors/index.ts';

const MAGIC = 'CLNDEL01';
const enc = new TextEncoder();
const dec = new TextDecoder();

/** Serializes a delete vector. */
export function encodeDeleteVector(segmentId: number, rows: Uint32Array): Uint8Array {
  const out = new Uint8Array(16 + rows.length * 4 + 4);
  out.set(enc.encode(MAGIC));
  const dv = new DataView(out.buffer);
  dv.setUint32(8, segmentId, true);
  dv.setUint32(12, rows.length, true);
  for (let i = 0; i < rows.length; i++) dv.setUint32(16 + i * 4, rows[i]!, true);
  dv.setUint32(out.length - 4, crc32c(out, 0, out.length - 4), true);
  return out;
}

/** Parses and verifies a delete vector for `segmentId` with `segmentRows` rows. */
export function decodeDeleteVector(bytes: Uint8Array, segmentId: number, segmentRows: number): Uint32Array {
  if (bytes.length < 20 || dec.decode(bytes.subarray(0, 8)) !== MAGIC) throw dataCorrupted('bad delete vector');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const count = dv.getUint32(12, true);
  if (bytes.length !== 20 + count * 4) throw dataCorrupted('delete vector length');
  if (crc32c(bytes, 0, bytes.length - 4) !== dv.getUint32(bytes.length - 4, true)) throw dataCorrupted('delete vector checksum mismatch');
  if (dv.getUint32(8, true) !== segmentId) throw dataCorrupted('delete vector belongs to another segment');
  const rows = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    const r = dv.getUint32(16 + i * 4, true);
    if (r >= segmentRows || (i > 0 && r <= rows[i - 1]!)) throw dataCorrupted('delete vector rows out of order or range');
    rows[i] = r;
  }
  return rows;
}

/** Writes a delete vector file (not yet fsynced; the transaction's prepare syncs it). */
export async function writeDeleteVector(path: string, segmentId: number, rows: Uint32Array): Promise<void> {
  const fh = await open(path, 'wx');
  try { await fh.writeFile(encodeDeleteVector(segmentId, rows)); } finally { await fh.close(); }
}

/** Reads a delete vector file. */
export async function readDeleteVector(path: string, segmentId: number, segmentRows: number): Promise<Uint32Array> {
  return decodeDeleteVector(await readFile(path), segmentId, segmentRows);
}

/** The sorted union of two sorted row lists without duplicates. */
export function mergeRowSets(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length + b.length);
  let i = 0, j = 0, k = 0;
  while (i < a.length || j < b.length) {
    let v: number;
    if (j >= b.length || (i < a.length && a[i]! < b[j]!)) v = a[i++]!;
    else if (i >= a.length || b[j]! < a[i]!) v = b[j++]!;
    else { v = a[i++]!; j++; }
    out[k++] = v;
  }
  return out.subarray(0, k);
}

/** Sorts and de-duplicates row numbers. */
export function normalizeRows(rows: ArrayLike<number>): Uint32Array {
  const s = Uint32Array.from(rows).sort();
  let k = 0;
  for (let i = 0; i < s.length; i++) if (i === 0 || s[i] !== s[k - 1]) s[k++] = s[i]!;
  return s.slice(0, k);
}
