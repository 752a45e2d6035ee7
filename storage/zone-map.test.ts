// Zone-map filters: exact comparisons across kinds, literal strings, NaN, truncated string bounds.
import { describe, it, expect } from 'vitest';
import { T, type SqlType } from '../sql/types/sql-type.ts';
import type { Vector } from '../compute/batch/vector.ts';
import type { ZoneFilter } from './slice-store.ts';
import { layoutOf } from './column-kind.ts';
import { computeZoneMap, encodeZoneBounds, decodeZoneMap, zoneMayMatch } from './zone-map.ts';
import { vectorFromValues } from './testing/vector-fixtures.ts';

/** Zone map as stored and read back. */
function stored(type: SqlType, values: unknown[]): { z: ReturnType<typeof decodeZoneMap>; type: SqlType } {
  const layout = layoutOf(type);
  const v: Vector = vectorFromValues(layout.kind, values, layout.scale);
  const z = computeZoneMap(v);
  const { bytes, maxUnbounded } = encodeZoneBounds(z, layout.kind);
  return { z: decodeZoneMap(bytes, layout.kind, z.valueCount, z.nullCount, maxUnbounded), type };
}

type NoColumn<Z> = Z extends unknown ? Omit<Z, 'column'> : never;

function may(s: ReturnType<typeof stored>, f: NoColumn<ZoneFilter>): boolean {
  return zoneMayMatch({ ...f, column: 0 } as ZoneFilter, s.z, layoutOf(s.type), s.type);
}

describe('zone maps', () => {
  it('integers and dates, numbers and literals', () => {
    const d = stored(T.date, [9000, 9010, null]);
    expect(may(d, { kind: 'compare', op: '=', value: 9005 })).toBe(true);
    expect(may(d, { kind: 'compare', op: '<', value: 9000 })).toBe(false);
    expect(may(d, { kind: 'compare', op: '<=', value: 9000 })).toBe(true);
    expect(may(d, { kind: 'compare', op: '>', value: 9010 })).toBe(false);
    expect(may(d, { kind: 'compare', op: '>', value: 9009.5 })).toBe(true);
    expect(may(d, { kind: 'compare', op: '>=', value: '1994-08-29' })).toBe(true); // 9006
    expect(may(d, { kind: 'compare', op: '>', value: '1995-01-01' })).toBe(false);
    expect(may(d, { kind: 'between', low: 9011, high: 9100 })).toBe(false);
    expect(may(d, { kind: 'in', values: [1, 9010n] })).toBe(true);
    expect(may(d, { kind: 'isNull', negated: false })).toBe(true);
    expect(may(d, { kind: 'compare', op: '=', value: 'not a date' })).toBe(true); // cannot tell: keep
  });

  it('int64 extremes and fractional constants', () => {
    const b = stored(T.int8, [-(1n << 63n), (1n << 63n) - 1n]);
    expect(may(b, { kind: 'compare', op: '<', value: -(1n << 63n) })).toBe(false);
    expect(may(b, { kind: 'compare', op: '>', value: '9223372036854775806' })).toBe(true);
    const s = stored(T.int8, [5n, 7n]);
    expect(may(s, { kind: 'compare', op: '>', value: 7.5 })).toBe(false);
    expect(may(s, { kind: 'compare', op: '<', value: 5.000001 })).toBe(true);
    expect(may(s, { kind: 'compare', op: '<', value: -Infinity })).toBe(false);
    expect(may(s, { kind: 'compare', op: '<', value: Infinity })).toBe(true);
  });

  it('numerics compare exactly across scales', () => {
    const n = stored(T.numeric(15, 2), [5, 6]); // 0.05, 0.06
    expect(may(n, { kind: 'compare', op: '>', value: '0.055' })).toBe(true);
    expect(may(n, { kind: 'compare', op: '>', value: '0.06' })).toBe(false);
    expect(may(n, { kind: 'compare', op: '<', value: 5 })).toBe(false); // scaled: 0.05
    const w = stored(T.numeric(38, 4), ['99999999999999999999999999999999999999/4', '-5/0']);
    expect(may(w, { kind: 'compare', op: '>', value: '9999999999999999999999999999999999.9998' })).toBe(true);
    expect(may(w, { kind: 'compare', op: '>', value: '9999999999999999999999999999999999.9999' })).toBe(false);
    expect(may(w, { kind: 'compare', op: '<', value: '-5' })).toBe(false);
  });

  it('floats: NaN sorts last, −0 equals 0', () => {
    const f = stored(T.float8, [1, 2, NaN]);
    expect(may(f, { kind: 'compare', op: '>', value: 1e300 })).toBe(true); // NaN > everything
    expect(may(f, { kind: 'compare', op: '=', value: 'NaN' })).toBe(true);
    const g = stored(T.float8, [-0, 1]);
    expect(may(g, { kind: 'compare', op: '<', value: 0 })).toBe(false);
    expect(may(g, { kind: 'compare', op: '=', value: 0 })).toBe(true);
    expect(may(g, { kind: 'compare', op: '>', value: 'Infinity' })).toBe(false);
  });

  it('strings: byte order, non-ASCII, long values cut into bounds', () => {
    const s = stored(T.text, ['apple', 'banana', 'ünï']);
    expect(may(s, { kind: 'compare', op: '=', value: 'cherry' })).toBe(true);
    expect(may(s, { kind: 'compare', op: '<', value: 'apple' })).toBe(false);
    expect(may(s, { kind: 'compare', op: '>', value: 'z' })).toBe(true); // 'ü' > 'z' in UTF-8
    expect(may(s, { kind: 'compare', op: '>', value: 'ünï' })).toBe(false);
    const long = 'm'.repeat(100);
    const l = stored(T.text, ['a', long]);
    expect(may(l, { kind: 'compare', op: '=', value: long })).toBe(true);
    expect(may(l, { kind: 'compare', op: '>', value: long.slice(0, 99) })).toBe(true);
    expect(may(l, { kind: 'compare', op: '>', value: 'n' })).toBe(false);
    const ff = stored(T.text, ['\u{10FFFF}'.repeat(40)]);
    expect(ff.z.maxUnbounded).toBe(false);
    expect(may(ff, { kind: 'compare', op: '>', value: '\u{10FFFF}'.repeat(39) })).toBe(true);
  });

  it('all-NULL blocks match only IS NULL', () => {
    const a = stored(T.int4, [null, null]);
    expect(may(a, { kind: 'compare', op: '=', value: 0 })).toBe(false);
    expect(may(a, { kind: 'isNull', negated: true })).toBe(false);
    expect(may(a, { kind: 'isNull', negated: false })).toBe(true);
  });
});
