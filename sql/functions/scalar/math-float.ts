// double precision math: trigonometry (radians and degrees), cbrt, degrees, radians, pi and
// random(), with PostgreSQL's "input is out of range" and overflow errors.
import { T } from '../../types/sql-type.ts';
import type { ScalarFunction } from '../scalar-functions.ts';
import { num, outOfRange, resolveBy, sig } from './common.ts';

function checked(fn: (x: number) => number, domain?: (x: number) => boolean): ScalarFunction {
  return {
    resolve: resolveBy([sig(['float8'], T.float8)]),
    evaluate([x]) {
      const v = num(x);
      if (domain !== undefined && !Number.isNaN(v) && !domain(v)) throw outOfRange('input is');
      const r = fn(v);
      if (!Number.isFinite(r) && Number.isFinite(v)) throw outOfRange('value');
      return r;
    },
  };
}

const D2R = Math.PI / 180;
const finite = (x: number): boolean => Number.isFinite(x);
const unit = (x: number): boolean => x >= -1 && x <= 1;

// PostgreSQL's degree-based functions scale by constants computed at the same points so that
// 30, 45, 60 and 90 degrees give exact answers (float.c's sind_q1, asind_q1, ...).
const SIN_30 = Math.sin(30 * D2R);
const ONE_MINUS_COS_60 = 1 - Math.cos(60 * D2R);
const ASIN_0_5 = Math.asin(0.5);
const ACOS_0_5 = Math.acos(0.5);
const ATAN_1_0 = Math.atan(1);
const sind0To30 = (x: number): number => Math.sin(x * D2R) / SIN_30 / 2;
const cosd0To60 = (x: number): number => 1 - (1 - Math.cos(x * D2R)) / ONE_MINUS_COS_60 / 2;
const sindQ1 = (x: number): number => (x <= 30 ? sind0To30(x) : cosd0To60(90 - x));
const cosdQ1 = (x: number): number => (x <= 60 ? cosd0To60(x) : sind0To30(90 - x));
const TAN_45 = sindQ1(45) / cosdQ1(45);
const asindQ1 = (x: number): number => (x <= 0.5 ? (Math.asin(x) / ASIN_0_5) * 30 : 90 - (Math.acos(x) / ACOS_0_5) * 60);
const acosdQ1 = (x: number): number => (x <= 0.5 ? 90 - (Math.asin(x) / ASIN_0_5) * 30 : (Math.acos(x) / ACOS_0_5) * 60);

function sind(x: number): number {
  let a = x % 360;
  let s = 1;
  if (a < 0) { a = -a; s = -s; }
  if (a > 180) { a = 360 - a; s = -s; }
  if (a > 90) a = 180 - a;
  return s * sindQ1(a) + 0;
}

function cosd(x: number): number {
  let a = x % 360;
  let s = 1;
  if (a < 0) a = -a;
  if (a > 180) a = 360 - a;
  if (a > 90) { a = 180 - a; s = -s; }
  return s * cosdQ1(a) + 0;
}

function tand(x: number): number {
  let a = x % 360;
  let s = 1;
  if (a < 0) { a = -a; s = -s; }
  if (a > 180) { a = 360 - a; s = -s; }
  if (a > 90) { a = 180 - a; s = -s; }
  return s * (sindQ1(a) / cosdQ1(a) / TAN_45) + 0;
}

export const sin = checked(Math.sin, finite);
export const cos = checked(Math.cos, finite);
export const tan = checked(Math.tan, finite);
export const cot = checked((x) => 1 / Math.tan(x), finite);
export const asin = checked(Math.asin, unit);
export const acos = checked(Math.acos, unit);
export const atan = checked(Math.atan);
export const sinh = checked(Math.sinh);
export const cosh = checked(Math.cosh);
export const tanh = checked(Math.tanh);
export const sindFn = checked(sind, finite);
export const cosdFn = checked(cosd, finite);
export const tandFn = checked(tand, finite);
export const asindFn = checked((x) => (x >= 0 ? asindQ1(x) : -asindQ1(-x)), unit);
export const acosdFn = checked((x) => (x >= 0 ? acosdQ1(x) : 90 + asindQ1(-x)), unit);
export const atandFn = checked((x) => (Math.atan(x) / ATAN_1_0) * 45);
export const cbrt = checked(Math.cbrt);
export const degrees = checked((x) => x / D2R);
export const radians = checked((x) => x * D2R);

/** atan2(y, x). */
export const atan2: ScalarFunction = {
  resolve: resolveBy([sig(['float8', 'float8'], T.float8)]),
  evaluate: ([y, x]) => Math.atan2(num(y), num(x)),
};

/** atan2d(y, x) in degrees. */
export const atan2d: ScalarFunction = {
  resolve: resolveBy([sig(['float8', 'float8'], T.float8)]),
  evaluate: ([y, x]) => (Math.atan2(num(y), num(x)) / ATAN_1_0) * 45,
};

/** pi(). */
export const pi: ScalarFunction = { resolve: resolveBy([sig([], T.float8)]), evaluate: () => Math.PI };

/** random() → [0, 1). */
export const random: ScalarFunction = { resolve: resolveBy([sig([], T.float8)]), evaluate: () => Math.random() };
