// Which slice a row belongs to: a hash of its DISTKEY value that every process computes alike,
// from a Datum on the leader or straight from a column vector on a compute node.
//
// The hash is 32-bit FNV-1a over the value's canonical key text (sql/expr/compare.ts datumKey:
// 'n' + digits for int2/int4/date/float, 'b' + digits for int8/timestamp, 'd<unscaled>e<scale>'
// for numeric with trailing zeros removed, 's' + text, 't'/'f'), then murmur3's fmix32. The
// vector path feeds the same characters without building strings, so both agree exactly.
import { datumKey } from '../../sql/expr/compare.ts';
import { Decimal, type Datum } from '../../sql/types/datum.ts';
import type { Vector } from '../batch/vector.ts';
import { fmix32 } from '../../common/sketch/value-hash.ts';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const decoder = new TextDecoder();
const DIGITS = new Uint8Array(24);


function feedString(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h;
}

/** Feeds the decimal digits of an integral number with |v| < 2^53 (a '-' first when negative). */
function feedInteger(h: number, v: number): number {
  if (v < 0) { h = Math.imul(h ^ 0x2d, FNV_PRIME); v = -v; }
  let n = 0;
  do { const q = Math.floor(v / 10); DIGITS[n++] = 0x30 + (v - q * 10); v = q; } while (v > 0);
  while (n > 0) h = Math.imul(h ^ DIGITS[--n]!, FNV_PRIME);
  return h;
}

/** The 32-bit distribution hash of a value. */
export function hashDatum(v: Datum): number {
  return fmix32(feedString(FNV_OFFSET, datumKey(v)));
}

/** The slice index (0-based, of `sliceCount`) that owns a DISTKEY value. NULLs all go to slice 0. */
export function sliceForKey(v: Datum, sliceCount: number): number {
  return v === null ? 0 : hashDatum(v) % sliceCount;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Writes into out[i] the slice index (of `sliceCount`) owning rows[i]'s value of `v` (row i when
 * `rows` is null), for i < count; equal to {@link sliceForKey} of the row's Datum.
 */
export function sliceIndexes(v: Vector, rows: Uint32Array | null, count: number, sliceCount: number, out: Int32Array): void {
  const nulls = v.nulls;
  for (let k = 0; k < count; k++) {
    const i = rows === null ? k : rows[k]!;
    if (nulls !== null && nulls[i] !== 0) { out[k] = 0; continue; }
    let h: number;
    switch (v.kind) {
      case 'int32': h = feedInteger(Math.imul(FNV_OFFSET ^ 0x6e, FNV_PRIME), v.values[i]!); break;
      case 'bool': h = Math.imul(FNV_OFFSET ^ (v.values[i] === 1 ? 0x74 : 0x66), FNV_PRIME); break;
      case 'int64': {
        const x = v.values[i]!;
        const start = Math.imul(FNV_OFFSET ^ 0x62, FNV_PRIME);
        h = x <= MAX_SAFE && x >= -MAX_SAFE ? feedInteger(start, Number(x)) : feedString(start, x.toString());
        break;
      }
      case 'float64': {
        const x = v.values[i]!;
        const start = Math.imul(FNV_OFFSET ^ 0x6e, FNV_PRIME);
        h = Number.isInteger(x) && Math.abs(x) <= Number.MAX_SAFE_INTEGER ? feedInteger(start, x === 0 ? 0 : x) : feedString(start, String(x));
        break;
      }
      case 'decimal': {
        let u = v.values[i]!;
        let s = v.scale;
        while (s > 0 && u % 10 === 0) { u /= 10; s--; }
        h = feedInteger(Math.imul(FNV_OFFSET ^ 0x64, FNV_PRIME), u === 0 ? 0 : u);
        h = feedInteger(Math.imul(h ^ 0x65, FNV_PRIME), s);
        break;
      }
      case 'bigdecimal':
        h = feedString(FNV_OFFSET, datumKey(new Decimal(v.values[i]!, v.scales[i]!)));
        break;
      case 'string': {
        const a = v.offsets[i]!;
        const e = v.offsets[i + 1]!;
        const b = v.bytes;
        h = Math.imul(FNV_OFFSET ^ 0x73, FNV_PRIME);
        let ascii = true;
        for (let j = a; j < e; j++) {
          const c = b[j]!;
          if (c >= 0x80) { ascii = false; break; }
          h = Math.imul(h ^ c, FNV_PRIME);
        }
        if (!ascii) h = feedString(Math.imul(FNV_OFFSET ^ 0x73, FNV_PRIME), decoder.decode(b.subarray(a, e)));
        break;
      }
    }
    out[k] = fmix32(h) % sliceCount;
  }
}

/**
 * Groups a batch's rows by target slice index (a counting sort): the rows of target t are
 * order[starts[t] .. starts[t + 1]) — batch row numbers, `selection` applied — in batch order.
 * `targets[k]` is the target of the k-th selected row.
 */
export function rowsByTarget(targets: Int32Array, n: number, selection: Uint32Array | null, targetCount: number): { starts: Int32Array; order: Uint32Array } {
  const starts = new Int32Array(targetCount + 1);
  for (let k = 0; k < n; k++) starts[targets[k]! + 1]!++;
  for (let s = 0; s < targetCount; s++) starts[s + 1]! += starts[s]!;
  const pos = starts.slice(0, targetCount);
  const order = new Uint32Array(n);
  for (let k = 0; k < n; k++) order[pos[targets[k]!]!++] = selection === null ? k : selection[k]!;
  return { starts, order };
}
