// The quantile sketch: exact while small, within its rank error on large and merged inputs.
import { describe, expect, it } from 'vitest';
import { QuantileSketch } from './quantile-sketch.ts';

const byNumber = (a: number, b: number): number => a - b;

/** A shuffled 0..n-1 (fixed seed). */
function shuffled(n: number): number[] {
  const xs = Array.from({ length: n }, (_, i) => i);
  let s = 12345;
  for (let i = n - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

describe('QuantileSketch', () => {
  it('is exact while it holds every value', () => {
    const q = new QuantileSketch(byNumber);
    for (const x of shuffled(500)) q.add(x);
    expect(q.quantile(0)).toBe(0);
    expect(q.quantile(0.5)).toBe(249);
    expect(q.quantile(1)).toBe(499);
    expect(new QuantileSketch(byNumber).quantile(0.5)).toBeUndefined();
  });

  it('stays within 1% of the rank on a million values, in bounded memory', () => {
    const n = 1_000_000;
    const q = new QuantileSketch(byNumber);
    for (const x of shuffled(n)) q.add(x);
    for (const f of [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99]) expect(Math.abs(q.quantile(f)! - f * n)).toBeLessThan(0.01 * n);
    expect(q.levels.reduce((s, l) => s + l.length, 0)).toBeLessThan(4000);
  });

  it('merges sketches of parts into one of the whole', () => {
    const n = 400_000;
    const xs = shuffled(n);
    const parts = [0, 1, 2, 3].map(() => new QuantileSketch(byNumber));
    xs.forEach((x, i) => parts[i % 4]!.add(x));
    const all = parts[0]!;
    for (const p of parts.slice(1)) all.merge(p);
    expect(all.count).toBe(n);
    for (const f of [0.05, 0.5, 0.95]) expect(Math.abs(all.quantile(f)! - f * n)).toBeLessThan(0.01 * n);
  });
});
