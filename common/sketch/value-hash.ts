// 32-bit hashes of typed column values (int32, 64-bit word pairs, UTF-8 byte ranges) for sketches.
//
// All return unsigned 32-bit integers, allocate nothing and are deterministic across processes, so
// equal values seen by different slices hash equally. They finish with MurmurHash3's fmix32, whose
// avalanche spreads every input bit over the top bits HyperLogLog uses to pick a register.

const SEED = 0x9e3779b9;

/** MurmurHash3's 32-bit finalizer: a bijection on 32-bit integers with full avalanche. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of a 32-bit integer (int2/int4/date values, booleans as 0/1). Distinct inputs never collide. */
export function hashInt32(x: number): number {
  return fmix32((x ^ SEED) | 0);
}

/** MurmurHash3's per-block key mix. */
function mixK(k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, 0x1b873593);
}

/** MurmurHash3's per-block state update. */
function mixH(h: number, k: number): number {
  h ^= mixK(k);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/**
 * Hash of a 64-bit pattern given as its low and high 32-bit words (MurmurHash3_x86_32 of the 8
 * little-endian bytes): int64/timestamp values, and float64 bits after the caller has mapped -0 to 0
 * and every NaN to one NaN.
 */
export function hash64(lo: number, hi: number): number {
  let h = mixH(SEED, lo);
  h = mixH(h, hi);
  return fmix32(h ^ 8);
}

/** Hash of `bytes[start..end)` (UTF-8 text): FNV-1a over the bytes, then fmix32. */
export function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h ^ (end - start));
}
