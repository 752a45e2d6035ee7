// Rewrites every expression of a bound SELECT (and of the queries inside it) with one function.
import { mapExpr, walkExpr, type Expr } from '../expr/expr.ts';
import type { BoundSelect, JoinTree, SelectSource } from './bound-select.ts';
import { mapAggregateArgs } from './scope.ts';
import { mapWindowExprs } from './bind-window.ts';

/** A copy of `s` with `fn` applied bottom-up to every expression node, in every nested query. */
export function mapSelectExprs(s: BoundSelect, fn: (e: Expr) => Expr): BoundSelect {
  const f = (e: Expr): Expr => mapExpr(e, fn);
  const fo = (e: Expr | null): Expr | null => (e ? f(e) : null);
  const tree = (t: JoinTree): JoinTree => (t.kind === 'leaf'
    ? { ...t, select: mapSelectExprs(t.select, fn) }
    : { ...t, left: tree(t.left), right: tree(t.right), condition: fo(t.condition) });
  let source: SelectSource = s.source;
  if (source.kind === 'subquery') source = { kind: 'subquery', select: mapSelectExprs(source.select, fn) };
  else if (source.kind === 'join') source = { kind: 'join', tree: tree(source.tree) };
  else if (source.kind === 'setop') source = { ...source, left: mapSelectExprs(source.left, fn), right: mapSelectExprs(source.right, fn) };
  else if (source.kind === 'series') source = { ...source, start: f(source.start), stop: f(source.stop), step: f(source.step), next: f(source.next) };
  else if (source.kind === 'window') source = { kind: 'window', select: mapSelectExprs(source.select, fn), windows: source.windows.map((w) => mapWindowExprs(w, f)) };
  return {
    ...s,
    source,
    where: fo(s.where),
    aggregate: s.aggregate ? {
      groupBy: s.aggregate.groupBy.map(f),
      aggs: s.aggregate.aggs.map((a) => mapAggregateArgs(a, f)),
    } : null,
    having: fo(s.having),
    outputs: s.outputs.map(f),
    orderBy: s.orderBy.map((o) => ({ ...o, expr: f(o.expr) })),
    limit: fo(s.limit),
    offset: fo(s.offset),
    correlated: s.correlated.map(f),
  };
}

/** Calls `visit` on every expression node of `s` and its nested queries. */
export function walkSelectExprs(s: BoundSelect, visit: (e: Expr) => void): void {
  mapSelectExprs(s, (e) => {
    walkExpr(e, visit);
    return e;
  });
}
