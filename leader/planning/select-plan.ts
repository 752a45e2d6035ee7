// Splits a bound SELECT into the fragment every slice runs and the final step on the leader.
import type { AggSpec, Fragment, SortKey, TopNSpec } from '../../compute/fragment/fragment.ts';
import { toTaggedJson } from '../../common/tagged-json.ts';
import type { BoundSelect, JoinTree, JoinType, SelectSource } from '../../sql/binder/bound-select.ts';
import { aggregateArgs, mapAggregateArgs } from '../../sql/binder/scope.ts';
import type { Expr } from '../../sql/expr/expr.ts';
import type { SqlType } from '../../sql/types/sql-type.ts';
import type { Datum } from '../../sql/types/datum.ts';
import { zoneFiltersFor } from './zone-filters.ts';
import { pullUpSubquery } from './pull-up.ts';
import { eagerAggregate, type TableLookup } from './eager-aggregation.ts';

/** What the leader does with the rows the fragments return. */
export interface FinalStep {
  /** Merge partial aggregates: group count and the aggregate calls (with argument types). */
  readonly aggregate: { readonly groupCount: number; readonly aggs: readonly { name: string; argType: SqlType | null; distinct: boolean; options?: readonly Datum[] }[] } | null;
  /** Over the merged row [groups..., aggs...]. */
  readonly having: Expr | null;
  /** Compute the final row [outputs..., hidden sort keys...]; null = the fragment already did. */
  readonly project: readonly Expr[] | null;
  readonly distinct: boolean;
  readonly sortKeys: readonly SortKey[];
  readonly limit: Expr | null;
  readonly offset: Expr | null;
  /** Number of leading columns the client sees. */
  readonly visible: number;
}

/** A planned SELECT. */
export interface SelectPlan {
  readonly source: SelectSource;
  /** Runs per slice for tables; locally over the source rows otherwise. tableOid is 0 for non-tables. */
  readonly fragment: Fragment;
  readonly final: FinalStep;
  /** Plans of subquery sources, computed before this one. */
  readonly subplan: SelectPlan | null;
  /** For join sources: the join tree with a plan at each leaf. */
  readonly joinPlan: JoinPlan | null;
  /** For set operations: the plans of both branches. */
  readonly setPlans: readonly [SelectPlan, SelectPlan] | null;
}

/** A join tree with planned leaves; joins run on the leader over the leaves' rows. */
export type JoinPlan =
  | { readonly kind: 'leaf'; readonly plan: SelectPlan; readonly width: number; readonly types: readonly SqlType[] }
  | { readonly kind: 'join'; readonly joinType: JoinType; readonly left: JoinPlan; readonly right: JoinPlan; readonly condition: Expr | null; readonly width: number };

/** The SQL types of a join tree's output row (a semi or anti join outputs its left side only). */
export function joinPlanTypes(j: JoinPlan): SqlType[] {
  if (j.kind === 'leaf') return [...j.types];
  return [...joinPlanTypes(j.left), ...joinPlanTypes(j.right)].slice(0, j.width);
}

/** Absolute positions (in the joined row) that the join conditions of a tree use. */
function conditionColumns(t: JoinTree, offset: number, out: Set<number>): void {
  if (t.kind === 'leaf') return;
  if (t.condition) for (const c of usedColumns([t.condition])) out.add(offset + c);
  conditionColumns(t.left, offset, out);
  // A semi or anti join's condition sees the right side after the left's columns, like any join.
  conditionColumns(t.right, offset + t.left.width, out);
}

/**
 * Plans a join tree. Leaf columns nobody uses (`needed` holds joined-row positions) are replaced
 * by NULL constants: the slices neither read nor ship them, and the leader holds no values for them.
 */
function planJoin(t: JoinTree, offset: number, needed: ReadonlySet<number>, tables: TableLookup | undefined): JoinPlan {
  if (t.kind === 'leaf') {
    const outputs = t.select.outputs.map((e, i): Expr => (needed.has(offset + i) ? e : { kind: 'Const', value: null, type: e.type }));
    return { kind: 'leaf', plan: planSelect({ ...t.select, outputs }, tables), width: t.width, types: outputs.map((e) => e.type) };
  }
  // Semi and anti joins keep only the left columns, but their right side is still read for the condition.
  const rightOffset = offset + t.left.width;
  return {
    kind: 'join', joinType: t.joinType, condition: t.condition, width: t.width,
    left: planJoin(t.left, offset, needed, tables), right: planJoin(t.right, rightOffset, needed, tables),
  };
}

/** Column indexes of the source row that expressions use (so the scan reads only those). */
function usedColumns(exprs: readonly (Expr | null)[]): number[] {
  const used = new Set<number>();
  const visit = (e: Expr): void => {
    if (e.kind === 'Column') used.add(e.index);
    switch (e.kind) {
      case 'Call': case 'And': case 'Or': e.args.forEach(visit); break;
      case 'Not': case 'IsNull': case 'Cast': visit(e.arg); break;
      case 'Case': e.whens.forEach((w) => { visit(w.when); visit(w.then); }); if (e.otherwise) visit(e.otherwise); break;
      case 'InList': visit(e.arg); e.list.forEach(visit); break;
      case 'InSet': visit(e.arg); break;
      default: break;
    }
  };
  for (const e of exprs) if (e) visit(e);
  return [...used].sort((a, b) => a - b);
}

/** Renumbers Column references through `map` (old index → new index). */
function remap(e: Expr, map: Map<number, number>): Expr {
  switch (e.kind) {
    case 'Column': return { ...e, index: map.get(e.index)! };
    case 'Call': return { ...e, args: e.args.map((a) => remap(a, map)) };
    case 'And': case 'Or': return { ...e, args: e.args.map((a) => remap(a, map)) };
    case 'Not': case 'IsNull': case 'Cast': return { ...e, arg: remap(e.arg, map) };
    case 'Case': return { ...e, whens: e.whens.map((w) => ({ when: remap(w.when, map), then: remap(w.then, map) })), otherwise: e.otherwise ? remap(e.otherwise, map) : null };
    case 'InList': return { ...e, arg: remap(e.arg, map), list: e.list.map((a) => remap(a, map)) };
    case 'InSet': return { ...e, arg: remap(e.arg, map) };
    default: return e;
  }
}

/** Output exprs plus ORDER BY exprs not among them; sort keys index into that row. */
function withOrderColumns(outputs: readonly Expr[], s: BoundSelect): { exprs: Expr[]; keys: SortKey[] } {
  const exprs = [...outputs];
  const keyOf = outputs.map((e) => toTaggedJson(e));
  const keys: SortKey[] = s.orderBy.map((o) => {
    const k = toTaggedJson(o.expr);
    let index = keyOf.indexOf(k);
    if (index < 0) {
      exprs.push(o.expr);
      keyOf.push(k);
      index = exprs.length - 1;
    }
    return { index, desc: o.desc, nullsFirst: o.nullsFirst };
  });
  return { exprs, keys };
}

/**
 * What each slice may keep of its rows under ORDER BY ... LIMIT (plus OFFSET): the leader sorts
 * the slices' rows again and cuts, so each slice's first limit + offset rows suffice. Null without
 * an order, under DISTINCT, or when a count is not a known non-negative integer (a negative one is
 * the leader's error to raise, a NULL one means no limit).
 */
export function topNOf(keys: readonly SortKey[], distinct: boolean, limit: Expr | null, offset: Expr | null): TopNSpec | null {
  const n = limit?.kind === 'Const' && limit.value !== null ? Number(limit.value) : NaN;
  const skip = offset === null ? 0 : offset.kind === 'Const' ? Number(offset.value ?? 0) : NaN;
  if (keys.length === 0 || distinct || !Number.isSafeInteger(n) || !Number.isSafeInteger(skip) || n < 0 || skip < 0) return null;
  return { keys, limit: n + skip };
}

/**
 * Plans a bound SELECT (parameters already substituted). With `tables` (definitions and
 * statistics), plans that depend on statistics are considered too (eager aggregation).
 */
export function planSelect(bound: BoundSelect, tables?: TableLookup): SelectPlan {
  const s = eagerAggregate(pullUpSubquery(bound), tables);
  const tableOid = s.source.kind === 'table' ? s.source.tableOid : 0;
  const subplan = s.source.kind === 'subquery' || s.source.kind === 'window' ? planSelect(s.source.select, tables) : null;
  let joinPlan: JoinPlan | null = null;
  if (s.source.kind === 'join') {
    const needed = new Set<number>(usedColumns([s.where, ...(s.aggregate ? [...s.aggregate.groupBy, ...s.aggregate.aggs.flatMap(aggregateArgs)] : withOrderColumns(s.outputs, s).exprs)]));
    conditionColumns(s.source.tree, 0, needed);
    joinPlan = planJoin(s.source.tree, 0, needed, tables);
  }
  const setPlans: [SelectPlan, SelectPlan] | null = s.source.kind === 'setop' ? [planSelect(s.source.left, tables), planSelect(s.source.right, tables)] : null;
  const aggArgs = s.aggregate ? s.aggregate.aggs.flatMap(aggregateArgs) : [];
  const inputExprs: (Expr | null)[] = s.aggregate
    ? [s.where, ...s.aggregate.groupBy, ...aggArgs]
    : [s.where, ...withOrderColumns(s.outputs, s).exprs];
  const scanColumns = usedColumns(inputExprs);
  const scanTypes = scanColumns.map((c) => s.inputScope[c]!.type);
  const map = new Map(scanColumns.map((c, i) => [c, i]));
  const r = (e: Expr): Expr => remap(e, map);
  const filter = s.where ? r(s.where) : null;
  const visible = s.outputs.length;

  if (s.aggregate) {
    const aggs: AggSpec[] = s.aggregate.aggs.map((a) => mapAggregateArgs({ name: a.name, arg: a.arg, ...(a.arg2 ? { arg2: a.arg2 } : {}), distinct: a.distinct, ...(a.options ? { options: a.options } : {}) }, r));
    const { exprs, keys } = withOrderColumns(s.outputs, s);
    return {
      source: s.source, subplan, joinPlan, setPlans,
      fragment: { tableOid, scanColumns, scanTypes, zoneFilters: zoneFiltersFor(filter, scanColumns), filter, mode: { kind: 'aggregate', groupBy: s.aggregate.groupBy.map(r), aggs } },
      final: {
        aggregate: { groupCount: s.aggregate.groupBy.length, aggs: s.aggregate.aggs.map((a) => ({ name: a.name, argType: a.arg ? a.arg.type : null, distinct: a.distinct, ...(a.options ? { options: a.options } : {}) })) },
        having: s.having, project: exprs, distinct: s.distinct, sortKeys: keys, limit: s.limit, offset: s.offset, visible,
      },
    };
  }
  const { exprs, keys } = withOrderColumns(s.outputs, s);
  // Top-N on each slice when the final order and limit are known and no DISTINCT intervenes.
  const topN = topNOf(keys, s.distinct, s.limit, s.offset);
  return {
    source: s.source, subplan, joinPlan, setPlans,
    fragment: { tableOid, scanColumns, scanTypes, zoneFilters: zoneFiltersFor(filter, scanColumns), filter, mode: { kind: 'project', exprs: exprs.map(r), topN } },
    final: { aggregate: null, having: null, project: null, distinct: s.distinct, sortKeys: keys, limit: s.limit, offset: s.offset, visible },
  };
}
