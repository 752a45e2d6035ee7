// The hand-written tagged JSON matches JSON.stringify / JSON.parse with the replacer and reviver it
// replaced, byte for byte, on random nested values of every kind plans and rows hold.
import { describe, expect, it } from 'vitest';
import { Decimal } from '../sql/types/decimal.ts';
import { Interval } from '../sql/types/interval.ts';
import { fromTaggedJson, toTaggedJson } from './tagged-json.ts';

function replacer(this: unknown, key: string, value: unknown): unknown {
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

describe('tagged JSON', () => {
  it('encodes and decodes exactly as the replacer / reviver form does', () => {
    let seed = 5;
    const rnd = (k: number): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 8) % k; };
    const leaf = (): unknown => {
      switch (rnd(13)) {
        case 0: return null;
        case 1: return rnd(2) === 0;
        case 2: return rnd(1000) - 500;
        case 3: return (rnd(100000) - 50000) / 7;
        case 4: return [-0, NaN, Infinity, -Infinity][rnd(4)];
        case 5: return BigInt(rnd(1000)) * 9_000_000_000_000_000n - 4_000_000_000_000_000_000n;
        case 6: return new Decimal(BigInt(rnd(1_000_000)) - 500_000n, rnd(6));
        case 7: return new Interval(rnd(30) - 15, rnd(40), BigInt(rnd(1_000_000_000)));
        case 8: return ['', 'a"b', 'ü\\n', '$b', '{"$b":"1"}', '\u2028'][rnd(6)];
        case 9: return undefined;
        case 10: return { $b: 'x', other: 1 };
        case 11: return 1e21 * (rnd(3) + 1);
        default: return `s${rnd(50)}`;
      }
    };
    const value = (depth: number): unknown => {
      if (depth > 3 || rnd(3) === 0) return leaf();
      if (rnd(2) === 0) return Array.from({ length: rnd(5) }, () => value(depth + 1));
      const o: Record<string, unknown> = {};
      for (let i = rnd(5); i > 0; i--) o[`k${rnd(8)}`] = value(depth + 1);
      return o;
    };
    for (let trial = 0; trial < 2000; trial++) {
      const v = [value(0), value(0)];
      const reference = JSON.stringify(v, replacer);
      expect(toTaggedJson(v), `trial ${trial}`).toBe(reference);
      expect(fromTaggedJson(reference), `trial ${trial}`).toEqual(JSON.parse(reference, reviver));
    }
    expect(toTaggedJson({ toJSON: () => ({ a: 1n }) })).toBe('{"a":{"$b":"1"}}');
    expect(Object.is(fromTaggedJson(toTaggedJson(-0)), -0)).toBe(true);
  });
});
