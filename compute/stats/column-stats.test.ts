// Tests for the HyperLogLog sketch and the per-column ANALYZE statistics collector and merge.
import { describe, expect, it } from 'vitest';
import { SqlError } from '../../common/errors/index.ts';
import { fromTaggedJson, toTaggedJson } from '../../common/tagged-json.ts';
import { Decimal, type Datum } from '../../sql/types/datum.ts';
import { T, type SqlType } from '../../sql/types/sql-type.ts';
import { vectorFromRows } from '../batch/row-conversion.ts';
import type { Vector } from '../batch/vector.ts';
import {
  ColumnStatsCollector, columnStatsFromTransport, columnStatsToTransport, mergeColumnStats, type ColumnStatsPartial,
} from './column-stats.ts';
import { HLL_REGISTERS, HyperLogLog, hash64, hashBytes, hashInt32 } from '../../common/sketch/hyperloglog.ts';

const encoder = new TextEncoder();

function vec(type: SqlType, values: readonly Datum[]): Vector {
  return vectorFromRows(type, values.map((v) => [v]), 0);
}

function collect(type: SqlType, values: readonly Datum[], selection: number[] | null = null): ColumnStatsPartial {
  const c = new ColumnStatsCollector(type);
  c.add(vec(type, values), selection === null ? null : Uint32Array.from(selection));
  return c.result();
}

function expectWithin(actual: number, expected: number, frac: number): void {
  expect(Math.abs(actual - expected) / expected).toBeLessThanOrEqual(frac);
}

describe('HyperLogLog', () => {
  it('estimates 1k, 100k and 1M distinct int32 hashes within 5%', () => {
    for (const n of [1_000, 100_000, 1_000_000]) {
      const h = new HyperLogLog();
      for (let i = 0; i < n; i++) h.add(hashInt32(i));
      // Adding everything again changes nothing.
      for (let i = 0; i < n; i += 7) h.add(hashInt32(i));
      expectWithin(h.estimate(), n, 0.05);
    }
  });

  it('estimates 100k distinct 64-bit and byte-string hashes within 5%', () => {
    const words = new HyperLogLog();
    const strings = new HyperLogLog();
    for (let i = 0; i < 100_000; i++) {
      words.add(hash64(i * 7919, i >> 3));
      const b = encoder.encode(`customer#${i}`);
      strings.add(hashBytes(b, 0, b.length));
    }
    expectWithin(words.estimate(), 100_000, 0.05);
    expectWithin(strings.estimate(), 100_000, 0.05);
  });

  it('merges two overlapping sketches into an estimate of the union', () => {
    const a = new HyperLogLog();
    const b = new HyperLogLog();
    for (let i = 0; i < 60_000; i++) a.add(hashInt32(i));
    for (let i = 40_000; i < 100_000; i++) b.add(hashInt32(i));
    const whole = new HyperLogLog();
    for (let i = 0; i < 100_000; i++) whole.add(hashInt32(i));
    a.merge(b);
    expect(a.registers).toEqual(whole.registers);
    expectWithin(a.estimate(), 100_000, 0.05);
  });

  it('is 0 when empty and rejects registers of the wrong size', () => {
    expect(new HyperLogLog().estimate()).toBe(0);
    expect(() => new HyperLogLog(new Uint8Array(10))).toThrow(SqlError);
    expect(new HyperLogLog(new Uint8Array(HLL_REGISTERS)).registers.length).toBe(HLL_REGISTERS);
  });
});

describe('ColumnStatsCollector', () => {
  it('bool', () => {
    const p = collect(T.bool, [true, null, false, true], [0, 1, 3]);
    expect([p.rows, p.nulls, p.min, p.max, p.widthSum]).toEqual([3, 1, true, true, 2]);
    const all = collect(T.bool, [true, null, false, true]);
    expect([all.min, all.max, mergeColumnStats([all]).distinct]).toEqual([false, true, 2]);
  });

  it('int32 (int4, date) with NULLs and a selection', () => {
    const p = collect(T.int4, [5, null, -3, 7, null, 2], [0, 1, 2, 5]);
    expect([p.rows, p.nulls, p.min, p.max, p.widthSum]).toEqual([4, 1, -3, 5, 12]);
    const d = collect(T.date, [19000, -1, null]);
    expect([d.rows, d.nulls, d.min, d.max, d.widthSum]).toEqual([3, 1, -1, 19000, 8]);
  });

  it('int64 compares full 64-bit values without bigint per row', () => {
    const values = [-(2n ** 63n), 2n ** 63n - 1n, null, -1n, 4294967296n, 4294967295n, 0n];
    const all = collect(T.int8, values);
    expect([all.rows, all.nulls, all.min, all.max, all.widthSum]).toEqual([7, 1, -(2n ** 63n), 2n ** 63n - 1n, 48]);
    const some = collect(T.timestamp, values, [2, 3, 4, 5, 6]);
    expect([some.rows, some.nulls, some.min, some.max, some.widthSum]).toEqual([5, 1, -1n, 4294967296n, 32]);
    expect(mergeColumnStats([some]).distinct).toBe(4);
  });

  it('float64: NaN sorts last, -0 equals 0, every NaN is one value', () => {
    const p = collect(T.float8, [1.5, -0, NaN, null, -Infinity, 2]);
    expect([p.rows, p.nulls, p.min, p.max, p.widthSum]).toEqual([6, 1, -Infinity, NaN, 40]);
    const noNaN = collect(T.float8, [1.5, -0, NaN, null, -Infinity, 2], [0, 1, 3, 5]);
    expect([noNaN.min, noNaN.max]).toEqual([-0, 2]);
    expect(collect(T.float8, [Infinity, NaN]).min).toBe(Infinity);
    const onlyNaN = collect(T.float8, [NaN, null]);
    expect([onlyNaN.min, onlyNaN.max]).toEqual([NaN, NaN]);

    const otherNaN = new Float64Array(2);
    const dv = new DataView(otherNaN.buffer);
    dv.setUint32(0, 0x12345678, true);
    dv.setUint32(4, 0xfff80001, true); // negative quiet NaN with a payload
    otherNaN[1] = -0;
    const c = new ColumnStatsCollector(T.float8);
    c.add({ kind: 'float64', length: 2, values: otherNaN, nulls: null }, null);
    const merged = mergeColumnStats([c.result(), collect(T.float8, [NaN, 0])]);
    expect(merged.distinct).toBe(2);
  });

  it('decimal (numeric(10,2)) returns Decimal extremes', () => {
    const p = collect(T.numeric(10, 2), [new Decimal(150n, 2), new Decimal(-225n, 2), null, new Decimal(100n, 0)]);
    expect([p.rows, p.nulls, p.widthSum]).toEqual([4, 1, 24]);
    expect(p.min).toBeInstanceOf(Decimal);
    expect([String(p.min), String(p.max)]).toEqual(['-2.25', '100.00']);
  });

  it('bigdecimal: 1.50 and 1.5 are one value; extremes compare across scales', () => {
    const big = Decimal.parse('-12345678901234567890.5')!;
    const a = collect(T.numeric(), [new Decimal(150n, 2), big, null, Decimal.parse('99999999999999999999999')!]);
    const b = collect(T.numeric(), [new Decimal(15n, 1), new Decimal(2n, 0), null, new Decimal(0n, 3)]);
    expect([a.rows, a.nulls, a.widthSum, String(a.min), String(a.max)]).toEqual([4, 1, 24, '-12345678901234567890.5', '99999999999999999999999']);
    expect([String(b.min), String(b.max)]).toEqual(['0.000', '2']);
    const m = mergeColumnStats([a, b]);
    expect([m.rows, m.nullFrac, m.distinct, String(m.min), String(m.max), m.avgWidth]).toEqual([8, 0.25, 5, '-12345678901234567890.5', '99999999999999999999999', 8]);
  });

  it('strings order by UTF-8 bytes (code points), width is the byte length', () => {
    const values = ['b', 'é', 'a', null, '\u{1F600}', '\uFFFD', 'ab'];
    const p = collect(T.text, values);
    // JS `<` would put the emoji (a surrogate pair) below U+FFFD.
    expect([p.rows, p.nulls, p.min, p.max, p.widthSum]).toEqual([7, 1, 'a', '\u{1F600}', 13]);
    const some = collect(T.varchar(10), values, [0, 1, 3, 5, 6]);
    expect([some.rows, some.nulls, some.min, some.max, some.widthSum]).toEqual([5, 1, 'ab', '\uFFFD', 8]);
    expect(mergeColumnStats([p]).avgWidth).toBe(2);
  });

  it('keeps string extremes when the next batch reuses the vector bytes', () => {
    const c = new ColumnStatsCollector(T.text);
    const first = vec(T.text, ['mm', 'aa', 'zz']);
    c.add(first, null);
    if (first.kind === 'string') first.bytes.fill(0x6d); // overwrite with 'm'
    c.add(vec(T.text, ['nn', 'bb', null]), null);
    const p = c.result();
    expect([p.rows, p.nulls, p.min, p.max, p.widthSum]).toEqual([6, 1, 'aa', 'zz', 10]);
  });

  it('counts a value seen by two slices once', () => {
    const ints = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
    const m = mergeColumnStats([collect(T.int4, ints(0, 1000)), collect(T.int4, ints(500, 1500))]);
    expect(m.rows).toBe(2000);
    expectWithin(m.distinct, 1500, 0.02);
    const s = mergeColumnStats([collect(T.text, ['x', 'y', null]), collect(T.text, ['y', 'z'])]);
    expect([s.rows, s.nullFrac, s.distinct, s.min, s.max, s.avgWidth]).toEqual([5, 0.2, 3, 'x', 'z', 1]);
    const big = mergeColumnStats([collect(T.int8, [1n, 2n ** 40n]), collect(T.int8, [2n ** 40n, -5n])]);
    expect([big.distinct, big.min, big.max]).toEqual([3, -5n, 2n ** 40n]);
  });

  it('an all-NULL column', () => {
    for (const t of [T.bool, T.int4, T.int8, T.float8, T.numeric(5, 1), T.numeric(), T.text]) {
      const p = collect(t, [null, null, null]);
      expect([p.rows, p.nulls, p.min, p.max, p.widthSum]).toEqual([3, 3, null, null, 0]);
      expect(mergeColumnStats([p])).toEqual({ rows: 3, nullFrac: 1, distinct: 0, min: null, max: null, avgWidth: 0 });
    }
  });

  it('0 rows', () => {
    const empty = { rows: 0, nullFrac: 0, distinct: 0, min: null, max: null, avgWidth: 0 };
    expect(mergeColumnStats([])).toEqual(empty);
    expect(mergeColumnStats([collect(T.int4, []), collect(T.int4, [1, 2], [])])).toEqual(empty);
  });

  it('distinct never exceeds the non-null count', () => {
    const m = mergeColumnStats([collect(T.int4, [1, 2, 3, null])]);
    expect(m.distinct).toBe(3);
  });

  it('rejects a vector of another kind', () => {
    const c = new ColumnStatsCollector(T.int4);
    expect(() => c.add(vec(T.text, ['a']), null)).toThrow(/int32/);
  });
});

describe('transport', () => {
  it('round-trips a partial through tagged JSON with base64 registers', () => {
    const parts = [
      collect(T.numeric(), [new Decimal(150n, 2), new Decimal(-7n, 0)]),
      collect(T.int8, [2n ** 62n, null]),
      collect(T.float8, [NaN, -0]),
      collect(T.text, [null]),
    ];
    for (const p of parts) {
      const back = columnStatsFromTransport(fromTaggedJson(toTaggedJson(columnStatsToTransport(p))));
      expect(back).toEqual(p);
      expect(back.hll).toBeInstanceOf(Uint8Array);
    }
    expect(() => columnStatsFromTransport({ rows: 1 })).toThrow(SqlError);
    expect(() => columnStatsFromTransport({ rows: 1, nulls: 0, widthSum: 0, hll: 'AAAA', min: null, max: null })).toThrow(/registers/);
  });
});
