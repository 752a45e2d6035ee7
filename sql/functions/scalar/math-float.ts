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
/** Exact results at the multiples PostgreSQL special-cases for the degree variants. */
const sind = (x: number): number => {
  if (!Number.isFinite(x)) return NaN;
  const r = ((x % 360) + 360) % 360;
  if (r === 0 || r === 180) return 0;
  if (r === 90) return 1;
  if (r === 270) return -1;
  if (r === 30 || r === 150) return 0.5;
  if (r === 210 || r === 330) return -0.5;
  return Math.sin(x * D2R);
};
const cosd = (x: number): number => sind(x + 90);

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
export const tandFn = checked((x) => { const s = sind(x); const c = cosd(x); return c === 0 ? (s > 0 ? Infinity : -Infinity) : s / c; }, finite);
export const asindFn = checked((x) => Math.asin(x) / D2R, unit);
export const acosdFn = checked((x) => Math.acos(x) / D2R, unit);
export const atandFn = checked((x) => Math.atan(x) / D2R);
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
  evaluate: ([y, x]) => Math.atan2(num(y), num(x)) / D2R,
};

/** pi(). */
export const pi: ScalarFunction = { resolve: resolveBy([sig([], T.float8)]), evaluate: () => Math.PI };

/** random() → [0, 1). */
export const random: ScalarFunction = { resolve: resolveBy([sig([], T.float8)]), evaluate: () => Math.random() };
