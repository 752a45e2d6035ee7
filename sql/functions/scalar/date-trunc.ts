// date_trunc(unit, timestamp | timestamptz | interval): PostgreSQL's truncation to a unit, with
// timestamptz truncated in the session time zone and its BC rules for decades and centuries.
import { SqlError, SqlState } from '../../../common/errors/index.ts';
import { Interval } from '../../types/interval.ts';
import { T, type SqlType } from '../../types/sql-type.ts';
import type { ScalarFunction } from '../scalar-functions.ts';
import {
  US_PER_DAY, US_PER_HOUR, US_PER_MINUTE, US_PER_SECOND, joinTimestamp, resolveBy, sig,
  splitTimestamp, temporalTypeOf, type TypedEvaluate,
} from './common.ts';
import { pgUnit, type DateUnit } from './date-units.ts';
import { fromLocal, toLocal } from '../../types/time-zone.ts';

const TYPE_NAME: Record<string, string> = {
  timestamp: 'timestamp without time zone', timestamptz: 'timestamp with time zone', interval: 'interval',
};

function notRecognized(name: string, t: SqlType): SqlError {
  return new SqlError(SqlState.INVALID_PARAMETER_VALUE, `unit "${name.toLowerCase()}" not recognized for type ${TYPE_NAME[t.id]}`);
}

function unitOf(name: string, t: SqlType): DateUnit {
  const unit = pgUnit(name);
  if (unit === undefined) throw notRecognized(name, t);
  return unit;
}

function notSupported(name: string, t: SqlType): SqlError {
  return new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `unit "${name.toLowerCase()}" not supported for type ${TYPE_NAME[t.id]}`);
}

const floorTo = (us: bigint, step: bigint): bigint => {
  const r = us % step;
  return r < 0n ? us - r - step : us - r;
};

/** Truncates wall-clock µs to `unit`; undefined when the unit does not apply to timestamps. */
export function truncTimestamp(unit: DateUnit, us: bigint): bigint | undefined {
  const f = splitTimestamp(us);
  const y = f.year;
  switch (unit) {
    case 'microseconds': return us;
    case 'milliseconds': return floorTo(us, 1000n);
    case 'second': return floorTo(us, US_PER_SECOND);
    case 'minute': return floorTo(us, US_PER_MINUTE);
    case 'hour': return floorTo(us, US_PER_HOUR);
    case 'day': return floorTo(us, US_PER_DAY);
    case 'week': return BigInt(f.days - (((f.days + 3) % 7) + 7) % 7) * US_PER_DAY;
    case 'month': return joinTimestamp(y, f.month, 1);
    case 'quarter': return joinTimestamp(y, Math.floor((f.month - 1) / 3) * 3 + 1, 1);
    case 'year': return joinTimestamp(y, 1, 1);
    case 'decade': return joinTimestamp(y > 0 ? Math.trunc(y / 10) * 10 : -Math.trunc((8 - (y - 1)) / 10) * 10, 1, 1);
    case 'century': return joinTimestamp(y > 0 ? Math.trunc((y + 99) / 100) * 100 - 99 : -Math.trunc((99 - (y - 1)) / 100) * 100 + 1, 1, 1);
    case 'millennium': return joinTimestamp(y > 0 ? Math.trunc((y + 999) / 1000) * 1000 - 999 : -Math.trunc((999 - (y - 1)) / 1000) * 1000 + 1, 1, 1);
    default: return undefined;
  }
}

function truncInterval(unit: DateUnit, name: string, i: Interval): Interval {
  const years = Math.trunc(i.months / 12);
  const mons = i.months % 12;
  const truncUs = (step: bigint): bigint => i.micros - (i.micros % step);
  switch (unit) {
    case 'millennium': return new Interval(Math.trunc(years / 1000) * 12000, 0, 0n);
    case 'century': return new Interval(Math.trunc(years / 100) * 1200, 0, 0n);
    case 'decade': return new Interval(Math.trunc(years / 10) * 120, 0, 0n);
    case 'year': return new Interval(years * 12, 0, 0n);
    case 'quarter': return new Interval(years * 12 + Math.trunc(mons / 3) * 3, 0, 0n);
    case 'month': return new Interval(i.months, 0, 0n);
    case 'day': return new Interval(i.months, i.days, 0n);
    case 'hour': return new Interval(i.months, i.days, truncUs(US_PER_HOUR));
    case 'minute': return new Interval(i.months, i.days, truncUs(US_PER_MINUTE));
    case 'second': return new Interval(i.months, i.days, truncUs(US_PER_SECOND));
    case 'milliseconds': return new Interval(i.months, i.days, truncUs(1000n));
    case 'microseconds': return i;
    case 'week': throw notSupported(name, T.interval);
    default: throw notRecognized(name, T.interval);
  }
}

const evaluate: TypedEvaluate = ([u, x], rt, ctx, argTypes) => {
  const name = u as string;
  const t = temporalTypeOf(x!, argTypes?.[1] ?? rt);
  if (x instanceof Interval) return truncInterval(unitOf(name, T.interval), name, x);
  const unit = unitOf(name, t);
  const zoned = t.id === 'timestamptz';
  const r = truncTimestamp(unit, zoned ? toLocal(ctx, x as bigint) : (x as bigint));
  if (r === undefined) throw notRecognized(name, t);
  return zoned ? fromLocal(ctx, r) : r;
};

/** date_trunc(unit, source). A date argument becomes timestamptz, as PostgreSQL resolves it. */
export const dateTrunc: ScalarFunction = {
  resolve: resolveBy([
    sig(['text', 'timestamp'], T.timestamp), sig(['text', 'timestamptz'], T.timestamptz), sig(['text', 'interval'], T.interval),
  ]),
  evaluate,
};
