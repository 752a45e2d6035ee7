// Builds a block's sorted dictionary of distinct values and the per-row codes into it, per kind,
// giving up (null) past a cap. Sorted dictionaries keep codes order-preserving, so a range
// predicate or a sort on a dictionary column can work on codes alone.
import type { Vector, StringVector } from '../../compute/batch/vector.ts';
import type { IntDomain } from './int-domain.ts';
import { gatherVector } from '../vector-ops.ts';

/** A block as dictionary + codes: row i is dict[codes[i]]. */
export interface DictionaryParts {
  readonly dict: Vector;
  readonly codes: Int32Array;
}

/** Byte-wise (UTF-8, hence code point) comparison of two strings inside string vectors. */
export function compareStringBytes(ab: Uint8Array, a0: number, a1: number, bb: Uint8Array, b0: number, b1: number): number {
  const la = a1 - a0;
  const lb = b1 - b0;
  const l = la < lb ? la : lb;
  for (let k = 0; k < l; k++) {
    const d = ab[a0 + k]! - bb[b0 + k]!;
    if (d !== 0) return d;
  }
  return la - lb;
}

/** Remaps codes so that the dictionary (first rows `firsts`) is in ascending order by `cmp`. */
function sortDictionary(v: Vector, codes: Int32Array, firsts: number[], cmp: (a: number, b: number) => number): DictionaryParts {
  const order = firsts.map((_, i) => i).sort((a, b) => cmp(firsts[a]!, firsts[b]!));
  const rank = new Int32Array(order.length);
  const rows = new Int32Array(order.length);
  for (let r = 0; r < order.length; r++) { rank[order[r]!] = r; rows[r] = firsts[order[r]!]!; }
  for (let i = 0; i < codes.length; i++) codes[i] = rank[codes[i]!]!;
  return { dict: gatherVector(v, rows, rows.length), codes };
}

function stringDictionary(v: StringVector, cap: number): DictionaryParts | null {
  const n = v.length;
  const off = v.offsets;
  const bytes = v.bytes;
  let size = 16;
  while (size < cap * 2) size *= 2;
  const mask = size - 1;
  const table = new Int32Array(size).fill(-1); // slot → dictionary entry
  const firsts: number[] = [];
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const a = off[i]!;
    const e = off[i + 1]!;
    let h = 0x811c9dc5;
    for (let k = a; k < e; k++) h = Math.imul(h ^ bytes[k]!, 0x01000193);
    let slot = (h ^ (h >>> 15)) & mask;
    for (;;) {
      const entry = table[slot]!;
      if (entry < 0) {
        if (firsts.length >= cap) return null;
        table[slot] = firsts.length;
        codes[i] = firsts.length;
        firsts.push(i);
        break;
      }
      const j = firsts[entry]!;
      if (compareStringBytes(bytes, off[j]!, off[j + 1]!, bytes, a, e) === 0) { codes[i] = entry; break; }
      slot = (slot + 1) & mask;
    }
  }
  return sortDictionary(v, codes, firsts, (x, y) => compareStringBytes(bytes, off[x]!, off[x + 1]!, bytes, off[y]!, off[y + 1]!));
}

function intDictionary(v: Vector, d: IntDomain, cap: number): DictionaryParts | null {
  const n = v.length;
  const offs = d.offsets;
  const seen = new Map<number, number>();
  const firsts: number[] = [];
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const o = offs[i]!;
    let c = seen.get(o);
    if (c === undefined) {
      if (firsts.length >= cap) return null;
      c = firsts.length;
      seen.set(o, c);
      firsts.push(i);
    }
    codes[i] = c;
  }
  return sortDictionary(v, codes, firsts, (x, y) => offs[x]! - offs[y]!);
}

/** Orders doubles as PostgreSQL does: −Inf < … < +Inf < NaN; −0 before +0 so both can be dictionary entries. */
function compareFloat(a: number, b: number): number {
  if (a !== a) return b !== b ? 0 : 1;
  if (b !== b) return -1;
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === 0) return (1 / a) - (1 / b) < 0 ? -1 : (1 / a === 1 / b ? 0 : 1);
  return 0;
}

function floatDictionary(v: Vector & { kind: 'float64' }, cap: number): DictionaryParts | null {
  const n = v.length;
  const s = v.values;
  const seen = new Map<number | string, number>();
  const firsts: number[] = [];
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const x = s[i]!;
    const key = x === 0 && 1 / x < 0 ? '-0' : x;
    let c = seen.get(key);
    if (c === undefined) {
      if (firsts.length >= cap) return null;
      c = firsts.length;
      seen.set(key, c);
      firsts.push(i);
    }
    codes[i] = c;
  }
  return sortDictionary(v, codes, firsts, (x, y) => compareFloat(s[x]!, s[y]!));
}

/** The block's sorted dictionary and codes, or null when it has more than `cap` distinct values or the kind has no dictionary form. */
export function buildDictionary(v: Vector, intDomain: IntDomain | null, cap: number): DictionaryParts | null {
  switch (v.kind) {
    case 'string': return stringDictionary(v, cap);
    case 'float64': return floatDictionary(v, cap);
    case 'int32': case 'int64': case 'decimal':
      return intDomain === null ? null : intDictionary(v, intDomain, cap);
    default: return null;
  }
}
