// Exact decimal values as an unscaled bigint and a scale: value = unscaled / 10^scale.
import { SqlError, SqlState } from '../../common/errors/index.ts';

const POW10: bigint[] = [];
for (let i = 0n, p = 1n; i <= 1000n; i++, p *= 10n) POW10.push(p);

/** 10^n as a bigint, for n in 0..1000. */
export function pow10n(n: number): bigint {
  const p = POW10[n];
  if (p === undefined) throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, 'value overflows numeric format');
  return p;
}

/** An exact decimal number. Immutable. */
export class Decimal {
  constructor(readonly unscaled: bigint, readonly scale: number) {}

  static fromBigInt(v: bigint): Decimal {
    return new Decimal(v, 0);
  }

  /**
   * Parses PostgreSQL numeric input: optional sign, digits, optional fraction, optional exponent.
   * Keeps the scale written (as PostgreSQL does for display), e.g. "1.50" has scale 2.
   */
  static parse(text: string): Decimal | undefined {
    const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(text);
    if (m === null) return undefined;
    const intPart = m[2] ?? '';
    const fracPart = m[3] ?? '';
    if (intPart === '' && fracPart === '') return undefined;
    let scale = fracPart.length;
    let unscaled = BigInt((intPart || '0') + fracPart);
    if (m[4] !== undefined) {
      const exp = Number(m[4]);
      if (!Number.isFinite(exp) || Math.abs(exp) > 1000) return undefined;
      scale -= exp;
      if (scale < 0) {
        unscaled *= pow10n(-scale);
        scale = 0;
      }
    }
    if (m[1] === '-') unscaled = -unscaled;
    return new Decimal(unscaled, scale);
  }

  /** Rescales to `scale`, rounding half away from zero as PostgreSQL does. */
  withScale(scale: number): Decimal {
    if (scale === this.scale) return this;
    if (scale > this.scale) return new Decimal(this.unscaled * pow10n(scale - this.scale), scale);
    return new Decimal(roundDiv(this.unscaled, pow10n(this.scale - scale)), scale);
  }

  /** Number of digits before the decimal point (0 for |x| < 1). */
  integerDigits(): number {
    const abs = this.unscaled < 0n ? -this.unscaled : this.unscaled;
    const whole = abs / pow10n(this.scale);
    return whole === 0n ? 0 : whole.toString().length;
  }

  toNumber(): number {
    return Number(this.toString());
  }

  toString(): string {
    const neg = this.unscaled < 0n;
    const digits = (neg ? -this.unscaled : this.unscaled).toString();
    if (this.scale === 0) return (neg ? '-' : '') + digits;
    const padded = digits.padStart(this.scale + 1, '0');
    const cut = padded.length - this.scale;
    return (neg ? '-' : '') + padded.slice(0, cut) + '.' + padded.slice(cut);
  }
}

/** a / b rounded half away from zero (b > 0). */
export function roundDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  const r = a % b;
  if (r === 0n) return q;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice >= b) return a < 0n ? q - 1n : q + 1n;
  return q;
}
