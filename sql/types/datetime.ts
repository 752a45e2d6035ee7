// Dates as days since 1970-01-01 and timestamps as microseconds since 1970-01-01 00:00 UTC,
// with PostgreSQL's ISO text forms. Proleptic Gregorian calendar; years before 1 print as "BC".
import { SqlError, SqlState } from '../../common/errors/index.ts';
import { UTC, fromLocal, type ZoneSettings } from './time-zone.ts';

/** Days from 1970-01-01 to the given civil date (Howard Hinnant's algorithm). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Writes the civil date of day number z into out[0..2] as year, month, day (no allocation). */
export function civilInto(z: number, out: Int32Array): void {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const y = yoe + era * 400;
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const m = mp + (mp < 10 ? 3 : -9);
  out[0] = m <= 2 ? y + 1 : y;
  out[1] = m;
  out[2] = doy - Math.floor((153 * mp + 2) / 5) + 1;
}

const civil = new Int32Array(3);

/** The civil date [year, month, day] of a day number. */
export function civilFromDays(z: number): [number, number, number] {
  civilInto(z, civil);
  return [civil[0]!, civil[1]!, civil[2]!];
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

function formatYmd(days: number): string {
  const [y, m, d] = civilFromDays(days);
  // Year 0 is 1 BC in PostgreSQL's output.
  if (y <= 0) return `${pad(1 - y, 4)}-${pad(m, 2)}-${pad(d, 2)} BC`;
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
}

/** PostgreSQL's ISO date output, e.g. "1998-12-01". */
export function formatDate(days: number): string {
  return formatYmd(days);
}

const US_PER_DAY = 86_400_000_000n;

function formatTime(usOfDay: bigint): string {
  const h = Number(usOfDay / 3_600_000_000n);
  const mi = Number((usOfDay / 60_000_000n) % 60n);
  const s = Number((usOfDay / 1_000_000n) % 60n);
  const frac = Number(usOfDay % 1_000_000n);
  let out = `${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}`;
  if (frac !== 0) out += '.' + pad(frac, 6).replace(/0+$/, '');
  return out;
}

function splitMicros(us: bigint): [number, bigint] {
  let days = us / US_PER_DAY;
  let rem = us % US_PER_DAY;
  if (rem < 0n) { rem += US_PER_DAY; days -= 1n; }
  return [Number(days), rem];
}

/** "YYYY-MM-DD HH:MM:SS[.ffffff]" for a timestamp without time zone. */
export function formatTimestamp(us: bigint): string {
  const [days, rem] = splitMicros(us);
  const ymd = formatYmd(days);
  const bc = ymd.endsWith(' BC');
  return (bc ? ymd.slice(0, -3) : ymd) + ' ' + formatTime(rem) + (bc ? ' BC' : '');
}

/** Timestamptz output in a fixed UTC offset (seconds east of UTC), e.g. "2020-01-01 00:00:00+00". */
export function formatTimestamptz(us: bigint, offsetSeconds = 0): string {
  const local = us + BigInt(offsetSeconds) * 1_000_000n;
  const sign = offsetSeconds < 0 ? '-' : '+';
  const abs = Math.abs(offsetSeconds);
  let off = sign + pad(Math.floor(abs / 3600), 2);
  if (abs % 3600 !== 0) off += ':' + pad(Math.floor((abs % 3600) / 60), 2);
  const s = formatTimestamp(local);
  return s.endsWith(' BC') ? s.slice(0, -3) + off + ' BC' : s + off;
}

function badDatetime(typeName: string, text: string): SqlError {
  return new SqlError(SqlState.INVALID_DATETIME_FORMAT, `invalid input syntax for type ${typeName}: "${text}"`);
}

function checkYmd(text: string, y: number, m: number, d: number): void {
  if (m < 1 || m > 12) {
    throw new SqlError(SqlState.DATETIME_FIELD_OVERFLOW, `date/time field value out of range: "${text}"`);
  }
  const dim = m === 2 && isLeap(y) ? 29 : DAYS_IN_MONTH[m - 1]!;
  if (d < 1 || d > dim) {
    throw new SqlError(SqlState.DATETIME_FIELD_OVERFLOW, `date/time field value out of range: "${text}"`);
  }
}

const DATE_RE = /^\s*(\d{1,7})-(\d{1,2})-(\d{1,2})(\s+BC)?/i;

/** Parses ISO "YYYY-MM-DD" (optionally " BC") into days since 1970-01-01; throws 22007/22008. */
export function parseDate(text: string): number {
  const m = DATE_RE.exec(text);
  if (m === null || m[0].length !== text.replace(/\s+$/, '').length) {
    const special = text.trim().toLowerCase();
    if (special === 'epoch') return 0;
    throw badDatetime('date', text);
  }
  let y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (m[4] !== undefined) y = 1 - y;
  checkYmd(text, y, mo, d);
  return daysFromCivil(y, mo, d);
}

const TS_RE = /^\s*(\d{1,7})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|UTC|[+-]\d{1,2}(?::?\d{2})?)?(\s+BC)?\s*$/i;

/**
 * Parses "YYYY-MM-DD[ HH:MM[:SS[.ffffff]]][±HH[:MM]|Z]" into microseconds since the epoch.
 * For timestamptz the offset is applied (without one in the text, the zone's at that wall-clock
 * time); for timestamp it is ignored.
 */
export function parseTimestamp(text: string, withTimeZone: boolean, zone: ZoneSettings = UTC): bigint {
  const m = TS_RE.exec(text);
  const typeName = withTimeZone ? 'timestamp with time zone' : 'timestamp without time zone';
  if (m === null) {
    if (text.trim().toLowerCase() === 'epoch') return 0n;
    throw badDatetime(typeName, text);
  }
  let y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (m[9] !== undefined) y = 1 - y;
  checkYmd(text, y, mo, d);
  const h = Number(m[4] ?? 0);
  const mi = Number(m[5] ?? 0);
  const s = Number(m[6] ?? 0);
  if (h > 24 || mi > 59 || s > 60 || (h === 24 && (mi > 0 || s > 0))) {
    throw new SqlError(SqlState.DATETIME_FIELD_OVERFLOW, `date/time field value out of range: "${text}"`);
  }
  const fracDigits = m[7] ?? '';
  // Round to microseconds as PostgreSQL does.
  const micros = fracDigits === '' ? 0 : Math.round(Number('0.' + fracDigits) * 1e6);
  let us = BigInt(daysFromCivil(y, mo, d)) * US_PER_DAY
    + BigInt(h) * 3_600_000_000n + BigInt(mi) * 60_000_000n + BigInt(s) * 1_000_000n + BigInt(micros);
  if (withTimeZone) {
    const tz = m[8];
    if (tz === undefined) return fromLocal(zone, us);
    let offset = 0;
    {
      const up = tz.toUpperCase();
      if (up === 'Z' || up === 'UTC') offset = 0;
      else {
        const sign = tz[0] === '-' ? -1 : 1;
        const digits = tz.slice(1).replace(':', '');
        const hh = Number(digits.length <= 2 ? digits : digits.slice(0, digits.length - 2));
        const mm = digits.length <= 2 ? 0 : Number(digits.slice(-2));
        offset = sign * (hh * 3600 + mm * 60);
      }
    }
    us -= BigInt(offset) * 1_000_000n;
  }
  return us;
}
