// Describes the first difference between two vectors (value, NULL or layout), for kernel tests.
import type { Vector } from '../batch/vector.ts';
import { datumAt } from '../batch/row-conversion.ts';
import { Decimal } from '../../sql/types/decimal.ts';
import type { Datum } from '../../sql/types/datum.ts';

function show(d: Datum): string {
  if (d instanceof Decimal) return `Decimal(${d.unscaled}, ${d.scale})`;
  if (typeof d === 'bigint') return `${d}n`;
  if (typeof d === 'number' && Object.is(d, -0)) return '-0';
  return JSON.stringify(d) ?? String(d);
}

function sameDatum(a: Datum, b: Datum): boolean {
  if (a instanceof Decimal && b instanceof Decimal) return a.unscaled === b.unscaled && a.scale === b.scale;
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b);
  return a === b;
}

/**
 * Undefined when `actual` equals `expected` (kind, length, NULLs, each value; decimals digit for
 * digit including scale; floats with Object.is), else a description of the first difference.
 */
export function vectorDiff(actual: Vector, expected: Vector): string | undefined {
  if (actual.kind !== expected.kind) return `kind ${actual.kind} != ${expected.kind}`;
  if (actual.length !== expected.length) return `length ${actual.length} != ${expected.length}`;
  if ((actual.nulls === null) !== (expected.nulls === null)) return `nulls map ${actual.nulls === null ? 'absent' : 'present'} vs ${expected.nulls === null ? 'absent' : 'present'}`;
  if (actual.kind === 'decimal' && expected.kind === 'decimal' && actual.scale !== expected.scale) return `scale ${actual.scale} != ${expected.scale}`;
  for (let r = 0; r < actual.length; r++) {
    const a = datumAt(actual, r);
    const e = datumAt(expected, r);
    if (!sameDatum(a, e)) return `row ${r}: ${show(a)} != expected ${show(e)}`;
    if (actual.kind === 'float64' && expected.kind === 'float64' && !Object.is(actual.values[r], expected.values[r]) && a !== null) {
      return `row ${r}: float bits differ`;
    }
  }
  return undefined;
}
