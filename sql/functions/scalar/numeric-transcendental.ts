// sqrt, exp, ln, log, log10 and power on double precision and on numeric. The numeric forms are
// computed exactly in bigint fixed point and rounded to the result scale PostgreSQL's numeric.c
// chooses (at least 16 significant digits, never fewer than the inputs' scales).
import { SqlError, SqlState } from '../../../common/errors/index.ts';
import { Decimal, pow10n, roundDiv } from '../../types/decimal.ts';
import { T } from '../../types/sql-type.ts';
import type { ScalarFunction } from '../scalar-functions.ts';
import { EXTRA_STATE, num, resolveBy, sig } from './common.ts';

const MIN_SIG_DIGITS = 16;
const MAX_DISPLAY_SCALE = 1000;

const clampScale = (r: number, ...scales: number[]): number => Math.min(Math.max(r, ...scales, 0), MAX_DISPLAY_SCALE);

/** numeric's base-10000 weight and first two digit groups (as PostgreSQL stores it). */
function nbase(d: Decimal): { weight: number; digits: number[] } {
  const abs = d.unscaled < 0n ? -d.unscaled : d.unscaled;
  if (abs === 0n) return { weight: 0, digits: [] };
  // Align the scale to a multiple of 4 so groups fall on base-10000 boundaries.
  const padScale = Math.ceil(d.scale / 4) * 4;
  const s = (abs * pow10n(padScale - d.scale)).toString();
  const intLen = s.length - padScale;
  const lead = ((intLen % 4) + 4) % 4;
  const padded = (lead === 0 ? '' : '0'.repeat(4 - lead)) + s;
  let weight = Math.ceil(intLen / 4) - 1;
  const groups: number[] = [];
  for (let i = 0; i < padded.length; i += 4) groups.push(Number(padded.slice(i, i + 4)));
  while (groups.length > 0 && groups[0] === 0) { groups.shift(); weight--; }
  while (groups.length > 0 && groups[groups.length - 1] === 0) groups.pop();
  return { weight, digits: groups };
}

/** PostgreSQL's estimate_ln_dweight. */
function estimateLnDweight(d: Decimal): number {
  if (d.unscaled <= 0n) return 0;
  const x = d.toNumber();
  if (x >= 0.9 && x <= 1.1) {
    const diff = new Decimal(d.unscaled - pow10n(d.scale), d.scale);
    if (diff.unscaled === 0n) return 0;
    const nb = nbase(diff);
    return nb.weight * 4 + Math.trunc(Math.log10(nb.digits[0]!));
  }
  const nb = nbase(d);
  let digits = nb.digits[0]!;
  let dweight = nb.weight * 4;
  if (nb.digits.length > 1) { digits = digits * 10000 + nb.digits[1]!; dweight -= 4; }
  const lnVar = Math.log(digits) + dweight * 2.302585092994046;
  return Math.trunc(Math.log10(Math.abs(lnVar)));
}

// ---- fixed point: a bigint v at scale S means v / 10^S ----

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  // Newton's method from a power of two above the root: decreases monotonically to floor(sqrt(n)).
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2) + 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

const toFixed = (d: Decimal, s: number): bigint => (s >= d.scale ? d.unscaled * pow10n(s - d.scale) : roundDiv(d.unscaled, pow10n(d.scale - s)));

/** ln(x) for x > 0 at scale s (x at scale s too). */
function lnFixed(x: bigint, s: number): bigint {
  const one = pow10n(s);
  // Bring x close to 1 by square roots: ln x = 2^k ln x^(1/2^k).
  let k = 0;
  const lo = one - one / 100n;
  const hi = one + one / 100n;
  while (x < lo || x > hi) {
    x = isqrt(x * one);
    k++;
  }
  // ln x = 2 atanh(z), z = (x-1)/(x+1).
  const z = ((x - one) * one) / (x + one);
  const z2 = (z * z) / one;
  let term = z;
  let sum = 0n;
  for (let n = 1n; term !== 0n; n += 2n) {
    sum += term / n;
    term = (term * z2) / one;
  }
  return 2n * sum * (1n << BigInt(k));
}

/** exp(x) at scale s (x at scale s). */
function expFixed(x: bigint, s: number): bigint {
  const one = pow10n(s);
  let k = 0;
  const limit = one / 100n;
  while (x > limit || x < -limit) { x /= 2n; k++; }
  let sum = one;
  let term = one;
  for (let n = 1n; term !== 0n; n++) {
    term = (term * x) / (one * n);
    sum += term;
  }
  for (let i = 0; i < k; i++) sum = (sum * sum) / one;
  return sum;
}

/** Rounds a fixed-point value at scale s to a Decimal of scale r. */
const fromFixed = (v: bigint, s: number, r: number): Decimal => new Decimal(roundDiv(v, pow10n(s - r)), r);

function numericLn(d: Decimal, r: number): Decimal {
  const w = r + 20 + Math.max(0, d.integerDigits());
  return fromFixed(lnFixed(toFixed(d, w), w), w, r);
}

function checkLogArg(d: Decimal): void {
  if (d.unscaled === 0n) throw new SqlError(EXTRA_STATE.INVALID_ARGUMENT_FOR_LOG, 'cannot take logarithm of zero');
  if (d.unscaled < 0n) throw new SqlError(EXTRA_STATE.INVALID_ARGUMENT_FOR_LOG, 'cannot take logarithm of a negative number');
}

function checkFloatLog(x: number): void {
  if (x === 0) throw new SqlError(EXTRA_STATE.INVALID_ARGUMENT_FOR_LOG, 'cannot take logarithm of zero');
  if (x < 0) throw new SqlError(EXTRA_STATE.INVALID_ARGUMENT_FOR_LOG, 'cannot take logarithm of a negative number');
}

/** sqrt(x). */
export const sqrt: ScalarFunction = {
  resolve: resolveBy([sig(['float8'], T.float8), sig(['numeric'], T.numeric())]),
  evaluate([x]) {
    if (typeof x === 'number') {
      if (x < 0) throw new SqlError(EXTRA_STATE.INVALID_ARGUMENT_FOR_POWER, 'cannot take square root of a negative number');
      return Math.sqrt(x);
    }
    const d = x as Decimal;
    if (d.unscaled < 0n) throw new SqlError(EXTRA_STATE.INVALID_ARGUMENT_FOR_POWER, 'cannot take square root of a negative number');
    const nb = nbase(d);
    const sweight = Math.trunc(((nb.weight + 1) * 4) / 2) - 1;
    const r = clampScale(MIN_SIG_DIGITS - sweight, d.scale);
    const w = r + 2;
    return fromFixed(isqrt(toFixed(d, 2 * w)), w, r);
  },
};

/** exp(x). */
export const exp: ScalarFunction = {
  resolve: resolveBy([sig(['float8'], T.float8), sig(['numeric'], T.numeric())]),
  evaluate([x]) {
    if (typeof x === 'number') {
      const r = Math.exp(x);
      if (!Number.isFinite(r) && Number.isFinite(x)) throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, 'value out of range: overflow');
      if (r === 0 && Number.isFinite(x)) throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, 'value out of range: underflow');
      return r;
    }
    const d = x as Decimal;
    let val = d.toNumber() * 0.434294481903252;
    val = Math.min(Math.max(val, -2000), 2000);
    if (d.toNumber() > 6000) throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, 'value overflows numeric format');
    const r = clampScale(MIN_SIG_DIGITS - Math.trunc(val), d.scale);
    const w = r + 20 + Math.ceil(Math.abs(val));
    return fromFixed(expFixed(toFixed(d, w), w), w, r);
  },
};

/** ln(x). */
export const ln: ScalarFunction = {
  resolve: resolveBy([sig(['float8'], T.float8), sig(['numeric'], T.numeric())]),
  evaluate([x]) {
    if (typeof x === 'number') { checkFloatLog(x); return Math.log(x); }
    const d = x as Decimal;
    checkLogArg(d);
    return numericLn(d, clampScale(MIN_SIG_DIGITS - estimateLnDweight(d), d.scale));
  },
};

/** log(base, x) on numeric: ln(x) / ln(base) at PostgreSQL's scale. */
function numericLog(base: Decimal, x: Decimal): Decimal {
  checkLogArg(base);
  checkLogArg(x);
  const r = clampScale(MIN_SIG_DIGITS - (estimateLnDweight(x) - estimateLnDweight(base)), base.scale, x.scale);
  const w = r + 25 + Math.max(base.integerDigits(), x.integerDigits());
  const lb = lnFixed(toFixed(base, w), w);
  if (lb === 0n) throw new SqlError(SqlState.DIVISION_BY_ZERO, 'division by zero');
  const lx = lnFixed(toFixed(x, w), w);
  return new Decimal(roundDiv(lx * pow10n(r), lb), r);
}

/** log(x) (base 10) and log(base, x). */
export const log: ScalarFunction = {
  resolve: resolveBy([sig(['float8'], T.float8), sig(['numeric'], T.numeric()), sig(['numeric', 'numeric'], T.numeric())]),
  evaluate([a, b]) {
    if (typeof a === 'number') { checkFloatLog(a); return Math.log10(a); }
    if (b === undefined) return numericLog(new Decimal(10n, 0), a as Decimal);
    return numericLog(a as Decimal, b as Decimal);
  },
};

/** log10(x). */
export const log10: ScalarFunction = {
  resolve: resolveBy([sig(['float8'], T.float8), sig(['numeric'], T.numeric())]),
  evaluate([a]) {
    if (typeof a === 'number') { checkFloatLog(a); return Math.log10(a); }
    return numericLog(new Decimal(10n, 0), a as Decimal);
  },
};

function floatPower(x: number, y: number): number {
  if (x === 0 && y < 0) throw new SqlError(EXTRA_STATE.INVALID_ARGUMENT_FOR_POWER, 'zero raised to a negative power is undefined');
  if (x < 0 && !Number.isInteger(y) && Number.isFinite(y)) {
    throw new SqlError(EXTRA_STATE.INVALID_ARGUMENT_FOR_POWER, 'a negative number raised to a non-integer power yields a complex result');
  }
  const r = x ** y;
  if (!Number.isFinite(r) && Number.isFinite(x) && Number.isFinite(y)) throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, 'value out of range: overflow');
  return r;
}

function numericPower(b: Decimal, e: Decimal): Decimal {
  if (b.unscaled === 0n && e.unscaled < 0n) throw new SqlError(EXTRA_STATE.INVALID_ARGUMENT_FOR_POWER, 'zero raised to a negative power is undefined');
  const eIsInt = e.unscaled % pow10n(e.scale) === 0n;
  if (b.unscaled < 0n && !eIsInt) {
    throw new SqlError(EXTRA_STATE.INVALID_ARGUMENT_FOR_POWER, 'a negative number raised to a non-integer power yields a complex result');
  }
  const eInt = eIsInt ? e.unscaled / pow10n(e.scale) : 0n;
  if (eIsInt && eInt >= -2147483648n && eInt <= 2147483647n) {
    const n = Number(eInt);
    // power_var_int: estimate the result's decimal weight from the leading digits.
    let f = 0;
    if (b.unscaled !== 0n) {
      const nb = nbase(b);
      let fv = nb.digits[0]!;
      let p = nb.weight * 4;
      for (let i = 1; i < nb.digits.length && i * 4 < 16; i++) { fv = fv * 10000 + nb.digits[i]!; p -= 4; }
      f = n * (Math.log10(fv) + p);
    }
    if (f > 131072 * 1.01) throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, 'value overflows numeric format');
    if (f + 1 < -MAX_DISPLAY_SCALE * 1.01) return new Decimal(0n, MAX_DISPLAY_SCALE);
    const r = clampScale(MIN_SIG_DIGITS - Math.trunc(f), b.scale, e.scale);
    if (n === 0) return new Decimal(pow10n(r), r);
    const absN = BigInt(Math.abs(n));
    const num = b.unscaled ** absN;
    const scale = b.scale * Math.abs(n);
    if (n > 0) return new Decimal(num, scale).withScale(r);
    // b^-n = 10^scale / num
    let q = pow10n(scale + r);
    let den = num;
    if (den < 0n) { den = -den; q = -q; }
    return new Decimal(roundDiv(q, den), r);
  }
  if (b.unscaled === 0n) return new Decimal(0n, MIN_SIG_DIGITS);
  const absB = b.unscaled < 0n ? new Decimal(-b.unscaled, b.scale) : b;
  const lnDweight = estimateLnDweight(absB);
  const lowScale = Math.max(8 - lnDweight, 0);
  const approx = numericLn(absB, lowScale).toNumber() * e.toNumber();
  if (Math.abs(approx) > 2000 * 3.01) {
    if (approx > 0) throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, 'value overflows numeric format');
    return new Decimal(0n, MAX_DISPLAY_SCALE);
  }
  const val = approx * 0.434294481903252;
  const r = clampScale(MIN_SIG_DIGITS - Math.trunc(val), b.scale, e.scale);
  const w = r + 25 + Math.ceil(Math.abs(val)) + Math.max(absB.integerDigits(), e.integerDigits());
  const lnB = lnFixed(toFixed(absB, w), w);
  const prod = (lnB * toFixed(e, w)) / pow10n(w);
  return fromFixed(expFixed(prod, w), w, r);
}

/** power(x, y) / pow(x, y). */
export const power: ScalarFunction = {
  resolve: resolveBy([sig(['float8', 'float8'], T.float8), sig(['numeric', 'numeric'], T.numeric())]),
  evaluate([x, y]) {
    if (typeof x === 'number') return floatPower(x, num(y));
    return numericPower(x as Decimal, y as Decimal);
  },
};
