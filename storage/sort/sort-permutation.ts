// Orders buffered rows by the table's sort key before they are cut into blocks: compound
// (lexicographic over the key columns) or interleaved (z-order). Returns a permutation.
import type { Vector } from '../../compute/batch/vector.ts';
import { compareKeys } from './row-compare.ts';
import { zBoundsOf, zValues, type ZBounds } from './z-order.ts';

/** Row order for `n` rows of `columns` under the sort key; null when there is no key (keep arrival order). */
export function sortPermutation(columns: readonly Vector[], n: number, sortKey: readonly number[], style: 'compound' | 'interleaved', zBounds?: readonly ZBounds[]): Uint32Array | null {
  if (sortKey.length === 0 || n <= 1) return null;
  const keys = sortKey.map((c) => columns[c]!);
  if (style === 'interleaved') {
    const z = zValues(keys, n, zBounds ?? zBoundsOf(keys, n));
    return sortByNumbers(z, n);
  }
  const first = keys[0]!;
  if (keys.length === 1 && first.nulls === null && (first.kind === 'int32' || first.kind === 'decimal' || first.kind === 'bool')) {
    const fast = packedSort(first.values, n);
    if (fast !== null) return fast;
  }
  const perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  perm.sort((a, b) => compareKeys(keys, a, keys, b) || a - b);
  return perm;
}

/**
 * Stable sort of small-range numeric keys without a comparator: (key − min) · 2^indexBits + index
 * packed in a double and sorted natively. Null when the packing would exceed 2^53.
 */
function packedSort(values: ArrayLike<number>, n: number): Uint32Array | null {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) { const x = values[i]!; if (x < min) min = x; if (x > max) max = x; }
  if (!Number.isInteger(min) || !Number.isInteger(max)) return null;
  const idxBits = 32 - Math.clz32(n);
  const scale = 2 ** idxBits;
  if ((max - min + 1) * scale >= 2 ** 53) return null;
  const packed = new Float64Array(n);
  for (let i = 0; i < n; i++) packed[i] = (values[i]! - min) * scale + i;
  packed.sort();
  const perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = packed[i]! % scale;
  return perm;
}

function sortByNumbers(z: Float64Array, n: number): Uint32Array {
  const perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  perm.sort((a, b) => z[a]! - z[b]! || a - b);
  return perm;
}
