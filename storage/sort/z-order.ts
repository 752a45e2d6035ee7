// Z-order (Morton) keys for INTERLEAVED sort keys: each of up to 4 key columns is mapped to a
// 13-bit bucket of its value range and the buckets' bits are interleaved, so rows close in any
// of the columns land close together and zone maps prune on each column.
import type { Vector } from '../../compute/batch/vector.ts';
import type { ZoneValue, ExactNumber } from '../zone-map.ts';

/** Bits per column in the z-value (4 × 13 = 52 bits fit a double exactly). */
export const Z_BITS = 13;
/** Most columns an interleaved key may have. */
export const MAX_INTERLEAVED_COLUMNS = 4;

/** Value range of one key column, in the projection {@link zProjectAt} uses. */
export interface ZBounds { min: number; max: number }

/** A number that orders like the value (first 6 bytes for strings); NaN for NULL. */
export function zProjectAt(v: Vector, i: number): number {
  if (v.nulls !== null && v.nulls[i] !== 0) return NaN;
  switch (v.kind) {
    case 'bool': case 'int32': case 'decimal': return v.values[i]!;
    case 'float64': { const x = v.values[i]!; return x !== x ? Number.MAX_VALUE : x; }
    case 'int64': return Number(v.values[i]!);
    case 'bigdecimal': return Number(v.values[i]!) / 10 ** v.scales[i]!;
    case 'string': return prefixNumber(v.bytes, v.offsets[i]!, v.offsets[i + 1]!);
  }
}

function prefixNumber(bytes: Uint8Array, a: number, e: number): number {
  let x = 0;
  for (let k = 0; k < 6; k++) x = x * 256 + (a + k < e ? bytes[a + k]! : 0);
  return x;
}

/** Projects a zone bound the same way (for table-wide bounds during VACUUM). */
export function zProjectZone(z: ZoneValue): number {
  if (typeof z === 'number') return z !== z ? Number.MAX_VALUE : z;
  if (typeof z === 'bigint') return Number(z);
  if (z instanceof Uint8Array) return prefixNumber(z, 0, z.length);
  const e = z as ExactNumber;
  return Number(e.u) / 10 ** e.s;
}

/** Bounds of each key column over rows [0, n). */
export function zBoundsOf(keys: readonly Vector[], n: number): ZBounds[] {
  return keys.map((v) => {
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      const x = zProjectAt(v, i);
      if (x !== x) continue;
      if (x < min) min = x;
      if (x > max) max = x;
    }
    return { min, max };
  });
}

/** The z-value of every row; NULLs take the top bucket. */
export function zValues(keys: readonly Vector[], n: number, bounds: readonly ZBounds[]): Float64Array {
  const k = Math.min(keys.length, MAX_INTERLEAVED_COLUMNS);
  const top = (1 << Z_BITS) - 1;
  const buckets = new Int32Array(n * k);
  for (let c = 0; c < k; c++) {
    const v = keys[c]!;
    const { min, max } = bounds[c]!;
    const span = max > min ? max - min : 1;
    for (let i = 0; i < n; i++) {
      const x = zProjectAt(v, i);
      let b = x !== x ? top : Math.floor(((x - min) / span) * top);
      if (b < 0) b = 0; else if (b > top) b = top;
      buckets[i * k + c] = b;
    }
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let z = 0;
    for (let bit = Z_BITS - 1; bit >= 0; bit--) {
      for (let c = 0; c < k; c++) z = z * 2 + ((buckets[i * k + c]! >>> bit) & 1);
    }
    out[i] = z;
  }
  return out;
}
