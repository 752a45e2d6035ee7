// Redshift's month helpers: add_months(date | timestamp, n), last_day(date), months_between(a, b)
// and trunc(timestamp) → date.
import { T } from '../../types/sql-type.ts';
import type { ScalarFunction } from '../scalar-functions.ts';
import { US_PER_DAY, checkTimestamp, daysInMonth, joinTimestamp, resolveBy, sig, splitTimestamp } from './common.ts';
import { addMonths } from './redshift-dateadd.ts';

/** add_months(timestamp, int) → timestamp; the last day of a month stays the last day. */
export const addMonthsFn: ScalarFunction = {
  resolve: resolveBy([sig(['date', 'int8'], T.timestamp), sig(['timestamp', 'int8'], T.timestamp), sig(['timestamptz', 'int8'], T.timestamptz)]),
  evaluate([x, n]) {
    const us = typeof x === 'number' ? BigInt(x) * US_PER_DAY : (x as bigint);
    const f = splitTimestamp(us);
    const r = addMonths(us, Number(n as bigint));
    if (f.day !== daysInMonth(f.year, f.month)) return checkTimestamp(r);
    const g = splitTimestamp(r);
    return checkTimestamp(joinTimestamp(g.year, g.month, daysInMonth(g.year, g.month), g.hour, g.minute, g.second, g.micros));
  },
};

/** last_day(date) → date: the last day of its month. */
export const lastDay: ScalarFunction = {
  resolve: resolveBy([sig(['date'], T.date)]),
  evaluate([d]) {
    const f = splitTimestamp(BigInt(d as number) * US_PER_DAY);
    return f.days + daysInMonth(f.year, f.month) - f.day;
  },
};

/** months_between(date, date) → float8: whole months when the days match or are both month ends, else a 31-day fraction. */
export const monthsBetween: ScalarFunction = {
  resolve: resolveBy([sig(['date', 'date'], T.float8)]),
  evaluate([a, b]) {
    const fa = splitTimestamp(BigInt(a as number) * US_PER_DAY);
    const fb = splitTimestamp(BigInt(b as number) * US_PER_DAY);
    const whole = (fa.year - fb.year) * 12 + (fa.month - fb.month);
    const lastA = fa.day === daysInMonth(fa.year, fa.month);
    const lastB = fb.day === daysInMonth(fb.year, fb.month);
    if (fa.day === fb.day || (lastA && lastB)) return whole;
    return whole + (fa.day - fb.day) / 31;
  },
};
