// The typed batch aggregation gives exactly the row-by-row path's results: counts, exact sums and
// averages of int4 / int8 / numeric (huge values, negatives, NULLs), min / max, NULL and string keys.
import { describe, expect, it } from 'vitest';
import { batchFromRows } from '../batch/row-conversion.ts';
import { Decimal, type Datum } from '../../sql/types/datum.ts';
import { T, type SqlType } from '../../sql/types/sql-type.ts';
import { toTaggedJson } from '../../common/tagged-json.ts';
import type { AggSpec } from './fragment.ts';
import { BatchAggregator } from './batch-aggregate.ts';
import { HashAggregate, aggSlots } from './hash-aggregate.ts';
import { GroupTable, partialRowsFromBatch } from './group-table.ts';
import { decodeBatch, encodeBatch } from '../exchange/arrow-batch-codec.ts';
import type { Expr } from '../../sql/expr/expr.ts';
import { evaluate } from '../../sql/expr/evaluate.ts';
import { TEST_CTX, withDictionaryStrings } from '../codegen/test-support.ts';
import { hashColumn, hashRow } from './batch-aggregate.ts';
import { sliceVector } from '../../storage/vector-ops.ts';

const NUM: SqlType = { id: 'numeric', precision: 15, scale: 2 };

describe('typed batch aggregation', () => {
  it('matches the row path on random data', () => {
    let seed = 7;
    const rnd = (k: number): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed % k; };
    const keyTypes: SqlType[] = [T.int4, T.text, NUM];
    const argTypes: SqlType[] = [T.int4, T.int8, NUM];
    const aggs: AggSpec[] = [
      { name: 'count', arg: null, distinct: false },
      ...argTypes.flatMap((t, i) => ['count', 'sum', 'avg', 'min', 'max'].map((name) => ({ name, arg: { kind: 'Column', index: i, type: t }, distinct: false }) as AggSpec)),
    ];
    const slots = aggSlots(aggs.map((a) => ({ name: a.name, argType: a.arg ? a.arg.type : null, distinct: a.distinct })));
    for (let trial = 0; trial < 5; trial++) {
      const n = 3000 + rnd(3000);
      const keyRows: Datum[][] = [];
      const argRows: Datum[][] = [];
      for (let r = 0; r < n; r++) {
        keyRows.push([rnd(10) === 0 ? null : rnd(5), rnd(7) === 0 ? null : `k${rnd(4)}`, new Decimal(BigInt(rnd(3) - 1), 2)]);
        const big = BigInt(rnd(1000)) * 9_000_000_000_000_000n / 1000n * (rnd(2) === 0 ? -1n : 1n);
        argRows.push([rnd(9) === 0 ? null : rnd(2_000_000_000) - 1_000_000_000, rnd(9) === 0 ? null : big,
          rnd(9) === 0 ? null : new Decimal(BigInt(rnd(2_000_000)) * 499_999_999n - 500_000_000_000_000n, 2)]);
      }
      const keys = batchFromRows(keyTypes, keyRows).columns;
      const args = batchFromRows(argTypes, argRows).columns;
      const argVectors = aggs.map((a) => (a.arg && a.arg.kind === 'Column' ? args[a.arg.index]! : null));
      const rowTable = new HashAggregate(slots, keyTypes.length);
      for (let r = 0; r < n; r++) {
        rowTable.accumulate(keyRows[r]!.slice(), aggs.map((a) => (a.arg && a.arg.kind === 'Column' ? argRows[r]![a.arg.index]! : null)));
      }
      const typedTable = new HashAggregate(slots, keyTypes.length);
      expect(new BatchAggregator().aggregate(typedTable, aggs, keys, argVectors, n)).toBe(true);
      const canon = (t: HashAggregate): string[] => t.finalRows().map((r) => toTaggedJson(r.map((v) => (v instanceof Decimal ? v.toString() : v)))).sort();
      expect(canon(typedTable)).toEqual(canon(rowTable));
    }
  });

  it('declines what it does not cover', () => {
    const keys = batchFromRows([T.float8], [[1.5]]).columns;
    const table = new HashAggregate(aggSlots([{ name: 'count', argType: null, distinct: false }]), 1);
    expect(new BatchAggregator().aggregate(table, [{ name: 'count', arg: null, distinct: false }], keys, [null], 1)).toBe(false);
  });
});

describe('typed group table across batches', () => {
  it('matches the row path with many groups, folded sums, NULL keys and min / max', () => {
    let seed = 3;
    const rnd = (k: number): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 4) % k; };
    const keyTypes: SqlType[] = [T.int4, T.int8, T.text, NUM];
    // The second decimal is small (summed unsplit) except for one huge value in batch 3 (split).
    const argTypes: SqlType[] = [T.int4, T.int8, NUM, NUM];
    const aggs: AggSpec[] = [
      { name: 'count', arg: null, distinct: false },
      ...argTypes.flatMap((t, i) => ['count', 'sum', 'avg', 'min', 'max'].map((name) => ({ name, arg: { kind: 'Column', index: i, type: t }, distinct: false }) as AggSpec)),
    ];
    const slots = aggSlots(aggs.map((a) => ({ name: a.name, argType: a.arg ? a.arg.type : null, distinct: a.distinct })));
    for (const keyCount of [0, 1, 2, 4]) {
      const rowTable = new HashAggregate(slots, keyCount);
      // Folding every 7 rows of a group exercises the bigint carry on every sum.
      const table = new GroupTable(aggs, 7);
      for (let b = 0; b < 6; b++) {
        const n = 500 + rnd(3000);
        const keyRows: Datum[][] = [];
        const argRows: Datum[][] = [];
        for (let r = 0; r < n; r++) {
          keyRows.push([rnd(10) === 0 ? null : rnd(900), rnd(9) === 0 ? null : BigInt(rnd(3)) * -5_000_000_000n, rnd(7) === 0 ? null : `g${rnd(3)}`, new Decimal(BigInt(rnd(2) - 1), 2)].slice(0, keyCount));
          const big = BigInt(rnd(1000)) * 9_000_000_000_000_000n / 1000n * (rnd(2) === 0 ? -1n : 1n);
          argRows.push([rnd(9) === 0 ? null : rnd(2_000_000_000) - 1_000_000_000, rnd(9) === 0 ? null : big,
            rnd(9) === 0 ? null : new Decimal(BigInt(rnd(2_000_000)) * 499_999_999n - 500_000_000_000_000n, 2),
            rnd(9) === 0 ? null : new Decimal(b === 3 && r === 7 ? 900_000_000_000_000n : BigInt(rnd(2_000_000_000)) * 4n - 4_000_000_000n, 2)]);
        }
        const keys = keyCount === 0 ? [] : batchFromRows(keyTypes.slice(0, keyCount), keyRows).columns;
        const args = batchFromRows(argTypes, argRows).columns;
        const argVectors = aggs.map((a) => (a.arg && a.arg.kind === 'Column' ? args[a.arg.index]! : null));
        for (let r = 0; r < n; r++) {
          rowTable.accumulate(keyRows[r]!.slice(), aggs.map((a) => (a.arg && a.arg.kind === 'Column' ? argRows[r]![a.arg.index]! : null)));
        }
        expect(table.add(keys, argVectors, n)).toBe(true);
      }
      const canon = (rows: Datum[][]): string[] => rows.map((r) => toTaggedJson(r.map((v) => (v instanceof Decimal ? v.toString() : v)))).sort();
      expect(table.size).toBe(rowTable.size);
      expect(canon(table.finalRows(slots))).toEqual(canon(rowTable.finalRows()));
      // Partial rows merge on the leader exactly like the row path's.
      const merged = new HashAggregate(slots, keyCount);
      for (const r of table.partialRows()) merged.merge(r);
      expect(canon(merged.finalRows())).toEqual(canon(rowTable.finalRows()));
      // HAVING judged on the typed states drops only groups the exact HAVING drops: compare each
      // count and sum with one of its own values, so some groups sit exactly on the bound.
      const all = table.finalRows(slots);
      for (let trial = 0; trial < 30 && all.length > 0; trial++) {
        const a = rnd(aggs.length);
        const name = aggs[a]!.name;
        if (name !== 'count' && name !== 'sum') continue;
        const pos = keyCount + a;
        const sample = all[rnd(all.length)]![pos] ?? null;
        if (sample === null) continue;
        const type: SqlType = name === 'count' ? T.int8 : aggs[a]!.arg!.type.id === 'int4' ? T.int8 : NUM;
        const fn = ['gt', 'ge', 'lt', 'le', 'eq'][rnd(5)]!;
        const column: Expr = { kind: 'Column', index: pos, type };
        const constant: Expr = { kind: 'Const', value: sample, type };
        const having: Expr = { kind: 'Call', fn, args: rnd(2) === 0 ? [column, constant] : [constant, column], type: T.bool };
        const exact = (rows: Datum[][]): string[] => canon(rows.filter((r) => evaluate(having, r, TEST_CTX) === true));
        expect(exact(table.finalRows(slots, table.havingMask(having, keyCount))), `${fn} on ${name} ${String(sample)}`).toEqual(exact(all));
      }
    }
  });

  it('declines batches it does not cover', () => {
    const table = new GroupTable([{ name: 'sum', arg: { kind: 'Column', index: 0, type: T.float8 }, distinct: false }]);
    const args = batchFromRows([T.float8], [[1.5]]).columns;
    expect(table.add([], [args[0]!], 1)).toBe(false);
    const distinct = new GroupTable([{ name: 'count', arg: { kind: 'Column', index: 0, type: T.int4 }, distinct: true }]);
    expect(distinct.add([], [batchFromRows([T.int4], [[1]]).columns[0]!], 1)).toBe(false);
  });

  it('groups small-domain keys by combined codes exactly as by hashing, across batches that share dictionaries or not', () => {
    let seed = 5;
    const rnd = (k: number): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 4) % k; };
    const keyTypes: SqlType[] = [T.text, T.int4, T.bool];
    const BIG = NUM;
    const aggs: AggSpec[] = [
      { name: 'count', arg: null, distinct: false },
      { name: 'sum', arg: { kind: 'Column', index: 0, type: BIG }, distinct: false },
      { name: 'avg', arg: { kind: 'Column', index: 0, type: BIG }, distinct: false },
      { name: 'count', arg: { kind: 'Column', index: 0, type: BIG }, distinct: false },
      { name: 'sum', arg: { kind: 'Column', index: 1, type: T.int4 }, distinct: false },
      { name: 'max', arg: { kind: 'Column', index: 1, type: T.int4 }, distinct: false },
    ];
    const slots = aggSlots(aggs.map((a) => ({ name: a.name, argType: a.arg ? a.arg.type : null, distinct: a.distinct })));
    const rowTable = new HashAggregate(slots, keyTypes.length);
    const table = new GroupTable(aggs, 1 << 12);
    for (let group = 0; group < 12; group++) {
      const n = 200 + rnd(3000);
      const wideInts = group % 4 === 3;
      // Argument magnitudes: small (unsplit), ~1e11 (summed whole per group), ~1e15 (split per row).
      const magnitude = [1000, 100_000_000_000, 1_000_000_000_000_000][group % 3]!;
      const keyRows: Datum[][] = [];
      const argRows: Datum[][] = [];
      for (let r = 0; r < n; r++) {
        keyRows.push([rnd(8) === 0 ? null : `k${rnd(group % 2 === 0 ? 5 : 40)}`, rnd(9) === 0 ? null : wideInts ? rnd(2_000_000_000) - 1_000_000_000 : 100 + rnd(30) + group,
          rnd(7) === 0 ? null : rnd(2) === 0]);
        argRows.push([rnd(10) === 0 ? null : new Decimal(BigInt(rnd(magnitude)) - BigInt(magnitude / 2), 2), rnd(10) === 0 ? null : rnd(1000)]);
      }
      // Most row groups' strings are dictionary codes, cut into batches sharing the dictionary.
      const whole = batchFromRows(keyTypes, keyRows);
      const keyBatch = group % 5 === 4 ? whole : withDictionaryStrings(whole);
      const args = batchFromRows([BIG, T.int4], argRows).columns;
      for (let r = 0; r < n; r++) rowTable.accumulate(keyRows[r]!.slice(), aggs.map((a) => (a.arg && a.arg.kind === 'Column' ? argRows[r]![a.arg.index]! : null)));
      for (let a = 0; a < n;) {
        const e = Math.min(n, a + 1 + rnd(1500));
        const keys = keyBatch.columns.map((v) => sliceVector(v, a, e));
        const part = args.map((v) => sliceVector(v, a, e));
        expect(table.add(keys, aggs.map((x) => (x.arg && x.arg.kind === 'Column' ? part[x.arg.index]! : null)), e - a)).toBe(true);
        a = e;
      }
    }
    const canon = (rows: Datum[][]): string[] => rows.map((r) => toTaggedJson(r.map((v) => (v instanceof Decimal ? v.toString() : v)))).sort();
    expect(table.size).toBe(rowTable.size);
    expect(canon(table.finalRows(slots))).toEqual(canon(rowTable.finalRows()));
  });

  it('hashes a row as hashColumn hashes it', () => {
    const rows: Datum[][] = [];
    for (let r = 0; r < 300; r++) {
      rows.push([r % 11 === 0 ? null : r * 7919 - 50_000, r % 13 === 0 ? null : BigInt(r) * -987_654_321_123n, r % 7 === 0 ? null : `s${r % 17}é`,
        r % 5 === 0 ? null : new Decimal(BigInt(r) * 123_456_789_012n - 7n, 2), r % 3 === 0 ? null : r % 2 === 0, r * 0.5]);
    }
    const plain = batchFromRows([T.int4, T.int8, T.text, NUM, T.bool, T.float8], rows);
    for (const b of [plain, withDictionaryStrings(plain)]) {
      const hashes = new Int32Array(rows.length).fill(0x12345);
      for (const k of b.columns) hashColumn(k, rows.length, hashes);
      for (let r = 0; r < rows.length; r++) expect(hashRow(b.columns, r)).toBe(hashes[r]);
    }
  });

  it('partial states travel as a batch (Arrow) and merge typed on the leader, as rows merge', () => {
    let seed = 9;
    const rnd = (k: number): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 4) % k; };
    const keyTypes: SqlType[] = [T.text, T.int8, T.int4];
    const argTypes: SqlType[] = [T.int4, T.int8, NUM];
    const aggs: AggSpec[] = [
      { name: 'count', arg: null, distinct: false },
      ...argTypes.flatMap((t, i) => ['count', 'sum', 'avg', 'min', 'max'].map((name) => ({ name, arg: { kind: 'Column', index: i, type: t }, distinct: false }) as AggSpec)),
    ];
    const slots = aggSlots(aggs.map((a) => ({ name: a.name, argType: a.arg ? a.arg.type : null, distinct: a.distinct })));
    const canon = (rows: Datum[][]): string[] => rows.map((r) => toTaggedJson(r.map((v) => (v instanceof Decimal ? v.toString() : v)))).sort();
    for (const keyCount of [0, 1, 3]) {
      const rowTable = new HashAggregate(slots, keyCount);
      const merged = new GroupTable(aggs, 5);
      const viaRows = new HashAggregate(slots, keyCount);
      const combined = new HashAggregate(slots, keyCount);
      let overflow = 0;
      for (let slice = 0; slice < 3; slice++) {
        const table = new GroupTable(aggs, 7);
        for (let b = 0; b < 3; b++) {
          const n = 300 + rnd(1500);
          const keyRows: Datum[][] = [];
          const argRows: Datum[][] = [];
          for (let r = 0; r < n; r++) {
            keyRows.push([rnd(9) === 0 ? null : `g${rnd(40)}`, rnd(8) === 0 ? null : BigInt(rnd(3)) * 5_000_000_000n, rnd(5)].slice(0, keyCount));
            // Slice 2's int8 sums pass 2^53 in some groups: its partial states cannot be a batch.
            const big = slice === 2 && keyCount > 0 ? 4_000_000_000_000_000n : BigInt(rnd(1_000_000_000));
            argRows.push([rnd(9) === 0 ? null : rnd(2_000_000_000) - 1_000_000_000, rnd(9) === 0 ? null : big * (rnd(2) === 0 ? -1n : 1n),
              rnd(6) === 0 ? null : new Decimal(BigInt(rnd(2_000_000)) * (keyCount === 0 ? 4_999n : 499_999_999n) - 500_000_000_000_000n / (keyCount === 0 ? 100_000n : 1n), 2)]);
          }
          const keys = keyCount === 0 ? [] : batchFromRows(keyTypes.slice(0, keyCount), keyRows).columns;
          const args = batchFromRows(argTypes, argRows).columns;
          for (let r = 0; r < n; r++) rowTable.accumulate(keyRows[r]!.slice(), aggs.map((a) => (a.arg && a.arg.kind === 'Column' ? argRows[r]![a.arg.index]! : null)));
          expect(table.add(keys, aggs.map((a) => (a.arg && a.arg.kind === 'Column' ? args[a.arg.index]! : null)), n)).toBe(true);
        }
        const partial = table.partialBatch();
        if (partial === null) {
          overflow++;
          for (const r of table.partialRows()) { viaRows.merge(r); combined.merge(r); }
          continue;
        }
        const wire = decodeBatch(encodeBatch(partial));
        expect(merged.mergeBatch(wire.columns.slice(0, keyCount), wire.columns.slice(keyCount), wire.length)).toBe(true);
        for (const r of partialRowsFromBatch(wire, aggs, keyCount)) viaRows.merge(r);
      }
      if (keyCount > 0) expect(overflow).toBe(1);
      expect(canon(viaRows.finalRows())).toEqual(canon(rowTable.finalRows()));
      // The typed merge's groups plus the overflowing slice's rows give the row path's answer.
      for (const r of merged.partialRows()) combined.merge(r);
      expect(canon(combined.finalRows())).toEqual(canon(rowTable.finalRows()));
      // Without keys no total reaches 2^53: every slice merged typed.
      if (keyCount === 0) expect(overflow).toBe(0);
      if (keyCount === 0) expect(canon(merged.finalRows(slots))).toEqual(canon(rowTable.finalRows()));
    }
  });

  it('keeps sums exact between folds at the default interval, with and without GROUP BY', () => {
    // 2^25 + 4,096 rows just under 2^32: a part taking them whole would pass 2^53 before the first fold.
    const n = 4096;
    const big = 4_294_967_295;
    // Varied, so the batch totals are not multiples of a large power of two (which floats add exactly).
    const values = Float64Array.from({ length: n }, (_, i) => big - (i % 7));
    const batchTotal = values.reduce((a, x) => a + BigInt(x), 0n);
    const arg = { kind: 'decimal', length: n, nulls: null, values, scale: 0 } as const;
    const key = { kind: 'int32', length: n, nulls: null, values: new Int32Array(n) } as const;
    const spec: AggSpec[] = [{ name: 'sum', arg: { kind: 'Column', index: 0, type: { id: 'numeric', precision: 38, scale: 0 } }, distinct: false }];
    const slots = aggSlots([{ name: 'sum', argType: { id: 'numeric', precision: 38, scale: 0 }, distinct: false }]);
    const batches = (1 << 25) / n + 1;
    for (const keys of [[], [key]]) {
      const table = new GroupTable(spec);
      for (let b = 0; b < batches; b++) table.add(keys, [arg], n);
      const [row] = table.finalRows(slots);
      expect(String(row![keys.length])).toBe((BigInt(batches) * batchTotal).toString());
    }
  });
});
