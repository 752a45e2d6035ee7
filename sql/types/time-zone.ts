// Time zones: the session's (SET TimeZone) and those named in calls (AT TIME ZONE, convert_timezone).
// A fixed offset is a number of seconds; a region (IANA name, e.g. America/New_York) has an offset
// that depends on the instant (daylight saving, historical changes), read from the platform's
// time zone database through Intl and cached per quarter hour, since every real transition
// falls on a quarter hour.
import { SqlError, SqlState } from '../../common/errors/index.ts';

const US_PER_SECOND = 1_000_000n;
const DAY_US = 86_400_000_000n;

/** How a value's zone is known: a fixed offset, or a region whose offset varies (when `timeZone` is set). */
export interface ZoneSettings {
  /** Seconds east of UTC; for a region, used only where no instant is at hand. */
  readonly timeZoneOffsetSeconds: number;
  /** An IANA region name whose rules decide the offset per instant; absent for a fixed offset. */
  readonly timeZone?: string;
}

export const UTC: ZoneSettings = { timeZoneOffsetSeconds: 0 };

/** Just the zone of settings that carry more (a session's EvalContext), as plain data to send on. */
export function zoneSettings(s: ZoneSettings): ZoneSettings {
  return s.timeZone === undefined ? { timeZoneOffsetSeconds: s.timeZoneOffsetSeconds } : { timeZoneOffsetSeconds: s.timeZoneOffsetSeconds, timeZone: s.timeZone };
}

/** A zone: its UTC offset in seconds at a UTC instant (µs). */
export type Zone = (utcMicros: bigint) => number;

const ABBREVIATIONS: Record<string, number> = {
  UTC: 0, GMT: 0, Z: 0, UT: 0, EST: -5, EDT: -4, CST: -6, CDT: -5, MST: -7, MDT: -6, PST: -8, PDT: -7,
  AKST: -9, AKDT: -8, HST: -10, CET: 1, CEST: 2, EET: 2, EEST: 3, WET: 0, WEST: 1, BST: 1, JST: 9, KST: 9,
  IST: 5.5, AEST: 10, AEDT: 11, NZST: 12, NZDT: 13,
};

const regions = new Map<string, Zone | null>();
const QUARTER_HOUR_US = 900_000_000n;
const CACHE_LIMIT = 100_000;

/** The zone of an IANA region name, or null when the platform does not know it. */
function region(name: string): Zone | null {
  const known = regions.get(name);
  if (known !== undefined) return known;
  let f: Intl.DateTimeFormat;
  try {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: name, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', era: 'short',
    });
  } catch {
    regions.set(name, null);
    return null;
  }
  const offsetAt = (ms: number): number => {
    const parts = f.formatToParts(new Date(ms));
    const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? '0');
    let year = get('year');
    if (parts.find((p) => p.type === 'era')?.value === 'BC') year = 1 - year;
    const d = new Date(Date.UTC(2000, get('month') - 1, get('day'), get('hour'), get('minute'), get('second')));
    d.setUTCFullYear(year);
    return Math.round((d.getTime() - Math.floor(ms / 1000) * 1000) / 1000);
  };
  const cache = new Map<bigint, number>();
  const zone: Zone = (utc) => {
    const q = utc >= 0n ? utc / QUARTER_HOUR_US : -((-utc + QUARTER_HOUR_US - 1n) / QUARTER_HOUR_US);
    let off = cache.get(q);
    if (off === undefined) {
      if (cache.size >= CACHE_LIMIT) cache.clear();
      off = offsetAt(Number(q * QUARTER_HOUR_US / 1000n));
      cache.set(q, off);
    }
    return off;
  };
  regions.set(name, zone);
  return zone;
}

/** Whether `name` is a region the platform's time zone database knows. */
export function isRegion(name: string): boolean {
  return region(name.trim()) !== null;
}

/**
 * Parses a zone name: a region, a common abbreviation, or a fixed ±hh[:mm] offset, east of UTC
 * (convert_timezone) or, with `posix`, west of UTC as PostgreSQL reads them in AT TIME ZONE;
 * 22023 when unknown.
 */
export function zoneOf(name: string, posix = false): Zone {
  const trimmed = name.trim();
  const fixed = /^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$/i.exec(trimmed);
  if (fixed !== null) {
    const secs = (fixed[1] === '-' ? -1 : 1) * (posix ? -1 : 1) * (Number(fixed[2]) * 3600 + Number(fixed[3] ?? 0) * 60);
    return () => secs;
  }
  const abbrev = ABBREVIATIONS[trimmed.toUpperCase()];
  if (abbrev !== undefined) return () => abbrev * 3600;
  const r = region(trimmed);
  if (r === null) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `time zone "${name}" not recognized`);
  return r;
}

/**
 * UTC µs of a wall-clock time in `zone`, by PostgreSQL's rules: a time a daylight-saving jump
 * forward skips takes the offset from before the jump; a time a jump back repeats takes the offset
 * from after it.
 */
export function wallToUtc(zone: Zone, wall: bigint): bigint {
  const before = zone(wall - DAY_US);
  const after = zone(wall + DAY_US);
  const fits = (off: number): boolean => zone(wall - BigInt(off) * US_PER_SECOND) === off;
  if (fits(after)) return wall - BigInt(after) * US_PER_SECOND;
  if (fits(before)) return wall - BigInt(before) * US_PER_SECOND;
  // Neither side's offset fits (the wall time lies in a gap, or between two close transitions).
  const here = zone(wall - BigInt(before) * US_PER_SECOND);
  return wall - BigInt(fits(here) ? here : before) * US_PER_SECOND;
}

/** The session zone's offset (seconds east of UTC) at a UTC instant. */
export function offsetAt(s: ZoneSettings, utcMicros: bigint): number {
  if (s.timeZone === undefined) return s.timeZoneOffsetSeconds;
  return region(s.timeZone)?.(utcMicros) ?? s.timeZoneOffsetSeconds;
}

/** The wall-clock time (µs) in the session zone of a UTC instant. */
export function toLocal(s: ZoneSettings, utcMicros: bigint): bigint {
  return utcMicros + BigInt(offsetAt(s, utcMicros)) * US_PER_SECOND;
}

/** The UTC instant of a wall-clock time in the session zone. */
export function fromLocal(s: ZoneSettings, localMicros: bigint): bigint {
  if (s.timeZone === undefined) return localMicros - BigInt(s.timeZoneOffsetSeconds) * US_PER_SECOND;
  const r = region(s.timeZone);
  return r === null ? localMicros - BigInt(s.timeZoneOffsetSeconds) * US_PER_SECOND : wallToUtc(r, localMicros);
}
