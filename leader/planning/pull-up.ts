// Subquery pull-up: a FROM subquery (or view) that only filters and projects is merged into the
// query that reads it, as PostgreSQL's planner does for "simple" subqueries. The outer query then
// scans, joins and aggregates the subquery's own source directly, so its GROUP BY runs on the
// slices instead of on the leader over every row the subquery produced (TPC-H Q7, Q8, Q9, Q22).
import type { BoundSelect } from '../../sql/binder/bound-select.ts';
import { mapAggregateArgs } from '../../sql/binder/scope.ts';
import { mapExpr, type Expr } from '../../sql/expr/expr.ts';

/**
 * Whether `s` can be merged into a query that reads it: no aggregation, DISTINCT, ORDER BY, LIMIT
 * or OFFSET (each would change which rows or how many the outer query sees), and no correlation.
 * Scalar functions here have no side effects and are not volatile, so copying an output expression
 * into every place the outer query uses it changes nothing but where it is computed.
 */
function isSimple(s: BoundSelect): boolean {
  return s.aggregate === null && s.having === null && !s.distinct && s.orderBy.length === 0
    && s.limit === null && s.offset === null && s.correlated.length === 0;
}

function and(a: Expr | null, b: Expr | null): Expr | null {
  if (a === null) return b;
  if (b === null) return a;
  const args = [...(a.kind === 'And' ? a.args : [a]), ...(b.kind === 'And' ? b.args : [b])];
  return { kind: 'And', args, type: a.type };
}

/** `s` with its FROM subquery merged into it, repeatedly, while that subquery is simple. */
export function pullUpSubquery(s: BoundSelect): BoundSelect {
  while (s.source.kind === 'subquery' && isSimple(s.source.select)) {
    const inner = s.source.select;
    const sub = (e: Expr): Expr => mapExpr(e, (x) => (x.kind === 'Column' ? inner.outputs[x.index]! : x));
    const subOrNull = (e: Expr | null): Expr | null => (e === null ? null : sub(e));
    // Outputs and ORDER BY read the source row unless the query aggregates; then they (and HAVING)
    // read the aggregated row, which pull-up leaves as it is.
    const overSource = s.aggregate === null;
    s = {
      ...s,
      source: inner.source,
      inputScope: inner.inputScope,
      where: and(inner.where, subOrNull(s.where)),
      aggregate: s.aggregate === null ? null : {
        groupBy: s.aggregate.groupBy.map(sub),
        aggs: s.aggregate.aggs.map((a) => mapAggregateArgs(a, sub)),
      },
      outputs: overSource ? s.outputs.map(sub) : s.outputs,
      orderBy: overSource ? s.orderBy.map((o) => ({ ...o, expr: sub(o.expr) })) : s.orderBy,
      correlated: s.correlated.map(sub),
    };
  }
  return s;
}
