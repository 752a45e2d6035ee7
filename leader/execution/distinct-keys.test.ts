import { describe, expect, it } from 'vitest';
import { distinctInt32, RUNTIME_FILTER_MAX_KEYS } from './slice-join.ts';

/** The reference: a Set, sorted. */
function reference(values: Int32Array, nulls: Uint8Array | null): number[] {
  const s = new Set<number>();
  values.forEach((x, r) => { if (nulls === null || nulls[r] === 0) s.add(x); });
  return [...s].sort((a, b) => a - b);
}

describe('distinctInt32 (runtime filter keys)', () => {
  it('matches a Set on dense ranges (bitset) and sparse ones (sort), with and without NULLs', () => {
    let seed = 7;
    const rand = (): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; };
    const shapes: [number, number, number][] = [
      // rows, range, low end
      [1000, 500, 1], [30_000, 150_000, 1], [5000, 5000, -2500], [2000, 2_000_000_000, -1_000_000_000],
      [64, 64, 2_147_483_647 - 63], [64, 64, -2_147_483_648], [1, 1, 0], [300, 32 * 300, 0],
    ];
    for (const [n, range, low] of shapes) {
      const values = new Int32Array(n);
      for (let r = 0; r < n; r++) values[r] = low + (rand() % range);
      const nulls = new Uint8Array(n);
      for (let r = 0; r < n; r += 3) nulls[r] = 1;
      expect(distinctInt32(values, null, n), `${n} rows over ${range}`).toEqual(reference(values, null));
      expect(distinctInt32(values, nulls, n), `${n} rows over ${range}, NULLs`).toEqual(reference(values, nulls));
    }
    expect(distinctInt32(new Int32Array([5, 6]), new Uint8Array([1, 1]), 2)).toEqual([]);
    expect(distinctInt32(new Int32Array(0), null, 0)).toEqual([]);
  });

  it('gives up past the key limit', () => {
    const n = RUNTIME_FILTER_MAX_KEYS + 1;
    const dense = Int32Array.from({ length: n }, (_v, r) => r);
    const sparse = Int32Array.from({ length: n }, (_v, r) => r * 1000);
    expect(distinctInt32(dense, null, n)).toBeNull();
    expect(distinctInt32(sparse, null, n)).toBeNull();
    expect(distinctInt32(dense, null, n - 1)).toHaveLength(n - 1);
  });
});
