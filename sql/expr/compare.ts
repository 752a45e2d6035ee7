// Total order of Datums of one type, as ORDER BY, GROUP BY and comparisons use it.
import { Decimal } from '../types/decimal.ts';
import type { Datum } from '../types/datum.ts';
import { Interval } from '../types/interval.ts';
import { decCompare } from './numeric-ops.ts';

/**
 * Compares two non-null values of the same type: <0, 0, >0. Floats order NaN above every number
 * (as PostgreSQL does); strings compare by code point (the C collation).
 */
export function compareDatums(a: Datum, b: Datum): number {
  if (typeof a === 'number' && typeof b === 'number') {
    if (a < b) return -1;
    if (a > b) return 1;
    if (a === b) return 0;
    const an = Number.isNaN(a);
    const bn = Number.isNaN(b);
    return an === bn ? 0 : an ? 1 : -1;
  }
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (a instanceof Decimal && b instanceof Decimal) return decCompare(a, b);
  if (a instanceof Interval && b instanceof Interval) {
    const span = (i: Interval): bigint => BigInt(i.months) * 30n * 86_400_000_000n + BigInt(i.days) * 86_400_000_000n + i.micros;
    const x = span(a);
    const y = span(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  // Mixed representations of one numeric value (bigint vs number) can meet after casts.
  const x = Number(a);
  const y = Number(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Orders strings by Unicode code point (= UTF-8 byte order, the C collation). JS `<` compares
 * UTF-16 units, which puts U+E000..U+FFFF after astral characters; only the first difference matters.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
  const x = a.codePointAt(i)!;
  const y = b.codePointAt(i)!;
  return x < y ? -1 : 1;
}

/** A string key that is equal exactly when two rows' values are equal (for hashing groups). */
export function datumKey(v: Datum): string {
  if (v === null) return '\u0000N';
  if (v instanceof Decimal) {
    // Normalise the scale so 1.50 and 1.5 group together.
    let u = v.unscaled;
    let s = v.scale;
    while (s > 0 && u % 10n === 0n) { u /= 10n; s--; }
    return `d${u}e${s}`;
  }
  if (typeof v === 'number') return Object.is(v, -0) ? 'n0' : `n${v}`;
  if (typeof v === 'bigint') return `b${v}`;
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (v instanceof Interval) return `i${v.months}/${v.days}/${v.micros}`;
  return `s${v}`;
}
