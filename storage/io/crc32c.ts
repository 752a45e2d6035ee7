// CRC-32C (Castagnoli): the checksum of every block, footer, manifest and delete vector.
//
// Computed by @node-rs/crc32 (SSE 4.2 / ARMv8 CRC instructions, a prebuilt N-API module: ~4 GB/s
// here against ~1 GB/s for the table-driven slice-by-8 below), which stays as the fallback where
// that module has no build, and for inputs too short to be worth the call. node:zlib gains crc32
// only in Node 22, and it is plain CRC-32. CRC-32C is what iSCSI, ext4 and many storage formats
// use; check value: crc32c("123456789") = 0xE3069283.
import { createRequire } from 'node:module';

const POLY = 0x82f63b78; // reflected Castagnoli polynomial

/** 8 tables of 256 entries: TABLES[k*256 + b] is the CRC of byte b followed by k zero bytes. */
const TABLES = buildTables();

function buildTables(): Int32Array {
  const t = new Int32Array(8 * 256);
  for (let b = 0; b < 256; b++) {
    let c = b;
    for (let bit = 0; bit < 8; bit++) c = (c & 1) !== 0 ? (c >>> 1) ^ POLY : c >>> 1;
    t[b] = c;
  }
  for (let b = 0; b < 256; b++) {
    let c = t[b]!;
    for (let k = 1; k < 8; k++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[k * 256 + b] = c;
    }
  }
  return t;
}

type NativeCrc = (input: Uint8Array, initialState?: number) => number;

/** The native CRC-32C, or null (no build for this platform, or COLONNADE_CRC32C=js). */
function loadNative(): NativeCrc | null {
  if (process.env['COLONNADE_CRC32C'] === 'js') return null;
  try {
    const m = createRequire(import.meta.url)('@node-rs/crc32') as { crc32c?: NativeCrc };
    const f = m.crc32c;
    if (typeof f !== 'function' || f(new TextEncoder().encode('123456789')) >>> 0 !== 0xe3069283) return null;
    return f;
  } catch {
    return null;
  }
}

const native = loadNative();

/** Inputs shorter than this are checksummed in JS (the native call costs more than it saves). */
const NATIVE_MIN_BYTES = 256;

/** Whether the native CRC-32C is in use. */
export const nativeCrc32c = native !== null;

/**
 * CRC-32C of bytes[start, end), continuing from `seed` (the result of a previous call, or 0).
 * Returns an unsigned 32-bit integer.
 */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length, seed = 0): number {
  if (native !== null && end - start >= NATIVE_MIN_BYTES) {
    return native(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end), seed) >>> 0;
  }
  return crc32cTable(bytes, start, end, seed);
}

/** crc32c by table-driven slice-by-8. */
export function crc32cTable(bytes: Uint8Array, start = 0, end = bytes.length, seed = 0): number {
  const t = TABLES;
  let c = ~seed;
  let pos = start;
  // Slice-by-8: fold 8 bytes per step with 8 independent table lookups.
  const end8 = end - ((end - pos) & 7);
  while (pos < end8) {
    const lo = c ^ (bytes[pos]! | (bytes[pos + 1]! << 8) | (bytes[pos + 2]! << 16) | (bytes[pos + 3]! << 24));
    c = t[1792 + (lo & 0xff)]! ^ t[1536 + ((lo >>> 8) & 0xff)]! ^ t[1280 + ((lo >>> 16) & 0xff)]! ^ t[1024 + (lo >>> 24)]!
      ^ t[768 + bytes[pos + 4]!]! ^ t[512 + bytes[pos + 5]!]! ^ t[256 + bytes[pos + 6]!]! ^ t[bytes[pos + 7]!]!;
    pos += 8;
  }
  while (pos < end) {
    c = t[(c ^ bytes[pos]!) & 0xff]! ^ (c >>> 8);
    pos++;
  }
  return ~c >>> 0;
}
