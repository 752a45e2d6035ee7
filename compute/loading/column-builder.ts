// Output buffers of the COPY parser, one per column, and the byte-level fast paths that fill them.
//
// Layout (see compute/batch/vector.ts): each builder owns typed arrays of `capacity` rows for its
// vector kind plus a null byte-map. The parser writes row `r` in place and only counts the row once
// every field of it converted, so a rejected row is simply overwritten by the next one (no undo).
// String values are appended to `bytes`; offsets[r + 1] is set per row, offsets[0] = 0.
import { SqlError, SqlState, invalidTextRepresentation } from '../../common/errors/index.ts';
import type { Vector, VectorKind } from '../batch/vector.ts';
import { layoutOf } from '../../storage/column-kind.ts';
import { daysFromCivil } from '../../sql/types/datetime.ts';
import { Decimal, pow10n } from '../../sql/types/decimal.ts';
import { formatTypeName, type SqlType } from '../../sql/types/sql-type.ts';
import { coerceDecimal, parseDatum, type TextIoSettings } from '../../sql/types/text-io.ts';
import { fromLocal, type ZoneSettings } from '../../sql/types/time-zone.ts';
import { DateTimeFields, fieldsToDays, fieldsToMicros, readAuto, type DateTimeReader } from './date-time-format.ts';

/** One column of the COPY input, in input order. */
export interface CopyColumn {
  readonly name: string;
  readonly type: SqlType;
  readonly notNull: boolean;
}

/** How a column's text becomes a value; one case per fast path. */
export const Conv = {
  BOOL: 0, INT2: 1, INT4: 2, INT8: 3, FLOAT4: 4, FLOAT8: 5, DECIMAL: 6, BIGDECIMAL: 7, DATE: 8,
  TIMESTAMP: 9, TIMESTAMPTZ: 10, STRING: 11,
} as const;

/** Settings that change conversions, fixed for one COPY. */
export interface ConversionSettings {
  readonly roundDecimals: boolean;
  readonly truncateColumns: boolean;
  readonly trimBlanks: boolean;
  /** DATEFORMAT reader; null = PostgreSQL's date input first, then 'auto'. */
  readonly dateReader: DateTimeReader | null;
  /** TIMEFORMAT reader; null = PostgreSQL's timestamp input first, then 'auto'. */
  readonly timeReader: DateTimeReader | null;
  /** ISO 'YYYY-MM-DD' input means what the DATEFORMAT says, so the byte-level fast path may read it. */
  readonly isoDateFastPath: boolean;
  /** ISO 'YYYY-MM-DD HH:MI:SS' input means what the TIMEFORMAT says (fast path allowed). */
  readonly isoTimeFastPath: boolean;
  readonly textIo: TextIoSettings;
}

const EMPTY_U8 = new Uint8Array(0);
const decoder = new TextDecoder();
const encoder = new TextEncoder();
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16];
const US_PER_DAY = 86_400_000_000;

function convOf(t: SqlType): number {
  switch (t.id) {
    case 'bool': return Conv.BOOL;
    case 'int2': return Conv.INT2;
    case 'int4': return Conv.INT4;
    case 'int8': return Conv.INT8;
    case 'float4': return Conv.FLOAT4;
    case 'float8': return Conv.FLOAT8;
    case 'numeric': return layoutOf(t).kind === 'decimal' ? Conv.DECIMAL : Conv.BIGDECIMAL;
    case 'date': return Conv.DATE;
    case 'timestamp': return Conv.TIMESTAMP;
    case 'timestamptz': return Conv.TIMESTAMPTZ;
    default: return Conv.STRING;
  }
}

/** The growing column of one batch. */
export class ColumnBuilder {
  readonly kind: VectorKind;
  readonly conv: number;
  readonly scale: number;
  /** numeric(p,s) with p ≤ 15: unscaled values must be below this (10^p); else Infinity. */
  readonly unscaledLimit: number;
  /** char/varchar declared length in characters; -1 for none. */
  readonly maxChars: number;
  readonly isChar: boolean;
  /** varchar/text/name: TRIMBLANKS applies. */
  readonly isVarchar: boolean;
  readonly isString: boolean;
  readonly typeName: string;
  private capacity: number;
  nulls: Uint8Array = EMPTY_U8;
  u8: Uint8Array = EMPTY_U8;
  i32: Int32Array = new Int32Array(0);
  i64: BigInt64Array = new BigInt64Array(0);
  f64: Float64Array = new Float64Array(0);
  big: bigint[] = [];
  scales: Uint16Array = new Uint16Array(0);
  offsets: Int32Array = new Int32Array(1);
  bytes: Uint8Array = EMPTY_U8;

  constructor(readonly column: CopyColumn, capacity: number) {
    const layout = layoutOf(column.type);
    this.kind = layout.kind;
    this.conv = convOf(column.type);
    this.scale = layout.scale;
    const p = column.type.precision;
    this.unscaledLimit = this.conv === Conv.DECIMAL && p !== undefined ? POW10[p]! : Infinity;
    this.maxChars = (column.type.id === 'char' || column.type.id === 'varchar') && column.type.length !== undefined ? column.type.length : -1;
    this.isChar = column.type.id === 'char';
    this.isVarchar = column.type.id === 'varchar' || column.type.id === 'text' || column.type.id === 'name';
    this.isString = this.conv === Conv.STRING;
    this.typeName = formatTypeName(column.type);
    this.capacity = capacity;
    this.allocate();
  }

  private allocate(): void {
    const n = this.capacity;
    this.nulls = new Uint8Array(n);
    switch (this.kind) {
      case 'bool': this.u8 = new Uint8Array(n); break;
      case 'int32': this.i32 = new Int32Array(n); break;
      case 'int64': this.i64 = new BigInt64Array(n); break;
      case 'float64': case 'decimal': this.f64 = new Float64Array(n); break;
      case 'bigdecimal': this.big = new Array<bigint>(n).fill(0n); this.scales = new Uint16Array(n); break;
      case 'string': this.offsets = new Int32Array(n + 1); this.bytes = new Uint8Array(Math.max(1024, n * 16)); break;
    }
  }

  /** Makes room for `extra` more string bytes after row `row`'s start. */
  ensureBytes(row: number, extra: number): void {
    const need = this.offsets[row]! + extra;
    if (need <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < need) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.offsets[row]!));
    this.bytes = grown;
  }

  setNull(row: number): void {
    this.nulls[row] = 1;
    if (this.kind === 'string') this.offsets[row + 1] = this.offsets[row]!;
    else if (this.kind === 'bigdecimal') this.big[row] = 0n;
  }

  /**
   * The first `rows` rows as a vector; the builder starts a fresh batch in new arrays, or, with
   * `reuse`, in the same ones once {@link recycle} is called (the vector is then short-lived).
   */
  finish(rows: number, reuse = false): Vector {
    let nulls: Uint8Array | null = this.nulls.subarray(0, rows);
    if (nulls.indexOf(1) < 0) nulls = null;
    let v: Vector;
    switch (this.kind) {
      case 'bool': v = { kind: 'bool', length: rows, values: this.u8.subarray(0, rows), nulls }; break;
      case 'int32': v = { kind: 'int32', length: rows, values: this.i32.subarray(0, rows), nulls }; break;
      case 'int64': v = { kind: 'int64', length: rows, values: this.i64.subarray(0, rows), nulls }; break;
      case 'float64': v = { kind: 'float64', length: rows, values: this.f64.subarray(0, rows), nulls }; break;
      case 'decimal': v = { kind: 'decimal', length: rows, values: this.f64.subarray(0, rows), nulls, scale: this.scale }; break;
      case 'bigdecimal': v = { kind: 'bigdecimal', length: rows, values: this.big.slice(0, rows), scales: this.scales.subarray(0, rows), nulls }; break;
      case 'string': {
        const offsets = this.offsets.subarray(0, rows + 1);
        v = { kind: 'string', length: rows, offsets, bytes: this.bytes.subarray(0, offsets[rows]!), nulls };
        break;
      }
    }
    if (!reuse) this.allocate();
    return v;
  }

  /** Makes the arrays of the last reused batch of `rows` rows ready for the next batch. */
  recycle(rows: number): void {
    this.nulls.fill(0, 0, rows);
    if (this.kind === 'bigdecimal') this.big.fill(0n, 0, rows);
  }
}

/**
 * Converts b[s, e) for row `row` on the fast path; false when the text needs the general path
 * ({@link convertSlow}), which also produces the error. Strings always succeed here except for
 * length violations, which throw 22001.
 */
export function convertFast(col: ColumnBuilder, row: number, b: Uint8Array, s: number, e: number, st: ConversionSettings): boolean {
  switch (col.conv) {
    case Conv.INT4: case Conv.INT2: {
      const v = parseSmallInt(b, s, e);
      if (v !== v) return false; // NaN
      if (col.conv === Conv.INT4 ? (v < -2147483648 || v > 2147483647) : (v < -32768 || v > 32767)) return false;
      col.i32[row] = v;
      col.nulls[row] = 0;
      return true;
    }
    case Conv.INT8: {
      const v = parseSmallInt(b, s, e);
      if (v !== v) return false;
      col.i64[row] = BigInt(v);
      col.nulls[row] = 0;
      return true;
    }
    case Conv.DECIMAL: {
      const v = parseScaled(b, s, e, col.scale, st.roundDecimals);
      if (v !== v || Math.abs(v) >= col.unscaledLimit) return false;
      col.f64[row] = v;
      col.nulls[row] = 0;
      return true;
    }
    case Conv.DATE: {
      if (!st.isoDateFastPath) return false;
      const d = parseIsoDate(b, s, e);
      if (d !== d) return false;
      col.i32[row] = d;
      col.nulls[row] = 0;
      return true;
    }
    case Conv.TIMESTAMP: case Conv.TIMESTAMPTZ: {
      if (!st.isoTimeFastPath) return false;
      let us = parseIsoTimestamp(b, s, e);
      if (us !== us) return false;
      col.i64[row] = col.conv === Conv.TIMESTAMPTZ ? fromLocal(st.textIo, BigInt(us)) : BigInt(us);
      col.nulls[row] = 0;
      return true;
    }
    case Conv.BOOL: {
      if (e - s !== 1) return false;
      const c = b[s]! | 0x20;
      if (c === 0x74 || c === 0x79 || c === 0x31) col.u8[row] = 1; // t y 1
      else if (c === 0x66 || c === 0x6e || c === 0x30) col.u8[row] = 0; // f n 0
      else return false;
      col.nulls[row] = 0;
      return true;
    }
    case Conv.STRING:
      appendString(col, row, b, s, e, st);
      return true;
    default:
      return false;
  }
}

/** Optional sign and 1–15 digits as a number; NaN for anything else (spaces, longer, empty). */
function parseSmallInt(b: Uint8Array, s: number, e: number): number {
  let i = s;
  let neg = false;
  const c0 = b[i];
  if (c0 === 0x2d) { neg = true; i++; } else if (c0 === 0x2b) i++;
  const n = e - i;
  if (n <= 0 || n > 15) return NaN;
  let v = 0;
  for (; i < e; i++) {
    const d = b[i]! - 0x30;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return neg ? -v : v;
}

/**
 * [sign] digits [. digits] as an integer scaled by 10^scale, exact while below 10^15; NaN when the
 * text has another shape or too many digits. Extra fraction digits round half away from zero
 * (`round`) or are truncated.
 */
export function parseScaled(b: Uint8Array, s: number, e: number, scale: number, round: boolean): number {
  let i = s;
  let neg = false;
  const c0 = b[i];
  if (c0 === 0x2d) { neg = true; i++; } else if (c0 === 0x2b) i++;
  let v = 0;
  let intDigits = 0;
  while (i < e) {
    const d = b[i]! - 0x30;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
    intDigits++;
    i++;
  }
  let frac = 0;
  let fracDigits = 0;
  let up = false;
  if (i < e && b[i] === 0x2e) {
    i++;
    while (i < e) {
      const d = b[i]! - 0x30;
      if (d < 0 || d > 9) break;
      if (frac < scale) { v = v * 10 + d; frac++; }
      else if (fracDigits === scale && round && d >= 5) up = true;
      fracDigits++;
      i++;
    }
  }
  if (i !== e || intDigits + fracDigits === 0 || intDigits > 15) return NaN;
  if (frac < scale) v *= POW10[scale - frac]!;
  if (up) v += 1;
  if (v >= 1e15) return NaN;
  return neg && v !== 0 ? -v : v;
}

function digit2(b: Uint8Array, i: number): number {
  const a = b[i]! - 0x30;
  const c = b[i + 1]! - 0x30;
  if (a < 0 || a > 9 || c < 0 || c > 9) return NaN;
  return a * 10 + c;
}

const DIM = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** 'YYYY-MM-DD' (exactly) as days since 1970-01-01; NaN otherwise or when out of range. */
export function parseIsoDate(b: Uint8Array, s: number, e: number): number {
  if (e - s !== 10 || b[s + 4] !== 0x2d || b[s + 7] !== 0x2d) return NaN;
  const y = digit2(b, s) * 100 + digit2(b, s + 2);
  const m = digit2(b, s + 5);
  const d = digit2(b, s + 8);
  if (!(m >= 1 && m <= 12 && d >= 1)) return NaN;
  const dim = m === 2 && ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0) ? 29 : DIM[m]!;
  if (d > dim) return NaN;
  return daysFromCivil(y, m, d);
}

/** 'YYYY-MM-DD[ |T]HH:MM:SS[.ffffff]' or 'YYYY-MM-DD' as µs since the epoch; NaN otherwise. */
export function parseIsoTimestamp(b: Uint8Array, s: number, e: number): number {
  const days = parseIsoDate(b, s, Math.min(e, s + 10));
  if (days !== days) return NaN;
  if (e - s === 10) return days * US_PER_DAY;
  if (e - s < 19) return NaN;
  const sep = b[s + 10];
  if ((sep !== 0x20 && sep !== 0x54) || b[s + 13] !== 0x3a || b[s + 16] !== 0x3a) return NaN;
  const h = digit2(b, s + 11);
  const mi = digit2(b, s + 14);
  const sec = digit2(b, s + 17);
  if (!(h <= 23 && mi <= 59 && sec <= 59)) return NaN;
  let micros = 0;
  let i = s + 19;
  if (i < e) {
    if (b[i] !== 0x2e || e - i > 7 || e - i < 2) return NaN;
    i++;
    let scale = 100000;
    for (; i < e; i++) {
      const d = b[i]! - 0x30;
      if (d < 0 || d > 9) return NaN;
      micros += d * scale;
      scale /= 10;
    }
  }
  const us = days * US_PER_DAY + (h * 3600 + mi * 60 + sec) * 1e6 + micros;
  return Number.isSafeInteger(us) ? us : NaN;
}

/** Appends a UTF-8 string value with char/varchar rules (TRIMBLANKS, TRUNCATECOLUMNS, 22001). */
function appendString(col: ColumnBuilder, row: number, b: Uint8Array, s: number, e: number, st: ConversionSettings): void {
  if (col.isChar || (st.trimBlanks && col.isVarchar)) {
    while (e > s && (b[e - 1] === 0x20 || (st.trimBlanks && b[e - 1] === 0x09))) e--;
  }
  if (col.maxChars >= 0 && e - s > col.maxChars) e = fitLength(col, b, s, e, st.truncateColumns);
  const n = e - s;
  col.ensureBytes(row, n);
  const start = col.offsets[row]!;
  const out = col.bytes;
  if (n < 32) for (let k = 0; k < n; k++) out[start + k] = b[s + k]!;
  else out.set(b.subarray(s, e), start);
  col.offsets[row + 1] = start + n;
  col.nulls[row] = 0;
}

/** End of the value cut to the declared length; throws 22001 unless the excess is spaces or truncation is on. */
function fitLength(col: ColumnBuilder, b: Uint8Array, s: number, e: number, truncate: boolean): number {
  let chars = 0;
  let cut = -1;
  for (let i = s; i < e; i++) {
    if ((b[i]! & 0xc0) !== 0x80) {
      if (chars === col.maxChars) { cut = i; break; }
      chars++;
    }
  }
  if (cut < 0) return e;
  if (truncate) return cut;
  for (let i = cut; i < e; i++) {
    if (b[i] !== 0x20) {
      throw new SqlError(SqlState.STRING_DATA_RIGHT_TRUNCATION, `value too long for type ${col.typeName}`);
    }
  }
  return cut;
}

const fields = new DateTimeFields();

/**
 * The general conversion of `text` for row `row`: PostgreSQL's input functions (parseDatum) and
 * the DATEFORMAT/TIMEFORMAT readers. Throws the SqlError PostgreSQL would (22P02, 22003, 22007, 22008).
 */
export function convertSlow(col: ColumnBuilder, row: number, text: string, st: ConversionSettings): void {
  const t = col.column.type;
  switch (col.conv) {
    case Conv.BOOL: col.u8[row] = parseDatum(t, text) === true ? 1 : 0; break;
    case Conv.INT2: case Conv.INT4: col.i32[row] = Number(parseInteger(t, text)); break;
    case Conv.INT8: col.i64[row] = parseInteger(t, text); break;
    case Conv.FLOAT4: case Conv.FLOAT8: col.f64[row] = parseFloatText(t, text); break;
    case Conv.DECIMAL: col.f64[row] = Number(parseNumeric(t, text, st.roundDecimals).unscaled); break;
    case Conv.BIGDECIMAL: {
      const d = parseNumeric(t, text, st.roundDecimals);
      col.big[row] = d.unscaled;
      col.scales[row] = d.scale;
      break;
    }
    case Conv.DATE: col.i32[row] = parseDateText(text, st.dateReader); break;
    case Conv.TIMESTAMP: col.i64[row] = parseTimestampText(text, st.timeReader, false, st.textIo); break;
    case Conv.TIMESTAMPTZ: col.i64[row] = parseTimestampText(text, st.timeReader, true, st.textIo); break;
    case Conv.STRING: {
      const bytes = encoder.encode(text);
      appendString(col, row, bytes, 0, bytes.length, st);
      break;
    }
  }
  col.nulls[row] = 0;
}

const INT_LIMITS: Record<string, [bigint, bigint]> = {
  int2: [-32768n, 32767n], int4: [-2147483648n, 2147483647n], int8: [-9223372036854775808n, 9223372036854775807n],
};
const PG_INTEGER = /^\s*([+-]?)(0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|\d(?:_?\d)*)\s*$/;

/**
 * PostgreSQL 16+ integer input: decimal, 0x hex, 0o octal, 0b binary, '_' between digits, spaces
 * around. Throws 22P02 / 22003 with PostgreSQL's messages.
 */
function parseInteger(t: SqlType, text: string): bigint {
  const m = PG_INTEGER.exec(text);
  const typeName = formatTypeName(t);
  if (m === null) throw invalidTextRepresentation(typeName, text);
  const digits = m[2]!.replaceAll('_', '');
  const v = m[1] === '-' ? -BigInt(digits) : BigInt(digits);
  const [min, max] = INT_LIMITS[t.id]!;
  if (v < min || v > max) throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, `value "${text}" is out of range for type ${typeName}`);
  return v;
}

/** float4/float8 input via parseDatum, with PostgreSQL's out-of-range message. */
function parseFloatText(t: SqlType, text: string): number {
  try {
    return parseDatum(t, text) as number;
  } catch (err) {
    if (err instanceof SqlError && err.code === SqlState.NUMERIC_VALUE_OUT_OF_RANGE) {
      throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, `"${text}" is out of range for type ${formatTypeName(t)}`);
    }
    throw err;
  }
}

/** numeric input with PostgreSQL's rounding, or Redshift's truncation when `round` is false. */
function parseNumeric(t: SqlType, text: string, round: boolean): Decimal {
  const d = Decimal.parse(text);
  if (d === undefined) {
    const s = text.trim().toLowerCase();
    if (s === 'nan' || s === 'infinity' || s === '-infinity' || s === '+infinity') {
      throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `numeric value ${text.trim()} is not supported by column storage`);
    }
    throw invalidTextRepresentation('numeric', text);
  }
  if (round || t.scale === undefined || d.scale <= t.scale) return coerceDecimal(d, t);
  // Truncate toward zero to the column's scale, then check the precision.
  const cut = pow10n(d.scale - t.scale);
  const q = d.unscaled / cut;
  return coerceDecimal(new Decimal(q, t.scale), t);
}

function parseDateText(text: string, reader: DateTimeReader | null): number {
  if (reader === null) {
    try {
      return parseDatum({ id: 'date' }, text) as number;
    } catch (err) {
      // PostgreSQL's DateStyle ISO, MDY also reads '01/31/2020', 'Jan-31-2020', '20200131'.
      if (err instanceof SqlError && err.code === SqlState.INVALID_DATETIME_FORMAT) {
        if (readAutoSafely(text)) return fieldsToDays(fields, text);
      }
      throw err;
    }
  }
  if (!reader(text, fields)) {
    throw new SqlError(SqlState.INVALID_DATETIME_FORMAT, `invalid input syntax for type date: "${text}"`);
  }
  return fieldsToDays(fields, text);
}

function parseTimestampText(text: string, reader: DateTimeReader | null, tz: boolean, zone: ZoneSettings): bigint {
  const typeName = tz ? 'timestamp with time zone' : 'timestamp without time zone';
  if (reader === null) {
    try {
      return parseDatum({ id: tz ? 'timestamptz' : 'timestamp' }, text, zone) as bigint;
    } catch (err) {
      if (err instanceof SqlError && err.code === SqlState.INVALID_DATETIME_FORMAT && readAutoSafely(text)) {
        return fieldsToMicros(fields, text, tz, zone);
      }
      throw err;
    }
  }
  if (!reader(text, fields)) {
    throw new SqlError(SqlState.INVALID_DATETIME_FORMAT, `invalid input syntax for type ${typeName}: "${text}"`);
  }
  return fieldsToMicros(fields, text, tz, zone);
}

function readAutoSafely(text: string): boolean {
  return readAuto(text, fields);
}

/** Decodes b[s, e) as UTF-8 text (for the general path and error messages). */
export function decodeText(b: Uint8Array, s: number, e: number): string {
  return decoder.decode(b.subarray(s, e));
}
