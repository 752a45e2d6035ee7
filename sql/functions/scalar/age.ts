// age(a, b) and age(a): the symbolic difference of two timestamps in years, months and days
// (PostgreSQL's timestamp_age, borrowing month lengths from the earlier date).
import { Interval } from '../../types/interval.ts';
import { T } from '../../types/sql-type.ts';
import type { ScalarFunction } from '../scalar-functions.ts';
import { US_PER_DAY, US_PER_SECOND, daysInMonth, resolveBy, sig, splitTimestamp, type TypedEvaluate } from './common.ts';
import { toLocal } from '../../types/time-zone.ts';

/** PostgreSQL's age() of two wall-clock timestamps (µs). */
export function ageOf(dt1: bigint, dt2: bigint): Interval {
  const a = splitTimestamp(dt1);
  const b = splitTimestamp(dt2);
  const neg = dt1 < dt2;
  const s = neg ? -1 : 1;
  let usec = s * (a.micros - b.micros);
  let sec = s * (a.second - b.second);
  let min = s * (a.minute - b.minute);
  let hour = s * (a.hour - b.hour);
  let mday = s * (a.day - b.day);
  let mon = s * (a.month - b.month);
  let year = s * (a.year - b.year);
  while (usec < 0) { usec += 1_000_000; sec--; }
  while (sec < 0) { sec += 60; min--; }
  while (min < 0) { min += 60; hour--; }
  while (hour < 0) { hour += 24; mday--; }
  while (mday < 0) {
    const ref = neg ? a : b;
    mday += daysInMonth(ref.year, ref.month);
    mon--;
  }
  while (mon < 0) { mon += 12; year--; }
  const time = BigInt(((hour * 60 + min) * 60 + sec)) * US_PER_SECOND + BigInt(usec);
  return new Interval(s * (year * 12 + mon), s * mday, BigInt(s) * time);
}

const evaluate: TypedEvaluate = ([x, y], rt, ctx, argTypes) => {
  const tz = argTypes?.[0]?.id === 'timestamptz';
  const local = (v: bigint): bigint => (tz ? toLocal(ctx, v) : v);
  if (y === undefined) {
    // age(ts) = age(current_date at midnight, ts).
    const now = toLocal(ctx, ctx.statementStartMicros);
    const today = now - (((now % US_PER_DAY) + US_PER_DAY) % US_PER_DAY);
    return ageOf(today, local(x as bigint));
  }
  void rt;
  return ageOf(local(x as bigint), local(y as bigint));
};

/** age(timestamp, timestamp), age(timestamptz, timestamptz), age(timestamp), age(timestamptz) → interval. */
export const age: ScalarFunction = {
  resolve: resolveBy([
    sig(['timestamp', 'timestamp'], T.interval), sig(['timestamptz', 'timestamptz'], T.interval),
    sig(['timestamp'], T.interval), sig(['timestamptz'], T.interval),
  ]),
  evaluate,
};
