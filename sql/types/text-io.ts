// PostgreSQL's text input and output functions for each type we support.
import { SqlError, SqlState, invalidTextRepresentation, numericOutOfRange } from '../../common/errors/index.ts';
import { Decimal, pow10n } from './decimal.ts';
import { formatDate, formatTimestamp, formatTimestamptz, parseDate, parseTimestamp } from './datetime.ts';
import type { Datum } from './datum.ts';
import { offsetAt, type ZoneSettings } from './time-zone.ts';
import { Interval } from './interval.ts';
import { formatTypeName, type SqlType } from './sql-type.ts';

/** Session settings that change text I/O: the session TimeZone (sql/types/time-zone.ts). */
export type TextIoSettings = ZoneSettings;

export const DEFAULT_TEXT_IO: TextIoSettings = { timeZoneOffsetSeconds: 0 };

/**
 * float8out/float4out with extra_float_digits = 1 (PostgreSQL ≥ 12's default): the shortest
 * text that round-trips, in %g style: exponent form when the exponent is < -4 or ≥ 15 (float4: 6).
 */
export function formatFloat(v: number, isFloat4: boolean): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const shortest = isFloat4 ? shortestFloat4(v) : v.toExponential();
  // shortest is d[.ddd]e±x
  const [mant, expStr] = shortest.split('e') as [string, string];
  const exp = Number(expStr);
  const digits = mant.replace('-', '').replace('.', '');
  const neg = v < 0 ? '-' : '';
  const maxExp = isFloat4 ? 6 : 15;
  if (exp < -4 || exp >= maxExp) {
    const m = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
    const e = Math.abs(exp);
    return `${neg}${m}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' + e : e}`;
  }
  if (exp >= digits.length - 1) return neg + digits + '0'.repeat(exp - digits.length + 1);
  if (exp >= 0) return neg + digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
  return neg + '0.' + '0'.repeat(-exp - 1) + digits;
}

function shortestFloat4(v: number): string {
  const f = Math.fround(v);
  for (let p = 1; p <= 9; p++) {
    const s = f.toExponential(p - 1);
    if (Math.fround(Number(s)) === f) return s;
  }
  return f.toExponential(8);
}

/** Renders a Datum of type `t` as PostgreSQL's text output would. */
export function formatDatum(t: SqlType, v: Datum, settings: TextIoSettings = DEFAULT_TEXT_IO): string | null {
  if (v === null) return null;
  switch (t.id) {
    case 'bool': return v ? 't' : 'f';
    case 'float4': return formatFloat(v as number, true);
    case 'float8': return formatFloat(v as number, false);
    case 'numeric': {
      if (v instanceof Decimal) return v.toString();
      return String(v);
    }
    case 'date': return formatDate(v as number);
    case 'timestamp': return formatTimestamp(v as bigint);
    case 'timestamptz': return formatTimestamptz(v as bigint, offsetAt(settings, v as bigint));
    case 'interval': return (v as Interval).toString();
    case 'char': {
      const s = String(v);
      return t.length !== undefined && s.length < t.length ? s.padEnd(t.length, ' ') : s;
    }
    default: return String(v);
  }
}

const INT_RE = /^\s*[+-]?\d+\s*$/;

function parseInteger(t: SqlType, text: string, min: bigint, max: bigint): bigint {
  if (!INT_RE.test(text)) throw invalidTextRepresentation(formatTypeName(t), text);
  const v = BigInt(text.trim());
  if (v < min || v > max) {
    throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, `value "${text}" is out of range for type ${formatTypeName(t)}`);
  }
  return v;
}

/** Applies numeric(p,s): rounds to scale s and checks the precision (22003 when it overflows). */
export function coerceDecimal(d: Decimal, t: SqlType): Decimal {
  if (t.precision === undefined) return d;
  const scale = t.scale ?? 0;
  const r = d.withScale(scale);
  const abs = r.unscaled < 0n ? -r.unscaled : r.unscaled;
  if (abs >= pow10n(t.precision)) {
    throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, 'numeric field overflow', {
      detail: `A field with precision ${t.precision}, scale ${scale} must round to an absolute value less than ${t.precision - scale === 0 ? '1' : `10^${t.precision - scale}`}.`,
    });
  }
  return r;
}

/** Parses PostgreSQL text input for type `t`; throws 22P02, 22003, 22007, 22001 like PostgreSQL. */
export function parseDatum(t: SqlType, text: string, settings: TextIoSettings = DEFAULT_TEXT_IO): Datum {
  switch (t.id) {
    case 'bool': {
      const s = text.trim().toLowerCase();
      if (['t', 'true', 'y', 'yes', 'on', '1'].includes(s)) return true;
      if (['f', 'false', 'n', 'no', 'off', '0'].includes(s)) return false;
      throw invalidTextRepresentation('boolean', text);
    }
    case 'int2': return Number(parseInteger(t, text, -32768n, 32767n));
    case 'int4': return Number(parseInteger(t, text, -2147483648n, 2147483647n));
    case 'oid': return Number(parseInteger(t, text, 0n, 4294967295n));
    case 'int8': return parseInteger(t, text, -9223372036854775808n, 9223372036854775807n);
    case 'float4': case 'float8': {
      const s = text.trim().toLowerCase();
      let v: number;
      if (s === 'nan') v = NaN;
      else if (s === 'infinity' || s === '+infinity' || s === 'inf' || s === '+inf') v = Infinity;
      else if (s === '-infinity' || s === '-inf') v = -Infinity;
      else {
        if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(s)) throw invalidTextRepresentation(formatTypeName(t), text);
        v = Number(s);
        if (!Number.isFinite(v)) throw numericOutOfRange(`"${text}" is`);
      }
      return t.id === 'float4' ? Math.fround(v) : v;
    }
    case 'numeric': {
      const d = Decimal.parse(text);
      if (d === undefined) throw invalidTextRepresentation('numeric', text);
      return coerceDecimal(d, t);
    }
    case 'date': return parseDate(text);
    case 'timestamp': return parseTimestamp(text, false);
    case 'timestamptz': return parseTimestamp(text, true, settings);
    case 'varchar': case 'char': {
      if (t.length !== undefined && [...text].length > t.length) {
        const trimmed = text.replace(/ +$/, '');
        if ([...trimmed].length > t.length) {
          throw new SqlError(SqlState.STRING_DATA_RIGHT_TRUNCATION,
            `value too long for type ${formatTypeName(t)}`);
        }
        return trimmed;
      }
      return t.id === 'char' ? text.replace(/ +$/, '') : text;
    }
    case 'interval': return parseInterval(text);
    default: return text;
  }
}

const INTERVAL_UNITS: Record<string, [kind: 'm' | 'd' | 'us', mult: number]> = {
  year: ['m', 12], years: ['m', 12], y: ['m', 12], mon: ['m', 1], mons: ['m', 1], month: ['m', 1], months: ['m', 1],
  week: ['d', 7], weeks: ['d', 7], day: ['d', 1], days: ['d', 1], d: ['d', 1],
  hour: ['us', 3_600_000_000], hours: ['us', 3_600_000_000], h: ['us', 3_600_000_000],
  minute: ['us', 60_000_000], minutes: ['us', 60_000_000], min: ['us', 60_000_000], mins: ['us', 60_000_000],
  second: ['us', 1_000_000], seconds: ['us', 1_000_000], sec: ['us', 1_000_000], secs: ['us', 1_000_000], s: ['us', 1_000_000],
};

/** Parses "3 days", "1 year 2 mons", "90 minutes", "01:02:03", "10" (seconds) style interval input. */
export function parseInterval(text: string): Interval {
  let months = 0, days = 0, micros = 0n;
  // A number with a unit, hh:mm[:ss[.frac]], or a bare number (seconds, as PostgreSQL reads '10').
  const re = /([+-]?\d+(?:\.\d+)?)\s*([a-z]+)|([+-]?\d+):(\d{2})(?::(\d{2})(?:\.(\d+))?)?|([+-]?\d+(?:\.\d+)?)/gi;
  let matched = '';
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    matched += m[0];
    if (m[7] !== undefined) {
      micros += BigInt(Math.round(Number(m[7]) * 1_000_000));
    } else if (m[2] !== undefined) {
      const unit = INTERVAL_UNITS[m[2].toLowerCase()];
      if (unit === undefined) throw invalidTextRepresentation('interval', text);
      const n = Number(m[1]);
      if (unit[0] === 'm') months += Math.trunc(n * unit[1]);
      else if (unit[0] === 'd') days += Math.trunc(n * unit[1]);
      else micros += BigInt(Math.round(n * unit[1]));
    } else {
      const sign = m[3]!.startsWith('-') ? -1n : 1n;
      const h = BigInt(Math.abs(Number(m[3])));
      const us = h * 3_600_000_000n + BigInt(Number(m[4])) * 60_000_000n + BigInt(Number(m[5] ?? 0)) * 1_000_000n
        + BigInt(Math.round(Number('0.' + (m[6] ?? '0')) * 1e6));
      micros += sign * us;
    }
  }
  if (matched.replace(/\s/g, '') !== text.replace(/\s/g, '').replace(/^@/, '').replace(/ago$/i, '') || matched === '') {
    throw invalidTextRepresentation('interval', text);
  }
  return new Interval(months, days, micros);
}
