// Redshift's dateadd(datepart, n, date | timestamp) (also date_add) and datediff(datepart, a, b),
// which counts the datepart boundaries crossed between a and b.
import { SqlError, SqlState } from '../../../common/errors/index.ts';
import { T } from '../../types/sql-type.ts';
import type { ScalarFunction } from '../scalar-functions.ts';
import {
  US_PER_DAY, US_PER_HOUR, US_PER_MINUTE, US_PER_SECOND, checkTimestamp, daysInMonth, int8, joinTimestamp, resolveBy,
  sig, splitTimestamp, type TypedEvaluate,
} from './common.ts';
import { redshiftPart, type DateUnit } from './date-units.ts';

function partOf(name: string, fn: string): DateUnit {
  const p = redshiftPart(name);
  if (p === undefined) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `${fn}: invalid datepart "${name}"`);
  return p;
}

/** Adds n months, clamping the day to the end of the target month. */
export function addMonths(us: bigint, n: number): bigint {
  const f = splitTimestamp(us);
  const total = f.year * 12 + (f.month - 1) + n;
  const y = Math.floor(total / 12);
  const m = total - y * 12 + 1;
  const d = Math.min(f.day, daysInMonth(y, m));
  return joinTimestamp(y, m, d, f.hour, f.minute, f.second, f.micros);
}

const asMicros = (x: unknown): bigint => (typeof x === 'number' ? BigInt(x) * US_PER_DAY : (x as bigint));

/** dateadd(part, n, ts) on wall-clock µs. */
export function dateAdd(part: DateUnit, n: bigint, us: bigint, fn = 'dateadd'): bigint {
  const months = (k: bigint): bigint => addMonths(us, Number(k));
  switch (part) {
    case 'millennium': return months(n * 12000n);
    case 'century': return months(n * 1200n);
    case 'decade': return months(n * 120n);
    case 'year': return months(n * 12n);
    case 'quarter': return months(n * 3n);
    case 'month': return months(n);
    case 'week': return us + n * 7n * US_PER_DAY;
    case 'day': return us + n * US_PER_DAY;
    case 'hour': return us + n * US_PER_HOUR;
    case 'minute': return us + n * US_PER_MINUTE;
    case 'second': return us + n * US_PER_SECOND;
    case 'milliseconds': return us + n * 1000n;
    case 'microseconds': return us + n;
    default: throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `${fn}: datepart "${part}" is not supported`);
  }
}

const addEvaluate: TypedEvaluate = ([p, n, x]) => {
  const part = partOf(p as string, 'dateadd');
  return checkTimestamp(dateAdd(part, BigInt(n as number | bigint), asMicros(x)));
};

/** dateadd(datepart, n, date | timestamp) → timestamp (Redshift). */
export const dateadd: ScalarFunction = {
  resolve: resolveBy([
    sig(['text', 'int8', 'date'], T.timestamp), sig(['text', 'int8', 'timestamp'], T.timestamp), sig(['text', 'int8', 'timestamptz'], T.timestamptz),
  ]),
  evaluate: addEvaluate,
};

const floorDiv = (a: bigint, b: bigint): bigint => {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
};

/** Number of `part` boundaries between a and b (Redshift's datediff), as b − a. */
export function dateDiff(part: DateUnit, a: bigint, b: bigint): bigint {
  const fa = splitTimestamp(a);
  const fb = splitTimestamp(b);
  const months = (f: typeof fa): number => f.year * 12 + f.month - 1;
  switch (part) {
    case 'millennium': return BigInt(Math.floor((fb.year - 1) / 1000) - Math.floor((fa.year - 1) / 1000));
    case 'century': return BigInt(Math.floor((fb.year - 1) / 100) - Math.floor((fa.year - 1) / 100));
    case 'decade': return BigInt(Math.floor(fb.year / 10) - Math.floor(fa.year / 10));
    case 'year': return BigInt(fb.year - fa.year);
    case 'quarter': return BigInt(Math.floor(months(fb) / 3) - Math.floor(months(fa) / 3));
    case 'month': return BigInt(months(fb) - months(fa));
    // Weeks start on Monday (as date_trunc('week')): day 0 (1970-01-01) was a Thursday.
    case 'week': return BigInt(Math.floor((fb.days + 3) / 7) - Math.floor((fa.days + 3) / 7));
    case 'day': return BigInt(fb.days - fa.days);
    case 'hour': return floorDiv(b, US_PER_HOUR) - floorDiv(a, US_PER_HOUR);
    case 'minute': return floorDiv(b, US_PER_MINUTE) - floorDiv(a, US_PER_MINUTE);
    case 'second': return floorDiv(b, US_PER_SECOND) - floorDiv(a, US_PER_SECOND);
    case 'milliseconds': return floorDiv(b, 1000n) - floorDiv(a, 1000n);
    case 'microseconds': return b - a;
    default: throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `datediff: datepart "${part}" is not supported`);
  }
}

/** datediff(datepart, a, b) → bigint (Redshift). */
export const datediff: ScalarFunction = {
  resolve: resolveBy([
    sig(['text', 'date', 'date'], T.int8), sig(['text', 'timestamp', 'timestamp'], T.int8), sig(['text', 'timestamptz', 'timestamptz'], T.int8),
  ]),
  evaluate: ([p, a, b]) => int8(dateDiff(partOf(p as string, 'datediff'), asMicros(a), asMicros(b))),
};
