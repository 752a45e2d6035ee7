// to_timestamp(text, template), to_date(text, template) and to_timestamp(epoch seconds): parsing
// with PostgreSQL's date/time templates, leniently (separators match any separator) unless FX.
import { SqlError, SqlState } from '../../../common/errors/index.ts';
import { daysFromCivil } from '../../types/datetime.ts';
import { T } from '../../types/sql-type.ts';
import type { ScalarFunction } from '../scalar-functions.ts';
import { US_PER_DAY, US_PER_SECOND, checkTimestamp, daysInMonth, isoYearStart, resolveBy, sig } from './common.ts';
import { DAYS, MONTHS, ROMAN_MONTHS, tokenizeDch } from './datetime-format.ts';
import { fromLocal } from '../../types/time-zone.ts';

/** Fields collected while parsing. */
interface Parsed {
  year?: number;
  bc: boolean;
  yearDigits: number;
  month?: number;
  day?: number;
  doy?: number;
  hour: number;
  hour12: boolean;
  pm?: boolean;
  minute: number;
  second: number;
  micros: number;
  julian?: number;
  isoYear?: number;
  isoWeek?: number;
  isoDow?: number;
  week?: number;
  century?: number;
  tzSeconds?: number;
  tzMinutes?: number;
}

function invalidValue(value: string, key: string): SqlError {
  return new SqlError(SqlState.INVALID_DATETIME_FORMAT, `invalid value "${value}" for "${key}"`,
    { detail: 'Value must be an integer.' });
}

const MAX_DIGITS: Record<string, number> = {
  YYYY: 4, YYY: 3, YY: 2, Y: 1, IYYY: 4, IYY: 3, IY: 2, I: 1, MM: 2, DD: 2, DDD: 3, IDDD: 3, HH: 2, HH12: 2, HH24: 2,
  MI: 2, SS: 2, MS: 3, US: 6, FF1: 1, FF2: 2, FF3: 3, FF4: 4, FF5: 5, FF6: 6, SSSS: 5, SSSSS: 5, D: 1, ID: 1,
  IW: 2, WW: 2, W: 1, Q: 1, CC: 2, J: 7, TZM: 2,
};

/** Parses `input` with `fmt` into fields; throws 22007 / 22008 like PostgreSQL. */
function parseFields(input: string, fmt: string): Parsed {
  const p: Parsed = { bc: false, yearDigits: 0, hour: 0, hour12: false, minute: 0, second: 0, micros: 0 };
  let i = 0;
  const skipSpaces = (): void => { while (i < input.length && input[i] === ' ') i++; };
  const tokens = tokenizeDch(fmt);
  for (let ti = 0; ti < tokens.length; ti++) {
    const t = tokens[ti]!;
    if (t.kind === 'text') {
      if (t.quoted) { i += Math.min(t.text.length, input.length - i); continue; }
      if (t.text === ' ') { skipSpaces(); continue; }
      // A separator matches one separator (or nothing) in the input.
      if (i < input.length && !/[A-Za-z0-9]/.test(input[i]!)) i++;
      continue;
    }
    const key = t.key.toUpperCase();
    if (!t.fx) skipSpaces();
    const rest = input.slice(i);
    const matchName = (names: readonly string[], len?: number): number => {
      const lower = rest.toLowerCase();
      for (let k = 0; k < names.length; k++) {
        const name = (len === undefined ? names[k]! : names[k]!.slice(0, len)).toLowerCase();
        if (lower.startsWith(name)) { i += name.length; return k; }
      }
      throw new SqlError(SqlState.INVALID_DATETIME_FORMAT, `invalid value "${rest.slice(0, len ?? 9)}" for "${t.key}"`,
        { detail: 'The given value did not match any of the allowed values for this field.' });
    };
    switch (key) {
      case 'MONTH': p.month = matchName(MONTHS) + 1; continue;
      case 'MON': p.month = matchName(MONTHS, 3) + 1; continue;
      case 'DAY': matchName(DAYS); continue;
      case 'DY': matchName(DAYS, 3); continue;
      case 'RM': p.month = 12 - matchName([...ROMAN_MONTHS].reverse()); continue;
      case 'AM': case 'PM': case 'A.M.': case 'P.M.': {
        const k = matchName(key.includes('.') ? ['A.M.', 'P.M.'] : ['AM', 'PM']);
        p.pm = k === 1;
        continue;
      }
      case 'AD': case 'BC': case 'A.D.': case 'B.C.': {
        const k = matchName(key.includes('.') ? ['A.D.', 'B.C.'] : ['AD', 'BC']);
        p.bc = k === 1;
        continue;
      }
      case 'TZ': case 'OF': case 'TZH': {
        const m = /^([+-])(\d{1,2})(?::?(\d{2}))?/.exec(rest) ?? (key === 'TZ' ? /^(UTC|GMT|Z)()()/i.exec(rest) : null);
        if (m === null) throw new SqlError(SqlState.INVALID_DATETIME_FORMAT, `invalid value "${rest.slice(0, 3)}" for "${t.key}"`);
        i += m[0].length;
        const sign = m[1] === '-' ? -1 : 1;
        p.tzSeconds = m[2] === '' ? 0 : sign * (Number(m[2]) * 3600 + (key !== 'TZH' && m[3] !== undefined ? Number(m[3]) * 60 : 0));
        if (key === 'TZH' && m[3] !== undefined) i -= m[0].length - (m[1]!.length + m[2]!.length);
        continue;
      }
      case 'Y,YYY': {
        const m = /^(\d+),(\d{3})/.exec(rest);
        if (m === null) throw invalidValue(rest.slice(0, 5), t.key);
        i += m[0].length;
        p.year = Number(m[1]) * 1000 + Number(m[2]);
        p.yearDigits = 4;
        continue;
      }
      default: break;
    }
    // Numeric fields: up to the field's width, or more when a non-digit follows (not in FX mode).
    const next = tokens[ti + 1];
    const width = MAX_DIGITS[key] ?? 2;
    const greedy = next === undefined || next.kind === 'text';
    const m = /^[+-]?\d+/.exec(rest);
    if (m === null) {
      if (i >= input.length) break;
      throw invalidValue(rest.slice(0, width), t.key);
    }
    let text = m[0];
    if (!greedy || t.fx) text = text.slice(0, width + (/^[+-]/.test(text) ? 1 : 0));
    i += text.length;
    const n = Number(text);
    const digits = text.replace(/^[+-]/, '').length;
    switch (key) {
      case 'YYYY': case 'YYY': case 'YY': case 'Y': p.year = n; p.yearDigits = key === 'YYYY' ? Math.max(4, digits) : digits; break;
      case 'IYYY': case 'IYY': case 'IY': case 'I': p.isoYear = n; break;
      case 'MM': p.month = n; break;
      case 'DD': p.day = n; break;
      case 'DDD': p.doy = n; break;
      case 'IDDD': p.doy = n; p.isoWeek = 0; break;
      case 'HH': case 'HH12': p.hour = n; p.hour12 = true; break;
      case 'HH24': p.hour = n; break;
      case 'MI': p.minute = n; break;
      case 'SS': p.second = n; break;
      case 'MS': p.micros = n * 10 ** (3 - digits) * 1000; break;
      case 'US': case 'FF1': case 'FF2': case 'FF3': case 'FF4': case 'FF5': case 'FF6': p.micros = n * 10 ** (6 - digits); break;
      case 'SSSS': case 'SSSSS': p.hour = Math.floor(n / 3600); p.minute = Math.floor(n / 60) % 60; p.second = n % 60; break;
      case 'J': p.julian = n; break;
      case 'IW': p.isoWeek = n; break;
      case 'ID': p.isoDow = n; break;
      case 'WW': p.week = n; break;
      case 'CC': p.century = n; break;
      case 'TZM': p.tzMinutes = n; break;
      default: break; // D, W, Q are parsed and ignored, as in PostgreSQL
    }
  }
  return p;
}

function outOfRange(input: string): SqlError {
  return new SqlError(SqlState.DATETIME_FIELD_OVERFLOW, `date/time field value out of range: "${input}"`);
}

/** Day number and µs of day from parsed fields (PostgreSQL's do_to_timestamp). */
function assemble(p: Parsed, input: string): { days: number; dayMicros: bigint } {
  let year = p.year;
  if (year !== undefined && p.yearDigits <= 2 && p.yearDigits > 0 && p.century === undefined) {
    // Two-digit years: 70-99 → 1900s, otherwise 2000s (and YYY: 100-999 + 1000 / 2000).
    if (p.yearDigits === 2) year = year < 70 ? year + 2000 : year + 1900;
    else if (p.yearDigits === 1) year += 2000;
  } else if (year !== undefined && p.yearDigits === 3 && year < 1000) year = year < 100 ? year + 2000 : year + 1000;
  if (year === undefined && p.century !== undefined) year = (p.century - 1) * 100 + 1;
  let days: number;
  if (p.julian !== undefined) days = p.julian - 2440588;
  else if (p.isoYear !== undefined && p.isoWeek !== undefined) {
    const start = isoYearStart(p.isoYear);
    days = p.isoWeek === 0 && p.doy !== undefined ? start + p.doy - 1 : start + (p.isoWeek - 1) * 7 + ((p.isoDow ?? 1) - 1);
  } else {
    let y = year ?? 1;
    if (p.bc) y = 1 - y;
    if (p.doy !== undefined && p.month === undefined) {
      if (p.doy < 1 || p.doy > 366) throw outOfRange(input);
      days = daysFromCivil(y, 1, 1) + p.doy - 1;
    } else {
      let month = p.month ?? 1;
      let day = p.day ?? 1;
      if (p.week !== undefined && p.month === undefined && p.day === undefined) {
        const d0 = daysFromCivil(y, 1, 1) + (p.week - 1) * 7;
        return { days: d0, dayMicros: timeOf(p, input) };
      }
      if (month < 1 || month > 12 || day < 1 || day > daysInMonth(y, month)) throw outOfRange(input);
      days = daysFromCivil(y, month, day);
      month = 0; day = 0;
    }
  }
  return { days, dayMicros: timeOf(p, input) };
}

function timeOf(p: Parsed, input: string): bigint {
  let hour = p.hour;
  if (p.hour12 || p.pm !== undefined) {
    if (hour < 1 || hour > 12) {
      throw new SqlError(SqlState.INVALID_DATETIME_FORMAT, `hour "${hour}" is invalid for the 12-hour clock`,
        { hint: 'Use the 24-hour clock, or give an hour between 1 and 12.' });
    }
    if (p.pm === true && hour < 12) hour += 12;
    else if (p.pm !== true && hour === 12) hour = 0;
  }
  if (hour > 24 || p.minute > 59 || p.second > 60) throw outOfRange(input);
  return BigInt(hour) * 3_600_000_000n + BigInt(p.minute) * 60_000_000n + BigInt(p.second) * US_PER_SECOND + BigInt(p.micros);
}

/** to_date(text, template) → date. */
export const toDate: ScalarFunction = {
  resolve: resolveBy([sig(['text', 'text'], T.date)]),
  evaluate([s, f]) {
    const p = parseFields(s as string, f as string);
    return assemble(p, s as string).days;
  },
};

/** to_timestamp(text, template) → timestamptz and to_timestamp(double precision) → timestamptz. */
export const toTimestamp: ScalarFunction = {
  resolve: resolveBy([sig(['text', 'text'], T.timestamptz), sig(['float8'], T.timestamptz)]),
  evaluate([s, f], _rt, ctx) {
    if (typeof s === 'number') {
      if (Number.isNaN(s)) throw new SqlError(SqlState.DATETIME_FIELD_OVERFLOW, 'timestamp cannot be NaN');
      if (!Number.isFinite(s)) throw new SqlError(SqlState.DATETIME_FIELD_OVERFLOW, `timestamp out of range: "${s}"`);
      const us = Math.round(s * 1e6);
      if (!Number.isFinite(us) || Math.abs(s) > 1e13) throw new SqlError(SqlState.DATETIME_FIELD_OVERFLOW, `timestamp out of range: "${s}"`);
      return checkTimestamp(BigInt(us));
    }
    const p = parseFields(s as string, f as string);
    const { days, dayMicros } = assemble(p, s as string);
    const local = BigInt(days) * US_PER_DAY + dayMicros;
    if (p.tzSeconds === undefined) return checkTimestamp(fromLocal(ctx, local));
    const offset = p.tzSeconds + Math.sign(p.tzSeconds || 1) * (p.tzMinutes ?? 0) * 60;
    return checkTimestamp(local - BigInt(offset) * US_PER_SECOND);
  },
};
