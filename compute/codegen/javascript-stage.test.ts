// Kernels that call JavaScript functions: once per batch, staged before the generated kernel, with
// the same results as the row-by-row reference evaluator (selections, nesting, filters, NULLs).
import { beforeAll, describe, expect, it } from 'vitest';
import { SqlError } from '../../common/errors/index.ts';
import { evaluate } from '../../sql/expr/evaluate.ts';
import type { Expr } from '../../sql/expr/expr.ts';
import { JAVASCRIPT_CALL, loadJavascript, type JavascriptDefinition } from '../../sql/functions/javascript.ts';
import type { Datum } from '../../sql/types/datum.ts';
import { T, type SqlType } from '../../sql/types/sql-type.ts';
import { batchFromRows, vectorFromRows } from '../batch/row-conversion.ts';
import { compileFilter } from './compile-filter.ts';
import { compileProjection } from './compile-projection.ts';
import { TEST_CTX, colOf, fn, lit } from './test-support.ts';
import { vectorDiff } from './vector-diff.ts';

function js(def: Omit<JavascriptDefinition, 'strict'> & { strict?: boolean }, args: Expr[]): Expr {
  const full: JavascriptDefinition = { strict: false, ...def };
  return { kind: 'Call', fn: JAVASCRIPT_CALL, args: [lit(JSON.stringify(full), T.text), ...args], type: def.returns };
}

const TYPES: SqlType[] = [T.int4, T.text, T.float8, T.date];
const ROWS: Datum[][] = Array.from({ length: 5000 }, (_, i) => [
  i % 7 === 0 ? null : i, i % 5 === 0 ? null : `w${i % 13}`, i % 11 === 0 ? NaN : i / 4, 19_000 + (i % 40),
]);

const twice = (e: Expr): Expr => js({ name: 'twice', params: ['x'], argTypes: [T.int4], returns: T.int4, body: 'return x === null ? -1 : x * 2;' }, [e]);
const shout = (e: Expr): Expr => js({ name: 'shout', params: ['s'], argTypes: [T.text], returns: T.text, body: "return s.toUpperCase() + '!';", strict: true }, [e]);
const dayOf = (e: Expr): Expr => js({ name: 'day', params: ['d'], argTypes: [T.date], returns: T.int4, body: 'return d.getUTCDate();' }, [e]);
const half = (e: Expr): Expr => js({ name: 'half', params: ['f'], argTypes: [T.float8], returns: T.float8, body: 'return f / 2;' }, [e]);

function expectLikeReference(exprs: Expr[], sel: Uint32Array | null): void {
  const out = compileProjection(exprs, TYPES, TEST_CTX)(batchFromRows(TYPES, ROWS), sel);
  const chosen = sel ? [...sel].map((r) => ROWS[r]!) : ROWS;
  const ref = chosen.map((row) => exprs.map((e) => evaluate(e, row, TEST_CTX)));
  exprs.forEach((e, j) => expect(vectorDiff(out[j]!, vectorFromRows(e.type, ref, j))).toBeUndefined());
}

describe('kernels calling JavaScript functions', () => {
  beforeAll(() => loadJavascript());

  it('equal the reference evaluator, with and without a selection', () => {
    const exprs = [twice(colOf(TYPES, 0)), shout(colOf(TYPES, 1)), dayOf(colOf(TYPES, 3)), half(colOf(TYPES, 2)),
      fn('add', [twice(twice(colOf(TYPES, 0))), lit(1, T.int4)], T.int4), shout(shout(colOf(TYPES, 1)))];
    expectLikeReference(exprs, null);
    expectLikeReference(exprs, Uint32Array.from({ length: 900 }, (_, k) => k * 5 + 1));
  });

  it('filter: conditions without calls narrow the rows first', () => {
    const boom = js({ name: 'boom', params: ['x'], argTypes: [T.int4], returns: T.bool, body: "if (x >= 100) throw new Error('no'); return x % 2 === 0;" }, [colOf(TYPES, 0)]);
    const pred: Expr = { kind: 'And', args: [fn('lt', [colOf(TYPES, 0), lit(100, T.int4)]), boom], type: T.bool };
    const batch = batchFromRows(TYPES, ROWS);
    const out = new Uint32Array(ROWS.length);
    const n = compileFilter(pred, TYPES, TEST_CTX)(batch, null, out);
    const want = ROWS.flatMap((r, i) => (r[0] !== null && (r[0] as number) < 100 && (r[0] as number) % 2 === 0 ? [i] : []));
    expect([...out.subarray(0, n)]).toEqual(want);
    let code: string | undefined;
    try {
      compileFilter(boom, TYPES, TEST_CTX)(batch, null, out);
    } catch (err) {
      code = err instanceof SqlError ? err.code : String(err);
    }
    expect(code).toBe('38000');
  });
});
