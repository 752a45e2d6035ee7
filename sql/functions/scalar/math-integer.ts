// mod, div, gcd, lcm, factorial and width_bucket with PostgreSQL's types and errors.
import { SqlError, SqlState, divisionByZero } from '../../../common/errors/index.ts';
import { toDecimal } from '../../expr/cast.ts';
import { decCompare, decMod } from '../../expr/numeric-ops.ts';
import { Decimal, pow10n } from '../../types/decimal.ts';
import { T } from '../../types/sql-type.ts';
import type { ScalarFunction } from '../scalar-functions.ts';
import { EXTRA_STATE, int4, int8, resolveBy, sig } from './common.ts';

/** mod(a, b): remainder with the sign of a. */
export const mod: ScalarFunction = {
  resolve: resolveBy([sig(['int2', 'int2'], T.int2), sig(['int4', 'int4'], T.int4), sig(['int8', 'int8'], T.int8), sig(['numeric', 'numeric'], T.numeric())]),
  evaluate([a, b]) {
    if (a instanceof Decimal) return decMod(a, b as Decimal);
    if (typeof a === 'bigint') {
      if (b === 0n) throw divisionByZero();
      return a % (b as bigint);
    }
    if (b === 0) throw divisionByZero();
    return ((a as number) % (b as number)) + 0;
  },
};

/** div(a, b) → numeric: the integer quotient, truncated toward zero. */
export const div: ScalarFunction = {
  resolve: resolveBy([sig(['numeric', 'numeric'], T.numeric())]),
  evaluate([a, b]) {
    const x = a as Decimal;
    const y = b as Decimal;
    if (y.unscaled === 0n) throw divisionByZero();
    const s = Math.max(x.scale, y.scale);
    return new Decimal(x.withScale(s).unscaled / y.withScale(s).unscaled, 0);
  },
};

const bgcd = (a: bigint, b: bigint): bigint => {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
};

function gcdLcm(isLcm: boolean): ScalarFunction {
  return {
    resolve: resolveBy([sig(['int4', 'int4'], T.int4), sig(['int8', 'int8'], T.int8), sig(['numeric', 'numeric'], T.numeric())]),
    evaluate([a, b], rt) {
      if (a instanceof Decimal) {
        const y = b as Decimal;
        const s = Math.max(a.scale, y.scale);
        const x1 = a.withScale(s).unscaled;
        const y1 = y.withScale(s).unscaled;
        const g = bgcd(x1, y1);
        if (!isLcm) return new Decimal(g, s);
        if (x1 === 0n || y1 === 0n) return new Decimal(0n, s);
        const l = (x1 / g) * y1;
        return new Decimal(l < 0n ? -l : l, s);
      }
      const x = BigInt(a as number | bigint);
      const y = BigInt(b as number | bigint);
      let r = bgcd(x, y);
      if (isLcm) r = x === 0n || y === 0n ? 0n : ((x / r) * y < 0n ? -(x / r) * y : (x / r) * y);
      if (rt.id === 'int8') return int8(r);
      return int4(Number(r));
    },
  };
}

/** gcd(a, b). */
export const gcd = gcdLcm(false);
/** lcm(a, b). */
export const lcm = gcdLcm(true);

/** factorial(n) → numeric; 22023 for negative n. */
export const factorial: ScalarFunction = {
  resolve: resolveBy([sig(['int8'], T.numeric())]),
  evaluate([n]) {
    const k = n as bigint;
    if (k < 0n) throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, 'factorial of a negative number is undefined');
    if (k > 32177n) throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, 'value overflows numeric format');
    let r = 1n;
    for (let i = 2n; i <= k; i++) r *= i;
    return new Decimal(r, 0);
  },
};

/** width_bucket(x, low, high, count) → the 1-based bucket, 0 below and count+1 above. */
export const widthBucket: ScalarFunction = {
  resolve: resolveBy([sig(['float8', 'float8', 'float8', 'int4'], T.int4), sig(['numeric', 'numeric', 'numeric', 'int4'], T.int4)]),
  evaluate([x, lo, hi, c]) {
    const count = c as number;
    if (count <= 0) throw new SqlError(EXTRA_STATE.INVALID_ARGUMENT_FOR_WIDTH_BUCKET, 'count must be greater than zero');
    if (x instanceof Decimal) {
      const l = toDecimal(lo!);
      const h = toDecimal(hi!);
      const cmp = decCompare(l, h);
      if (cmp === 0) throw new SqlError(EXTRA_STATE.INVALID_ARGUMENT_FOR_WIDTH_BUCKET, 'lower bound cannot equal upper bound');
      const s = Math.max(x.scale, l.scale, h.scale);
      const xv = x.withScale(s).unscaled;
      const lv = l.withScale(s).unscaled;
      const hv = h.withScale(s).unscaled;
      void pow10n;
      if (cmp < 0) {
        if (xv < lv) return 0;
        if (xv >= hv) return int4(count + 1);
        return Number(((xv - lv) * BigInt(count)) / (hv - lv)) + 1;
      }
      if (xv > lv) return 0;
      if (xv <= hv) return int4(count + 1);
      return Number(((lv - xv) * BigInt(count)) / (lv - hv)) + 1;
    }
    const v = x as number;
    const l = lo as number;
    const h = hi as number;
    if (Number.isNaN(v) || Number.isNaN(l) || Number.isNaN(h)) throw new SqlError(EXTRA_STATE.INVALID_ARGUMENT_FOR_WIDTH_BUCKET, 'operand, lower bound, and upper bound cannot be NaN');
    if (!Number.isFinite(l) || !Number.isFinite(h)) throw new SqlError(EXTRA_STATE.INVALID_ARGUMENT_FOR_WIDTH_BUCKET, 'lower and upper bounds must be finite');
    if (l === h) throw new SqlError(EXTRA_STATE.INVALID_ARGUMENT_FOR_WIDTH_BUCKET, 'lower bound cannot equal upper bound');
    if (l < h) {
      if (v < l) return 0;
      if (v >= h) return int4(count + 1);
      return Math.floor(((v - l) / (h - l)) * count) + 1;
    }
    if (v > l) return 0;
    if (v <= h) return int4(count + 1);
    return Math.floor(((l - v) / (l - h)) * count) + 1;
  },
};
