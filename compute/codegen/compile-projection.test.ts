// Targeted tests of compiled projections: output layouts per type, decimal scale rules and
// rounding, casts, CASE with mixed scales, strings, int8 beyond 2^53, selections, aggregate inputs.
import { describe, expect, it } from 'vitest';
import { SqlError } from '../../common/errors/index.ts';
import { evaluate } from '../../sql/expr/evaluate.ts';
import type { Expr } from '../../sql/expr/expr.ts';
import type { Datum } from '../../sql/types/datum.ts';
import { T, type SqlType } from '../../sql/types/sql-type.ts';
import { BATCH_SIZE } from '../batch/batch.ts';
import { batchFromRows, datumAt, vectorFromRows } from '../batch/row-conversion.ts';
import type { Vector } from '../batch/vector.ts';
import { compileAggregateInputs } from './compile-aggregate-inputs.ts';
import { compileProjection } from './compile-projection.ts';
import { compiledKernel } from './kernel-cache.ts';
import { TEST_CTX, cast, colOf, d, fn, lit, num } from './test-support.ts';
import { vectorDiff } from './vector-diff.ts';

function project(exprs: Expr[], types: readonly SqlType[], rows: Datum[][], sel: Uint32Array | null = null): Vector[] {
  return compileProjection(exprs, types, TEST_CTX)(batchFromRows(types, rows), sel);
}

/** Asserts the kernel equals evaluate + vectorFromRows over the (selected) rows. */
function expectLikeReference(exprs: Expr[], types: readonly SqlType[], rows: Datum[][], sel: Uint32Array | null = null): Vector[] {
  const out = project(exprs, types, rows, sel);
  const chosen = sel ? [...sel].map((r) => rows[r]!) : rows;
  const ref = chosen.map((row) => exprs.map((e) => evaluate(e, row, TEST_CTX)));
  exprs.forEach((e, j) => expect(vectorDiff(out[j]!, vectorFromRows(e.type, ref, j))).toBeUndefined());
  return out;
}

function values(v: Vector): Datum[] {
  return Array.from({ length: v.length }, (_, r) => datumAt(v, r));
}

function sqlState(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (err) {
    return err instanceof SqlError ? err.code : `not a SqlError: ${String(err)}`;
  }
}

describe('compileProjection', () => {
  const L: SqlType[] = [T.numeric(15, 2), T.numeric(15, 2), T.numeric(15, 2)];
  const one = cast(lit(1, T.int4), T.numeric());
  const charge = fn('mul', [fn('mul', [colOf(L, 0), fn('sub', [one, colOf(L, 1)], T.numeric())], T.numeric()), fn('add', [one, colOf(L, 2)], T.numeric())], T.numeric());

  it('computes the Q1 charge digit for digit with scale 6 into a bigdecimal vector', () => {
    const rows: Datum[][] = [[d('36901.50'), d('0.05'), d('0.08')], [d('0.01'), d('0.10'), d('0.00')], [null, d('0.01'), d('0.02')], [d('99999.99'), d('1.00'), d('0.08')]];
    const [v] = expectLikeReference([charge], L, rows);
    expect(v!.kind).toBe('bigdecimal');
    expect(values(v!).map((x) => String(x))).toEqual(['37860.939000', '0.009000', 'null', '0.000000']);
    expect(compiledKernel('projection', [charge], L).source).not.toContain('.evaluate(');
  });

  it('writes no null map when there are no NULLs and compacts through a selection vector', () => {
    const rows: Datum[][] = Array.from({ length: BATCH_SIZE }, (_, i) => [d(`${i}.25`), d('0.05'), d('0.01')]);
    const sel = Uint32Array.from([0, 7, 4095]);
    const [v] = expectLikeReference([charge], L, rows, sel);
    expect(v!.length).toBe(3);
    expect(v!.nulls).toBeNull();
    expect(project([charge], L, [])[0]!.length).toBe(0);
  });

  it('rounds numeric casts half away from zero and checks precision (22003)', () => {
    const types = [T.numeric(10, 4)];
    const to2 = cast(colOf(types, 0), T.numeric(15, 2));
    const rows: Datum[][] = [[d('1.0050')], [d('-1.0050')], [d('1.0049')], [d('-0.0050')], [null]];
    const [v] = expectLikeReference([to2], types, rows);
    expect(values(v!).map(String)).toEqual(['1.01', '-1.01', '1.00', '-0.01', 'null']);
    expect(sqlState(() => project([cast(colOf(types, 0), T.numeric(4, 2))], types, [[d('99.9949')], [d('99.9950')]]))).toBe('22003');
    expectLikeReference([cast(colOf(types, 0), T.int4), cast(colOf(types, 0), T.int8), cast(colOf(types, 0), T.float8)], types, rows);
  });

  it('casts floats to integers with rint and raises 22003 for NaN and out-of-range', () => {
    const types = [T.float8];
    const rows: Datum[][] = [[2.5], [3.5], [-2.5], [-0.5], [1e10], [null]];
    const toInt8 = cast(colOf(types, 0), T.int8);
    expect(values(expectLikeReference([toInt8], types, rows)[0]!)).toEqual([2n, 4n, -2n, 0n, 10000000000n, null]);
    expect(sqlState(() => project([cast(colOf(types, 0), T.int4)], types, rows))).toBe('22003');
    expect(sqlState(() => project([toInt8], types, [[NaN]]))).toBe('22003');
    expectLikeReference([cast(colOf(types, 0), T.float4), fn('mul', [colOf(types, 0), lit(-0.5, T.float8)], T.float8)], types, [[1.1], [-0], [NaN], [1e-50], [0]]);
    expect(sqlState(() => project([fn('mul', [colOf(types, 0), lit(10, T.float8)], T.float8)], types, [[1e308]]))).toBe('22003');
    expect(sqlState(() => project([cast(colOf(types, 0), T.float4)], types, [[1e300]]))).toBe('22003');
  });

  it('keeps per-row scales when CASE branches have different scales', () => {
    const types = [T.int4];
    const e: Expr = {
      kind: 'Case', type: T.numeric(),
      whens: [{ when: fn('gt', [colOf(types, 0), lit(0, T.int4)]), then: num('1.5') }], otherwise: num('2.250'),
    };
    const [v] = expectLikeReference([e], types, [[1], [-1], [null]]);
    expect(values(v!).map(String)).toEqual(['1.5', '2.250', '2.250']);
  });

  it('projects strings: passthrough, coalesce, generic functions, non-ASCII', () => {
    const types = [T.text, T.varchar(10)];
    const rows: Datum[][] = [['héllo', 'x'], [null, 'fallback'], ['😀', null], ['', ''], [null, null], ['x'.repeat(500), 'y']];
    const co = fn('coalesce', [colOf(types, 0), cast(colOf(types, 1), T.text)], T.text);
    const upper = fn('upper', [colOf(types, 0)], T.text);
    const cat = fn('concat_op', [colOf(types, 0), lit('!', T.text)], T.text);
    expectLikeReference([colOf(types, 0), co, upper, cat], types, rows);
    expectLikeReference([colOf(types, 0), co], types, rows, Uint32Array.from([1, 2, 5]));
  });

  it('round-trips int8 values beyond 2^53 and timestamps exactly', () => {
    const types = [T.int8, T.timestamp, T.date];
    const rows: Datum[][] = [[2n ** 53n + 1n, 946684800000001n, 10957], [-(2n ** 62n), 0n, -1], [5n, null, null], [9223372036854775807n, -86400000001n, 0]];
    expectLikeReference([
      colOf(types, 0), fn('sub', [colOf(types, 0), lit(1n, T.int8)], T.int8), cast(colOf(types, 1), T.date),
      cast(colOf(types, 2), T.timestamp), fn('add', [colOf(types, 2), lit(30, T.int4)], T.date),
    ], types, rows.slice(0, 3));
    expect(sqlState(() => project([fn('add', [colOf(types, 0), lit(1n, T.int8)], T.int8)], types, rows))).toBe('22003');
  });

  it('evaluates coalesce arguments eagerly like the reference (errors included)', () => {
    const types = [T.int4];
    const e = fn('coalesce', [colOf(types, 0), fn('div', [lit(1, T.int4), colOf(types, 0)], T.int4)], T.int4);
    expect(sqlState(() => project([e], types, [[0]]))).toBe('22012');
    expectLikeReference([e], types, [[1], [null], [4]]);
  });

  it('rejects result types without a vector layout at compile time', () => {
    expect(sqlState(() => compileProjection([lit(null, T.interval)], [], TEST_CTX))).toBe('0A000');
  });
});

describe('compileAggregateInputs', () => {
  const L: SqlType[] = [T.text, T.numeric(15, 2), T.numeric(15, 2)];
  const revenue = fn('mul', [colOf(L, 1), colOf(L, 2)], T.numeric());

  it('returns keys and arguments, null for count(*), decimal vectors for exact scaled numerics', () => {
    const k = compileAggregateInputs([colOf(L, 0)], [revenue, null, colOf(L, 1)], L, TEST_CTX);
    const rows: Datum[][] = [['A', d('10.00'), d('0.05')], ['B', d('3.33'), d('0.07')], ['A', null, d('0.01')]];
    const r = k(batchFromRows(L, rows), null);
    expect(r.keys.map((v) => values(v))).toEqual([['A', 'B', 'A']]);
    expect(r.args[1]).toBeNull();
    const arg = r.args[0]!;
    expect(arg.kind).toBe('decimal');
    expect(values(arg).map(String)).toEqual(['0.5000', '0.2331', 'null']);
    expect(values(r.args[2]!).map(String)).toEqual(['10.00', '3.33', 'null']);
  });

  it('falls back to bigdecimal vectors when a batch leaves exact float64 range', () => {
    const types = [T.numeric(15, 2)];
    const sq = fn('mul', [fn('mul', [colOf(types, 0), colOf(types, 0)], T.numeric()), colOf(types, 0)], T.numeric());
    const k = compileAggregateInputs([], [sq], types, TEST_CTX);
    const big = k(batchFromRows(types, [[d('9999999999999.99')], [d('2.00')]]), null).args[0]!;
    expect(big.kind).toBe('bigdecimal');
    const ref = [[d('9999999999999.99')], [d('2.00')]].map((row) => [evaluate(sq, row, TEST_CTX)]);
    expect(vectorDiff(big, vectorFromRows(T.numeric(), ref, 0))).toBeUndefined();
  });
});
