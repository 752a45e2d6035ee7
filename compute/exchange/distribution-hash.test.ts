// The vector hash must place every value on the same slice as the Datum hash the leader uses.
import { describe, expect, it } from 'vitest';
import { batchFromRows } from '../batch/row-conversion.ts';
import { Decimal, type Datum } from '../../sql/types/datum.ts';
import { T, type SqlType } from '../../sql/types/sql-type.ts';
import { sliceForKey, sliceIndexes } from './distribution-hash.ts';

function check(type: SqlType, values: Datum[]): void {
  const batch = batchFromRows([type], values.map((v) => [v]));
  for (const slices of [1, 4, 7]) {
    const out = new Int32Array(values.length);
    sliceIndexes(batch.columns[0]!, null, values.length, slices, out);
    expect([...out]).toEqual(values.map((v) => sliceForKey(v, slices)));
  }
}

describe('distribution hash of vectors', () => {
  it('agrees with the Datum hash for every layout', () => {
    const ints = [0, 1, -1, 7, 123456, -2147483648, 2147483647, null];
    check(T.int4, ints);
    check(T.date, ints);
    check(T.int8, [0n, -1n, 42n, 9007199254740993n, -9223372036854775808n, 9223372036854775807n, null]);
    check(T.float8, [0, -0, 1.5, -2.25, 1e21, 3, NaN, Infinity, null]);
    check(T.bool, [true, false, null]);
    check({ id: 'numeric', precision: 12, scale: 2 }, [new Decimal(100n, 2), new Decimal(-1550n, 2), new Decimal(0n, 2), new Decimal(123456789012n, 2), null]);
    check({ id: 'numeric' }, [new Decimal(100n, 2), new Decimal(12345678901234567890123n, 5), null]);
    check(T.text, ['', 'abc', 'Customer#000000001', 'héllo', '日本', null]);
  });

  it('picks slices from an explicit row list', () => {
    const batch = batchFromRows([T.int4], [[5], [6], [7]]);
    const out = new Int32Array(2);
    sliceIndexes(batch.columns[0]!, new Uint32Array([2, 0]), 2, 3, out);
    expect([...out]).toEqual([sliceForKey(7, 3), sliceForKey(5, 3)]);
  });
});
