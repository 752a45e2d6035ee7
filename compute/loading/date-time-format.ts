// Date and timestamp input for COPY: Redshift DATEFORMAT/TIMEFORMAT patterns, 'auto' recognition, epochs.
import { SqlError, SqlState } from '../../common/errors/index.ts';
import { daysFromCivil } from '../../sql/types/datetime.ts';
import { fromLocal, type ZoneSettings } from '../../sql/types/time-zone.ts';

/** Fields of one parsed date/time value; reused across calls (no per-value allocation). */
export class DateTimeFields {
  year = 1970;
  month = 1;
  day = 1;
  hour = 0;
  minute = 0;
  second = 0;
  micros = 0;
  /** Seconds east of UTC when the input named a zone, else null. */
  offsetSeconds: number | null = null;
  /** Set instead of the civil fields for epoch input: microseconds since 1970-01-01 00:00 UTC. */
  epochMicros: bigint | null = null;

  reset(): void {
    this.year = 1970; this.month = 1; this.day = 1;
    this.hour = 0; this.minute = 0; this.second = 0; this.micros = 0;
    this.offsetSeconds = null; this.epochMicros = null;
  }
}

/** Reads `text` into `out`; false when it does not match. Range errors (month 13) throw 22008. */
export type DateTimeReader = (text: string, out: DateTimeFields) => boolean;

const MONTHS: Record<string, number> = {
  jan: 1, january: 1, feb: 2, february: 2, mar: 3, march: 3, apr: 4, april: 4, may: 5, jun: 6, june: 6,
  jul: 7, july: 7, aug: 8, august: 8, sep: 9, sept: 9, september: 9, oct: 10, october: 10, nov: 11,
  november: 11, dec: 12, december: 12,
};

/** Zone abbreviations 'auto' understands (seconds east of UTC). */
const ZONES: Record<string, number> = {
  z: 0, utc: 0, gmt: 0, ut: 0, est: -5 * 3600, edt: -4 * 3600, cst: -6 * 3600, cdt: -5 * 3600,
  mst: -7 * 3600, mdt: -6 * 3600, pst: -8 * 3600, pdt: -7 * 3600, akst: -9 * 3600, akdt: -8 * 3600,
  hst: -10 * 3600, cet: 3600, cest: 7200, eet: 7200, eest: 3 * 3600, wet: 0, west: 3600, bst: 3600,
  ist: 5 * 3600 + 1800, jst: 9 * 3600, kst: 9 * 3600, aest: 10 * 3600, aedt: 11 * 3600,
};

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Throws 22008 unless the civil fields in `f` name a real date and time. */
export function checkFields(f: DateTimeFields, text: string): void {
  const leap = (f.year % 4 === 0 && f.year % 100 !== 0) || f.year % 400 === 0;
  const dim = f.month === 2 && leap ? 29 : DAYS_IN_MONTH[f.month - 1] ?? 0;
  if (f.month < 1 || f.month > 12 || f.day < 1 || f.day > dim || f.hour > 24 || f.minute > 59 || f.second > 60
    || (f.hour === 24 && (f.minute > 0 || f.second > 0 || f.micros > 0))) {
    throw new SqlError(SqlState.DATETIME_FIELD_OVERFLOW, `date/time field value out of range: "${text}"`);
  }
}

/** Days since 1970-01-01 of the date in `f` (its time part is dropped, as Redshift does for DATE). */
export function fieldsToDays(f: DateTimeFields, text: string): number {
  if (f.epochMicros !== null) return Number(floorDiv(f.epochMicros, 86_400_000_000n));
  checkFields(f, text);
  return daysFromCivil(f.year, f.month, f.day);
}

/** Microseconds since the epoch; for timestamptz the zone (or `defaultOffset`) is applied. */
export function fieldsToMicros(f: DateTimeFields, text: string, withTimeZone: boolean, zone: ZoneSettings): bigint {
  if (f.epochMicros !== null) return f.epochMicros;
  checkFields(f, text);
  const days = daysFromCivil(f.year, f.month, f.day);
  const secs = f.hour * 3600 + f.minute * 60 + f.second;
  let us = BigInt(days) * 86_400_000_000n + BigInt(secs) * 1_000_000n + BigInt(f.micros);
  if (!withTimeZone) return us;
  return f.offsetSeconds === null ? fromLocal(zone, us) : us - BigInt(f.offsetSeconds) * 1_000_000n;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

/** Fraction digits → microseconds, rounded half up like PostgreSQL. */
function fractionMicros(digits: string): number {
  if (digits === '') return 0;
  return Math.round(Number('0.' + digits) * 1e6);
}

function twoDigitYear(yy: number): number {
  // PostgreSQL's rule: 00-69 → 2000s, 70-99 → 1900s.
  return yy < 70 ? 2000 + yy : 1900 + yy;
}

const TIME_RE = /(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:\s*([AaPp])\.?[Mm]\.?)?/;
const ZONE_RE = /^(?:(Z|UTC|GMT|[A-Za-z]{2,5})|([+-])(\d{1,2})(?::?(\d{2}))?)$/;

/**
 * Redshift's 'auto' recognition (and the fallback for PostgreSQL's DateStyle ISO, MDY input):
 * YYYY-MM-DD, YYYY/MM/DD, MM/DD/YYYY, MM-DD-YYYY, MM.DD.YYYY, MM/DD/YY, YYYYMMDD, YYMMDD, YYYY.DDD,
 * DD-Mon-YYYY, Mon-DD-YYYY, 'March 31, 2003', YYYY-Mon-DD, Julian 'J2451187', each optionally with a
 * time (HH:MI[:SS[.ffffff]] [AM|PM], 'T' or space separated, or HHMISS after a compact date), a zone
 * (Z, UTC, PST, ±HH[:MM]) and ' BC'. Day names ('Tue,') are skipped.
 */
export function readAuto(text: string, f: DateTimeFields): boolean {
  f.reset();
  let s = text.trim();
  let bc = false;
  const era = /\s+(BC|AD)$/i.exec(s);
  if (era !== null) { bc = era[1]!.toUpperCase() === 'BC'; s = s.slice(0, era.index); }
  s = s.replace(/^(mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+/i, '');
  const julian = /^J(\d+)(?:\s+(.*))?$/i.exec(s);
  if (julian !== null) {
    const days = Number(julian[1]) - 2440588; // Julian day number of 1970-01-01
    setFromDays(f, days);
    if (julian[2] !== undefined && !readTimeAndZone(julian[2], f)) return false;
    return true;
  }
  // Compact date with compact time: 19960108 040809, 960108 040809.
  const compact = /^(\d{8}|\d{6})(?:[T\s](\d{6}|\d{4})(?:[.,](\d{1,9}))?)?$/.exec(s);
  if (compact !== null) {
    const d = compact[1]!;
    if (d.length === 8) { f.year = Number(d.slice(0, 4)); f.month = Number(d.slice(4, 6)); f.day = Number(d.slice(6)); }
    else { f.year = twoDigitYear(Number(d.slice(0, 2))); f.month = Number(d.slice(2, 4)); f.day = Number(d.slice(4)); }
    const t = compact[2];
    if (t !== undefined) {
      f.hour = Number(t.slice(0, 2)); f.minute = Number(t.slice(2, 4)); f.second = t.length === 6 ? Number(t.slice(4)) : 0;
      f.micros = fractionMicros(compact[3] ?? '');
    }
    if (bc) f.year = 1 - f.year;
    return true;
  }
  // Split off the time (and what follows it: zone, or a year as in '17 Dec 07:37:16 1997 PST').
  let datePart = s;
  let zonePart = '';
  const tm = TIME_RE.exec(s);
  if (tm !== null) {
    const before = s.slice(0, tm.index).replace(/[T\s]+$/, '');
    let after = s.slice(tm.index + tm[0].length).trim();
    if (!setTime(f, tm)) return false;
    const yearAfter = /^(\d{4})\b\s*(.*)$/.exec(after);
    if (yearAfter !== null && !/\d{4}/.test(before)) {
      datePart = `${before} ${yearAfter[1]}`;
      after = yearAfter[2]!;
    } else datePart = before;
    zonePart = after;
  } else {
    // A date with a zone only ('2020-01-01+02') is unusual; accept 'YYYY-MM-DD Z'.
    const z = /^(.*\d)\s+([A-Za-z]{1,5})$/.exec(s);
    if (z !== null && ZONES[z[2]!.toLowerCase()] !== undefined) { datePart = z[1]!; zonePart = z[2]!; }
  }
  if (zonePart !== '' && !readZone(zonePart, f)) return false;
  if (!readDate(datePart.trim(), f)) return false;
  if (bc) f.year = 1 - f.year;
  return true;
}

function setFromDays(f: DateTimeFields, days: number): void {
  // Civil date from a day number, via UTC Date (exact for the whole proleptic range JS supports).
  const d = new Date(days * 86_400_000);
  f.year = d.getUTCFullYear(); f.month = d.getUTCMonth() + 1; f.day = d.getUTCDate();
}

function setTime(f: DateTimeFields, m: RegExpExecArray): boolean {
  let h = Number(m[1]);
  const ampm = m[5]?.toLowerCase();
  if (ampm !== undefined) {
    if (h < 1 || h > 12) return false;
    if (ampm === 'p' && h !== 12) h += 12;
    if (ampm === 'a' && h === 12) h = 0;
  }
  f.hour = h; f.minute = Number(m[2]); f.second = Number(m[3] ?? 0); f.micros = fractionMicros(m[4] ?? '');
  if (f.micros === 1_000_000) { f.micros = 0; f.second += 1; }
  return true;
}

function readTimeAndZone(s: string, f: DateTimeFields): boolean {
  const tm = TIME_RE.exec(s);
  if (tm === null || tm.index !== 0) return false;
  setTime(f, tm);
  const rest = s.slice(tm[0].length).trim();
  return rest === '' || readZone(rest, f);
}

function readZone(s: string, f: DateTimeFields): boolean {
  const m = ZONE_RE.exec(s.trim());
  if (m === null) return false;
  if (m[1] !== undefined) {
    const z = ZONES[m[1].toLowerCase()];
    if (z === undefined) return false;
    f.offsetSeconds = z;
    return true;
  }
  const hhmm = m[3]!;
  let h: number;
  let mi: number;
  if (m[4] === undefined && hhmm.length > 2) return false;
  h = Number(hhmm);
  mi = Number(m[4] ?? 0);
  if (h > 15 || mi > 59) return false;
  f.offsetSeconds = (m[2] === '-' ? -1 : 1) * (h * 3600 + mi * 60);
  return true;
}

const NUM_DATE = /^(\d{1,4})([-/.])(\d{1,2})\2(\d{1,4})$/;
const DOY_DATE = /^(\d{4})\.(\d{3})$/;
const D_MON_Y = /^(\d{1,2})[-\s/.]*([A-Za-z]{3,9})\.?[-\s/.,]*(\d{1,4})$/;
const MON_D_Y = /^([A-Za-z]{3,9})\.?[-\s/.]*(\d{1,2})(?:st|nd|rd|th)?[-\s/.,]+(\d{1,4})$/;
const Y_MON_D = /^(\d{4})[-\s/.]*([A-Za-z]{3,9})\.?[-\s/.]*(\d{1,2})$/;

function readDate(s: string, f: DateTimeFields): boolean {
  let m = NUM_DATE.exec(s);
  if (m !== null) {
    const a = m[1]!;
    const c = m[4]!;
    if (a.length >= 3) { // YYYY-MM-DD
      if (c.length > 2) return false;
      f.year = Number(a); f.month = Number(m[3]); f.day = Number(c);
      return true;
    }
    if (c.length === 3) return false;
    // MM-DD-YYYY (DateStyle MDY); a two-digit year uses PostgreSQL's window.
    f.month = Number(a); f.day = Number(m[3]); f.year = c.length <= 2 ? twoDigitYear(Number(c)) : Number(c);
    return true;
  }
  m = DOY_DATE.exec(s);
  if (m !== null) {
    const doy = Number(m[2]);
    if (doy < 1 || doy > 366) return false;
    setFromDays(f, daysFromCivil(Number(m[1]), 1, 1) + doy - 1);
    return true;
  }
  m = D_MON_Y.exec(s);
  if (m !== null && MONTHS[m[2]!.toLowerCase()] !== undefined) {
    f.day = Number(m[1]); f.month = MONTHS[m[2]!.toLowerCase()]!; f.year = yearOf(m[3]!);
    return true;
  }
  m = MON_D_Y.exec(s);
  if (m !== null && MONTHS[m[1]!.toLowerCase()] !== undefined) {
    f.month = MONTHS[m[1]!.toLowerCase()]!; f.day = Number(m[2]); f.year = yearOf(m[3]!);
    return true;
  }
  m = Y_MON_D.exec(s);
  if (m !== null && MONTHS[m[2]!.toLowerCase()] !== undefined) {
    f.year = Number(m[1]); f.month = MONTHS[m[2]!.toLowerCase()]!; f.day = Number(m[3]);
    return true;
  }
  return false;
}

function yearOf(s: string): number {
  return s.length <= 2 ? twoDigitYear(Number(s)) : Number(s);
}

/** One element of a compiled DATEFORMAT/TIMEFORMAT pattern. */
type PatternPart =
  | { readonly kind: 'field'; readonly field: 'YYYY' | 'YY' | 'MM' | 'MON' | 'DD' | 'HH24' | 'HH12' | 'MI' | 'SS' | 'AMPM' }
  | { readonly kind: 'literal'; readonly text: string };

const PATTERN_TOKENS: readonly [string, PatternPart][] = [
  ['YYYY', { kind: 'field', field: 'YYYY' }], ['MONTH', { kind: 'field', field: 'MON' }], ['MON', { kind: 'field', field: 'MON' }],
  ['HH24', { kind: 'field', field: 'HH24' }], ['HH12', { kind: 'field', field: 'HH12' }], ['HH', { kind: 'field', field: 'HH24' }],
  ['YY', { kind: 'field', field: 'YY' }], ['MM', { kind: 'field', field: 'MM' }], ['DD', { kind: 'field', field: 'DD' }],
  ['MI', { kind: 'field', field: 'MI' }], ['SS', { kind: 'field', field: 'SS' }],
  ['AM', { kind: 'field', field: 'AMPM' }], ['PM', { kind: 'field', field: 'AMPM' }],
];

/**
 * Compiles a Redshift DATEFORMAT/TIMEFORMAT string (YYYY YY MM MON DD HH HH24 HH12 MI SS AM PM and
 * separators; SS also takes a fraction) into a reader. Throws 22007 for a pattern with no date or
 * time part or with a zone part (TZ/OF, which Redshift does not allow).
 */
export function compileDateTimePattern(pattern: string): DateTimeReader {
  const parts: PatternPart[] = [];
  const up = pattern.toUpperCase();
  let i = 0;
  let fields = 0;
  while (i < up.length) {
    if (up.startsWith('TZ', i) || up.startsWith('OF', i)) {
      throw new SqlError(SqlState.INVALID_DATETIME_FORMAT, `time zone parts are not allowed in TIMEFORMAT: "${pattern}"`);
    }
    const tok = PATTERN_TOKENS.find(([t]) => up.startsWith(t, i));
    if (tok !== undefined) {
      parts.push(tok[1]);
      fields++;
      i += tok[0].length;
      continue;
    }
    const last = parts[parts.length - 1];
    if (last !== undefined && last.kind === 'literal') parts[parts.length - 1] = { kind: 'literal', text: last.text + pattern[i]! };
    else parts.push({ kind: 'literal', text: pattern[i]! });
    i++;
  }
  if (fields === 0) throw new SqlError(SqlState.INVALID_DATETIME_FORMAT, `invalid DATEFORMAT or TIMEFORMAT: "${pattern}"`);
  return (text, f) => readPattern(parts, text.trim(), f);
}

function readPattern(parts: readonly PatternPart[], s: string, f: DateTimeFields): boolean {
  f.reset();
  let pos = 0;
  let pm: boolean | null = null;
  let h12 = false;
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p]!;
    if (part.kind === 'literal') {
      for (const ch of part.text) {
        if (ch === ' ') { while (s[pos] === ' ') pos++; continue; }
        if (s[pos] !== ch) return false;
        pos++;
      }
      continue;
    }
    if (part.field === 'MON') {
      const m = /^[A-Za-z]+/.exec(s.slice(pos));
      const month = m === null ? undefined : MONTHS[m[0].toLowerCase()];
      if (m === null || month === undefined) return false;
      f.month = month;
      pos += m[0].length;
      continue;
    }
    if (part.field === 'AMPM') {
      const m = /^([AaPp])\.?[Mm]\.?/.exec(s.slice(pos));
      if (m === null) return false;
      pm = m[1]!.toLowerCase() === 'p';
      pos += m[0].length;
      continue;
    }
    const maxDigits = part.field === 'YYYY' ? 4 : 2;
    let n = 0;
    let digits = 0;
    while (digits < maxDigits && pos < s.length) {
      const c = s.charCodeAt(pos);
      if (c < 48 || c > 57) break;
      n = n * 10 + (c - 48);
      digits++;
      pos++;
    }
    if (digits === 0) return false;
    switch (part.field) {
      case 'YYYY': f.year = n; break;
      case 'YY': f.year = digits <= 2 ? twoDigitYear(n) : n; break;
      case 'MM': f.month = n; break;
      case 'DD': f.day = n; break;
      case 'HH24': f.hour = n; break;
      case 'HH12': f.hour = n; h12 = true; break;
      case 'MI': f.minute = n; break;
      case 'SS': {
        f.second = n;
        const frac = /^[.,](\d{1,9})/.exec(s.slice(pos));
        if (frac !== null) { f.micros = fractionMicros(frac[1]!); pos += frac[0].length; }
        break;
      }
    }
  }
  if (pm !== null || h12) {
    if (f.hour < 1 || f.hour > 12) return false;
    if (pm === true && f.hour !== 12) f.hour += 12;
    if (pm !== true && f.hour === 12) f.hour = 0;
  }
  return pos === s.length;
}

/**
 * The reader for a COPY's DATEFORMAT or TIMEFORMAT value: 'auto' (and null, PostgreSQL's rules)
 * recognize common formats; 'epochsecs' / 'epochmillisecs' read numbers; anything else is a pattern.
 */
export function dateTimeReader(format: string | null): DateTimeReader {
  if (format === null || format.toLowerCase() === 'auto') return readAuto;
  const lower = format.toLowerCase();
  if (lower === 'epochsecs') return (text, f) => readEpoch(text, f, 1_000_000);
  if (lower === 'epochmillisecs') return (text, f) => readEpoch(text, f, 1000);
  return compileDateTimePattern(format);
}

function readEpoch(text: string, f: DateTimeFields, unitMicros: number): boolean {
  f.reset();
  const m = /^\s*([+-]?)(\d+)(?:\.(\d{1,9}))?\s*$/.exec(text);
  if (m === null) return false;
  const whole = BigInt(m[2]!) * BigInt(unitMicros);
  const frac = m[3] === undefined ? 0n : BigInt(Math.round(Number('0.' + m[3]) * unitMicros));
  const v = whole + frac;
  f.epochMicros = m[1] === '-' ? -v : v;
  return true;
}
