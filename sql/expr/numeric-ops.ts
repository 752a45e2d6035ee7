// Exact numeric arithmetic with PostgreSQL's display-scale rules (add: max scale, mul: sum of
// scales, div: select_div_scale), so results print digit for digit as PostgreSQL prints them.
import { divisionByZero } from '../../common/errors/index.ts';
import { Decimal, pow10n, roundDiv } from '../types/decimal.ts';

export function decAdd(a: Decimal, b: Decimal): Decimal {
  const s = Math.max(a.scale, b.scale);
  return new Decimal(a.withScale(s).unscaled + b.withScale(s).unscaled, s);
}

export function decSub(a: Decimal, b: Decimal): Decimal {
  const s = Math.max(a.scale, b.scale);
  return new Decimal(a.withScale(s).unscaled - b.withScale(s).unscaled, s);
}

export function decMul(a: Decimal, b: Decimal): Decimal {
  return new Decimal(a.unscaled * b.unscaled, a.scale + b.scale);
}

export function decCompare(a: Decimal, b: Decimal): number {
  const s = Math.max(a.scale, b.scale);
  const x = a.withScale(s).unscaled;
  const y = b.withScale(s).unscaled;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** PostgreSQL's weight (position of the first base-10000 digit group) and that group's value. */
function weightAndFirstDigit(d: Decimal): [number, number] {
  const abs = d.unscaled < 0n ? -d.unscaled : d.unscaled;
  if (abs === 0n) return [0, 0];
  const intPart = abs / pow10n(d.scale);
  if (intPart > 0n) {
    const digits = intPart.toString().length;
    const weight = Math.floor((digits - 1) / 4);
    return [weight, Number(intPart / 10000n ** BigInt(weight))];
  }
  // Pure fraction: pad the fraction to whole groups of 4 digits and find the first nonzero group.
  const frac = abs.toString().padStart(d.scale, '0');
  const padded = frac.padEnd(Math.ceil(frac.length / 4) * 4, '0');
  for (let g = 0; g < padded.length / 4; g++) {
    const v = Number(padded.slice(g * 4, g * 4 + 4));
    if (v !== 0) return [-(g + 1), v];
  }
  return [0, 0];
}

const NUMERIC_MIN_SIG_DIGITS = 16;
const NUMERIC_MAX_DISPLAY_SCALE = 1000;

/** The result scale PostgreSQL picks for a / b (select_div_scale in numeric.c). */
export function divScale(a: Decimal, b: Decimal): number {
  const [w1, f1] = weightAndFirstDigit(a);
  const [w2, f2] = weightAndFirstDigit(b);
  let qweight = w1 - w2;
  if (f1 <= f2) qweight--;
  let rscale = NUMERIC_MIN_SIG_DIGITS - qweight * 4;
  rscale = Math.max(rscale, a.scale, b.scale, 0);
  return Math.min(rscale, NUMERIC_MAX_DISPLAY_SCALE);
}

/** a / b rounded to `scale` digits (half away from zero). */
export function decDivToScale(a: Decimal, b: Decimal, scale: number): Decimal {
  if (b.unscaled === 0n) throw divisionByZero();
  // a/b = (ua/10^sa) / (ub/10^sb) = ua * 10^(sb - sa) / ub; scaled by 10^scale.
  const shift = scale + b.scale - a.scale;
  let num = a.unscaled;
  let den = b.unscaled;
  if (shift >= 0) num *= pow10n(shift);
  else den *= pow10n(-shift);
  if (den < 0n) { num = -num; den = -den; }
  return new Decimal(roundDiv(num, den), scale);
}

/** numeric division as PostgreSQL's numeric_div. */
export function decDiv(a: Decimal, b: Decimal): Decimal {
  if (b.unscaled === 0n) throw divisionByZero();
  return decDivToScale(a, b, divScale(a, b));
}

/** numeric modulo (truncating, sign of dividend), scale max(sa, sb). */
export function decMod(a: Decimal, b: Decimal): Decimal {
  if (b.unscaled === 0n) throw divisionByZero();
  const s = Math.max(a.scale, b.scale);
  return new Decimal(a.withScale(s).unscaled % b.withScale(s).unscaled, s);
}

/** round(x, n) half away from zero, result scale max(n, 0); negative n rounds left of the point. */
export function decRound(a: Decimal, n: number): Decimal {
  if (n >= 0) return a.withScale(n);
  return new Decimal(roundDiv(a.unscaled, pow10n(a.scale - n)) * pow10n(-n), 0);
}

/** trunc(x, n) toward zero. */
export function decTrunc(a: Decimal, n: number): Decimal {
  if (n >= a.scale) return a.withScale(n);
  return new Decimal(a.unscaled / pow10n(a.scale - n), n);
}
