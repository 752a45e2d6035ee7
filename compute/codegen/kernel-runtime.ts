// Helpers that generated kernels call: errors identical to the reference, byte-string compare,
// LIKE matching, exact rounding on float64 scaled integers, and Datum <-> vector conversions.
import { SqlError, SqlState, divisionByZero, internalError, numericOutOfRange } from '../../common/errors/index.ts';
import { castDatum } from '../../sql/expr/cast.ts';
import { compareDatums } from '../../sql/expr/compare.ts';
import { evaluate } from '../../sql/expr/evaluate.ts';
import { civilInto } from '../../sql/types/datetime.ts';
import { Decimal, pow10n, roundDiv } from '../../sql/types/decimal.ts';
import type { Datum } from '../../sql/types/datum.ts';
import type { StringVector } from '../batch/vector.ts';
import { DictionaryStringVector, gatherVector, stringBytes, stringOffsets, stringRows } from '../../storage/vector-ops.ts';
import type { SqlType } from '../../sql/types/sql-type.ts';
import { coerceDecimal } from '../../sql/types/text-io.ts';
import { datumAt } from '../batch/row-conversion.ts';
import { bytesEndWith, bytesIndexOf, bytesStartWith, likeMatchParts } from './like-pattern.ts';
import { StringWriter } from './string-writer.ts';

const decoder = new TextDecoder();

/** Largest integer a float64 holds exactly together with all smaller ones (2^53 - 1). */
export const MAX_EXACT = Number.MAX_SAFE_INTEGER;

/** Whether this machine stores typed arrays little-endian (int64 fast path reads 32-bit halves). */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

let zeros = new Uint8Array(8192);

/** A shared all-zero null map of at least `n` entries (never written). */
function zerosOf(n: number): Uint8Array {
  if (zeros.length < n) zeros = new Uint8Array(n * 2);
  return zeros;
}

/** Grow-only typed buffers of one kernel instance, handed out as views of `n` elements. */
type Pool = (Uint8Array | Int32Array | Float64Array | BigInt64Array | undefined)[];

function pooled<T extends Uint8Array | Int32Array | Float64Array | BigInt64Array>(p: Pool, slot: number, n: number, make: (n: number) => T): T {
  let b = p[slot] as T | undefined;
  if (b === undefined || b.length < n) p[slot] = b = make(Math.max(n, 1024));
  return b.subarray(0, n) as T;
}

const reuseUint8Array = (p: Pool, slot: number, n: number): Uint8Array => pooled(p, slot, n, (m) => new Uint8Array(m)).fill(0);
const reuseInt32Array = (p: Pool, slot: number, n: number): Int32Array => pooled(p, slot, n, (m) => new Int32Array(m));
const reuseFloat64Array = (p: Pool, slot: number, n: number): Float64Array => pooled(p, slot, n, (m) => new Float64Array(m));
const reuseBigInt64Array = (p: Pool, slot: number, n: number): BigInt64Array => pooled(p, slot, n, (m) => new BigInt64Array(m));

/**
 * The byte offset of character k (0-based code point) of the UTF-8 string bytes[s, e): s for k ≤ 0,
 * e past the end.
 */
function charOffset(bytes: Uint8Array, s: number, e: number, k: number): number {
  if (k <= 0) return s;
  let i = s;
  for (let c = 0; c < k && i < e; c++) {
    i++;
    while (i < e && (bytes[i]! & 0xc0) === 0x80) i++;
  }
  return i;
}

const civil = new Int32Array(3);

/**
 * A calendar field of day number `days` (since 1970-01-01): 0 year as PostgreSQL shows it (no year
 * 0), 1 month, 2 day of month, 3 quarter. No allocation.
 */
function dateField(days: number, field: number): number {
  civilInto(days, civil);
  switch (field) {
    case 0: { const y = civil[0]!; return y > 0 ? y : y - 1; }
    case 1: return civil[1]!;
    case 2: return civil[2]!;
    default: return Math.floor((civil[1]! - 1) / 3) + 1;
  }
}

/**
 * Rows rows[0..cnt) of a string vector: codes into the same entries when it has a dictionary, made
 * in place of `rows` (the kernel's own array, not read again) with the NULL map from pool slot
 * `slot` when the kernel reuses its outputs (`pool` not null).
 */
function takeStrings(v: StringVector, rows: Int32Array, cnt: number, pool: Pool | null, slot: number): StringVector {
  const d = v.dictionary;
  if (d === undefined) return gatherVector(v, rows, cnt) as StringVector;
  let nulls: Uint8Array | null = null;
  if (v.nulls !== null) {
    const from = v.nulls;
    nulls = pool === null ? new Uint8Array(cnt) : pooled(pool, slot, cnt, (m) => new Uint8Array(m));
    let any = 0;
    for (let i = 0; i < cnt; i++) { const b = from[rows[i]!]!; nulls[i] = b; any |= b; }
    if (any === 0) nulls = null;
  }
  const codes = d.codes;
  for (let i = 0; i < cnt; i++) rows[i] = codes[rows[i]!]!;
  return new DictionaryStringVector(cnt, nulls, { codes: rows.subarray(0, cnt), entries: d.entries });
}

/** The int32 halves (lo, hi, lo, hi, ...) of a BigInt64Array, for the float64 int8 path. */
function int32View(values: BigInt64Array): Int32Array {
  return new Int32Array(values.buffer, values.byteOffset, values.length * 2);
}

function decode(bytes: Uint8Array, start: number, end: number): string {
  return decoder.decode(bytes.subarray(start, end));
}

function eqBytes(a: Uint8Array, as: number, ae: number, b: Uint8Array, bs: number, be: number): boolean {
  const n = ae - as;
  if (n !== be - bs) return false;
  for (let j = 0; j < n; j++) if (a[as + j] !== b[bs + j]) return false;
  return true;
}

/** Orders two UTF-8 strings by their bytes: code point order, the C collation, as sql/expr/compare.ts. */
function cmpBytes(a: Uint8Array, as: number, ae: number, b: Uint8Array, bs: number, be: number): number {
  const la = ae - as;
  const lb = be - bs;
  const n = la < lb ? la : lb;
  for (let j = 0; j < n; j++) {
    const x = a[as + j]!;
    const y = b[bs + j]!;
    if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return la < lb ? -1 : la > lb ? 1 : 0;
}

/** Rounds half to even, as cast.ts's rint. */
function rint(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** float → int2/int4 as castDatum does. */
function f64ToI32(v: number, lo: number, hi: number, name: string): number {
  if (!Number.isFinite(v)) throw numericOutOfRange(name);
  const r = rint(v);
  if (!Number.isSafeInteger(r) || r < lo || r > hi) throw numericOutOfRange(name);
  return r;
}

/** float → int8 in float64: the value, or NaN when it is not exact (caller takes the exact path). */
function f64ToI64Fast(v: number): number {
  if (!Number.isFinite(v)) throw numericOutOfRange('bigint');
  const r = rint(v);
  return Math.abs(r) > MAX_EXACT ? NaN : r + 0;
}

/** float → int8 as castDatum does. */
function f64ToI64Exact(v: number): bigint {
  if (!Number.isFinite(v)) throw numericOutOfRange('bigint');
  const r = rint(v);
  if (Math.abs(r) >= 9.223372036854776e18) throw numericOutOfRange('bigint');
  return BigInt(r);
}

/** roundDiv(v, p) for a float64 integer |v| ≤ 2^53 and p = 10^k: exact (fmod and exact division). */
function roundDivFast(v: number, p: number): number {
  const r = v % p;
  const q = (v - r) / p;
  return Math.abs(r) * 2 >= p ? (v < 0 ? q - 1 : q + 1) : q + 0;
}

/** Throws coerceDecimal's "numeric field overflow" for unscaled·10^-scale into numeric(p,s). */
function numericFieldOverflow(unscaled: bigint, scale: number, type: SqlType): never {
  coerceDecimal(new Decimal(unscaled, scale), type);
  throw numericOutOfRange('numeric');
}

/** An int8 Datum as an exact float64, or NaN when it is not exactly representable. */
function i64Safe(d: Datum): number {
  const x = Number(d);
  return Math.abs(x) > MAX_EXACT ? NaN : x;
}

function toBig(d: Datum): bigint {
  return typeof d === 'bigint' ? d : BigInt(d as number);
}

/** As row-conversion's asDecimal (the vector builder's view of a numeric Datum). */
function asDecimal(v: Datum): Decimal {
  if (v instanceof Decimal) return v;
  if (typeof v === 'bigint') return new Decimal(v, 0);
  if (typeof v === 'number') return Decimal.parse(String(v)) ?? new Decimal(0n, 0);
  if (typeof v === 'string') return Decimal.parse(v) ?? new Decimal(0n, 0);
  return new Decimal(0n, 0);
}

/** The 'decimal' vector slot vectorFromRows stores for a numeric Datum. */
function decimalSlot(v: Datum, scale: number): number {
  return Number(asDecimal(v).withScale(scale).unscaled);
}

/** Stores a numeric Datum into a 'bigdecimal' vector as vectorFromRows does. */
function storeBigDecimal(values: bigint[], scales: Uint16Array, k: number, v: Datum, typeScale: number): void {
  const d = typeScale >= 0 ? asDecimal(v).withScale(typeScale) : asDecimal(v);
  values[k] = d.unscaled;
  scales[k] = d.scale;
}

/** Exact numeric → float8 (Number of the decimal text, as castDatum). */
function decToF64(unscaled: bigint, scale: number): number {
  return Number(new Decimal(unscaled, scale).toString());
}

function decFromNum(v: number, scale: number): Decimal {
  return new Decimal(BigInt(v), scale);
}

function decFromBig(v: bigint, scale: number): Decimal {
  return new Decimal(v, scale);
}

/** Everything generated kernel code may call, passed to the compiled factory as `H`. */
export const KERNEL_RUNTIME = {
  zerosOf, int32View, decode, eqBytes, cmpBytes, f64ToI32, f64ToI64Fast, f64ToI64Exact,
  stringRows, stringOffsets, stringBytes, takeStrings, charOffset, dateField,
  reuseUint8Array, reuseInt32Array, reuseFloat64Array, reuseBigInt64Array,
  roundDivFast, roundDiv, pow10n, numericFieldOverflow, i64Safe, toBig, decimalSlot, storeBigDecimal,
  decToF64, decFromNum, decFromBig, datumAt, evaluate, castDatum, compareDatums,
  bytesStartWith, bytesEndWith, bytesIndexOf, likeMatchParts,
  intRange: numericOutOfRange, divisionByZero,
  layoutMismatch: (col: number, kind: string): Error => internalError(`kernel compiled for a ${kind} vector in column ${col}`),
  floatOverflow: (): Error => numericOutOfRange('value'),
  negativeSubstringLength: (): Error => new SqlError(SqlState.SUBSTRING_ERROR, 'negative substring length not allowed'),
  newStringWriter: (rows: number, bytesHint: number): StringWriter => new StringWriter(rows, bytesHint),
};

/** The type of `H` inside generated code. */
export type KernelRuntime = typeof KERNEL_RUNTIME;
