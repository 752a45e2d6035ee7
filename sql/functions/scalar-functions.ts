// Scalar functions and operators: how each resolves its argument types and computes its value.
// Operators are functions too ('add' for +, 'eq' for =, ...); the binder maps symbols to names.
import { SqlError, SqlState, divisionByZero, numericOutOfRange } from '../../common/errors/index.ts';
import { compareDatums } from '../expr/compare.ts';
import { toDecimal } from '../expr/cast.ts';
import { decAdd, decDiv, decMod, decMul, decRound, decSub, decTrunc } from '../expr/numeric-ops.ts';
import { civilFromDays, daysFromCivil } from '../types/datetime.ts';
import { Decimal } from '../types/decimal.ts';
import type { Datum } from '../types/datum.ts';
import { Interval } from '../types/interval.ts';
import { T, isNumericType, isStringType, type SqlType, type TypeId } from '../types/sql-type.ts';
import { SCALAR_LIBRARY } from './scalar/index.ts';
import { fromLocal, toLocal, type ZoneSettings } from '../types/time-zone.ts';

/** Chosen signature for a call: cast each argument to `args[i]`; the result has type `returns`. */
export interface Resolved {
  readonly args: readonly SqlType[];
  readonly returns: SqlType;
}

/** Session facts functions may read (version(), current_user, now()). */
export interface EvalContext {
  readonly user: string;
  readonly database: string;
  readonly serverVersion: string;
  /** Statement start, µs since the epoch. */
  readonly statementStartMicros: bigint;
  readonly timeZoneOffsetSeconds: number;
  /** The session's TimeZone when it is a region (its offset varies by instant); see sql/types/time-zone.ts. */
  readonly timeZone?: string;
  /** Rows the session's last COPY loaded (pg_last_copy_count()). */
  readonly lastCopyCount?: number;
  /** The database has JavaScript functions: whoever runs the statement loads their engine first. */
  readonly javascript?: boolean;
}

/** One scalar function. */
export interface ScalarFunction {
  /** Picks the signature for these argument types, or undefined if none fits (→ 42883). */
  resolve(argTypes: readonly SqlType[]): Resolved | undefined;
  /**
   * Computes the value. Strict functions are not called with a NULL argument (the result is NULL).
   * `argTypes` tells apart types that share a JS representation (timestamp vs timestamptz vs int8).
   */
  evaluate(args: readonly Datum[], resultType: SqlType, ctx: EvalContext, argTypes?: readonly SqlType[]): Datum;
  /** Default true: NULL in → NULL out without calling evaluate. */
  readonly strict?: boolean;
}

const NUMERIC_RANK: Partial<Record<TypeId, number>> = { int2: 1, oid: 2, int4: 2, int8: 3, numeric: 4, float4: 5, float8: 6 };

/** The type both numeric operands convert to (PostgreSQL's implicit-cast preference). */
export function commonNumericType(a: SqlType, b: SqlType): SqlType | undefined {
  const ra = NUMERIC_RANK[a.id];
  const rb = NUMERIC_RANK[b.id];
  if (ra === undefined || rb === undefined) return undefined;
  const top = ra >= rb ? a : b;
  // int2 op int2 computes in int4 only for some ops in PG; keep the wider of the two.
  if (top.id === 'numeric') return T.numeric();
  return { id: top.id };
}

const INT_BOUNDS: Partial<Record<TypeId, [number, number]>> = { int2: [-32768, 32767], int4: [-2147483648, 2147483647] };
const INT8_MIN = -9223372036854775808n;
const INT8_MAX = 9223372036854775807n;

function checkInt(v: number, t: SqlType): number {
  const b = INT_BOUNDS[t.id];
  if (b && (v < b[0] || v > b[1])) throw numericOutOfRange(t.id === 'int2' ? 'smallint' : 'integer');
  return v;
}

function checkInt8(v: bigint): bigint {
  if (v < INT8_MIN || v > INT8_MAX) throw numericOutOfRange('bigint');
  return v;
}

function checkFloat(v: number, a: number, b: number): number {
  if (!Number.isFinite(v) && Number.isFinite(a) && Number.isFinite(b)) throw numericOutOfRange('value');
  return v;
}

const US_PER_DAY = 86_400_000_000n;

function addInterval(tsMicros: bigint, iv: Interval, sign: 1 | -1): bigint {
  let us = tsMicros;
  if (iv.months !== 0) {
    let days = us / US_PER_DAY;
    let rem = us % US_PER_DAY;
    if (rem < 0n) { rem += US_PER_DAY; days -= 1n; }
    const [y, m, d] = civilFromDays(Number(days));
    const total = y * 12 + (m - 1) + sign * iv.months;
    const ny = Math.floor(total / 12);
    const nm = total - ny * 12 + 1;
    const dim = new Date(Date.UTC(2000, nm, 0)).getUTCDate();
    const leapFix = nm === 2 && ((ny % 4 === 0 && ny % 100 !== 0) || ny % 400 === 0) ? 29 : nm === 2 ? 28 : dim;
    us = BigInt(daysFromCivil(ny, nm, Math.min(d, leapFix))) * US_PER_DAY + rem;
  }
  us += BigInt(sign * iv.days) * US_PER_DAY + BigInt(sign) * iv.micros;
  return us;
}

/** Arithmetic resolution shared by + - * / %. */
function arith(op: 'add' | 'sub' | 'mul' | 'div' | 'mod'): ScalarFunction {
  return {
    resolve([a, b]) {
      if (!a || !b) return undefined;
      const common = commonNumericType(a.id === 'unknown' ? b : a, b.id === 'unknown' ? a : b);
      if (common) return { args: [common, common], returns: common };
      // Date and time arithmetic.
      if (op === 'add' || op === 'sub') {
        if (a.id === 'date' && (b.id === 'int4' || b.id === 'int2' || b.id === 'int8')) return { args: [T.date, T.int4], returns: T.date };
        if (op === 'add' && b.id === 'date' && (a.id === 'int4' || a.id === 'int2')) return { args: [T.int4, T.date], returns: T.date };
        if (op === 'sub' && a.id === 'date' && b.id === 'date') return { args: [T.date, T.date], returns: T.int4 };
        if ((a.id === 'date' || a.id === 'timestamp') && (b.id === 'interval' || b.id === 'unknown')) return { args: [a.id === 'date' ? T.date : T.timestamp, T.interval], returns: T.timestamp };
        if (a.id === 'timestamptz' && (b.id === 'interval' || b.id === 'unknown')) return { args: [T.timestamptz, T.interval], returns: T.timestamptz };
        if (op === 'add' && a.id === 'interval' && (b.id === 'date' || b.id === 'timestamp')) return { args: [T.interval, b.id === 'date' ? T.date : T.timestamp], returns: T.timestamp };
        if (op === 'sub' && (a.id === 'timestamp' || a.id === 'timestamptz') && a.id === b.id) return { args: [a, b], returns: T.interval };
        if (a.id === 'interval' && b.id === 'interval') return { args: [T.interval, T.interval], returns: T.interval };
      }
      return undefined;
    },
    evaluate([x, y], rt, ctx) {
      switch (rt.id) {
        case 'int2': case 'int4': {
          const a = x as number, b = y as number;
          if (op === 'add') return checkInt(a + b, rt);
          if (op === 'sub') {
            return checkInt(a - b, rt);
          }
          if (op === 'mul') return checkInt(a * b, rt);
          if (b === 0) throw divisionByZero();
          if (op === 'div') return checkInt(Math.trunc(a / b), rt);
          return a % b === 0 ? 0 : a % b;
        }
        case 'int8': {
          const a = x as bigint, b = y as bigint;
          if (op === 'add') return checkInt8(a + b);
          if (op === 'sub') return checkInt8(a - b);
          if (op === 'mul') return checkInt8(a * b);
          if (b === 0n) throw divisionByZero();
          if (op === 'div') return checkInt8(a / b);
          return a % b;
        }
        case 'float4': case 'float8': {
          const a = x as number, b = y as number;
          let r: number;
          if (op === 'add') r = a + b;
          else if (op === 'sub') r = a - b;
          else if (op === 'mul') r = a * b;
          else {
            if (b === 0) throw divisionByZero();
            r = op === 'div' ? a / b : a % b;
          }
          r = checkFloat(r, a, b);
          return rt.id === 'float4' ? Math.fround(r) : r;
        }
        case 'numeric': {
          const a = toDecimal(x), b = toDecimal(y);
          if (op === 'add') return decAdd(a, b);
          if (op === 'sub') return decSub(a, b);
          if (op === 'mul') return decMul(a, b);
          if (op === 'div') return decDiv(a, b);
          return decMod(a, b);
        }
        case 'date':
          if (typeof x === 'number' && typeof y === 'number') return op === 'add' ? x + y : x - y;
          break;
        case 'timestamp': case 'timestamptz': {
          const iv = y instanceof Interval ? y : x instanceof Interval ? x : null;
          if (iv === null) break;
          const other = iv === y ? x : y;
          const base = typeof other === 'number' ? BigInt(other) * US_PER_DAY : (other as bigint);
          const sign = op === 'sub' && iv === y ? -1 : 1;
          if (rt.id !== 'timestamptz' || (iv.months === 0 && iv.days === 0)) return addInterval(base, iv, sign);
          // Months and days move the wall clock in the session's zone (across daylight saving), then
          // the time part is added to the instant, as PostgreSQL's timestamptz_pl_interval does.
          const moved = fromLocal(ctx, addInterval(toLocal(ctx, base), new Interval(iv.months, iv.days, 0n), sign));
          return moved + BigInt(sign) * iv.micros;
        }
        case 'interval': {
          if (typeof x === 'bigint' && typeof y === 'bigint') {
            const diff = x - y;
            const days = diff / US_PER_DAY;
            return new Interval(0, Number(days), diff - days * US_PER_DAY);
          }
          if (x instanceof Interval && y instanceof Interval) {
            const s = op === 'sub' ? -1 : 1;
            return new Interval(x.months + s * y.months, x.days + s * y.days, x.micros + BigInt(s) * y.micros);
          }
          break;
        }
        default: break;
      }
      void ctx;
      throw new SqlError(SqlState.INTERNAL_ERROR, `unexpected operand types for ${op}`);
    },
  };
}

function comparison(test: (c: number) => boolean): ScalarFunction {
  return {
    resolve([a, b]) {
      if (!a || !b) return undefined;
      const common = comparableType(a, b);
      return common ? { args: [common, common], returns: T.bool } : undefined;
    },
    evaluate([x, y]) {
      return test(compareDatums(x!, y!));
    },
  };
}

/** The type two operands of a comparison are compared in, or undefined when incomparable. */
export function comparableType(a: SqlType, b: SqlType): SqlType | undefined {
  if (a.id === 'unknown' && b.id === 'unknown') return T.text;
  if (a.id === 'unknown') return b;
  if (b.id === 'unknown') return a;
  const num = commonNumericType(a, b);
  if (num) return num;
  if (a.id === b.id) return a;
  if (isStringType(a) && isStringType(b)) return T.text;
  const temporal = ['date', 'timestamp', 'timestamptz'];
  if (temporal.includes(a.id) && temporal.includes(b.id)) return a.id === 'timestamptz' || b.id === 'timestamptz' ? T.timestamptz : T.timestamp;
  return undefined;
}

function likeToRegex(pattern: string, caseInsensitive: boolean): RegExp {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      if (i + 1 === pattern.length) throw new SqlError(SqlState.INVALID_ESCAPE_SEQUENCE, 'LIKE pattern must not end with escape character');
      re += pattern[++i]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else if (c === '%') re += '[\\s\\S]*';
    else if (c === '_') re += '[\\s\\S]';
    else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(re + '$', caseInsensitive ? 'is' : 's');
}

const likeCache = new Map<string, RegExp>();
function like(ci: boolean): ScalarFunction {
  return {
    resolve: ([a, b]) => (a && b && isStringType(a) && isStringType(b) ? { args: [T.text, T.text], returns: T.bool } : undefined),
    evaluate([s, p]) {
      const key = (ci ? 'i' : 'c') + (p as string);
      let re = likeCache.get(key);
      if (!re) {
        re = likeToRegex(p as string, ci);
        if (likeCache.size > 1000) likeCache.clear();
        likeCache.set(key, re);
      }
      return re.test(s as string);
    },
  };
}

const textFn = (n: number, fn: (args: readonly Datum[]) => Datum, ret: SqlType = T.text): ScalarFunction => ({
  resolve: (types) => (types.length === n && types.every((t) => isStringType(t) || t.id !== 'bool') ? { args: new Array<SqlType>(n).fill(T.text), returns: ret } : undefined),
  evaluate: (args) => fn(args),
});

const constFn = (ret: SqlType, fn: (ctx: EvalContext) => Datum): ScalarFunction => ({
  resolve: (types) => (types.length === 0 ? { args: [], returns: ret } : undefined),
  evaluate: (_a, _t, ctx) => fn(ctx),
});

function numericUnary(fnNum: (x: number) => number, fnDec: (x: Decimal) => Decimal, intOk = true): ScalarFunction {
  return {
    resolve([a, ...rest]) {
      if (!a || rest.length > 0 || !isNumericType(a) && a.id !== 'unknown') return undefined;
      const t = a.id === 'unknown' ? T.float8 : a.id === 'numeric' ? T.numeric() : !intOk && (a.id === 'int2' || a.id === 'int4' || a.id === 'int8') ? T.float8 : a;
      return { args: [t], returns: t };
    },
    evaluate([x], rt) {
      if (x instanceof Decimal) return fnDec(x);
      if (typeof x === 'bigint') return BigInt(fnNum(Number(x)));
      const r = fnNum(x as number);
      return rt.id === 'int4' || rt.id === 'int2' ? checkInt(r, rt) : r;
    },
  };
}

function extractField(field: string, v: Datum, t: SqlType, zone: ZoneSettings): Decimal {
  let us: bigint;
  if (t.id === 'date') us = BigInt(v as number) * US_PER_DAY;
  else if (t.id === 'timestamptz') us = toLocal(zone, v as bigint);
  else us = v as bigint;
  let days = us / US_PER_DAY;
  let rem = us % US_PER_DAY;
  if (rem < 0n) { rem += US_PER_DAY; days -= 1n; }
  const [y, m, d] = civilFromDays(Number(days));
  const dn = Number(days);
  switch (field) {
    case 'year': return new Decimal(BigInt(y), 0);
    case 'month': return new Decimal(BigInt(m), 0);
    case 'day': return new Decimal(BigInt(d), 0);
    case 'quarter': return new Decimal(BigInt(Math.floor((m - 1) / 3) + 1), 0);
    case 'dow': return new Decimal(BigInt(((dn + 4) % 7 + 7) % 7), 0);
    case 'isodow': { const w = ((dn + 4) % 7 + 7) % 7; return new Decimal(BigInt(w === 0 ? 7 : w), 0); }
    case 'doy': return new Decimal(BigInt(dn - daysFromCivil(y, 1, 1) + 1), 0);
    case 'hour': return new Decimal(rem / 3_600_000_000n, 0);
    case 'minute': return new Decimal((rem / 60_000_000n) % 60n, 0);
    case 'second': return new Decimal(rem % 60_000_000n, 6);
    case 'epoch': return new Decimal(t.id === 'timestamptz' ? (v as bigint) : us, 6);
    case 'century': return new Decimal(BigInt(y > 0 ? Math.floor((y + 99) / 100) : -Math.floor((99 - (y - 1)) / 100)), 0);
    case 'decade': return new Decimal(BigInt(Math.floor(y / 10)), 0);
    case 'week': {
      // ISO week number.
      const wd = ((dn + 3) % 7 + 7) % 7; // Monday = 0
      const thursday = dn - wd + 3;
      const [ty] = civilFromDays(thursday);
      return new Decimal(BigInt(Math.floor((thursday - daysFromCivil(ty, 1, 1)) / 7) + 1), 0);
    }
    default: throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `unit "${field}" not recognized for type ${t.id}`);
  }
}

/** Drops trailing zeros PostgreSQL would not show for whole values of extract(). */
function normaliseExtract(d: Decimal, field: string): Decimal {
  if (field === 'second' || field === 'epoch') {
    let u = d.unscaled;
    let s = d.scale;
    while (s > 0 && u % 10n === 0n) { u /= 10n; s--; }
    return new Decimal(u, s);
  }
  return d;
}

const TEMPORAL: readonly TypeId[] = ['date', 'timestamp', 'timestamptz'];

/** The core operators and functions. */
const CORE_FUNCTIONS: Record<string, ScalarFunction> = {
  add: arith('add'),
  sub: arith('sub'),
  mul: arith('mul'),
  div: arith('div'),
  mod: arith('mod'),
  neg: {
    resolve: ([a]) => (a && (isNumericType(a) || a.id === 'interval') ? { args: [a.id === 'numeric' ? T.numeric() : a], returns: a.id === 'numeric' ? T.numeric() : a } : undefined),
    evaluate([x], rt) {
      if (x instanceof Decimal) return new Decimal(-x.unscaled, x.scale);
      if (typeof x === 'bigint') return checkInt8(-x);
      if (x instanceof Interval) return new Interval(-x.months, -x.days, -x.micros);
      return rt.id === 'int4' || rt.id === 'int2' ? checkInt(-(x as number), rt) : -(x as number);
    },
  },
  eq: comparison((c) => c === 0),
  ne: comparison((c) => c !== 0),
  lt: comparison((c) => c < 0),
  le: comparison((c) => c <= 0),
  gt: comparison((c) => c > 0),
  ge: comparison((c) => c >= 0),
  like: like(false),
  ilike: like(true),
  concat_op: {
    resolve: ([a, b]) => (a && b && (isStringType(a) || isStringType(b)) ? { args: [T.text, T.text], returns: T.text } : undefined),
    evaluate: ([a, b]) => (a as string) + (b as string),
  },
  concat: {
    strict: false,
    resolve: (types) => ({ args: types.map(() => T.text), returns: T.text }),
    evaluate: (args) => args.map((a) => (a === null ? '' : (a as string))).join(''),
  },
  lower: textFn(1, ([s]) => (s as string).toLowerCase()),
  upper: textFn(1, ([s]) => (s as string).toUpperCase()),
  length: textFn(1, ([s]) => [...(s as string)].length, T.int4),
  char_length: textFn(1, ([s]) => [...(s as string)].length, T.int4),
  octet_length: textFn(1, ([s]) => Buffer.byteLength(s as string), T.int4),
  btrim: textFn(1, ([s]) => (s as string).replace(/^ +| +$/g, '')),
  ltrim: textFn(1, ([s]) => (s as string).replace(/^ +/, '')),
  rtrim: textFn(1, ([s]) => (s as string).replace(/ +$/, '')),
  reverse: textFn(1, ([s]) => [...(s as string)].reverse().join('')),
  replace: textFn(3, ([s, f, r]) => ((f as string) === '' ? (s as string) : (s as string).split(f as string).join(r as string))),
  strpos: textFn(2, ([s, sub]) => {
    const idx = (s as string).indexOf(sub as string);
    return idx < 0 ? 0 : [...(s as string).slice(0, idx)].length + 1;
  }, T.int4),
  substring: {
    resolve: (types) => (types.length >= 2 && types.length <= 3 && isStringType(types[0]!) ? { args: [T.text, T.int4, T.int4].slice(0, types.length), returns: T.text } : undefined),
    evaluate([s, start, len]) {
      const chars = [...(s as string)];
      const from = (start as number) - 1;
      if (len === undefined) return chars.slice(Math.max(from, 0)).join('');
      if ((len as number) < 0) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, 'negative substring length not allowed');
      const end = from + (len as number);
      return chars.slice(Math.max(from, 0), Math.max(end, 0)).join('');
    },
  },
  abs: numericUnary(Math.abs, (d) => (d.unscaled < 0n ? new Decimal(-d.unscaled, d.scale) : d)),
  floor: numericUnary(Math.floor, (d) => {
    const t = decTrunc(d, 0);
    return d.unscaled < 0n && decSub(d, t).unscaled !== 0n ? decSub(t, new Decimal(1n, 0)) : t;
  }, false),
  ceil: numericUnary(Math.ceil, (d) => {
    const t = decTrunc(d, 0);
    return d.unscaled > 0n && decSub(d, t).unscaled !== 0n ? decAdd(t, new Decimal(1n, 0)) : t;
  }, false),
  round: {
    resolve(types) {
      const a = types[0];
      if (!a || types.length > 2) return undefined;
      if (types.length === 2) return isNumericType(a) || a.id === 'unknown' ? { args: [T.numeric(), T.int4], returns: T.numeric() } : undefined;
      if (a.id === 'float4' || a.id === 'float8') return { args: [T.float8], returns: T.float8 };
      return isNumericType(a) ? { args: [T.numeric()], returns: T.numeric() } : undefined;
    },
    evaluate([x, n]) {
      if (typeof x === 'number') {
        // float round(): half away from zero like C's rint? PostgreSQL uses rint (half to even).
        const r = Math.round(x);
        return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
      }
      return decRound(x as Decimal, (n as number | undefined) ?? 0);
    },
  },
  trunc: {
    resolve(types) {
      const a = types[0];
      if (!a || types.length > 2) return undefined;
      if (types.length === 1 && (a.id === 'float4' || a.id === 'float8')) return { args: [T.float8], returns: T.float8 };
      return isNumericType(a) ? { args: types.length === 2 ? [T.numeric(), T.int4] : [T.numeric()], returns: T.numeric() } : undefined;
    },
    evaluate: ([x, n]) => (typeof x === 'number' ? Math.trunc(x) : decTrunc(x as Decimal, (n as number | undefined) ?? 0)),
  },
  coalesce: {
    strict: false,
    resolve(types) {
      let t: SqlType | undefined = types.find((x) => x.id !== 'unknown') ?? T.text;
      for (const x of types) {
        if (x.id === 'unknown') continue;
        const c = comparableType(t, x);
        if (!c) return undefined;
        t = c;
      }
      return { args: types.map(() => t), returns: t };
    },
    evaluate: (args) => args.find((a) => a !== null) ?? null,
  },
  nullif: {
    strict: false,
    resolve([a, b]) {
      if (!a || !b) return undefined;
      // Resolved like the = operator: string types compare (and return) as text.
      let c = comparableType(a, b);
      if (c && isStringType(c) && c.id !== 'char') c = T.text;
      return c ? { args: [c, c], returns: c } : undefined;
    },
    evaluate: ([a, b]) => (a !== null && b !== null && compareDatums(a!, b!) === 0 ? null : a!),
  },
  date_part: {
    resolve: ([f, t]) => (f && t && isStringType(f) && (TEMPORAL.includes(t.id) || t.id === 'unknown') ? { args: [T.text, t.id === 'unknown' ? T.timestamp : t], returns: T.float8 } : undefined),
    evaluate: ([f, v], _rt, ctx) => Number(normaliseExtract(extractField((f as string).toLowerCase(), v!, typeof v === 'number' ? T.date : T.timestamp, ctx), 'x').toString()),
  },
  extract: {
    resolve: ([f, t]) => (f && t && isStringType(f) && (TEMPORAL.includes(t.id) || t.id === 'unknown') ? { args: [T.text, t.id === 'unknown' ? T.timestamp : t], returns: T.numeric() } : undefined),
    evaluate: ([f, v], _rt, ctx) => {
      const field = (f as string).toLowerCase();
      return normaliseExtract(extractField(field, v!, typeof v === 'number' ? T.date : T.timestamp, ctx), field);
    },
  },
  date_trunc: {
    resolve: ([f, t]) => (f && t && isStringType(f) && (t.id === 'timestamp' || t.id === 'date' || t.id === 'timestamptz') ? { args: [T.text, t.id === 'timestamptz' ? T.timestamptz : T.timestamp], returns: t.id === 'timestamptz' ? T.timestamptz : T.timestamp } : undefined),
    evaluate([f, v]) {
      const us = v as bigint;
      let days = us / US_PER_DAY;
      let rem = us % US_PER_DAY;
      if (rem < 0n) { rem += US_PER_DAY; days -= 1n; }
      const [y, m] = civilFromDays(Number(days));
      switch ((f as string).toLowerCase()) {
        case 'year': return BigInt(daysFromCivil(y, 1, 1)) * US_PER_DAY;
        case 'quarter': return BigInt(daysFromCivil(y, Math.floor((m - 1) / 3) * 3 + 1, 1)) * US_PER_DAY;
        case 'month': return BigInt(daysFromCivil(y, m, 1)) * US_PER_DAY;
        case 'week': { const wd = Number(((days + 3n) % 7n + 7n) % 7n); return (days - BigInt(wd)) * US_PER_DAY; }
        case 'day': return days * US_PER_DAY;
        case 'hour': return days * US_PER_DAY + (rem / 3_600_000_000n) * 3_600_000_000n;
        case 'minute': return days * US_PER_DAY + (rem / 60_000_000n) * 60_000_000n;
        case 'second': return days * US_PER_DAY + (rem / 1_000_000n) * 1_000_000n;
        default: throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `unit "${String(f)}" not recognized for type timestamp`);
      }
    },
  },
  version: constFn(T.text, (ctx) => ctx.serverVersion),
  current_user: constFn(T.text, (ctx) => ctx.user),
  session_user: constFn(T.text, (ctx) => ctx.user),
  current_database: constFn(T.text, (ctx) => ctx.database),
  current_schema: constFn(T.text, () => 'public'),
  now: constFn(T.timestamptz, (ctx) => ctx.statementStartMicros),
  current_timestamp: constFn(T.timestamptz, (ctx) => ctx.statementStartMicros),
  current_date: constFn(T.date, (ctx) => {
    const local = toLocal(ctx, ctx.statementStartMicros);
    return Number(local / US_PER_DAY);
  }),
  getdate: constFn(T.timestamp, (ctx) => ctx.statementStartMicros),
  sysdate: constFn(T.timestamp, (ctx) => ctx.statementStartMicros),
  pg_backend_pid: constFn(T.int4, () => process.pid),
  pg_last_copy_count: constFn(T.int8, (ctx) => BigInt(ctx.lastCopyCount ?? 0)),
};

/**
 * Names of operator implementations. A library function with the same SQL name (PostgreSQL's
 * `div(a, b)` is integer division, unlike `/`) is registered as `<name>_fn` and calls to it are
 * bound there (see {@link functionKey}).
 */
export const OPERATOR_FUNCTION_NAMES: ReadonlySet<string> = new Set(['add', 'sub', 'mul', 'div', 'mod', 'neg', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'concat_op']);

/** The registry key of a function called by name in SQL. */
export function functionKey(sqlName: string): string {
  return OPERATOR_FUNCTION_NAMES.has(sqlName) && `${sqlName}_fn` in SCALAR_FUNCTIONS ? `${sqlName}_fn` : sqlName;
}

function libraryEntries(): Record<string, ScalarFunction> {
  const out: Record<string, ScalarFunction> = {};
  for (const [name, fn] of Object.entries(SCALAR_LIBRARY)) out[OPERATOR_FUNCTION_NAMES.has(name) ? `${name}_fn` : name] = fn;
  return out;
}

/** Every scalar function and operator by name: the core ones above, then the library in ./scalar/. */
export const SCALAR_FUNCTIONS: Record<string, ScalarFunction> = { ...CORE_FUNCTIONS, ...libraryEntries() };
