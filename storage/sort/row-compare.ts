// Compares one row of a vector with one row of another (same kind) in sort-key order:
// ascending, NULLs last, floats with NaN greatest, strings by UTF-8 bytes.
import type { Vector } from '../../compute/batch/vector.ts';
import { compareStringBytes } from '../encoding/dictionary-builder.ts';
import { pow10n } from '../../sql/types/decimal.ts';

/** <0, 0 or >0 as a[i] sorts before, with or after b[j]. */
export function compareRows(a: Vector, i: number, b: Vector, j: number): number {
  const an = a.nulls !== null && a.nulls[i] !== 0;
  const bn = b.nulls !== null && b.nulls[j] !== 0;
  if (an || bn) return an === bn ? 0 : an ? 1 : -1;
  switch (a.kind) {
    case 'bool': case 'int32': case 'decimal': {
      const x = a.values[i]!;
      const y = (b as typeof a).values[j]!;
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 'float64': {
      const x = a.values[i]!;
      const y = (b as typeof a).values[j]!;
      if (x !== x) return y !== y ? 0 : 1;
      if (y !== y) return -1;
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 'int64': {
      const x = a.values[i]!;
      const y = (b as typeof a).values[j]!;
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 'string': {
      const s = b as typeof a;
      return compareStringBytes(a.bytes, a.offsets[i]!, a.offsets[i + 1]!, s.bytes, s.offsets[j]!, s.offsets[j + 1]!);
    }
    case 'bigdecimal': {
      const s = b as typeof a;
      let x = a.values[i]!;
      let y = s.values[j]!;
      const xs = a.scales[i]!;
      const ys = s.scales[j]!;
      if (xs < ys) x *= pow10n(ys - xs); else if (ys < xs) y *= pow10n(xs - ys);
      return x < y ? -1 : x > y ? 1 : 0;
    }
  }
}

/** Compares row i of `a` with row j of `b` on several key columns (compound order). */
export function compareKeys(a: readonly Vector[], i: number, b: readonly Vector[], j: number): number {
  for (let k = 0; k < a.length; k++) {
    const c = compareRows(a[k]!, i, b[k]!, j);
    if (c !== 0) return c;
  }
  return 0;
}
