// Adapter over lz4-napi's block API (compressSync/uncompressSync), which wants Buffers and
// prepends the uncompressed size as a little-endian u32. Wrapped once here so the rest of
// storage deals in Uint8Array and never hands unchecked sizes to the native decoder.
import { compressSync, uncompressSync } from 'lz4-napi';
import { dataCorrupted } from '../../common/errors/index.ts';

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** LZ4-compresses bytes (the result starts with the u32 uncompressed length). */
export function lz4Compress(bytes: Uint8Array): Uint8Array {
  const out = compressSync(asBuffer(bytes));
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/**
 * Decompresses what {@link lz4Compress} produced, checking the embedded length against
 * `expectedLength` first (a garbled length must not become a huge allocation). The result is
 * 8-aligned so typed-array views over it work.
 */
export function lz4Decompress(bytes: Uint8Array, expectedLength: number): Uint8Array {
  if (bytes.length < 4) throw dataCorrupted('LZ4 section too short');
  const embedded = (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0;
  if (embedded !== expectedLength) throw dataCorrupted(`LZ4 length ${embedded}, header says ${expectedLength}`);
  let out: Buffer;
  try {
    out = uncompressSync(asBuffer(bytes));
  } catch (err) {
    throw dataCorrupted(`LZ4 section does not decompress: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (out.byteLength !== expectedLength) throw dataCorrupted('LZ4 section decompressed to the wrong length');
  const view = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  return out.byteOffset % 8 === 0 ? view : view.slice();
}
