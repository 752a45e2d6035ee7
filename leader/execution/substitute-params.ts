// Replaces parameters by their values and folds constant sub-expressions, once per execution.
import type { BoundSelect, JoinTree, SelectSource } from '../../sql/binder/bound-select.ts';
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
  const f = (e: Expr): Expr => instantiateExpr(e, params, ctx);
  const fo = (e: Expr | null): Expr | null => (e ? f(e) : null);
  const tree = (t: JoinTree): JoinTree => (t.kind === 'leaf'
    ? { ...t, select: instantiateSelect(t.select, params, ctx) }
    : { ...t, left: tree(t.left), right: tree(t.right), condition: fo(t.condition) });
  const source: SelectSource = s.source.kind === 'subquery' ? { kind: 'subquery', select: instantiateSelect(s.source.select, params, ctx) }
    : s.source.kind === 'join' ? { kind: 'join', tree: tree(s.source.tree) } : s.source;
  return {
    ...s,
    source,
    where: fo(s.where),
    aggregate: s.aggregate ? {
      groupBy: s.aggregate.groupBy.map(f),
      aggs: s.aggregate.aggs.map((a) => ({ ...a, arg: a.arg ? f(a.arg) : null })),
    } : null,
    having: fo(s.having),
    outputs: s.outputs.map(f),
    orderBy: s.orderBy.map((o) => ({ ...o, expr: f(o.expr) })),
    limit: fo(s.limit),
    offset: fo(s.offset),
  };
}
