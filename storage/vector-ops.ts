// Kind-generic helpers on column vectors: slice, gather, all-NULL, sizes, NULL placeholders.
// One loop per kind; no per-row objects. Used by the block codecs, the writer and the scans.
import type {
  Vector, VectorKind, StringVector, BigDecimalVector, StringDictionary,
} from '../compute/batch/vector.ts';
import type { ColumnLayout } from './column-kind.ts';
import { FRESH_ALLOCATOR, type VectorAllocator } from './vector-allocator.ts';

/** A vector of `n` NULLs of the given layout (placeholders zero / empty). */
export function allNullVector(layout: ColumnLayout, n: number, alloc: VectorAllocator = FRESH_ALLOCATOR): Vector {
  const nulls = alloc.uint8(n).fill(1);
  const v = zeroVector(layout, n, nulls, alloc);
  if (alloc !== FRESH_ALLOCATOR) {
    if (v.kind === 'string') v.offsets.fill(0);
    else if (v.kind !== 'bigdecimal') v.values.fill(v.kind === 'int64' ? 0n as never : 0 as never);
  }
  return v;
}

/**
 * A vector of `n` rows for a decoder to fill. With the fresh allocator the values are zero /
 * empty; with a recycling allocator they are unspecified and the caller must write every row.
 */
export function zeroVector(layout: ColumnLayout, n: number, nulls: Uint8Array | null, alloc: VectorAllocator = FRESH_ALLOCATOR): Vector {
  switch (layout.kind) {
    case 'bool': return { kind: 'bool', length: n, nulls, values: alloc.uint8(n) };
    case 'int32': return { kind: 'int32', length: n, nulls, values: alloc.int32(n) };
    case 'int64': return { kind: 'int64', length: n, nulls, values: alloc.bigInt64(n) };
    case 'float64': return { kind: 'float64', length: n, nulls, values: alloc.float64(n) };
    case 'decimal': return { kind: 'decimal', length: n, nulls, values: alloc.float64(n), scale: layout.scale };
    case 'bigdecimal': return { kind: 'bigdecimal', length: n, nulls, values: new Array<bigint>(n).fill(0n), scales: new Uint16Array(n).fill(layout.scale) };
    case 'string': return { kind: 'string', length: n, nulls, offsets: alloc.int32(n + 1), bytes: new Uint8Array(0) };
  }
}

let identity = Int32Array.from({ length: 8192 }, (_, i) => i);

/**
 * 0, 1, 2, ... (at least n of them, shared, never written): where a string vector has no
 * dictionary, the "code" of row i is i itself, so one loop serves both.
 */
export function identityRows(n: number): Int32Array {
  if (identity.length < n) identity = Int32Array.from({ length: 2 * n }, (_, i) => i);
  return identity;
}

/** Row i's entry in stringOffsets / stringBytes: its dictionary code, or i. */
export function stringRows(v: StringVector): Int32Array {
  return v.dictionary !== undefined ? v.dictionary.codes : identityRows(v.length);
}

/** The offsets rows index through stringRows: the dictionary's entries', or the vector's own. */
export function stringOffsets(v: StringVector): Int32Array {
  return v.dictionary !== undefined ? v.dictionary.entries.offsets : v.offsets;
}

/** The bytes stringOffsets points into. */
export function stringBytes(v: StringVector): Uint8Array {
  return v.dictionary !== undefined ? v.dictionary.entries.bytes : v.bytes;
}

/**
 * Strings of a dictionary-encoded block as codes into its entries; offsets and bytes are built on
 * first access (once), so a consumer that reads them sees an ordinary string vector.
 */
export class DictionaryStringVector implements StringVector {
  readonly kind = 'string';
  private plain: StringVector | null = null;

  constructor(readonly length: number, readonly nulls: Uint8Array | null, readonly dictionary: StringDictionary) {}

  private materialized(): StringVector {
    return this.plain ??= gatherStrings(this.dictionary.entries, this.dictionary.codes, this.length, this.nulls);
  }

  get offsets(): Int32Array { return this.materialized().offsets; }
  get bytes(): Uint8Array { return this.materialized().bytes; }
}

/** Rows [start, end) of v without copying typed arrays (string offsets keep pointing into the same bytes). */
export function sliceVector(v: Vector, start: number, end: number): Vector {
  const n = end - start;
  const nulls = v.nulls === null ? null : v.nulls.subarray(start, end);
  switch (v.kind) {
    case 'bool': return { kind: 'bool', length: n, nulls, values: v.values.subarray(start, end) };
    case 'int32': return { kind: 'int32', length: n, nulls, values: v.values.subarray(start, end) };
    case 'int64': return { kind: 'int64', length: n, nulls, values: v.values.subarray(start, end) };
    case 'float64': return { kind: 'float64', length: n, nulls, values: v.values.subarray(start, end) };
    case 'decimal': return { kind: 'decimal', length: n, nulls, values: v.values.subarray(start, end), scale: v.scale };
    case 'bigdecimal': return { kind: 'bigdecimal', length: n, nulls, values: v.values.slice(start, end), scales: v.scales.subarray(start, end) };
    case 'string':
      if (v.dictionary !== undefined) return new DictionaryStringVector(n, nulls, { codes: v.dictionary.codes.subarray(start, end), entries: v.dictionary.entries });
      return { kind: 'string', length: n, nulls, offsets: v.offsets.subarray(start, end + 1), bytes: v.bytes };
  }
}

function gatherNulls(nulls: Uint8Array | null, idx: Int32Array | Uint32Array, count: number, alloc: VectorAllocator): Uint8Array | null {
  if (nulls === null) return null;
  const out = alloc.uint8(count);
  let any = 0;
  for (let i = 0; i < count; i++) { const b = nulls[idx[i]!]!; out[i] = b; any |= b; }
  return any === 0 ? null : out;
}

/** A new vector holding v's rows idx[0..count), in that order. */
export function gatherVector(v: Vector, idx: Int32Array | Uint32Array, count: number, alloc: VectorAllocator = FRESH_ALLOCATOR): Vector {
  const nulls = gatherNulls(v.nulls, idx, count, alloc);
  switch (v.kind) {
    case 'bool': { const o = alloc.uint8(count); const s = v.values; for (let i = 0; i < count; i++) o[i] = s[idx[i]!]!; return { kind: 'bool', length: count, nulls, values: o }; }
    case 'int32': { const o = alloc.int32(count); const s = v.values; for (let i = 0; i < count; i++) o[i] = s[idx[i]!]!; return { kind: 'int32', length: count, nulls, values: o }; }
    case 'int64': {
      const o = alloc.bigInt64(count);
      const o32 = new Int32Array(o.buffer, o.byteOffset, count * 2);
      const s32 = new Int32Array(v.values.buffer, v.values.byteOffset, v.length * 2);
      for (let i = 0; i < count; i++) { const j = idx[i]! * 2; o32[i * 2] = s32[j]!; o32[i * 2 + 1] = s32[j + 1]!; }
      return { kind: 'int64', length: count, nulls, values: o };
    }
    case 'float64': { const o = alloc.float64(count); const s = v.values; for (let i = 0; i < count; i++) o[i] = s[idx[i]!]!; return { kind: 'float64', length: count, nulls, values: o }; }
    case 'decimal': { const o = alloc.float64(count); const s = v.values; for (let i = 0; i < count; i++) o[i] = s[idx[i]!]!; return { kind: 'decimal', length: count, nulls, values: o, scale: v.scale }; }
    case 'bigdecimal': {
      const o = new Array<bigint>(count);
      const sc = new Uint16Array(count);
      for (let i = 0; i < count; i++) { o[i] = v.values[idx[i]!]!; sc[i] = v.scales[idx[i]!]!; }
      return { kind: 'bigdecimal', length: count, nulls, values: o, scales: sc };
    }
    case 'string': {
      const d = v.dictionary;
      if (d === undefined) return gatherStrings(v, idx, count, nulls, alloc);
      const codes = alloc.int32(count);
      for (let i = 0; i < count; i++) codes[i] = d.codes[idx[i]!]!;
      return new DictionaryStringVector(count, nulls, { codes, entries: d.entries });
    }
  }
}

function gatherStrings(v: StringVector, idx: Int32Array | Uint32Array, count: number, nulls: Uint8Array | null, alloc: VectorAllocator = FRESH_ALLOCATOR): StringVector {
  const so = v.offsets;
  let total = 0;
  for (let i = 0; i < count; i++) { const j = idx[i]!; total += so[j + 1]! - so[j]!; }
  const offsets = alloc.int32(count + 1);
  offsets[0] = 0;
  const bytes = alloc.uint8(total);
  let pos = 0;
  for (let i = 0; i < count; i++) {
    const j = idx[i]!;
    const a = so[j]!;
    const len = so[j + 1]! - a;
    if (len < 16) { for (let k = 0; k < len; k++) bytes[pos + k] = v.bytes[a + k]!; }
    else bytes.set(v.bytes.subarray(a, a + len), pos);
    pos += len;
    offsets[i + 1] = pos;
  }
  return { kind: 'string', length: count, nulls, offsets, bytes };
}

/**
 * A wide-numeric vector as a 'decimal' one (scaled integers in float64) when every value has one
 * scale and fits 2^53 units — numeric values carry their own scale, so nothing a sum or min shows
 * changes (an unconstrained numeric column of sums, say). Any other vector comes back as it is.
 */
export function narrowBigDecimal(v: Vector): Vector {
  if (v.kind !== 'bigdecimal') return v;
  const n = v.length;
  const nulls = v.nulls;
  let scale = -1;
  const out = new Float64Array(n);
  const limit = 2n ** 53n;
  for (let i = 0; i < n; i++) {
    if (nulls !== null && nulls[i] !== 0) continue;
    const s = v.scales[i]!;
    if (scale < 0) scale = s;
    else if (s !== scale) return v;
    const x = v.values[i]!;
    if (x >= limit || x <= -limit) return v;
    out[i] = Number(x);
  }
  return scale < 0 ? v : { kind: 'decimal', length: n, nulls, values: out, scale };
}

/** Number of NULL rows. */
export function nullCount(v: Vector): number {
  const nulls = v.nulls;
  if (nulls === null) return 0;
  let c = 0;
  for (let i = 0; i < v.length; i++) c += nulls[i]!;
  return c;
}

/** Bytes the decoded vector occupies (values, offsets, string bytes, null map): a block's "raw size". */
export function rawByteSize(v: Vector, kind: VectorKind = v.kind): number {
  const n = v.length;
  const nullBytes = v.nulls === null ? 0 : n;
  switch (kind) {
    case 'bool': return n + nullBytes;
    case 'int32': return 4 * n + nullBytes;
    case 'int64': case 'float64': case 'decimal': return 8 * n + nullBytes;
    case 'bigdecimal': return 10 * n + nullBytes;
    case 'string': {
      const s = v as StringVector;
      return 4 * (n + 1) + (s.offsets[n]! - s.offsets[0]!) + nullBytes;
    }
  }
}

/**
 * A copy of v whose NULL slots hold a neighbouring non-NULL value (empty for strings), so
 * runs, deltas and frames are not broken by arbitrary placeholders. Returns v itself without NULLs.
 */
export function fillNullPlaceholders(v: Vector): Vector {
  const nulls = v.nulls;
  if (nulls === null) return v;
  const n = v.length;
  let first = -1;
  for (let i = 0; i < n; i++) if (nulls[i] === 0) { first = i; break; }
  switch (v.kind) {
    case 'bool': case 'int32': case 'float64': case 'decimal': {
      const vals = v.values.slice();
      let prev = first < 0 ? 0 : vals[first]!;
      for (let i = 0; i < n; i++) { if (nulls[i] !== 0) vals[i] = prev; else prev = vals[i]!; }
      return { ...v, values: vals } as Vector;
    }
    case 'int64': {
      const vals = v.values.slice();
      const v32 = new Int32Array(vals.buffer);
      let pl = first < 0 ? 0 : v32[first * 2]!;
      let ph = first < 0 ? 0 : v32[first * 2 + 1]!;
      for (let i = 0; i < n; i++) {
        if (nulls[i] !== 0) { v32[i * 2] = pl; v32[i * 2 + 1] = ph; } else { pl = v32[i * 2]!; ph = v32[i * 2 + 1]!; }
      }
      return { kind: 'int64', length: n, nulls, values: vals };
    }
    case 'bigdecimal': {
      const b = v as BigDecimalVector;
      const vals = b.values.slice();
      const scales = b.scales.slice();
      const pv = first < 0 ? 0n : vals[first]!;
      const ps = first < 0 ? 0 : scales[first]!;
      for (let i = 0; i < n; i++) if (nulls[i] !== 0) { vals[i] = pv; scales[i] = ps; }
      return { kind: 'bigdecimal', length: n, nulls, values: vals, scales };
    }
    case 'string': {
      let hasNullBytes = false;
      for (let i = 0; i < n; i++) if (nulls[i] !== 0 && v.offsets[i + 1] !== v.offsets[i]) { hasNullBytes = true; break; }
      if (!hasNullBytes) return v;
      const idx = new Int32Array(n);
      for (let i = 0; i < n; i++) idx[i] = i;
      const g = gatherStrings(v, idx, n, nulls);
      // Rebuild without the bytes of NULL rows.
      const offsets = new Int32Array(n + 1);
      let pos = 0;
      const bytes = new Uint8Array(g.bytes.length);
      for (let i = 0; i < n; i++) {
        if (nulls[i] === 0) { const a = g.offsets[i]!; const e = g.offsets[i + 1]!; bytes.set(g.bytes.subarray(a, e), pos); pos += e - a; }
        offsets[i + 1] = pos;
      }
      return { kind: 'string', length: n, nulls, offsets, bytes: bytes.subarray(0, pos) };
    }
  }
}

/**
 * Dictionary-encoded parts (blocks of one column) as one dictionary-encoded vector: their entries
 * merged (each distinct string once), their codes renumbered. Null when some part is plain or the
 * entries are not few next to the rows (then plain strings cost no more).
 */
function concatDictionaries(parts: readonly StringVector[], n: number, nulls: Uint8Array | null): StringVector | null {
  // Batches cut from one block share its entries: each entries vector counts, and is merged, once.
  const renumbered = new Map<StringVector, Int32Array | null>();
  let entryCount = 0;
  for (const p of parts) {
    if (p.dictionary === undefined) return null;
    const entries = p.dictionary.entries;
    if (renumbered.has(entries)) continue;
    renumbered.set(entries, null);
    entryCount += entries.length;
  }
  if (entryCount * 4 > n) return null;
  const index = new Map<string, number>();
  const offsets: number[] = [0];
  const chunks: Uint8Array[] = [];
  let size = 0;
  const codes = new Int32Array(n);
  let row = 0;
  for (const p of parts) {
    const { entries, codes: from } = p.dictionary!;
    let renumber = renumbered.get(entries)!;
    if (renumber === null) {
      const eb = entries.bytes;
      const key = Buffer.from(eb.buffer, eb.byteOffset, eb.byteLength);
      renumber = new Int32Array(entries.length);
      for (let e = 0; e < entries.length; e++) {
        const a = entries.offsets[e]!;
        const b = entries.offsets[e + 1]!;
        const text = key.toString('latin1', a, b);
        let code = index.get(text);
        if (code === undefined) {
          code = offsets.length - 1;
          index.set(text, code);
          chunks.push(eb.subarray(a, b));
          size += b - a;
          offsets.push(size);
        }
        renumber[e] = code;
      }
      renumbered.set(entries, renumber);
    }
    for (let i = 0; i < p.length; i++) codes[row + i] = renumber[from[i]!]!;
    row += p.length;
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) { bytes.set(c, at); at += c.length; }
  const entries: StringVector = { kind: 'string', length: offsets.length - 1, nulls: null, offsets: Int32Array.from(offsets), bytes };
  return new DictionaryStringVector(n, nulls, { codes, entries });
}

/** One vector holding the rows of `parts` (all of one layout) one after another. */
export function concatVectors(parts: readonly Vector[], layout: ColumnLayout): Vector {
  if (parts.length === 1) return parts[0]!;
  let n = 0;
  let anyNull = false;
  for (const p of parts) { n += p.length; anyNull ||= p.nulls !== null; }
  if (parts.length === 0) return zeroVector(layout, 0, null);
  let nulls: Uint8Array | null = null;
  if (anyNull) {
    nulls = new Uint8Array(n);
    let at = 0;
    for (const p of parts) { if (p.nulls !== null) nulls.set(p.nulls.subarray(0, p.length), at); at += p.length; }
  }
  const first = parts[0]!;
  switch (first.kind) {
    case 'bool': case 'int32': case 'int64': case 'float64': case 'decimal': {
      const out = zeroVector(layout, n, nulls) as Exclude<Vector, StringVector | BigDecimalVector>;
      let at = 0;
      for (const p of parts) { (out.values as Int32Array).set((p as typeof out).values.subarray(0, p.length) as Int32Array, at); at += p.length; }
      return out;
    }
    case 'bigdecimal': {
      const values: bigint[] = [];
      const scales = new Uint16Array(n);
      let at = 0;
      for (const p of parts as BigDecimalVector[]) {
        for (let i = 0; i < p.length; i++) values.push(p.values[i]!);
        scales.set(p.scales.subarray(0, p.length), at);
        at += p.length;
      }
      return { kind: 'bigdecimal', length: n, nulls, values, scales };
    }
    case 'string': {
      const merged = concatDictionaries(parts as StringVector[], n, nulls);
      if (merged !== null) return merged;
      let total = 0;
      for (const p of parts as StringVector[]) total += p.offsets[p.length]! - p.offsets[0]!;
      const offsets = new Int32Array(n + 1);
      const bytes = new Uint8Array(total);
      let row = 0;
      let pos = 0;
      for (const p of parts as StringVector[]) {
        const base = p.offsets[0]!;
        const end = p.offsets[p.length]!;
        bytes.set(p.bytes.subarray(base, end), pos);
        for (let i = 1; i <= p.length; i++) offsets[row + i] = pos + p.offsets[i]! - base;
        row += p.length;
        pos += end - base;
      }
      return { kind: 'string', length: n, nulls, offsets, bytes };
    }
  }
}

/**
 * Like gatherVector, but idx[i] = -1 gives a NULL row (the unmatched side of an outer join).
 */
export function gatherOrNull(v: Vector, idx: Int32Array, count: number): Vector {
  let misses = 0;
  for (let i = 0; i < count; i++) if (idx[i]! < 0) misses++;
  if (misses === 0) return gatherVector(v, idx, count);
  const layout: ColumnLayout = { kind: v.kind, scale: v.kind === 'decimal' ? v.scale : 0, float4: false };
  if (misses === count || v.length === 0) return allNullVector(layout, count);
  const safe = new Int32Array(count);
  for (let i = 0; i < count; i++) { const j = idx[i]!; safe[i] = j < 0 ? 0 : j; }
  const g = gatherVector(v, safe, count);
  const nulls = g.nulls ?? new Uint8Array(count);
  for (let i = 0; i < count; i++) if (idx[i]! < 0) nulls[i] = 1;
  return withNulls(g, nulls);
}

/** v with other NULL flags (a dictionary vector stays one: its strings are getters a spread would drop). */
export function withNulls(v: Vector, nulls: Uint8Array | null): Vector {
  if (v instanceof DictionaryStringVector) return new DictionaryStringVector(v.length, nulls, v.dictionary);
  return { ...v, nulls } as Vector;
}
