// Comparisons of a decimal column with a constant of a larger scale, rewritten at the column's
// scale: `c_acctbal > 4999.99512345678901` (a numeric(15,2) column and an avg, TPC-H Q22) would
// otherwise align every row's value to scale 17 — past what a double holds exactly, so the kernel
// leaves its fast path for BigInt arithmetic. A value x of scale s is a multiple of 10^-s, so
//   x > c ⇔ x > floor_s(c),  x ≥ c ⇔ x ≥ ceil_s(c),  x < c ⇔ x < ceil_s(c),  x ≤ c ⇔ x ≤ floor_s(c),
// with floor_s / ceil_s rounding c down / up to scale s. (= and <> keep their constant.)
import { mapExpr, type Expr } from '../../sql/expr/expr.ts';
import { Decimal } from '../../sql/types/decimal.ts';
import type { SqlType } from '../../sql/types/sql-type.ts';

type Op = 'lt' | 'le' | 'gt' | 'ge';

const FLIP: Record<Op, Op> = { lt: 'gt', le: 'ge', gt: 'lt', ge: 'le' };

/** Constants the rewrite keeps to 15 digits, so they stay in a double's exact range. */
const MAX_DIGITS = 15;

function isOp(fn: string): fn is Op {
  return fn === 'lt' || fn === 'le' || fn === 'gt' || fn === 'ge';
}

/** `c` rounded to scale `s` (down for floor, up for ceil); c.scale > s. */
function roundTo(c: Decimal, s: number, up: boolean): Decimal {
  const f = 10n ** BigInt(c.scale - s);
  let q = c.unscaled / f;
  const r = c.unscaled % f;
  if (r !== 0n && (up ? c.unscaled > 0n : c.unscaled < 0n)) q += up ? 1n : -1n;
  return new Decimal(q, s);
}

/** `x op c` with x of type `t` (numeric of a known scale) and the constant `c`, at x's scale; null when not narrowed. */
function narrowed(op: Op, x: Expr, c: Expr, t: SqlType): Expr | null {
  if (c.kind !== 'Const' || !(c.value instanceof Decimal) || t.id !== 'numeric' || t.scale === undefined) return null;
  const s = t.scale;
  if (c.value.scale <= s) return null;
  const k = roundTo(c.value, s, op === 'ge' || op === 'lt');
  if ((k.unscaled < 0n ? -k.unscaled : k.unscaled).toString().length > MAX_DIGITS) return null;
  const constant: Expr = { kind: 'Const', value: k, type: { id: 'numeric', precision: MAX_DIGITS, scale: s } };
  return { kind: 'Call', fn: op, args: [x, constant], type: { id: 'bool' } };
}

/** A decimal seen through a cast to unconstrained numeric (which changes no value). */
function uncast(e: Expr): Expr {
  return e.kind === 'Cast' && e.type.id === 'numeric' && e.type.scale === undefined && e.arg.type.id === 'numeric' ? e.arg : e;
}

/** `e` with its decimal comparisons against larger-scale constants done at the column's scale. */
export function narrowDecimalComparisons(e: Expr): Expr {
  return mapExpr(e, (x) => {
    if (x.kind !== 'Call' || !isOp(x.fn) || x.args.length !== 2) return x;
    const a = uncast(x.args[0]!);
    const b = uncast(x.args[1]!);
    return narrowed(x.fn, a, b, a.type) ?? narrowed(FLIP[x.fn], b, a, b.type) ?? x;
  });
}
