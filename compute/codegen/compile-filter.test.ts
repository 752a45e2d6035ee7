// Targeted tests of compiled filters: NULL logic, short-circuit errors, fast/exact int8 and decimal
// paths, byte-wise strings and LIKE, IN sets, generic fallbacks, empty and full-size batches.
import { describe, expect, it } from 'vitest';
import { SqlError } from '../../common/errors/index.ts';
import { evaluate } from '../../sql/expr/evaluate.ts';
import { inSet, type Expr } from '../../sql/expr/expr.ts';
import type { Datum } from '../../sql/types/datum.ts';
import { T, type SqlType } from '../../sql/types/sql-type.ts';
import { BATCH_SIZE } from '../batch/batch.ts';
import { batchFromRows } from '../batch/row-conversion.ts';
import { compileFilter } from './compile-filter.ts';
import { compiledKernel, instantiate, kernelCacheSize } from './kernel-cache.ts';
import { TEST_CTX, cast, colOf, d, fn, lit, num, withDictionaryStrings } from './test-support.ts';

function run(pred: Expr, types: readonly SqlType[], rows: Datum[][], sel: Uint32Array | null = null): number[] {
  const kernel = compileFilter(pred, types, TEST_CTX);
  const out = new Uint32Array(rows.length);
  const n = kernel(batchFromRows(types, rows), sel, out);
  return [...out.subarray(0, n)];
}

function reference(pred: Expr, rows: Datum[][]): number[] {
  return rows.flatMap((row, i) => (evaluate(pred, row, TEST_CTX) === true ? [i] : []));
}

function sqlState(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (err) {
    return err instanceof SqlError ? err.code : `not a SqlError: ${String(err)}`;
  }
}

describe('compileFilter', () => {
  const Q6: SqlType[] = [T.date, T.numeric(15, 2), T.numeric(15, 2)];
  const c = (i: number): Expr => colOf(Q6, i);
  const q6: Expr = {
    kind: 'And', type: T.bool, args: [
      fn('ge', [c(0), lit(8766, T.date)]), fn('lt', [c(0), lit(9131, T.date)]),
      fn('ge', [c(2), num('0.05')]), fn('le', [c(2), num('0.07')]),
      fn('lt', [c(1), cast(lit(24, T.int4), T.numeric())]),
    ],
  };

  it('runs a Q6-like predicate with NULLs like the reference', () => {
    const rows: Datum[][] = [
      [8800, d('23.00'), d('0.05')], [8800, d('24.00'), d('0.06')], [8700, d('1.00'), d('0.06')],
      [8800, null, d('0.07')], [null, d('1.00'), d('0.06')], [9000, d('23.99'), d('0.07')], [9000, d('2.00'), d('0.08')],
    ];
    expect(run(q6, Q6, rows)).toEqual([0, 5]);
    expect(run(q6, Q6, rows)).toEqual(reference(q6, rows));
  });

  it('handles an empty batch and a full batch with and without a selection vector', () => {
    expect(run(q6, Q6, [])).toEqual([]);
    const rows: Datum[][] = Array.from({ length: BATCH_SIZE }, (_, i) => [8766 + (i % 400), d(`${i % 50}.00`), d(`0.0${i % 10}`)]);
    const all = reference(q6, rows);
    expect(all.length).toBeGreaterThan(0);
    expect(run(q6, Q6, rows)).toEqual(all);
    const sel = Uint32Array.from({ length: BATCH_SIZE / 2 }, (_, k) => k * 2);
    expect(run(q6, Q6, rows, sel)).toEqual(all.filter((i) => i % 2 === 0));
  });

  it('keeps only TRUE rows under three-valued logic', () => {
    const types = [T.bool, T.bool];
    const rows: Datum[][] = [[null, false], [null, true], [true, null], [false, null], [null, null]];
    const and: Expr = { kind: 'And', args: [colOf(types, 0), colOf(types, 1)], type: T.bool };
    const or: Expr = { kind: 'Or', args: [colOf(types, 0), colOf(types, 1)], type: T.bool };
    const notAnd: Expr = { kind: 'Not', arg: and, type: T.bool };
    expect(run(and, types, rows)).toEqual([]);
    expect(run(or, types, rows)).toEqual([1, 2]);
    expect(run(notAnd, types, rows)).toEqual([0, 3]);
  });

  it('evaluates AND arguments lazily exactly where the reference does (no error past a FALSE)', () => {
    const types = [T.int4];
    const x = colOf(types, 0);
    const guarded: Expr = { kind: 'And', type: T.bool, args: [fn('ne', [x, lit(0, T.int4)]), fn('gt', [fn('div', [lit(10, T.int4), x], T.int4), lit(1, T.int4)])] };
    expect(run(guarded, types, [[0], [5], [20]])).toEqual([1]);
    const unguarded: Expr = fn('gt', [fn('div', [lit(10, T.int4), x], T.int4), lit(1, T.int4)]);
    expect(sqlState(() => run(unguarded, types, [[5], [0]]))).toBe('22012');
  });

  it('raises integer overflow and division by zero with the reference SQLSTATEs', () => {
    const types = [T.int4, T.int8];
    const add: Expr = fn('gt', [fn('add', [colOf(types, 0), lit(1, T.int4)], T.int4), lit(0, T.int4)]);
    expect(sqlState(() => run(add, types, [[1, 0n], [2147483647, 0n]]))).toBe('22003');
    const add8: Expr = fn('gt', [fn('add', [colOf(types, 1), lit(1n, T.int8)], T.int8), lit(0n, T.int8)]);
    expect(sqlState(() => run(add8, types, [[0, 9223372036854775807n]]))).toBe('22003');
    const mod: Expr = fn('eq', [fn('mod', [colOf(types, 1), lit(0n, T.int8)], T.int8), lit(0n, T.int8)]);
    expect(sqlState(() => run(mod, types, [[0, 5n]]))).toBe('22012');
  });

  it('switches int8 arithmetic to exact BigInt when values pass 2^53', () => {
    const types = [T.int8];
    const x = colOf(types, 0);
    // x * 3 = 3 * 2^53 + 3 is not a float64; x * 3 % 2 tells exact from rounded.
    const odd: Expr = fn('eq', [fn('mod', [fn('mul', [x, lit(3n, T.int8)], T.int8), lit(2n, T.int8)], T.int8), lit(1n, T.int8)]);
    const rows: Datum[][] = [[1n], [2n], [2n ** 53n + 1n], [-(2n ** 60n) - 1n], [null]];
    expect(run(odd, types, rows)).toEqual([0, 2]);
    expect(run(odd, types, rows)).toEqual(reference(odd, rows));
  });

  it('compares decimals of different scales exactly', () => {
    const types = [T.numeric(15, 2), T.numeric(10, 4)];
    const eq: Expr = fn('eq', [colOf(types, 0), colOf(types, 1)]);
    const rows: Datum[][] = [[d('1.50'), d('1.5000')], [d('1.50'), d('1.5001')], [d('-0.01'), d('-0.0100')], [d('9999999999999.99'), d('999999.9999')]];
    expect(run(eq, types, rows)).toEqual([0, 2]);
  });

  it('orders strings by bytes like the reference, including non-ASCII and astral characters', () => {
    const types = [T.text, T.text];
    const lt: Expr = fn('lt', [colOf(types, 0), colOf(types, 1)]);
    const rows: Datum[][] = [['a', 'b'], ['b', 'a'], ['ab', 'abc'], ['é', 'z'], ['\uE000', '😀'], ['😀', '\uE000'], ['日本', '日本語'], ['', ''], ['x', null]];
    expect(run(lt, types, rows)).toEqual(reference(lt, rows));
    expect(run(fn('eq', [colOf(types, 0), lit('日本', T.text)]), types, rows)).toEqual([6]);
  });

  it('matches LIKE prefix / suffix / contains / general patterns on bytes and the rest generically', () => {
    const types = [T.text];
    const rows: Datum[][] = [['PROMO BRUSHED'], ['promo'], ['xPROMO'], ['a%b'], ['日本語'], ['😀x'], [''], [null], ['abc']];
    for (const p of ['PROMO%', '%MO', '%RUSH%', '%O%U%', 'abc', 'a\\%b', '日%', '_😀%', '%', 'a_c']) {
      for (const f of ['like', 'ilike']) {
        const pred = fn(f, [colOf(types, 0), lit(p, T.text)]);
        expect(run(pred, types, rows), `${f} ${p}`).toEqual(reference(pred, rows));
      }
    }
    // A pattern ending in the escape character: 22025, as PostgreSQL raises it.
    for (const f of ['like', 'ilike']) {
      const pred = fn(f, [colOf(types, 0), lit('%\\', T.text)]);
      expect(sqlState(() => reference(pred, rows))).toBe('22025');
      expect(sqlState(() => run(pred, types, rows))).toBe('22025');
    }
    const src = compiledKernel('filter', [fn('like', [colOf(types, 0), lit('PROMO%', T.text)])], types).source;
    expect(src).toContain('bytesStartWith');
    expect(src).not.toContain('.evaluate(');
  });

  it('probes constant IN lists through a hash set with SQL NULL semantics', () => {
    const types = [T.int4, T.text, T.numeric(15, 2)];
    const rows: Datum[][] = [[1, 'a', d('0.05')], [2, 'b', d('0.50')], [null, 'c', d('5.00')], [3, null, null]];
    const cases: Expr[] = [
      { kind: 'InList', arg: colOf(types, 0), list: [lit(1, T.int4), lit(3, T.int4)], negated: false, type: T.bool },
      { kind: 'InList', arg: colOf(types, 0), list: [lit(1, T.int4), lit(null, T.int4)], negated: true, type: T.bool },
      { kind: 'InList', arg: colOf(types, 1), list: [lit('b', T.text), lit('c', T.text)], negated: false, type: T.bool },
      { kind: 'InList', arg: colOf(types, 2), list: [num('0.5'), num('5'), num('0.051')], negated: false, type: T.bool },
    ];
    for (const pred of cases) expect(run(pred, types, rows)).toEqual(reference(pred, rows));
    expect(run(cases[0]!, types, rows)).toEqual([0, 3]);
    expect(run(cases[1]!, types, rows)).toEqual([]);
    expect(run(cases[3]!, types, rows)).toEqual([1, 2]);
    expect(compiledKernel('filter', [cases[2]!], types).source).toContain('.has(');
  });

  it('probes run-time key sets (InSet) like the reference, dense, sparse and of every layout', () => {
    const types = [T.int4, T.int8, T.numeric(15, 2), T.text, T.date, T.float8];
    const rows: Datum[][] = [];
    for (let i = 0; i < 3000; i++) {
      rows.push(i % 17 === 0
        ? [null, null, null, null, null, null]
        : [i * 7 - 2000, BigInt(i) * 1_000_003n, d(`${i % 500}.${String(i % 100).padStart(2, '0')}`), `k${i % 900}`, 9000 + (i % 1200), i % 11 === 0 ? -0 : i / 8]);
    }
    const pick = (c: number, every: number): Datum[] => {
      const seen = new Map<string, Datum>();
      rows.forEach((r, i) => { if (i % every === 0 && r[c] !== null) seen.set(String(r[c]), r[c]!); });
      return [...seen.values()];
    };
    const sets: [number, Datum[]][] = [
      [0, pick(0, 3)], // dense ints: a bitmap
      [0, [-1993, 100, 1_000_000_000, -1_000_000_000]], // sparse ints: hashed
      [1, pick(1, 5)], [2, pick(2, 4)], [3, pick(3, 2)], [4, pick(4, 6)], [5, [...pick(5, 9), 0]],
      [0, []],
    ];
    for (const [c, keys] of sets) {
      const pred = inSet(colOf(types, c), keys);
      const want = reference(pred, rows);
      if (keys.length > 0) expect(want.length).toBeGreaterThan(0);
      expect(run(pred, types, rows), `column ${c}`).toEqual(want);
      const negated: Expr = { kind: 'Not', arg: pred, type: T.bool };
      expect(run(negated, types, rows), `NOT, column ${c}`).toEqual(reference(negated, rows));
    }
    // Kernels are cached by the key set's digest: the same keys share one, other keys get another.
    const size = kernelCacheSize();
    compileFilter(inSet(colOf(types, 0), [1, 2, 3]), types, TEST_CTX);
    compileFilter(inSet(colOf(types, 0), [1, 2, 3]), types, TEST_CTX);
    expect(kernelCacheSize()).toBe(size + 1);
    compileFilter(inSet(colOf(types, 0), [1, 2, 4]), types, TEST_CTX);
    expect(kernelCacheSize()).toBe(size + 2);
    expect(run(inSet(colOf(types, 0), [1, 2, 4]), types, [[3], [4]].map((r) => [...r, null, null, null, null, null]))).toEqual([1]);
  });

  it('decides conditions on a dictionary-encoded string column per entry, never failing where rows would not', () => {
    const types = [T.int4, T.text];
    const rows: Datum[][] = [[1, 'AIR'], [1, 'MAIL'], [0, 'x'], [1, null], [2, 'AIR'], [0, 'RAIL']];
    const coded = withDictionaryStrings(batchFromRows(types, rows));
    const runOn = (pred: Expr, batch: typeof coded): number[] => {
      const out = new Uint32Array(rows.length);
      const n = compileFilter(pred, types, TEST_CTX)(batch, null, out);
      return [...out.subarray(0, n)];
    };
    const a = colOf(types, 0);
    const s = colOf(types, 1);
    const cases: Expr[] = [
      fn('eq', [s, lit('AIR', T.text)]),
      { kind: 'And', type: T.bool, args: [fn('gt', [a, lit(0, T.int4)]), { kind: 'InList', arg: s, list: [lit('AIR', T.text), lit('RAIL', T.text)], negated: false, type: T.bool }] },
      { kind: 'IsNull', arg: s, negated: false, type: T.bool },
      { kind: 'Not', arg: fn('like', [s, lit('%AI%', T.text)]), type: T.bool },
      // Inside OR and NOT: bool columns looked up by code, NULL rows included.
      { kind: 'Or', type: T.bool, args: [
        { kind: 'And', type: T.bool, args: [fn('gt', [a, lit(0, T.int4)]), fn('eq', [s, lit('AIR', T.text)])] },
        { kind: 'IsNull', arg: s, negated: false, type: T.bool },
        { kind: 'Not', type: T.bool, arg: { kind: 'And', type: T.bool, args: [fn('like', [s, lit('%AI%', T.text)]), fn('eq', [a, lit(2, T.int4)])] } },
      ] },
      { kind: 'Or', type: T.bool, args: [fn('ne', [s, lit('MAIL', T.text)]), fn('lt', [a, lit(1, T.int4)])] },
      // A key set first (a runtime filter) runs before the per-entry conditions.
      { kind: 'And', type: T.bool, args: [inSet(a, [1, 2]), fn('eq', [s, lit('AIR', T.text)])] },
      { kind: 'And', type: T.bool, args: [inSet(a, [0]), fn('ne', [s, lit('AIR', T.text)]), fn('ge', [a, lit(0, T.int4)])] },
    ];
    for (const pred of cases) expect(runOn(pred, coded)).toEqual(reference(pred, rows));
    // A cast that fails on 'x', reached only by rows with a > 0: never decided per entry.
    const guardedCast: Expr = { kind: 'And', type: T.bool, args: [fn('gt', [a, lit(0, T.int4)]), fn('gt', [cast(s, T.int4), lit(1, T.int4)])] };
    const onlyDigits = withDictionaryStrings(batchFromRows(types, [[1, '1'], [1, '2'], [0, 'x']]));
    expect(runOn(guardedCast, onlyDigits)).toEqual([1]);
    // A LIKE pattern ending in the escape character fails (22025) only for rows that reach it.
    const badPattern: Expr = fn('like', [s, lit('AIR\\', T.text)]);
    const guardedLike: Expr = { kind: 'And', type: T.bool, args: [fn('gt', [a, lit(5, T.int4)]), badPattern] };
    expect(runOn(guardedLike, coded)).toEqual([]);
    expect(sqlState(() => runOn(badPattern, coded))).toBe('22025');
  });

  it('falls back to the reference for wide decimals, unknown functions and parameters', () => {
    const types = [T.numeric(), T.int4];
    const rows: Datum[][] = [[d('1.5'), 1], [d('100000000000000000000.25'), 2], [null, 3]];
    const wide = fn('gt', [colOf(types, 0), num('2')]);
    expect(run(wide, types, rows)).toEqual([1]);
    expect(sqlState(() => run(fn('no_such_fn', [colOf(types, 1)]), types, rows))).toBe('42883');
    expect(sqlState(() => run({ kind: 'Param', index: 0, type: T.bool }, types, rows))).toBe('XX000');
    // No rows, no error (the reference never evaluates).
    expect(run(fn('no_such_fn', [colOf(types, 1)]), types, [])).toEqual([]);
  });

  it('raises a folded constant error only when a row reaches it', () => {
    const types = [T.int4];
    const boom = fn('eq', [fn('div', [lit(1, T.int4), lit(0, T.int4)], T.int4), colOf(types, 0)]);
    const guarded: Expr = { kind: 'And', type: T.bool, args: [fn('gt', [colOf(types, 0), lit(5, T.int4)]), boom] };
    expect(run(guarded, types, [[1], [2]])).toEqual([]);
    expect(sqlState(() => run(guarded, types, [[1], [9]]))).toBe('22012');
  });

  it('rejects a batch whose vectors do not match the compiled layouts', () => {
    const kernel = compileFilter(fn('gt', [colOf([T.int4], 0), lit(1, T.int4)]), [T.int4], TEST_CTX);
    const batch = batchFromRows([T.float8], [[1.5]]);
    expect(sqlState(() => kernel(batch, null, new Uint32Array(1)))).toBe('XX000');
  });

  it('caches kernels by structure', () => {
    const pred = fn('gt', [colOf([T.int4], 0), lit(12345, T.int4)]);
    compileFilter(pred, [T.int4], TEST_CTX);
    const size = kernelCacheSize();
    compileFilter(JSON.parse(JSON.stringify(pred)) as Expr, [T.int4], TEST_CTX);
    expect(kernelCacheSize()).toBe(size);
    compileFilter(fn('gt', [colOf([T.int4], 0), lit(12346, T.int4)]), [T.int4], TEST_CTX);
    expect(kernelCacheSize()).toBe(size + 1);
  });

  it('shares filter and projection instances per time zone, and gives aggregates their own', () => {
    const types = [T.int4, T.timestamptz];
    const filter = compiledKernel('filter', [fn('gt', [colOf(types, 0), lit(5, T.int4)])], types);
    expect(instantiate(filter, TEST_CTX)).toBe(instantiate(filter, { ...TEST_CTX, statementStartMicros: 1n }));
    const elsewhere = { ...TEST_CTX, timeZoneOffsetSeconds: 3600, timeZone: 'Europe/Paris' };
    expect(instantiate(filter, elsewhere)).not.toBe(instantiate(filter, TEST_CTX));
    expect(instantiate(filter, elsewhere)).toBe(instantiate(filter, { ...elsewhere }));
    // A kernel that reads the session (now()) is bound to the statement: one instance per value.
    const now = compiledKernel('projection', [fn('now', [], T.timestamptz)], types);
    expect(now.readsSession).toBe(true);
    expect(instantiate(now, { ...TEST_CTX, statementStartMicros: 1n })).not.toBe(instantiate(now, { ...TEST_CTX, statementStartMicros: 2n }));
    expect(filter.readsSession).toBe(false);
    const agg = compiledKernel('aggregate', [colOf(types, 0)], types);
    expect(instantiate(agg, TEST_CTX)).not.toBe(instantiate(agg, TEST_CTX));
  });
});
