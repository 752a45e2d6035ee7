// Zone maps: each block's min, max and NULL count, how they are stored in block headers, and
// whether a ZoneFilter can match any row of a block (if not, the scan skips the block).
//
// Ordering: integers, dates, timestamps and numerics exactly (bigint cross-multiplication across
// scales); floats as PostgreSQL orders them (−Inf < … < +Inf < NaN, −0 = 0); strings by UTF-8
// bytes (C collation). Filter values are in the column's vector domain (days for dates, µs for
// timestamps, scaled integers for numeric(p ≤ 15, s), the unscaled value at the declared scale for
// wider numerics) — or a string, which is read as the SQL literal of the column's type
// ('1995-03-15', '0.05'). Anything that cannot be compared exactly keeps the block (never a wrong skip).
//
// Stored zone section: u16 minLen | min bytes | u16 maxLen | max bytes, where the bytes are
// i32 (bool, int2/4, date), i64 (int8, timestamps), f64 (floats, decimal), UTF-8 (strings: at most
// 64 bytes; a longer max is cut and its last byte raised, or flagged unbounded), or
// u16 scale + ASCII digits of the unscaled value (wide numeric).
import type { Vector } from '../compute/batch/vector.ts';
import type { SqlType } from '../sql/types/sql-type.ts';
import type { ZoneFilter } from './slice-store.ts';
import type { ColumnLayout } from './column-kind.ts';
import { Decimal, pow10n } from '../sql/types/decimal.ts';
import { parseDate, parseTimestamp, formatDate, formatTimestamp, formatTimestamptz } from '../sql/types/datetime.ts';
import { formatFloat } from '../sql/types/text-io.ts';
import { ByteWriter } from './io/byte-writer.ts';
import { ByteReader } from './io/byte-reader.ts';
import { compareStringBytes } from './encoding/dictionary-builder.ts';

/** Longest string prefix kept as a zone bound. */
export const MAX_STRING_ZONE_BYTES = 64;

/** An exact number: unscaled / 10^scale. */
export interface ExactNumber { readonly u: bigint; readonly s: number }

/** A zone bound in memory: number (int32, float, decimal scaled int), bigint (int64), bytes (string), exact (wide numeric). */
export type ZoneValue = number | bigint | Uint8Array | ExactNumber;

/** One block's zone map. min/max are null when the block has no non-NULL value. */
export interface ZoneMap {
  readonly valueCount: number;
  readonly nullCount: number;
  readonly min: ZoneValue | null;
  readonly max: ZoneValue | null;
  /** The true max is above every value (a long string whose prefix could not be raised). */
  readonly maxUnbounded: boolean;
}

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();

/** PostgreSQL float order: NaN greatest, −0 equal to 0. */
function cmpFloat(a: number, b: number): number {
  if (a !== a) return b !== b ? 0 : 1;
  if (b !== b) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function cmpExact(a: ExactNumber, b: ExactNumber): number {
  let x = a.u;
  let y = b.u;
  if (a.s < b.s) x *= pow10n(b.s - a.s); else if (b.s < a.s) y *= pow10n(a.s - b.s);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Computes the zone map of a vector (NULL rows excluded from min/max). */
export function computeZoneMap(v: Vector): ZoneMap {
  const n = v.length;
  const nulls = v.nulls;
  let nullCount = 0;
  let minIdx = -1;
  let maxIdx = -1;
  switch (v.kind) {
    case 'bool': case 'int32': case 'decimal': {
      const s = v.values;
      for (let i = 0; i < n; i++) {
        if (nulls !== null && nulls[i] !== 0) { nullCount++; continue; }
        if (minIdx < 0 || s[i]! < s[minIdx]!) minIdx = i;
        if (maxIdx < 0 || s[i]! > s[maxIdx]!) maxIdx = i;
      }
      break;
    }
    case 'float64': {
      const s = v.values;
      for (let i = 0; i < n; i++) {
        if (nulls !== null && nulls[i] !== 0) { nullCount++; continue; }
        if (minIdx < 0 || cmpFloat(s[i]!, s[minIdx]!) < 0) minIdx = i;
        if (maxIdx < 0 || cmpFloat(s[i]!, s[maxIdx]!) > 0) maxIdx = i;
      }
      break;
    }
    case 'int64': {
      const w = new Int32Array(v.values.buffer, v.values.byteOffset, n * 2);
      for (let i = 0; i < n; i++) {
        if (nulls !== null && nulls[i] !== 0) { nullCount++; continue; }
        const h = w[i * 2 + 1]!; const l = w[i * 2]! >>> 0;
        if (minIdx < 0) { minIdx = i; maxIdx = i; continue; }
        const mh = w[minIdx * 2 + 1]!; const ml = w[minIdx * 2]! >>> 0;
        if (h < mh || (h === mh && l < ml)) minIdx = i;
        const xh = w[maxIdx * 2 + 1]!; const xl = w[maxIdx * 2]! >>> 0;
        if (h > xh || (h === xh && l > xl)) maxIdx = i;
      }
      break;
    }
    case 'string': {
      const o = v.offsets;
      const b = v.bytes;
      // The first byte (-1 for the empty string) decides most comparisons without a full compare.
      let minFirst = 0;
      let maxFirst = 0;
      for (let i = 0; i < n; i++) {
        if (nulls !== null && nulls[i] !== 0) { nullCount++; continue; }
        const s0 = o[i]!;
        const e0 = o[i + 1]!;
        const first = e0 > s0 ? b[s0]! : -1;
        if (minIdx < 0) { minIdx = i; maxIdx = i; minFirst = first; maxFirst = first; continue; }
        if (first < minFirst || (first === minFirst && compareStringBytes(b, s0, e0, b, o[minIdx]!, o[minIdx + 1]!) < 0)) { minIdx = i; minFirst = first; }
        if (first > maxFirst || (first === maxFirst && compareStringBytes(b, s0, e0, b, o[maxIdx]!, o[maxIdx + 1]!) > 0)) { maxIdx = i; maxFirst = first; }
      }
      break;
    }
    case 'bigdecimal': {
      for (let i = 0; i < n; i++) {
        if (nulls !== null && nulls[i] !== 0) { nullCount++; continue; }
        const x = { u: v.values[i]!, s: v.scales[i]! };
        if (minIdx < 0) { minIdx = i; maxIdx = i; continue; }
        if (cmpExact(x, { u: v.values[minIdx]!, s: v.scales[minIdx]! }) < 0) minIdx = i;
        if (cmpExact(x, { u: v.values[maxIdx]!, s: v.scales[maxIdx]! }) > 0) maxIdx = i;
      }
      break;
    }
  }
  if (minIdx < 0) return { valueCount: n, nullCount, min: null, max: null, maxUnbounded: false };
  return { valueCount: n, nullCount, min: zoneValueAt(v, minIdx), max: zoneValueAt(v, maxIdx), maxUnbounded: false };
}

function zoneValueAt(v: Vector, i: number): ZoneValue {
  switch (v.kind) {
    case 'int64': return v.values[i]!;
    case 'string': return v.bytes.slice(v.offsets[i]!, v.offsets[i + 1]!);
    case 'bigdecimal': return { u: v.values[i]!, s: v.scales[i]! };
    default: return v.values[i]!;
  }
}

/** The smallest byte string ≥ every string starting with `prefix`, or null if none is short enough. */
function raisePrefix(prefix: Uint8Array): Uint8Array | null {
  const out = prefix.slice();
  for (let k = out.length - 1; k >= 0; k--) {
    if (out[k]! < 0xff) { out[k]!++; return out.subarray(0, k + 1); }
  }
  return null;
}

function writeBound(w: ByteWriter, kind: ColumnLayout['kind'], v: ZoneValue): void {
  const start = w.length;
  w.u16(0);
  switch (kind) {
    case 'bool': case 'int32': w.i32(v as number); break;
    case 'int64': w.i64(v as bigint); break;
    case 'float64': case 'decimal': w.f64(v as number); break;
    case 'string': w.bytes(v as Uint8Array); break;
    case 'bigdecimal': { const e = v as ExactNumber; w.u16(e.s); w.bytes(utf8.encode(e.u.toString())); break; }
  }
  w.view8()[start] = (w.length - start - 2) & 0xff;
  w.view8()[start + 1] = ((w.length - start - 2) >>> 8) & 0xff;
}

/** Serializes min/max into the zone section; returns the bytes and whether max is unbounded. */
export function encodeZoneBounds(z: ZoneMap, kind: ColumnLayout['kind']): { bytes: Uint8Array; maxUnbounded: boolean } {
  if (z.min === null || z.max === null) return { bytes: new Uint8Array(0), maxUnbounded: false };
  let min = z.min;
  let max: ZoneValue | null = z.max;
  let maxUnbounded = z.maxUnbounded;
  if (kind === 'string') {
    const mn = min as Uint8Array;
    const mx = max as Uint8Array;
    if (mn.length > MAX_STRING_ZONE_BYTES) min = mn.subarray(0, MAX_STRING_ZONE_BYTES);
    if (mx.length > MAX_STRING_ZONE_BYTES) {
      max = raisePrefix(mx.subarray(0, MAX_STRING_ZONE_BYTES));
      if (max === null) { maxUnbounded = true; max = mx.subarray(0, 0); }
    }
  }
  const w = new ByteWriter(64);
  writeBound(w, kind, min);
  writeBound(w, kind, max);
  return { bytes: w.finish(), maxUnbounded };
}

function readBound(r: ByteReader, kind: ColumnLayout['kind']): ZoneValue {
  const len = r.u16();
  const end = r.pos + len;
  let v: ZoneValue;
  switch (kind) {
    case 'bool': case 'int32': v = r.i32(); break;
    case 'int64': v = r.i64(); break;
    case 'float64': case 'decimal': v = r.f64(); break;
    case 'string': v = r.bytesView(len).slice(); break;
    case 'bigdecimal': { const s = r.u16(); v = { s, u: BigInt(utf8d.decode(r.bytesView(len - 2))) }; break; }
  }
  r.pos = end;
  return v;
}

/** Reads a zone section back (inverse of {@link encodeZoneBounds}). */
export function decodeZoneMap(section: Uint8Array, kind: ColumnLayout['kind'], valueCount: number, nullCount: number, maxUnbounded: boolean): ZoneMap {
  if (section.length === 0) return { valueCount, nullCount, min: null, max: null, maxUnbounded: false };
  const r = new ByteReader(section);
  const min = readBound(r, kind);
  const max = readBound(r, kind);
  return { valueCount, nullCount, min, max, maxUnbounded };
}

// ---- Filter evaluation ----

/** A filter constant converted to the zone's domain; null when it cannot be compared exactly. */
type Probe = { t: 'exact'; v: ExactNumber } | { t: 'float'; v: number } | { t: 'bytes'; v: Uint8Array } | { t: 'inf'; sign: 1 | -1 };

function exactOfNumber(x: number, scale: number): Probe | null {
  if (Number.isNaN(x)) return null;
  if (x === Infinity) return { t: 'inf', sign: 1 };
  if (x === -Infinity) return { t: 'inf', sign: -1 };
  if (Number.isInteger(x)) return { t: 'exact', v: { u: BigInt(x), s: scale } };
  const d = Decimal.parse(String(x));
  return d === undefined ? null : { t: 'exact', v: { u: d.unscaled, s: d.scale + scale } };
}

/** Converts a filter constant for a column; null means "cannot tell", so the block is kept. */
export function probeFor(value: number | bigint | string, layout: ColumnLayout, type: SqlType): Probe | null {
  const kind = layout.kind;
  if (kind === 'string') return typeof value === 'string' ? { t: 'bytes', v: utf8.encode(value) } : null;
  if (kind === 'float64') {
    if (typeof value === 'string') {
      const s = value.trim().toLowerCase();
      const f = s === 'nan' ? NaN : s.endsWith('infinity') || s.endsWith('inf') ? (s.startsWith('-') ? -Infinity : Infinity) : Number(s);
      return s === '' || (Number.isNaN(f) && s !== 'nan') ? null : { t: 'float', v: f };
    }
    return { t: 'float', v: Number(value) };
  }
  // Integer-like kinds: vector-domain numbers are scaled by the column's scale.
  const scale = kind === 'decimal' || kind === 'bigdecimal' ? layout.scale : 0;
  if (typeof value === 'bigint') return { t: 'exact', v: { u: value, s: scale } };
  if (typeof value === 'number') return exactOfNumber(value, scale);
  try {
    switch (type.id) {
      case 'date': { const d = parseDate(value); return Number.isFinite(d) ? { t: 'exact', v: { u: BigInt(d), s: 0 } } : null; }
      case 'timestamp': return { t: 'exact', v: { u: parseTimestamp(value, false), s: 0 } };
      case 'timestamptz': return { t: 'exact', v: { u: parseTimestamp(value, true), s: 0 } };
      case 'bool': {
        const s = value.trim().toLowerCase();
        if (['t', 'true', 'y', 'yes', 'on', '1'].includes(s)) return { t: 'exact', v: { u: 1n, s: 0 } };
        if (['f', 'false', 'n', 'no', 'off', '0'].includes(s)) return { t: 'exact', v: { u: 0n, s: 0 } };
        return null;
      }
      default: {
        const d = Decimal.parse(value);
        return d === undefined ? null : { t: 'exact', v: { u: d.unscaled, s: d.scale } };
      }
    }
  } catch {
    return null;
  }
}

function exactOfZone(v: ZoneValue, layout: ColumnLayout): ExactNumber | null {
  switch (layout.kind) {
    case 'bool': case 'int32': return { u: BigInt(v as number), s: 0 };
    case 'int64': return { u: v as bigint, s: 0 };
    case 'decimal': return Number.isInteger(v as number) ? { u: BigInt(v as number), s: layout.scale } : null;
    case 'bigdecimal': return v as ExactNumber;
    default: return null;
  }
}

/** Compares a zone bound with a probe: <0, 0, >0, or null when incomparable. */
function cmpBound(bound: ZoneValue, p: Probe, layout: ColumnLayout): number | null {
  if (p.t === 'inf') return -p.sign;
  if (p.t === 'bytes') {
    const b = bound as Uint8Array;
    return compareStringBytes(b, 0, b.length, p.v, 0, p.v.length);
  }
  if (p.t === 'float') return cmpFloat(bound as number, p.v);
  const e = exactOfZone(bound, layout);
  return e === null ? null : cmpExact(e, p.v);
}

/** Can some row of the block satisfy `value op x` given the block's min and max? */
function rangeMayMatch(z: ZoneMap, layout: ColumnLayout, op: '=' | '<' | '<=' | '>' | '>=', p: Probe | null): boolean {
  if (z.min === null || z.max === null) return false; // no non-NULL value: no comparison is true
  if (p === null) return true;
  const cMin = cmpBound(z.min, p, layout);
  const cMax = z.maxUnbounded ? 1 : cmpBound(z.max, p, layout);
  if (cMin === null || cMax === null) return true;
  // A truncated string max is raised above the true max, so every test below stays conservative.
  switch (op) {
    case '=': return cMin <= 0 && cMax >= 0;
    case '<': return cMin < 0;
    case '<=': return cMin <= 0;
    case '>': return cMax > 0;
    case '>=': return cMax >= 0;
  }
}

/** Whether any row of a block with zone map `z` can satisfy the filter (false = skip the block). */
export function zoneMayMatch(f: ZoneFilter, z: ZoneMap, layout: ColumnLayout, type: SqlType): boolean {
  switch (f.kind) {
    case 'isNull': return f.negated ? z.nullCount < z.valueCount : z.nullCount > 0;
    case 'compare': return rangeMayMatch(z, layout, f.op, probeFor(f.value, layout, type));
    case 'between':
      return rangeMayMatch(z, layout, '>=', probeFor(f.low, layout, type))
        && rangeMayMatch(z, layout, '<=', probeFor(f.high, layout, type));
    case 'in':
      for (const v of f.values) if (rangeMayMatch(z, layout, '=', probeFor(v, layout, type))) return true;
      return false;
  }
}

/** A zone bound as text for stv_blocklist (PostgreSQL output format of the column type). */
export function formatZoneValue(v: ZoneValue | null, layout: ColumnLayout, type: SqlType): string | null {
  if (v === null) return null;
  switch (layout.kind) {
    case 'bool': return v === 0 ? 'f' : 't';
    case 'int32': return type.id === 'date' ? formatDate(v as number) : String(v);
    case 'int64':
      if (type.id === 'timestamp') return formatTimestamp(v as bigint);
      if (type.id === 'timestamptz') return formatTimestamptz(v as bigint);
      return String(v);
    case 'float64': return formatFloat(v as number, layout.float4);
    case 'decimal': return new Decimal(BigInt(v as number), layout.scale).toString();
    case 'bigdecimal': { const e = v as ExactNumber; return new Decimal(e.u, e.s).toString(); }
    case 'string': return utf8d.decode(v as Uint8Array);
  }
}

/** Orders two zone bounds of the same column kind (for comparing segments' key ranges). */
export function compareZoneValues(a: ZoneValue, b: ZoneValue, kind: ColumnLayout['kind']): number {
  switch (kind) {
    case 'float64': return cmpFloat(a as number, b as number);
    case 'int64': return (a as bigint) < (b as bigint) ? -1 : (a as bigint) > (b as bigint) ? 1 : 0;
    case 'string': { const x = a as Uint8Array; const y = b as Uint8Array; return compareStringBytes(x, 0, x.length, y, 0, y.length); }
    case 'bigdecimal': return cmpExact(a as ExactNumber, b as ExactNumber);
    default: return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  }
}
