// to_char(value, template) for timestamps, timestamptz, intervals and numbers (PostgreSQL's
// formatting functions); dates resolve to the timestamptz form as in PostgreSQL.
import { decRound } from '../../expr/numeric-ops.ts';
import { Decimal } from '../../types/decimal.ts';
import { Interval } from '../../types/interval.ts';
import { T } from '../../types/sql-type.ts';
import type { ScalarFunction } from '../scalar-functions.ts';
import { US_PER_SECOND, resolveBy, sig, type TypedEvaluate } from './common.ts';
import { dchFromTimestamp, formatDch, type DchValue } from './datetime-format.ts';
import { formatNumericText } from './number-format.ts';
import { offsetAt } from '../../types/time-zone.ts';

function intervalValue(i: Interval): DchValue {
  const micros = i.micros < 0n ? -i.micros : i.micros;
  const sign = i.micros < 0n ? -1 : 1;
  const totalSec = Number(micros / US_PER_SECOND);
  return {
    year: Math.trunc(i.months / 12), month: i.months % 12, day: i.days,
    hour: sign * Math.floor(totalSec / 3600), minute: sign * (Math.floor(totalSec / 60) % 60), second: sign * (totalSec % 60),
    micros: sign * Number(micros % US_PER_SECOND), days: undefined, offsetSeconds: undefined, isInterval: true,
  };
}

/** Fixed-point text of a float as PostgreSQL's float to_char prints it (at most 15 / 6 significant digits). */
function floatText(v: number, post: number, isFloat4: boolean): string {
  const maxDigits = isFloat4 ? 6 : 15;
  const preLen = Math.abs(v).toFixed(0).length;
  const p = preLen >= maxDigits ? 0 : Math.min(post, maxDigits - preLen);
  const s = v.toFixed(p);
  return p < post ? (p === 0 ? s + '.' : s) + '0'.repeat(post - p) : s;
}

const evaluate: TypedEvaluate = ([x, f], _rt, ctx, argTypes) => {
  const fmt = f as string;
  const t = argTypes?.[0]?.id;
  if (x instanceof Interval) return formatDch(fmt, intervalValue(x));
  if (x instanceof Decimal) return formatNumericText(fmt, x.toString(), (post) => decRound(x, post).toString());
  if (typeof x === 'bigint' && t !== 'timestamp' && t !== 'timestamptz' && t !== undefined) {
    return formatNumericText(fmt, x.toString(), (post) => (post > 0 ? `${x}.${'0'.repeat(post)}` : x.toString()));
  }
  if (typeof x === 'bigint') {
    if (t === 'timestamptz') {
      const off = offsetAt(ctx, x);
      return formatDch(fmt, dchFromTimestamp(x + BigInt(off) * US_PER_SECOND, off));
    }
    return formatDch(fmt, dchFromTimestamp(x, undefined));
  }
  const n = x as number;
  if (t === 'int4' || t === 'int2') return formatNumericText(fmt, String(n), (post) => (post > 0 ? `${n}.${'0'.repeat(post)}` : String(n)));
  return formatNumericText(fmt, String(n), (post) => floatText(n, post, t === 'float4'));
};

/** to_char(timestamp | timestamptz | interval | numeric | int | float, text). */
export const toChar: ScalarFunction = {
  resolve: resolveBy([
    sig(['timestamp', 'text'], T.text), sig(['timestamptz', 'text'], T.text), sig(['interval', 'text'], T.text),
    sig(['numeric', 'text'], T.text), sig(['int4', 'text'], T.text), sig(['int8', 'text'], T.text),
    sig(['float4', 'text'], T.text), sig(['float8', 'text'], T.text),
  ]),
  evaluate,
};
