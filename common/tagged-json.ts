// JSON that round-trips the non-JSON values plans and Datums contain: bigint, Decimal, Interval, -0, NaN, ±Infinity.
import { Decimal } from '../sql/types/decimal.ts';
import { Interval } from '../sql/types/interval.ts';

function replacer(this: unknown, key: string, value: unknown): unknown {
  // `this[key]` is the raw value: Decimal.toJSON does not exist, so objects arrive unchanged.
  const raw = (this as Record<string, unknown>)[key];
  if (typeof raw === 'bigint') return { $b: raw.toString() };
  if (raw instanceof Decimal) return { $d: [raw.unscaled.toString(), raw.scale] };
  if (raw instanceof Interval) return { $i: [raw.months, raw.days, raw.micros.toString()] };
  if (typeof raw === 'number' && (!Number.isFinite(raw) || Object.is(raw, -0))) return { $n: String(Object.is(raw, -0) ? '-0' : raw) };
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1) {
      if (typeof o.$b === 'string') return BigInt(o.$b);
      if (Array.isArray(o.$d)) return new Decimal(BigInt(o.$d[0] as string), o.$d[1] as number);
      if (Array.isArray(o.$i)) return new Interval(o.$i[0] as number, o.$i[1] as number, BigInt(o.$i[2] as string));
      if (typeof o.$n === 'string') return o.$n === '-0' ? -0 : Number(o.$n);
    }
  }
  return value;
}

/** JSON.stringify that keeps bigint, Decimal, Interval and non-finite numbers. */
export function toTaggedJson(value: unknown): string {
  return JSON.stringify(value, replacer);
}

/** Inverse of {@link toTaggedJson}. */
export function fromTaggedJson(text: string): unknown {
  return JSON.parse(text, reviver);
}
