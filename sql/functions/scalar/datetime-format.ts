// PostgreSQL's date/time template patterns (formatting.c's DCH keywords): tokenizing a template
// and rendering a timestamp or interval with it, as to_char does.
import { SqlError, SqlState } from '../../../common/errors/index.ts';
import { daysFromCivil } from '../../types/datetime.ts';
import { dayOfWeek, isoWeek, isoYearStart, splitTimestamp } from './common.ts';

/** The keywords, longest first where one is a prefix of another (PostgreSQL's match order). */
export const DCH_KEYWORDS = [
  'A.D.', 'A.M.', 'AD', 'AM', 'B.C.', 'BC', 'CC', 'DAY', 'DDD', 'DD', 'DY', 'Day', 'Dy', 'D',
  'FF1', 'FF2', 'FF3', 'FF4', 'FF5', 'FF6', 'FX', 'HH24', 'HH12', 'HH', 'IDDD', 'ID', 'IW', 'IYYY', 'IYY', 'IY', 'I',
  'J', 'MI', 'MM', 'MONTH', 'MON', 'MS', 'Month', 'Mon', 'OF', 'P.M.', 'PM', 'Q', 'RM', 'SSSSS', 'SSSS', 'SS',
  'TZH', 'TZM', 'TZ', 'US', 'WW', 'W', 'Y,YYY', 'YYYY', 'YYY', 'YY', 'Y',
  'a.d.', 'a.m.', 'ad', 'am', 'b.c.', 'bc', 'cc', 'day', 'ddd', 'dd', 'dy', 'd',
  'ff1', 'ff2', 'ff3', 'ff4', 'ff5', 'ff6', 'fx', 'hh24', 'hh12', 'hh', 'iddd', 'id', 'iw', 'iyyy', 'iyy', 'iy', 'i',
  'j', 'mi', 'mm', 'month', 'mon', 'ms', 'of', 'p.m.', 'pm', 'q', 'rm', 'sssss', 'ssss', 'ss',
  'tzh', 'tzm', 'tz', 'us', 'ww', 'w', 'y,yyy', 'yyyy', 'yyy', 'yy', 'y',
] as const;

/** One piece of a template: a keyword with its modifiers, or literal text. */
export type DchToken =
  | { readonly kind: 'field'; readonly key: string; readonly fm: boolean; readonly th: '' | 'TH' | 'th'; readonly fx: boolean }
  | { readonly kind: 'text'; readonly text: string; readonly quoted: boolean };

/** Splits a template into keywords (with FM/TM/FX prefixes and TH/th suffixes) and literal text. */
export function tokenizeDch(fmt: string): DchToken[] {
  const out: DchToken[] = [];
  let i = 0;
  let fx = false;
  while (i < fmt.length) {
    let fm = false;
    let j = i;
    // Prefixes.
    for (;;) {
      const p = fmt.slice(j, j + 2);
      if (p === 'FM' || p === 'fm') { fm = true; j += 2; continue; }
      if (p === 'TM' || p === 'tm') { j += 2; continue; }
      break;
    }
    const key = DCH_KEYWORDS.find((k) => fmt.startsWith(k, j));
    if (key !== undefined) {
      j += key.length;
      if (key === 'FX' || key === 'fx') { fx = true; i = j; continue; }
      let th: '' | 'TH' | 'th' = '';
      const suffix = fmt.slice(j, j + 2);
      if (suffix === 'TH' || suffix === 'th') { th = suffix; j += 2; }
      if (fmt.slice(j, j + 2).toUpperCase() === 'SP') j += 2;
      out.push({ kind: 'field', key, fm, th, fx });
      i = j;
      continue;
    }
    if (j > i) { i = j; continue; } // a lone prefix
    const c = fmt[i]!;
    if (c === '"') {
      let text = '';
      i++;
      while (i < fmt.length && fmt[i] !== '"') {
        if (fmt[i] === '\\' && i + 1 < fmt.length) i++;
        text += fmt[i]!;
        i++;
      }
      i++;
      out.push({ kind: 'text', text, quoted: true });
      continue;
    }
    if (c === '\\' && fmt[i + 1] === '"') { out.push({ kind: 'text', text: '"', quoted: false }); i += 2; continue; }
    out.push({ kind: 'text', text: c, quoted: false });
    i++;
  }
  return out;
}

export const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
export const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
export const ROMAN_MONTHS = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X', 'XI', 'XII'];

/** English ordinal suffix of n ("st", "nd", "rd", "th"). */
export function ordinalSuffix(n: number): string {
  const a = Math.abs(n);
  if (a % 100 >= 11 && a % 100 <= 13) return 'th';
  return a % 10 === 1 ? 'st' : a % 10 === 2 ? 'nd' : a % 10 === 3 ? 'rd' : 'th';
}

/** Applies the case of keyword `key` (UPPER, Initcap, lower) to a name. */
function cased(key: string, name: string): string {
  if (key === key.toUpperCase()) return name.toUpperCase();
  if (key === key.toLowerCase()) return name.toLowerCase();
  return name;
}

/** What to_char needs to know about the value. */
export interface DchValue {
  /** Astronomical year (0 = 1 BC); for intervals the interval's years. */
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly micros: number;
  /** Days since 1970-01-01; undefined for intervals. */
  readonly days: number | undefined;
  /** UTC offset in seconds east, for TZ/OF/TZH/TZM; undefined for timestamp without time zone. */
  readonly offsetSeconds: number | undefined;
  readonly isInterval: boolean;
}

/** Fields of a wall-clock timestamp (µs). */
export function dchFromTimestamp(us: bigint, offsetSeconds: number | undefined): DchValue {
  const f = splitTimestamp(us);
  return { ...f, days: f.days, offsetSeconds, isInterval: false };
}

function pad(n: number, width: number, fm: boolean): string {
  const neg = n < 0;
  const s = String(Math.abs(n));
  return (neg ? '-' : '') + (fm ? s : s.padStart(width, '0'));
}

function offsetText(sec: number, withMinutes: boolean): string {
  const sign = sec < 0 ? '-' : '+';
  const a = Math.abs(sec);
  const h = String(Math.floor(a / 3600)).padStart(2, '0');
  const m = Math.floor((a % 3600) / 60);
  return sign + h + (withMinutes || m !== 0 ? ':' + String(m).padStart(2, '0') : '');
}

/** Renders one keyword. */
function renderField(key: string, fm: boolean, v: DchValue): { text: string; num?: number } {
  const K = key.toUpperCase();
  // Year as printed: BC years count backwards from 1 (intervals keep their sign).
  const adjYear = v.isInterval ? v.year : v.year <= 0 ? 1 - v.year : v.year;
  const hour12 = v.hour % 12 === 0 ? 12 : v.hour % 12;
  const dow = v.days === undefined ? 0 : dayOfWeek(v.days);
  const doy = v.days === undefined ? v.day : v.days - daysFromCivil(v.year, 1, 1) + 1;
  const [iy, iw] = v.days === undefined ? [v.year, 0] : isoWeek(v.days);
  const numeric = (n: number, w: number): { text: string; num: number } => ({ text: pad(n, w, fm), num: n });
  switch (K) {
    case 'HH': case 'HH12': return numeric(v.isInterval ? v.hour % 12 : hour12, 2);
    case 'HH24': return numeric(v.hour, 2);
    case 'MI': return numeric(v.minute, 2);
    case 'SS': return numeric(v.second, 2);
    case 'FF1': case 'FF2': case 'FF3': case 'FF4': case 'FF5': case 'FF6': {
      const n = Number(K[2]);
      return numeric(Math.floor(v.micros / 10 ** (6 - n)), n);
    }
    case 'MS': return numeric(Math.floor(v.micros / 1000), 3);
    case 'US': return numeric(v.micros, 6);
    case 'SSSS': case 'SSSSS': return numeric(v.hour * 3600 + v.minute * 60 + v.second, 0);
    case 'AM': case 'PM': return { text: cased(key, v.hour >= 12 ? 'PM' : 'AM') };
    case 'A.M.': case 'P.M.': return { text: cased(key, v.hour >= 12 ? 'P.M.' : 'A.M.') };
    case 'AD': case 'BC': return { text: cased(key, v.year <= 0 ? 'BC' : 'AD') };
    case 'A.D.': case 'B.C.': return { text: cased(key, v.year <= 0 ? 'B.C.' : 'A.D.') };
    case 'Y,YYY': {
      const text = `${Math.trunc(adjYear / 1000)},${String(Math.abs(adjYear % 1000)).padStart(3, '0')}`;
      return { text, num: adjYear };
    }
    case 'YYYY': return numeric(adjYear, 4);
    case 'YYY': return numeric(adjYear % 1000, 3);
    case 'YY': return numeric(adjYear % 100, 2);
    case 'Y': return numeric(adjYear % 10, 1);
    case 'IYYY': return numeric(iy <= 0 ? 1 - iy : iy, 4);
    case 'IYY': return numeric((iy <= 0 ? 1 - iy : iy) % 1000, 3);
    case 'IY': return numeric((iy <= 0 ? 1 - iy : iy) % 100, 2);
    case 'I': return numeric((iy <= 0 ? 1 - iy : iy) % 10, 1);
    case 'MONTH': {
      if (v.month === 0) return { text: '' };
      const name = cased(key, MONTHS[v.month - 1]!);
      return { text: fm ? name : name.padEnd(9, ' ') };
    }
    case 'MON': return { text: v.month === 0 ? '' : cased(key, MONTHS[v.month - 1]!.slice(0, 3)) };
    case 'MM': return numeric(v.month, 2);
    case 'DAY': {
      if (v.isInterval) return { text: '' };
      const name = cased(key, DAYS[dow]!);
      return { text: fm ? name : name.padEnd(9, ' ') };
    }
    case 'DY': return { text: v.isInterval ? '' : cased(key, DAYS[dow]!.slice(0, 3)) };
    case 'DDD': return numeric(doy, 3);
    case 'IDDD': return numeric(v.days === undefined ? 0 : v.days - isoYearStart(iy) + 1, 3);
    case 'DD': return numeric(v.day, 2);
    case 'D': return numeric(dow + 1, 0);
    case 'ID': return numeric(dow === 0 ? 7 : dow, 0);
    case 'WW': return numeric(Math.floor((doy - 1) / 7) + 1, 2);
    case 'IW': return numeric(iw, 2);
    case 'W': return numeric(Math.floor((v.day - 1) / 7) + 1, 0);
    case 'Q': return v.isInterval ? { text: '' } : numeric(Math.floor((v.month - 1) / 3) + 1, 0);
    case 'CC': {
      const cc = v.isInterval ? Math.trunc(v.year / 100)
        : v.year > 0 ? Math.trunc((v.year + 99) / 100) : -Math.trunc((99 - (v.year - 1)) / 100);
      return numeric(cc, 2);
    }
    case 'J': return numeric((v.days ?? 0) + 2440588, 0);
    case 'RM': {
      if (v.month === 0) return { text: '' };
      const r = cased(key, ROMAN_MONTHS[v.month - 1]!);
      return { text: fm ? r : r.padEnd(4, ' ') };
    }
    case 'TZ': {
      if (v.offsetSeconds === undefined) return { text: '' };
      const abbrev = v.offsetSeconds === 0 ? 'UTC' : offsetText(v.offsetSeconds, false);
      return { text: key === 'tz' ? abbrev.toLowerCase() : abbrev };
    }
    case 'OF': return { text: offsetText(v.offsetSeconds ?? 0, false) };
    case 'TZH': {
      const off = v.offsetSeconds ?? 0;
      return { text: (off < 0 ? '-' : '+') + String(Math.floor(Math.abs(off) / 3600)).padStart(2, '0') };
    }
    case 'TZM': return { text: String(Math.floor((Math.abs(v.offsetSeconds ?? 0) % 3600) / 60)).padStart(2, '0') };
    default: throw new SqlError(SqlState.INTERNAL_ERROR, `unhandled template keyword ${key}`);
  }
}

/** to_char for a timestamp-like value. */
export function formatDch(fmt: string, v: DchValue): string {
  let out = '';
  for (const t of tokenizeDch(fmt)) {
    if (t.kind === 'text') { out += t.text; continue; }
    const r = renderField(t.key, t.fm, v);
    out += r.text;
    if (t.th !== '' && r.num !== undefined) out += t.th === 'TH' ? ordinalSuffix(r.num).toUpperCase() : ordinalSuffix(r.num);
  }
  return out;
}
