// justify_days, justify_hours, justify_interval: PostgreSQL's interval normalisation
// (30-day months, 24-hour days, signs made consistent).
import { Interval } from '../../types/interval.ts';
import { T } from '../../types/sql-type.ts';
import type { ScalarFunction } from '../scalar-functions.ts';
import { US_PER_DAY, resolveBy, sig } from './common.ts';

function days(i: Interval): Interval {
  const whole = Math.trunc(i.days / 30);
  let day = i.days - whole * 30;
  let month = i.months + whole;
  if (month > 0 && day < 0) { day += 30; month--; } else if (month < 0 && day > 0) { day -= 30; month++; }
  return new Interval(month, day + 0, i.micros);
}

function hours(i: Interval): Interval {
  const whole = i.micros / US_PER_DAY;
  let time = i.micros - whole * US_PER_DAY;
  let day = i.days + Number(whole);
  if (day > 0 && time < 0n) { time += US_PER_DAY; day--; } else if (day < 0 && time > 0n) { time -= US_PER_DAY; day++; }
  return new Interval(i.months, day, time);
}

function both(i: Interval): Interval {
  const wholeDay = i.micros / US_PER_DAY;
  let time = i.micros - wholeDay * US_PER_DAY;
  let day = i.days + Number(wholeDay);
  const wholeMonth = Math.trunc(day / 30);
  day -= wholeMonth * 30;
  let month = i.months + wholeMonth;
  if (month > 0 && (day < 0 || (day === 0 && time < 0n))) { day += 30; month--; }
  else if (month < 0 && (day > 0 || (day === 0 && time > 0n))) { day -= 30; month++; }
  if (day > 0 && time < 0n) { time += US_PER_DAY; day--; } else if (day < 0 && time > 0n) { time -= US_PER_DAY; day++; }
  return new Interval(month, day + 0, time);
}

const unary = (fn: (i: Interval) => Interval): ScalarFunction => ({
  resolve: resolveBy([sig(['interval'], T.interval)]),
  evaluate: ([i]) => fn(i as Interval),
});

/** justify_days(interval): 30-day periods become months. */
export const justifyDays = unary(days);
/** justify_hours(interval): 24-hour periods become days. */
export const justifyHours = unary(hours);
/** justify_interval(interval): both, with consistent signs. */
export const justifyInterval = unary(both);
