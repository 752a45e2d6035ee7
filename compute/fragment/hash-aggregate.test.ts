// HashAggregate's grouping: several key columns of primitives go through nested maps, others
// through key strings; either way groups are equal exactly when datumKey says the keys are.
import { describe, expect, it } from 'vitest';
import { datumKey } from '../../sql/expr/compare.ts';
import type { Datum } from '../../sql/types/datum.ts';
import { Decimal } from '../../sql/types/decimal.ts';
import { T } from '../../sql/types/sql-type.ts';
import { HashAggregate, aggSlots } from './hash-aggregate.ts';

describe('HashAggregate grouping', () => {
  it('groups several key columns as their datumKeys do', () => {
    const values: Datum[][] = [
      [1, 'a', 10n], [1, 'a', 10n], [-0, 'a', 10n], [0, 'a', 10n], [NaN, 'b', null], [NaN, 'b', null],
      [null, null, null], [null, null, null], [2, 'a', 10n], [1, 'b', 10n], [true, 'x', 1n], [false, 'x', 1n],
      [new Decimal(150n, 2), 'd', 1n], [new Decimal(15n, 1), 'd', 1n], [new Decimal(15n, 1), null, 1n],
    ];
    const agg = new HashAggregate(aggSlots([{ name: 'count', argType: null, distinct: false }]), 3);
    for (const row of values) agg.accumulate([...row], [null]);
    const expected = new Map<string, number>();
    for (const row of values) {
      const k = row.map(datumKey).join('\u0001');
      expected.set(k, (expected.get(k) ?? 0) + 1);
    }
    const got = new Map(agg.finalRows().map((r) => [r.slice(0, 3).map(datumKey).join('\u0001'), Number(r[3])]));
    expect(got).toEqual(expected);
    expect(agg.size).toBe(expected.size);
  });

  it('merges partial rows into the same groups', () => {
    const slots = aggSlots([{ name: 'max', argType: T.int8, distinct: false }]);
    const a = new HashAggregate(slots, 2);
    const b = new HashAggregate(slots, 2);
    a.accumulate(['x', 1], [5n]);
    b.accumulate(['x', 1], [7n]);
    b.accumulate(['y', null], [1n]);
    const total = new HashAggregate(slots, 2);
    for (const r of [...a.partialRows(), ...b.partialRows()]) total.merge(r);
    expect(total.finalRows().sort((p, q) => String(p[0]).localeCompare(String(q[0])))).toEqual([['x', 1, 7n], ['y', null, 1n]]);
  });
});
