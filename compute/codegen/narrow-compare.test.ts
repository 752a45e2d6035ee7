// Decimal comparisons with larger-scale constants, narrowed to the column's scale, give the
// reference evaluator's answers on every value around the constant, positive and negative.
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../sql/expr/evaluate.ts';
import type { Expr } from '../../sql/expr/expr.ts';
import { Decimal } from '../../sql/types/decimal.ts';
import { T } from '../../sql/types/sql-type.ts';
import { batchFromRows } from '../batch/row-conversion.ts';
import { compileFilter } from './compile-filter.ts';
import { narrowDecimalComparisons } from './narrow-compare.ts';
import { TEST_CTX, colOf, fn } from './test-support.ts';

const TYPES = [T.numeric(15, 2)];

describe('narrowDecimalComparisons', () => {
  it('keeps every answer for constants of larger scale on either side', () => {
    const rows = Array.from({ length: 2001 }, (_, i) => [new Decimal(BigInt(i - 1000), 2)]);
    rows.push([null as unknown as Decimal]);
    const batch = batchFromRows(TYPES, rows);
    const constants = [new Decimal(123_456n, 5), new Decimal(-123_456n, 5), new Decimal(500_000n, 5), new Decimal(-7n, 4), new Decimal(0n, 6)];
    for (const c of constants) {
      for (const op of ['lt', 'le', 'gt', 'ge', 'eq', 'ne']) {
        for (const flipped of [false, true]) {
          const k: Expr = { kind: 'Const', value: c, type: T.numeric(20, c.scale) };
          const e = fn(op, flipped ? [k, colOf(TYPES, 0)] : [colOf(TYPES, 0), k]);
          const out = new Uint32Array(rows.length);
          const n = compileFilter(e, TYPES, TEST_CTX)(batch, null, out);
          const want = rows.flatMap((r, i) => (evaluate(e, r, TEST_CTX) === true ? [i] : []));
          expect([...out.subarray(0, n)], `${op} ${c} ${flipped}`).toEqual(want);
        }
      }
    }
  });

  it('rewrites only what it can keep exact', () => {
    const big: Expr = { kind: 'Const', value: new Decimal(10n ** 30n + 1n, 3), type: T.numeric(38, 3) };
    const e = fn('gt', [colOf(TYPES, 0), big]);
    expect(narrowDecimalComparisons(e)).toEqual(e);
    const small: Expr = { kind: 'Const', value: new Decimal(1_234_567n, 5), type: T.numeric(20, 5) };
    const n = narrowDecimalComparisons(fn('gt', [colOf(TYPES, 0), small]));
    expect(n.kind === 'Call' && n.args[1]!.kind === 'Const' ? n.args[1]!.value : null).toEqual(new Decimal(1234n, 2));
    // Through the cast to unconstrained numeric the binder puts on the column.
    const cast: Expr = { kind: 'Cast', arg: colOf(TYPES, 0), type: T.numeric() };
    const c = narrowDecimalComparisons(fn('le', [small, cast]));
    expect(c.kind === 'Call' && c.fn === 'ge' && c.args[0]!.kind === 'Column').toBe(true);
  });
});
