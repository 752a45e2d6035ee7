import { describe, expect, it } from 'vitest';
import { sortRows } from './sort-rows.ts';

const asc = (index: number) => ({ index, desc: false, nullsFirst: false });

describe('sortRows', () => {
  it('orders strings by code point, also past the surrogates (as PostgreSQL\'s C collation)', () => {
    // UTF-16 would put U+1F600 (a surrogate pair, 0xD83D...) before U+FF5E; code points do not.
    const rows = [['\u{1F600}'], ['\uFF5E'], ['abc'], ['ab'], [null], ['\u00E9']];
    expect(sortRows(rows, [asc(0)]).map((r) => r[0])).toEqual(['ab', 'abc', '\u00E9', '\uFF5E', '\u{1F600}', null]);
  });

  it('orders plain strings as the code point order does', () => {
    const rows = [['Brand#23'], ['Brand#12'], ['Brand#1'], ['brand#1'], ['Brand#12 ']];
    expect(sortRows(rows, [asc(0)]).map((r) => r[0])).toEqual(['Brand#1', 'Brand#12', 'Brand#12 ', 'Brand#23', 'brand#1']);
  });

  it('puts NaN after every number and treats -0 as 0, by key then the next key', () => {
    const rows = [[NaN, 1], [2, 1], [-0, 2], [0, 1], [-Infinity, 1], [Infinity, 1], [null, 1]];
    const sorted = sortRows(rows, [asc(0), asc(1)]);
    expect(sorted.map((r) => r[0])).toEqual([-Infinity, 0, -0, 2, Infinity, NaN, null]);
    expect(sortRows([[1], [NaN], [3]], [{ index: 0, desc: true, nullsFirst: true }]).map((r) => r[0])).toEqual([NaN, 3, 1]);
  });
});
