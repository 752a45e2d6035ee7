// NumberKeySet against a JS Set with SQL's equality (NaN equals NaN, -0 equals 0), bitmap and hashed.
import { describe, expect, it } from 'vitest';
import { NumberKeySet } from './number-key-set.ts';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
}

describe('NumberKeySet', () => {
  it('answers membership exactly for dense, sparse, fractional and special values', () => {
    const r = rng(42);
    const shapes: (() => number)[] = [
      () => Math.floor(r() * 5000), // dense: bitmap
      () => Math.floor(r() * 5000) - 2500,
      () => Math.floor(r() * 2 ** 40), // sparse: hashed
      () => Math.floor(r() * 1000) / 8, // fractions
      () => [NaN, -0, 0, Infinity, -Infinity, 2 ** 53, -(2 ** 53)][Math.floor(r() * 7)]!,
    ];
    for (const [i, draw] of shapes.entries()) {
      for (const n of [0, 1, 10, 3000]) {
        const members = Array.from({ length: n }, draw);
        const set = new NumberKeySet(members);
        const reference = new Set(members); // SameValueZero: NaN = NaN, -0 = 0
        const probes = [...members, ...Array.from({ length: 2000 }, draw), ...shapes.map((s) => s()), 0.5, -1, 1e300, NaN, -0];
        for (const p of probes) expect(set.has(p), `shape ${i}, ${n} members, probe ${p}`).toBe(reference.has(p));
      }
    }
  });
});
