// abs, sign, ceil/ceiling, floor, round, trunc (numeric rounds half away from zero, float uses
// rint's half-even), scale/min_scale/trim_scale, and Redshift's trunc(timestamp) → date.
import { decRound, decTrunc } from '../../expr/numeric-ops.ts';
import { Decimal, pow10n } from '../../types/decimal.ts';
import { T } from '../../types/sql-type.ts';
import type { ScalarFunction } from '../scalar-functions.ts';
import { INT8_MIN, US_PER_DAY, int, outOfRange, resolveBy, sig, type TypedEvaluate } from './common.ts';

/** rint(): round half to even, as C does. */
export function rint(x: number): number {
  if (!Number.isFinite(x)) return x;
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r === 0 ? 0 * Math.sign(x) : r;
}

const floorDec = (d: Decimal): Decimal => {
  const t = decTrunc(d, 0);
  return d.unscaled < 0n && t.unscaled * pow10n(d.scale) !== d.unscaled ? new Decimal(t.unscaled - 1n, 0) : t;
};
const ceilDec = (d: Decimal): Decimal => {
  const t = decTrunc(d, 0);
  return d.unscaled > 0n && t.unscaled * pow10n(d.scale) !== d.unscaled ? new Decimal(t.unscaled + 1n, 0) : t;
};

/** abs(x) for every numeric type; the type's minimum overflows (22003). */
export const abs: ScalarFunction = {
  resolve: resolveBy([
    sig(['int2'], T.int2), sig(['int4'], T.int4), sig(['int8'], T.int8), sig(['numeric'], T.numeric()), sig(['float4'], T.float4), sig(['float8'], T.float8),
  ]),
  evaluate([x], rt) {
    if (x instanceof Decimal) return x.unscaled < 0n ? new Decimal(-x.unscaled, x.scale) : x;
    if (typeof x === 'bigint') {
      if (x === INT8_MIN) throw outOfRange('bigint');
      return x < 0n ? -x : x;
    }
    const n = x as number;
    if (rt.id === 'int4' && n === -2147483648) throw outOfRange('integer');
    if (rt.id === 'int2' && n === -32768) throw outOfRange('smallint');
    return Math.abs(n);
  },
};

/** sign(x) → -1, 0 or 1 as double precision or numeric. */
export const sign: ScalarFunction = {
  resolve: resolveBy([sig(['float8'], T.float8), sig(['numeric'], T.numeric())]),
  evaluate([x]) {
    if (x instanceof Decimal) return new Decimal(x.unscaled > 0n ? 1n : x.unscaled < 0n ? -1n : 0n, 0);
    const n = x as number;
    return Number.isNaN(n) ? n : n > 0 ? 1 : n < 0 ? -1 : 0;
  },
};

function floatOrNumeric(f: (x: number) => number, d: (x: Decimal) => Decimal): ScalarFunction {
  return {
    resolve: resolveBy([sig(['float8'], T.float8), sig(['numeric'], T.numeric())]),
    evaluate: ([x]) => (x instanceof Decimal ? d(x) : f(x as number)),
  };
}

/** ceil(x) / ceiling(x). */
export const ceil = floatOrNumeric((x) => Math.ceil(x) + 0, ceilDec);
/** floor(x). */
export const floor = floatOrNumeric(Math.floor, floorDec);

/** round(float8) is rint; round(numeric [, n]) rounds half away from zero to n digits (scale max(n, 0)). */
export const round: ScalarFunction = {
  resolve: resolveBy([sig(['float8'], T.float8), sig(['numeric'], T.numeric()), sig(['numeric', 'int4'], T.numeric())]),
  evaluate([x, n]) {
    if (typeof x === 'number') return rint(x);
    return decRound(x as Decimal, n === undefined ? 0 : Math.max(Math.min(int(n), 1000), -1000));
  },
};

const truncEvaluate: TypedEvaluate = ([x, n], rt) => {
  if (rt.id === 'date') {
    const us = x as bigint;
    return Number((us - (((us % US_PER_DAY) + US_PER_DAY) % US_PER_DAY)) / US_PER_DAY);
  }
  if (typeof x === 'number') return Math.trunc(x);
  const d = x as Decimal;
  const k = n === undefined ? 0 : int(n);
  if (k >= 0) return decTrunc(d, k);
  const p = pow10n(d.scale - k);
  return new Decimal((d.unscaled / p) * pow10n(-k), 0);
};

/** trunc(float8), trunc(numeric [, n]) toward zero; Redshift's trunc(timestamp) → date. */
export const trunc: ScalarFunction = {
  resolve: resolveBy([
    sig(['float8'], T.float8), sig(['numeric'], T.numeric()), sig(['numeric', 'int4'], T.numeric()), sig(['timestamp'], T.date),
  ]),
  evaluate: truncEvaluate,
};

/** scale(numeric): digits after the point as displayed. */
export const scale: ScalarFunction = { resolve: resolveBy([sig(['numeric'], T.int4)]), evaluate: ([x]) => (x as Decimal).scale };

function minScaleOf(d: Decimal): number {
  let u = d.unscaled;
  let s = d.scale;
  while (s > 0 && u % 10n === 0n) { u /= 10n; s--; }
  return s;
}

/** min_scale(numeric): the fewest digits after the point that keep the value. */
export const minScale: ScalarFunction = { resolve: resolveBy([sig(['numeric'], T.int4)]), evaluate: ([x]) => minScaleOf(x as Decimal) };

/** trim_scale(numeric): the value with trailing fractional zeros removed. */
export const trimScale: ScalarFunction = {
  resolve: resolveBy([sig(['numeric'], T.numeric())]),
  evaluate: ([x]) => (x as Decimal).withScale(minScaleOf(x as Decimal)),
};

