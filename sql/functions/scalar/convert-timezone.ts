// Redshift's convert_timezone(['source',] 'target', timestamp): wall-clock conversion between
// time zones given as IANA names (via Intl), common abbreviations, or fixed ±hh[:mm] offsets.
import { SqlError, SqlState } from '../../../common/errors/index.ts';
import { T } from '../../types/sql-type.ts';
import type { ScalarFunction } from '../scalar-functions.ts';
import { US_PER_SECOND, checkTimestamp, resolveBy, sig, type TypedEvaluate } from './common.ts';

const ABBREVIATIONS: Record<string, number> = {
  UTC: 0, GMT: 0, Z: 0, UT: 0, EST: -5, EDT: -4, CST: -6, CDT: -5, MST: -7, MDT: -6, PST: -8, PDT: -7,
  AKST: -9, AKDT: -8, HST: -10, CET: 1, CEST: 2, EET: 2, EEST: 3, WET: 0, WEST: 1, BST: 1, JST: 9, KST: 9,
  IST: 5.5, AEST: 10, AEDT: 11, NZST: 12, NZDT: 13,
};

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat | undefined {
  let f = formatters.get(zone);
  if (f !== undefined) return f;
  try {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', era: 'short',
    });
  } catch {
    return undefined;
  }
  formatters.set(zone, f);
  return f;
}

/** A zone: its UTC offset in seconds at a UTC instant (µs). */
type Zone = (utcMicros: bigint) => number;

/** Parses a zone name; 22023 when unknown. */
export function zoneOf(name: string): Zone {
  const trimmed = name.trim();
  const fixed = /^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$/i.exec(trimmed);
  if (fixed !== null) {
    const secs = (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 3600 + Number(fixed[3] ?? 0) * 60);
    return () => secs;
  }
  const abbrev = ABBREVIATIONS[trimmed.toUpperCase()];
  if (abbrev !== undefined) return () => abbrev * 3600;
  const f = formatterFor(trimmed);
  if (f === undefined) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `time zone "${name}" not recognized`);
  return (utc) => {
    const ms = Number(utc / 1000n);
    const parts = f.formatToParts(new Date(ms));
    const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? '0');
    let year = get('year');
    if (parts.find((p) => p.type === 'era')?.value === 'BC') year = 1 - year;
    const local = Date.UTC(2000, get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
    const d = new Date(local);
    d.setUTCFullYear(year);
    return Math.round((d.getTime() - Math.floor(ms / 1000) * 1000) / 1000);
  };
}

/** UTC µs of a wall-clock time in `zone` (the later offset wins in a DST overlap, as PostgreSQL). */
export function wallToUtc(zone: Zone, wall: bigint): bigint {
  let off = zone(wall);
  for (let k = 0; k < 3; k++) {
    const next = zone(wall - BigInt(off) * US_PER_SECOND);
    if (next === off) break;
    off = next;
  }
  return wall - BigInt(off) * US_PER_SECOND;
}

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
