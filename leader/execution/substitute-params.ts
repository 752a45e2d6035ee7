// Replaces parameters by their values and folds constant sub-expressions, once per execution.
import type { BoundSelect } from '../../sql/binder/bound-select.ts';
import { mapSelectExprs } from '../../sql/binder/map-select.ts';
import { evaluate, isConstantExpr } from '../../sql/expr/evaluate.ts';
import { bindParams, mapExpr, type Expr } from '../../sql/expr/expr.ts';
import type { EvalContext } from '../../sql/functions/scalar-functions.ts';
import type { Datum } from '../../sql/types/datum.ts';

/** Folds constant sub-expressions of `e` (errors such as division by zero surface now, as in PostgreSQL). */
export function foldConstants(e: Expr, ctx: EvalContext): Expr {
  return mapExpr(e, (x) => {
    if (x.kind === 'Const' || x.kind === 'Column' || x.kind === 'Param') return x;
    if (!isConstantExpr(x)) return x;
    return { kind: 'Const', value: evaluate(x, [], ctx), type: x.type };
  });
}

/** An expression ready to run: parameters bound, constants folded. */
export function instantiateExpr(e: Expr, params: readonly Datum[], ctx: EvalContext): Expr {
  return foldConstants(bindParams(e, params), ctx);
}

/** The whole SELECT (and its subqueries) with parameters bound and constants folded. */
export function instantiateSelect(s: BoundSelect, params: readonly Datum[], ctx: EvalContext): BoundSelect {
  const bound = mapSelectExprs(s, (x) => (x.kind === 'Param' ? { kind: 'Const', value: params[x.index] ?? null, type: x.type } : x));
  return mapSelectExprs(bound, (x) => {
    if (x.kind === 'Const' || x.kind === 'Column' || x.kind === 'Param' || !isConstantExpr(x)) return x;
    return { kind: 'Const', value: evaluate(x, [], ctx), type: x.type };
  });
}
