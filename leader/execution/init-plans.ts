// Computes uncorrelated subqueries once before the statement runs and puts their values in place.
import { SqlError, SqlState } from '../../common/errors/index.ts';
import type { BoundSelect } from '../../sql/binder/bound-select.ts';
import { mapSelectExprs, walkSelectExprs } from '../../sql/binder/map-select.ts';
import type { Expr } from '../../sql/expr/expr.ts';
import type { Datum } from '../../sql/types/datum.ts';

/** Runs a subquery to completion. */
export type SubqueryRunner = (select: BoundSelect) => Promise<Datum[][]>;

/** The value an InitPlan with result `rows` contributes to the expression that contains it. */
function replacement(e: Extract<Expr, { kind: 'Subquery' }>, rows: readonly Datum[][]): Expr {
  switch (e.mode) {
    case 'scalar':
      if (rows.length > 1) throw new SqlError(SqlState.CARDINALITY_VIOLATION, 'more than one row returned by a subquery used as an expression');
      return { kind: 'Const', value: rows.length === 0 ? null : rows[0]![0] ?? null, type: e.type };
    case 'exists':
      return { kind: 'Const', value: rows.length > 0, type: e.type };
    case 'in': {
      // Over no rows IN is false and NOT IN true, even for a NULL on the left.
      if (rows.length === 0) return { kind: 'Const', value: e.negated, type: e.type };
      const type = e.select.outputs[0]!.type;
      return { kind: 'InList', arg: e.arg!, list: rows.map((r) => ({ kind: 'Const', value: r[0] ?? null, type })), negated: e.negated, type: e.type };
    }
  }
}

/** `s` with every uncorrelated subquery (InitPlan) replaced by its result. */
export async function materializeSubqueries(s: BoundSelect, run: SubqueryRunner): Promise<BoundSelect> {
  const found: Extract<Expr, { kind: 'Subquery' }>[] = [];
  walkSelectExprs(s, (e) => {
    if (e.kind === 'Subquery') found.push(e);
  });
  if (found.length === 0) return s;
  // Keyed by the subquery: rewriting the outer expressions may copy the Subquery node itself.
  const results = new Map<BoundSelect, Datum[][]>();
  for (const e of found) if (!results.has(e.select)) results.set(e.select, await run(await materializeSubqueries(e.select, run)));
  return mapSelectExprs(s, (e) => (e.kind === 'Subquery' && results.has(e.select) ? replacement(e, results.get(e.select)!) : e));
}
