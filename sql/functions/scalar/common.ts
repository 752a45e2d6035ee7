// Shared helpers of the scalar library: PostgreSQL-style signature choice, datum accessors,
// timestamp splitting and the error constructors the functions raise.
import { SqlError, SqlState } from '../../../common/errors/index.ts';
import { civilFromDays, daysFromCivil } from '../../types/datetime.ts';
import { Decimal } from '../../types/decimal.ts';
import type { Datum } from '../../types/datum.ts';
import { T, type SqlType, type TypeId } from '../../types/sql-type.ts';
import { Interval } from '../../types/interval.ts';
import type { EvalContext, Resolved } from '../scalar-functions.ts';

/** One candidate signature: argument type ids and the result type. */
export interface Signature {
  readonly args: readonly TypeId[];
  readonly returns: SqlType;
  /** When set, any number (≥ args.length) of trailing arguments of this type. */
  readonly variadic?: TypeId;
}

/** Shorthand for a signature. */
export function sig(args: readonly TypeId[], returns: SqlType | TypeId): Signature {
  return { args, returns: typeof returns === 'string' ? typeOf(returns) : returns };
}

/** The SqlType for a bare type id (numeric unconstrained). */
export function typeOf(id: TypeId): SqlType {
  return id === 'numeric' ? T.numeric() : { id };
}

type Category = 'N' | 'S' | 'D' | 'T' | 'B' | 'U' | 'X';

const CATEGORY: Record<TypeId, Category> = {
  int2: 'N', int4: 'N', int8: 'N', numeric: 'N', float4: 'N', float8: 'N', oid: 'N',
  text: 'S', varchar: 'S', char: 'S', name: 'S', unknown: 'U',
  date: 'D', timestamp: 'D', timestamptz: 'D', interval: 'T', bool: 'B',
};

const PREFERRED: Partial<Record<Category, TypeId>> = { N: 'float8', S: 'text', D: 'timestamptz', T: 'interval', B: 'bool' };

/** PostgreSQL's implicit casts (pg_cast with castcontext 'i') between our types. */
const IMPLICIT: Partial<Record<TypeId, readonly TypeId[]>> = {
  int2: ['int4', 'int8', 'numeric', 'float4', 'float8'],
  int4: ['int8', 'numeric', 'float4', 'float8', 'oid'],
  int8: ['numeric', 'float4', 'float8', 'oid'],
  oid: ['int8'],
  numeric: ['float4', 'float8'],
  float4: ['float8'],
  char: ['text', 'varchar'],
  varchar: ['text'],
  text: ['varchar', 'char', 'name'],
  name: ['text'],
  date: ['timestamp', 'timestamptz'],
  timestamp: ['timestamptz'],
};

/** Whether a value of type `from` converts implicitly to `to` (unknown literals convert to anything). */
export function canImplicitlyCast(from: TypeId, to: TypeId): boolean {
  return from === to || from === 'unknown' || (IMPLICIT[from]?.includes(to) ?? false);
}

function expand(s: Signature, n: number): readonly TypeId[] | undefined {
  if (s.variadic === undefined) return s.args.length === n ? s.args : undefined;
  if (n < s.args.length) return undefined;
  const out = [...s.args];
  while (out.length < n) out.push(s.variadic);
  return out;
}

/**
 * Chooses among candidate signatures as PostgreSQL's func_select_candidate does: every argument
 * must convert implicitly; then most exact matches win, then most preferred types where a
 * conversion is needed, then for unknown literals the string category (else the preferred type).
 * Undefined when nothing fits (the binder reports 42883).
 */
export function pickSignature(argTypes: readonly SqlType[], sigs: readonly Signature[]): Resolved | undefined {
  const ids = argTypes.map((t) => t.id);
  let cands: { s: Signature; args: readonly TypeId[] }[] = [];
  for (const s of sigs) {
    const args = expand(s, ids.length);
    if (args && args.every((a, i) => canImplicitlyCast(ids[i]!, a))) cands.push({ s, args });
  }
  if (cands.length === 0) return undefined;
  const best = (score: (args: readonly TypeId[]) => number): void => {
    if (cands.length <= 1) return;
    let top = -1;
    for (const c of cands) top = Math.max(top, score(c.args));
    cands = cands.filter((c) => score(c.args) === top);
  };
  best((args) => args.filter((a, i) => a === ids[i]).length);
  best((args) => args.filter((a, i) => a !== ids[i] && ids[i] !== 'unknown' && PREFERRED[CATEGORY[a]] === a).length);
  for (let i = 0; i < ids.length && cands.length > 1; i++) {
    if (ids[i] !== 'unknown') continue;
    const hasString = cands.some((c) => CATEGORY[c.args[i]!] === 'S');
    if (hasString) {
      cands = cands.filter((c) => CATEGORY[c.args[i]!] === 'S');
      best((args) => (args[i] === 'text' ? 1 : 0));
    } else {
      best((args) => (PREFERRED[CATEGORY[args[i]!]] === args[i] ? 1 : 0));
    }
  }
  // Unknowns beside known arguments of one type take that type (PostgreSQL's last rule).
  const known = ids.filter((t) => t !== 'unknown');
  if (cands.length > 1 && known.length > 0 && known.every((t) => t === known[0])) {
    best((args) => args.filter((a, i) => ids[i] === 'unknown' && a === known[0]).length);
  }
  const c = cands[0]!;
  return { args: c.args.map((a, i) => (a === ids[i] && a !== 'numeric' ? argTypes[i]! : typeOf(a))), returns: c.s.returns };
}

/** A resolve() over a fixed list of signatures. */
export function resolveBy(sigs: readonly Signature[]): (argTypes: readonly SqlType[]) => Resolved | undefined {
  return (argTypes) => pickSignature(argTypes, sigs);
}

// ---- SQLSTATEs missing from common/errors/sql-state.ts (report: add them there) ----

/** Data-exception codes this library raises that SqlState does not list yet. */
export const EXTRA_STATE = {
  INVALID_ARGUMENT_FOR_LOG: SqlState.INVALID_ARGUMENT_FOR_LOG,
  INVALID_ARGUMENT_FOR_POWER: SqlState.INVALID_ARGUMENT_FOR_POWER,
  INVALID_ARGUMENT_FOR_WIDTH_BUCKET: SqlState.INVALID_ARGUMENT_FOR_WIDTH_BUCKET,
  SUBSTRING_ERROR: SqlState.SUBSTRING_ERROR,
  INVALID_REGULAR_EXPRESSION: SqlState.INVALID_REGULAR_EXPRESSION,
  INVALID_ESCAPE_SEQUENCE: SqlState.INVALID_ESCAPE_SEQUENCE,
  AMBIGUOUS_FUNCTION: SqlState.AMBIGUOUS_FUNCTION,
} as const;

/** 22023 invalid_parameter_value. */
export function invalidParameter(message: string): SqlError {
  return new SqlError(SqlState.INVALID_PARAMETER_VALUE, message);
}

/** 22003 numeric_value_out_of_range with PostgreSQL's "X out of range" message. */
export function outOfRange(what: string): SqlError {
  return new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, `${what} out of range`);
}

// ---- Datum accessors ----

/** A string argument. */
export const str = (d: Datum | undefined): string => d as string;
/** An int2/int4 argument. */
export const int = (d: Datum | undefined): number => d as number;
/** A float argument. */
export const num = (d: Datum | undefined): number => d as number;

/** Checks an int4 result (22003 "integer out of range"). */
export function int4(v: number): number {
  if (v < -2147483648 || v > 2147483647 || Number.isNaN(v)) throw outOfRange('integer');
  return v;
}

export const INT8_MIN = -9223372036854775808n;
export const INT8_MAX = 9223372036854775807n;

/** Checks an int8 result (22003 "bigint out of range"). */
export function int8(v: bigint): bigint {
  if (v < INT8_MIN || v > INT8_MAX) throw outOfRange('bigint');
  return v;
}

/** Converts a float/int/bigint/Decimal datum to a JS number. */
export function toNumber(d: Datum): number {
  if (d instanceof Decimal) return d.toNumber();
  return Number(d);
}

/** The code points of a string (PostgreSQL counts characters, not UTF-16 units). */
export function chars(s: string): string[] {
  return Array.from(s);
}

/** Whether the string has characters outside the BMP (so UTF-16 indexes differ from characters). */
export function isSimple(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return false;
  }
  return true;
}

// ---- Dates and timestamps ----

export const US_PER_SECOND = 1_000_000n;
export const US_PER_MINUTE = 60_000_000n;
export const US_PER_HOUR = 3_600_000_000n;
export const US_PER_DAY = 86_400_000_000n;

/** A timestamp broken into calendar fields (proleptic Gregorian, year 0 = 1 BC). */
export interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Microseconds within the second. */
  micros: number;
  /** Days since 1970-01-01. */
  days: number;
}

/** Splits µs since the epoch into calendar fields. */
export function splitTimestamp(us: bigint): Fields {
  let days = us / US_PER_DAY;
  let rem = us % US_PER_DAY;
  if (rem < 0n) { rem += US_PER_DAY; days -= 1n; }
  const dn = Number(days);
  const [year, month, day] = civilFromDays(dn);
  const r = Number(rem);
  const secs = Math.floor(r / 1_000_000);
  return {
    year, month, day, days: dn,
    hour: Math.floor(secs / 3600), minute: Math.floor(secs / 60) % 60, second: secs % 60, micros: r % 1_000_000,
  };
}

/** µs since the epoch from calendar fields (months and days may overflow; they carry). */
export function joinTimestamp(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, micros = 0): bigint {
  const y = year + Math.floor((month - 1) / 12);
  const m = ((month - 1) % 12 + 12) % 12 + 1;
  const days = daysFromCivil(y, m, 1) + day - 1;
  return BigInt(days) * US_PER_DAY + BigInt(hour) * US_PER_HOUR + BigInt(minute) * US_PER_MINUTE
    + BigInt(second) * US_PER_SECOND + BigInt(micros);
}

/** Days in a month of a (proleptic Gregorian) year. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Day of week, 0 = Sunday. */
export function dayOfWeek(days: number): number {
  return ((days + 4) % 7 + 7) % 7;
}

/** ISO 8601 week-numbering year and week of a day number. */
export function isoWeek(days: number): [year: number, week: number] {
  const wd = ((days + 3) % 7 + 7) % 7; // Monday = 0
  const thursday = days - wd + 3;
  const [ty] = civilFromDays(thursday);
  return [ty, Math.floor((thursday - daysFromCivil(ty, 1, 1)) / 7) + 1];
}

/** Day number of the Monday starting ISO week 1 of ISO year `y`. */
export function isoYearStart(y: number): number {
  const jan4 = daysFromCivil(y, 1, 4);
  const wd = ((jan4 + 3) % 7 + 7) % 7;
  return jan4 - wd;
}

/** Local wall-clock µs of a timestamp-like datum of type `t` (timestamptz shifted by the session offset). */
export function localMicros(v: Datum, t: SqlType, offsetSeconds: number): bigint {
  if (t.id === 'date') return BigInt(v as number) * US_PER_DAY;
  if (t.id === 'timestamptz') return (v as bigint) + BigInt(offsetSeconds) * US_PER_SECOND;
  return v as bigint;
}

/** Timestamp range PostgreSQL accepts: 4713 BC to 294276 AD. */
const TS_MIN = -210866803200000000n; // 4714-11-24 00:00:00 BC
const TS_MAX = 9224318016000000000n; // 294277-01-01 00:00:00

/** Checks a computed timestamp against PostgreSQL's range (22008 "timestamp out of range"). */
export function checkTimestamp(us: bigint): bigint {
  if (us < TS_MIN || us >= TS_MAX) throw new SqlError(SqlState.DATETIME_FIELD_OVERFLOW, 'timestamp out of range');
  return us;
}

/** Decimal from an integer or µs count with a scale. */
export function dec(unscaled: bigint | number, scale = 0): Decimal {
  return new Decimal(typeof unscaled === 'number' ? BigInt(unscaled) : unscaled, scale);
}

/**
 * The evaluate() signature with the argument types appended. Timestamp and timestamptz share one
 * representation, so functions whose answer depends on which one it is read `argTypes`; the
 * evaluator passes them as a 4th argument (until it does, they treat a bigint as timestamp).
 */
export type TypedEvaluate = (args: readonly Datum[], resultType: SqlType, ctx: EvalContext, argTypes?: readonly SqlType[]) => Datum;

/** The type of argument `i` when the evaluator passed argument types, else `fallback`. */
export function argType(argTypes: readonly SqlType[] | undefined, i: number, fallback: SqlType): SqlType {
  return argTypes?.[i] ?? fallback;
}

/** The temporal type a value has: date for numbers, interval for Intervals, else timestamp unless told. */
export function temporalTypeOf(x: Datum, told: SqlType | undefined): SqlType {
  if (told !== undefined && told.id !== 'unknown') return told;
  if (x instanceof Interval) return T.interval;
  return typeof x === 'number' ? T.date : T.timestamp;
}
