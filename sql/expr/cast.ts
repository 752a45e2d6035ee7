// Casts between our types with PostgreSQL's rounding and error codes.
import { SqlError, SqlState, numericOutOfRange } from '../../common/errors/index.ts';
import { Decimal, pow10n, roundDiv } from '../types/decimal.ts';
import type { Datum } from '../types/datum.ts';
import { formatTypeName, type SqlType } from '../types/sql-type.ts';
import { coerceDecimal, formatDatum, parseDatum, DEFAULT_TEXT_IO, type TextIoSettings } from '../types/text-io.ts';
import { fromLocal, toLocal } from '../types/time-zone.ts';

const US_PER_DAY = 86_400_000_000n;

function intRange(t: SqlType): [bigint, bigint] {
  if (t.id === 'int2') return [-32768n, 32767n];
  if (t.id === 'int4') return [-2147483648n, 2147483647n];
  return [-9223372036854775808n, 9223372036854775807n];
}

function outOfRange(t: SqlType): SqlError {
  return numericOutOfRange(t.id === 'int2' ? 'smallint' : t.id === 'int4' ? 'integer' : 'bigint');
}

function toInteger(v: bigint, t: SqlType): Datum {
  const [lo, hi] = intRange(t);
  if (v < lo || v > hi) throw outOfRange(t);
  return t.id === 'int8' ? v : Number(v);
}

/** Converts any numeric Datum to a Decimal exactly (floats via their shortest text). */
export function toDecimal(v: Datum): Decimal {
  if (v instanceof Decimal) return v;
  if (typeof v === 'bigint') return new Decimal(v, 0);
  if (typeof v === 'number') {
    if (Number.isInteger(v) && Math.abs(v) <= Number.MAX_SAFE_INTEGER) return new Decimal(BigInt(v), 0);
    if (!Number.isFinite(v)) throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `cannot convert ${v} to numeric`);
    const d = Decimal.parse(String(v));
    if (d) return d;
  }
  throw new SqlError(SqlState.CANNOT_COERCE, `cannot convert ${String(v)} to numeric`);
}

/** Rounds half to even, as PostgreSQL's float-to-integer casts (rint) do. */
function rint(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Casts a non-null `v` of type `from` to type `to`. */
export function castDatum(v: Datum, from: SqlType, to: SqlType, settings: TextIoSettings = DEFAULT_TEXT_IO): Datum {
  if (v === null) return null;
  const src = from.id;
  switch (to.id) {
    case 'text': case 'varchar': case 'char': case 'name': case 'unknown': {
      const s = typeof v === 'string' ? v : (formatDatum(from, v, settings) ?? '');
      if (to.id === 'text' || to.id === 'name' || to.id === 'unknown' || to.length === undefined) return to.id === 'char' ? s.replace(/ +$/, '') : s;
      // Explicit casts to char(n)/varchar(n) truncate (PostgreSQL), implicit assignment errors (handled by parseDatum).
      const chars = [...s];
      const cut = chars.length > to.length ? chars.slice(0, to.length).join('') : s;
      return to.id === 'char' ? cut.replace(/ +$/, '') : cut;
    }
    case 'int2': case 'int4': case 'int8': case 'oid': {
      if (typeof v === 'string') return parseDatum(to.id === 'oid' ? { id: 'int8' } : to, v, settings);
      if (typeof v === 'boolean') return to.id === 'int8' ? BigInt(v ? 1 : 0) : v ? 1 : 0;
      if (typeof v === 'bigint') return toInteger(v, to.id === 'oid' ? { id: 'int8' } : to);
      if (v instanceof Decimal) return toInteger(roundDiv(v.unscaled, pow10n(v.scale)), to);
      if (typeof v === 'number') {
        if (src === 'float4' || src === 'float8') {
          if (!Number.isFinite(v)) throw outOfRange(to);
          const r = rint(v);
          if (!Number.isSafeInteger(r) && to.id !== 'int8') throw outOfRange(to);
          if (to.id === 'int8' && Math.abs(r) >= 9.223372036854776e18) throw outOfRange(to);
          return toInteger(BigInt(r), to);
        }
        return toInteger(BigInt(v), to);
      }
      break;
    }
    case 'float4': case 'float8': {
      let x: number;
      if (typeof v === 'string') return parseDatum(to, v, settings);
      if (v instanceof Decimal) x = Number(v.toString());
      else if (typeof v === 'bigint' || typeof v === 'number') x = Number(v);
      else break;
      if (to.id === 'float4') {
        const f = Math.fround(x);
        if (!Number.isFinite(f) && Number.isFinite(x)) throw numericOutOfRange('value');
        return f;
      }
      return x;
    }
    case 'numeric': {
      if (typeof v === 'string') return parseDatum(to, v, settings);
      return coerceDecimal(toDecimal(v), to);
    }
    case 'bool': {
      if (typeof v === 'boolean') return v;
      if (typeof v === 'string') return parseDatum(to, v, settings);
      if (typeof v === 'number' && (src === 'int4' || src === 'int2')) return v !== 0;
      break;
    }
    case 'date': {
      if (typeof v === 'string') return parseDatum(to, v, settings);
      if (src === 'date') return v;
      if (typeof v === 'bigint' && (src === 'timestamp' || src === 'timestamptz')) {
        const local = src === 'timestamptz' ? toLocal(settings, v) : v;
        let days = local / US_PER_DAY;
        if (local % US_PER_DAY < 0n) days -= 1n;
        return Number(days);
      }
      break;
    }
    case 'timestamp': case 'timestamptz': {
      if (typeof v === 'string') return parseDatum(to, v, settings);
      if (src === 'date' && typeof v === 'number') {
        const local = BigInt(v) * US_PER_DAY;
        return to.id === 'timestamptz' ? fromLocal(settings, local) : local;
      }
      if (typeof v === 'bigint') {
        if (src === to.id) return v;
        return to.id === 'timestamptz' ? fromLocal(settings, v) : toLocal(settings, v);
      }
      break;
    }
    case 'interval':
      if (typeof v === 'string') return parseDatum(to, v, settings);
      if (src === 'interval') return v;
      break;
  }
  throw new SqlError(SqlState.CANNOT_COERCE, `cannot cast type ${formatTypeName(from)} to ${formatTypeName(to)}`);
}
