// Redshift's convert_timezone(['source',] 'target', timestamp): wall-clock conversion between
// time zones given as IANA names, common abbreviations, or fixed ±hh[:mm] offsets (sql/types/time-zone.ts);
// and PostgreSQL's `x AT TIME ZONE zone` (the function timezone(zone, x)).
import { T } from '../../types/sql-type.ts';
import { wallToUtc, zoneOf } from '../../types/time-zone.ts';
import type { ScalarFunction } from '../scalar-functions.ts';
import { US_PER_SECOND, checkTimestamp, resolveBy, sig, type TypedEvaluate } from './common.ts';

const evaluate: TypedEvaluate = (args, _rt, ctx, argTypes) => {
  const ts = args[args.length - 1] as bigint;
  const target = zoneOf(args[args.length - 2] as string);
  let utc: bigint;
  if (args.length === 3) utc = wallToUtc(zoneOf(args[0] as string), ts);
  else if (argTypes?.[1]?.id === 'timestamptz') utc = ts;
  else utc = ts; // Redshift: a timestamp without zone is taken as UTC
  void ctx;
  return checkTimestamp(utc + BigInt(target(utc)) * US_PER_SECOND);
};

/** convert_timezone(['source',] 'target', timestamp) → timestamp. */
export const convertTimezone: ScalarFunction = {
  resolve: resolveBy([sig(['text', 'timestamp'], T.timestamp), sig(['text', 'text', 'timestamp'], T.timestamp)]),
  evaluate,
};

/**
 * timezone(zone, timestamptz) → timestamp: the wall-clock time in `zone`; timezone(zone, timestamp)
 * → timestamptz: the instant that wall-clock time in `zone` is. Numeric zones ('+03', 'UTC+3') count
 * west-positive, POSIX-style, as PostgreSQL reads them.
 */
export const atTimeZone: ScalarFunction = {
  resolve: resolveBy([sig(['text', 'timestamptz'], T.timestamp), sig(['text', 'timestamp'], T.timestamptz)]),
  evaluate: ((args, _rt, _ctx, argTypes) => {
    const zone = zoneOf(args[0] as string, true);
    const ts = args[1] as bigint;
    if (argTypes?.[1]?.id === 'timestamptz') return checkTimestamp(ts + BigInt(zone(ts)) * US_PER_SECOND);
    return checkTimestamp(wallToUtc(zone, ts));
  }) satisfies TypedEvaluate,
};
