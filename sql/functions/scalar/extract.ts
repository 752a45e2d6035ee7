// extract(field from x) → numeric and date_part(field, x) → double precision, on dates,
// timestamps, timestamptz and intervals, with PostgreSQL 14+'s result scales and errors.
import { SqlError, SqlState } from '../../../common/errors/index.ts';
import { decAdd, decDiv } from '../../expr/numeric-ops.ts';
import { daysFromCivil } from '../../types/datetime.ts';
import type { Datum } from '../../types/datum.ts';
import type { Decimal } from '../../types/decimal.ts';
import { Interval } from '../../types/interval.ts';
import { T, type SqlType } from '../../types/sql-type.ts';
import type { ScalarFunction } from '../scalar-functions.ts';
import { dayOfWeek, dec, isoWeek, resolveBy, sig, splitTimestamp, temporalTypeOf, US_PER_DAY, type Fields, type TypedEvaluate } from './common.ts';
import { pgUnit, type DateUnit } from './date-units.ts';
import { offsetAt, type ZoneSettings } from '../../types/time-zone.ts';

/** A field's value: exact (numeric) or as date_part computes it (float). */
type Value = { exact: Decimal; float: number };

const v = (exact: Decimal, float?: number): Value => ({ exact, float: float ?? exact.toNumber() });
const iv = (n: number): Value => v(dec(n + 0), n + 0);

const TYPE_NAME: Record<string, string> = {
  date: 'date', timestamp: 'timestamp without time zone', timestamptz: 'timestamp with time zone', interval: 'interval',
};

function notSupported(name: string, t: string): SqlError {
  return new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `unit "${name}" not supported for type ${TYPE_NAME[t]}`);
}

function notRecognized(name: string, t: string): SqlError {
  return new SqlError(SqlState.INVALID_PARAMETER_VALUE, `unit "${name}" not recognized for type ${TYPE_NAME[t]}`);
}

/** Julian day number of a day since 1970-01-01. */
const JULIAN_EPOCH = 2440588;

/** Year as PostgreSQL shows it: no year 0, 1 BC is -1. */
const shownYear = (y: number): number => (y > 0 ? y : y - 1);

/** Fields common to dates and timestamps (calendar part). */
function dateField(unit: DateUnit, f: Fields): Value | undefined {
  const y = f.year;
  switch (unit) {
    case 'year': return iv(shownYear(y));
    case 'month': return iv(f.month);
    case 'day': return iv(f.day);
    case 'quarter': return iv(Math.floor((f.month - 1) / 3) + 1);
    case 'week': return iv(isoWeek(f.days)[1]);
    case 'dow': return iv(dayOfWeek(f.days));
    case 'isodow': { const w = dayOfWeek(f.days); return iv(w === 0 ? 7 : w); }
    case 'doy': return iv(f.days - daysFromCivil(y, 1, 1) + 1);
    case 'decade': return iv(y >= 0 ? Math.trunc(y / 10) : -Math.trunc((8 - (y - 1)) / 10));
    case 'century': return iv(y > 0 ? Math.trunc((y + 99) / 100) : -Math.trunc((99 - (y - 1)) / 100));
    case 'millennium': return iv(y > 0 ? Math.trunc((y + 999) / 1000) : -Math.trunc((999 - (y - 1)) / 1000));
    case 'isoyear': { const iy = isoWeek(f.days)[0]; return iv(iy <= 0 ? iy - 1 : iy); }
    default: return undefined;
  }
}

/** One field of a timestamp (µs since the epoch, wall clock for timestamptz). */
function timestampField(unit: DateUnit, name: string, t: 'timestamp' | 'timestamptz', local: bigint, utc: bigint, offsetSeconds: number): Value {
  const f = splitTimestamp(local);
  const secUs = f.second * 1_000_000 + f.micros;
  switch (unit) {
    case 'microseconds': return iv(secUs);
    case 'milliseconds': return v(dec(secUs, 3), f.second * 1000 + f.micros / 1000);
    case 'second': return v(dec(secUs, 6), f.second + f.micros / 1e6);
    case 'minute': return iv(f.minute);
    case 'hour': return iv(f.hour);
    case 'epoch': return v(dec(utc, 6), Number(utc) / 1e6);
    case 'julian': {
      const dayUs = (BigInt(f.hour) * 3600n + BigInt(f.minute) * 60n + BigInt(f.second)) * 1_000_000n + BigInt(f.micros);
      const jd = f.days + JULIAN_EPOCH;
      return v(decAdd(dec(jd), decDiv(dec(dayUs), dec(US_PER_DAY))), jd + ((f.hour * 60 + f.minute) * 60 + f.second + f.micros / 1e6) / 86400);
    }
    case 'timezone': case 'timezone_hour': case 'timezone_minute': {
      if (t === 'timestamp') throw notSupported(name, t);
      if (unit === 'timezone') return iv(offsetSeconds);
      if (unit === 'timezone_hour') return iv(Math.trunc(offsetSeconds / 3600));
      return iv(Math.trunc(offsetSeconds / 60) % 60);
    }
    default: {
      const r = dateField(unit, f);
      if (r === undefined) throw notRecognized(name, t);
      return r;
    }
  }
}

/** One field of a date (extract(... from date) only knows calendar fields). */
function dateOnlyField(unit: DateUnit, name: string, days: number): Value {
  if (unit === 'epoch') return iv(days * 86400);
  if (unit === 'julian') return iv(days + JULIAN_EPOCH);
  const r = dateField(unit, splitTimestamp(BigInt(days) * US_PER_DAY));
  if (r === undefined) throw notSupported(name, 'date');
  return r;
}

/** One field of an interval, from its months/days/µs parts (C truncating division). */
function intervalField(unit: DateUnit, name: string, i: Interval): Value {
  const years = Math.trunc(i.months / 12);
  const mons = i.months % 12;
  const hours = i.micros / 3_600_000_000n;
  const rest = i.micros % 3_600_000_000n;
  const minutes = rest / 60_000_000n;
  const secUs = Number(rest % 60_000_000n);
  switch (unit) {
    case 'microseconds': return iv(secUs);
    case 'milliseconds': return v(dec(secUs, 3), secUs / 1000);
    case 'second': return v(dec(secUs, 6), secUs / 1e6);
    case 'minute': return iv(Number(minutes));
    case 'hour': return v(dec(hours), Number(hours));
    case 'day': return iv(i.days);
    case 'week': return iv(Math.trunc(i.days / 7));
    case 'month': return iv(mons);
    case 'quarter': return iv(Math.trunc(mons / 3) + (i.months >= 0 ? 1 : -1));
    case 'year': return iv(years);
    case 'decade': return iv(Math.trunc(years / 10));
    case 'century': return iv(Math.trunc(years / 100));
    case 'millennium': return iv(Math.trunc(years / 1000));
    case 'epoch': {
      const secsFromDayMonth = (1461n * BigInt(years) + 120n * BigInt(mons) + 4n * BigInt(i.days)) * 21600n;
      const exact = dec(secsFromDayMonth * 1_000_000n + i.micros, 6);
      const float = Number(i.micros) / 1e6 + 365.25 * 86400 * years + 30 * 86400 * mons + 86400 * i.days;
      return v(exact, float);
    }
    default: throw notSupported(name, 'interval');
  }
}

/** The field `name` of `x` (of type `t`), both as numeric and as float. */
export function fieldOf(name: string, x: Datum, t: SqlType, zone: ZoneSettings): Value {
  const unit = pgUnit(name);
  const lname = name.toLowerCase();
  if (unit === undefined) throw notRecognized(lname, t.id);
  switch (t.id) {
    case 'date': return dateOnlyField(unit, lname, x as number);
    case 'interval': return intervalField(unit, lname, x as Interval);
    case 'timestamptz': {
      const utc = x as bigint;
      const offsetSeconds = offsetAt(zone, utc);
      return timestampField(unit, lname, 'timestamptz', utc + BigInt(offsetSeconds) * 1_000_000n, utc, offsetSeconds);
    }
    default: return timestampField(unit, lname, 'timestamp', x as bigint, x as bigint, 0);
  }
}

function part(numeric: boolean): ScalarFunction {
  const ret = numeric ? T.numeric() : T.float8;
  const evaluate: TypedEvaluate = ([f, x], _rt, ctx, argTypes) => {
    let t = temporalTypeOf(x!, argTypes?.[1]);
    let value: Datum = x!;
    // date_part(text, date) is PostgreSQL's SQL wrapper over the timestamp version.
    if (!numeric && t.id === 'date') {
      t = T.timestamp;
      value = BigInt(x as number) * US_PER_DAY;
    }
    const r = fieldOf(f as string, value, t, ctx);
    return numeric ? r.exact : r.float;
  };
  return {
    resolve: resolveBy([
      sig(['text', 'date'], ret), sig(['text', 'timestamp'], ret), sig(['text', 'timestamptz'], ret), sig(['text', 'interval'], ret),
    ]),
    evaluate,
  };
}

/** extract(field from source) → numeric (PostgreSQL 14+). */
export const extract: ScalarFunction = part(true);

/** date_part('field', source) → double precision. */
export const datePart: ScalarFunction = part(false);
