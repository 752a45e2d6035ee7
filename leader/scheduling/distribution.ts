// Which slice a row belongs to: hash of the DISTKEY, round robin for EVEN, one copy per node for ALL.
import { datumKey } from '../../sql/expr/compare.ts';
import type { Datum } from '../../sql/types/datum.ts';

/** 32-bit FNV-1a over a value's canonical key: stable across processes and versions. */
export function hashDatum(v: Datum): number {
  const s = datumKey(v);
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // Final avalanche (murmur3 fmix32) so consecutive keys spread evenly.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The slice (0-based, of `sliceCount`) that owns a DISTKEY value. NULLs all go to slice 0. */
export function sliceForKey(v: Datum, sliceCount: number): number {
  return v === null ? 0 : hashDatum(v) % sliceCount;
}
