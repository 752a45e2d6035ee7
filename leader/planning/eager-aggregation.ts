// Eager aggregation (group-by placement): when a GROUP BY over inner joins aggregates columns of
// some inputs only (the "fact" side) and groups by columns of the others (the "dimension" side)
// joined to it by equalities, the fact side is aggregated first, grouped by its join columns, and
// the dimensions join the (fewer, narrower) partial results:
//
//   SELECT c_name, sum(l_price) FROM customer, orders, lineitem WHERE c_custkey = o_custkey AND ...
//   GROUP BY c_custkey, c_name
// becomes
//   SELECT c_name, sum(d.s) FROM customer,
//     (SELECT o_custkey, sum(l_price) AS s FROM orders, lineitem WHERE ... GROUP BY o_custkey) d
//   WHERE c_custkey = d.o_custkey GROUP BY c_custkey, c_name
//
// Every outer group takes the partial sums of exactly the fact rows it took before, so sums,
// counts, minimums and maximums come out the same (count becomes a sum of counts). The wide
// dimension columns (names, addresses, comments) then join a few partial rows instead of every
// fact row, and the dimension can be scanned where it lies with the partials broadcast (TPC-H Q10).
// Applied only when the dimensions are unfiltered lookups (joining them drops no fact rows, so
// nothing is aggregated that the joins would have discarded) and ANALYZE's statistics bound the
// partial groups to a few hundred thousand: the leader merges and broadcasts them.
import type { BoundSelect, JoinTree } from '../../sql/binder/bound-select.ts';
import { aggregateArgs, type AggregateCall, type ScopeColumn } from '../../sql/binder/scope.ts';
import { columnEquality, mapExpr, walkExpr, type ColumnRef, type Expr } from '../../sql/expr/expr.ts';
import { resolveAggregate } from '../../sql/functions/aggregates.ts';
import { T, type SqlType } from '../../sql/types/sql-type.ts';
import type { TableDef } from '../catalog/catalog-types.ts';
import { filterSelectivity } from './selectivity.ts';

/** A table's definition (statistics included) by OID. */
export type TableLookup = (tableOid: number) => TableDef | undefined;

/**
 * The most partial groups (estimated) that eager aggregation produces. COLONNADE_EAGER_AGG_MAX_GROUPS
 * changes it (0 turns the rewrite off).
 */
export const EAGER_MAX_GROUPS = Number(process.env['COLONNADE_EAGER_AGG_MAX_GROUPS'] ?? 200_000);

interface Leaf {
  readonly select: BoundSelect;
  readonly offset: number;
  readonly width: number;
}

function conjunctsOf(e: Expr): Expr[] {
  return e.kind === 'And' ? e.args.flatMap(conjunctsOf) : [e];
}

function shifted(e: Expr, by: number): Expr {
  return by === 0 ? e : mapExpr(e, (x) => (x.kind === 'Column' ? { ...x, index: x.index + by } : x));
}

/** The leaves of a tree of inner joins and its conditions' conjuncts (over joined positions); false for other joins. */
function flatten(t: JoinTree, offset: number, leaves: Leaf[], conds: Expr[]): boolean {
  if (t.kind === 'leaf') {
    leaves.push({ select: t.select, offset, width: t.width });
    return true;
  }
  if (t.joinType !== 'inner' || !flatten(t.left, offset, leaves, conds) || !flatten(t.right, offset + t.left.width, leaves, conds)) return false;
  if (t.condition) conds.push(...conjunctsOf(shifted(t.condition, offset)));
  return true;
}

/** Whether the aggregate's partial results combine exactly, and how (the outer aggregate's name). */
function outerName(a: AggregateCall): string | null {
  if (a.distinct || a.arg2 !== undefined || a.options !== undefined) return null;
  switch (a.name) {
    case 'count': return 'sum';
    case 'min': case 'max': return a.name;
    // Floating-point sums would round differently added in another order.
    case 'sum': return a.arg !== null && ['int2', 'int4', 'int8', 'numeric'].includes(a.arg.type.id) ? 'sum' : null;
    default: return null;
  }
}

/** A left-deep tree of inner joins over `leaves`, every condition on top (the join planners gather them). */
function joinTree(leaves: readonly JoinTree[], condition: Expr | null): JoinTree {
  let t = leaves[0]!;
  for (let i = 1; i < leaves.length; i++) {
    const right = leaves[i]!;
    t = { kind: 'join', joinType: 'inner', left: t, right, condition: i === leaves.length - 1 ? condition : null, width: t.width + right.width };
  }
  return t;
}

function and(exprs: readonly Expr[]): Expr | null {
  if (exprs.length === 0) return null;
  return exprs.length === 1 ? exprs[0]! : { kind: 'And', args: [...exprs], type: T.bool };
}

function derivedColumn(name: string, type: SqlType): ScopeColumn {
  return { name, table: null, type, tableOid: 0, attnum: 0 };
}

/**
 * `s` with its aggregation pushed below the joins to its dimension inputs, or `s` itself when the
 * shape does not allow it or statistics do not show it pays.
 */
export function eagerAggregate(s: BoundSelect, tables: TableLookup | undefined): BoundSelect {
  if (tables === undefined || EAGER_MAX_GROUPS <= 0) return s;
  if (s.source.kind !== 'join' || s.aggregate === null || s.where !== null || s.correlated.length > 0) return s;
  const { groupBy, aggs } = s.aggregate;
  if (groupBy.length === 0 || aggs.length === 0 || aggs.some((a) => outerName(a) === null)) return s;
  const leaves: Leaf[] = [];
  const conds: Expr[] = [];
  if (!flatten(s.source.tree, 0, leaves, conds) || leaves.length < 2) return s;

  const leafOf = (pos: number): number => leaves.findIndex((l) => pos >= l.offset && pos < l.offset + l.width);
  // Conditions over one input (an ON clause's filter) filter that input's rows, as in its WHERE.
  for (let i = conds.length - 1; i >= 0; i--) {
    const read = new Set<number>();
    walkExpr(conds[i]!, (x) => { if (x.kind === 'Column') read.add(leafOf(x.index)); });
    if (read.size !== 1) continue;
    const l = [...read][0]!;
    const leaf = leaves[l]!;
    const local = shifted(conds[i]!, -leaf.offset);
    leaves[l] = { ...leaf, select: { ...leaf.select, where: leaf.select.where === null ? local : and([...conjunctsOf(leaf.select.where), local]) } };
    conds.splice(i, 1);
  }
  /** The leaves an expression reads; null when it reads anything but columns of this row. */
  const leavesRead = (e: Expr): Set<number> | null => {
    const out = new Set<number>();
    let plain = true;
    walkExpr(e, (x) => {
      if (x.kind === 'Column') out.add(leafOf(x.index));
      else if (x.kind === 'Outer' || x.kind === 'Subquery' || (x.kind === 'Call' && x.fn === 'random')) plain = false;
    });
    return plain ? out : null;
  };

  // The fact side: the inputs the aggregates read, and maybe some joined to them (orders with
  // lineitem in TPC-H Q10: grouped by o_custkey there are far fewer partial groups than by
  // l_orderkey). Of the choices, the one with the fewest partial groups by statistics.
  const argLeaves = new Set<number>();
  for (const a of aggs) {
    for (const e of aggregateArgs(a)) {
      const ls = leavesRead(e);
      if (ls === null) return s;
      for (const l of ls) argLeaves.add(l);
    }
  }
  if (argLeaves.size === 0 || argLeaves.size === leaves.length) return s;
  if (conds.some((c) => leavesRead(c) === null) || groupBy.some((g) => leavesRead(g) === null)) return s;
  const free = leaves.map((_l, i) => i).filter((i) => !argLeaves.has(i));
  if (free.length > MAX_CHOICE_INPUTS) return s;
  let best: Split | null = null;
  for (let mask = 0; mask < (1 << free.length) - 1; mask++) {
    const fact = new Set(argLeaves);
    free.forEach((l, b) => { if ((mask & (1 << b)) !== 0) fact.add(l); });
    const split = splitFor(fact, leaves, conds, groupBy, leafOf, leavesRead, tables);
    if (split !== null && (best === null || split.groups < best.groups)) best = split;
  }
  if (best === null) return s;
  const { fact, inner, outer, between, factGroups, keyCols, partialKeys } = best;
  const isFact = (l: number): boolean => fact.has(l);
  const factLeaves = [...fact].sort((a, b) => a - b);

  // Fact-side positions (joined row) → positions in the fact join's row.
  const { positions: factPos } = renumbered(factLeaves, leaves);
  const toFact = (e: Expr): Expr => mapExpr(e, (x) => (x.kind === 'Column' ? { ...x, index: factPos.get(x.index)! } : x));

  // The partial aggregates and how the outer query combines them.
  const partialAggs: AggregateCall[] = aggs.map((a) => ({ ...a, arg: a.arg === null ? null : toFact(a.arg) }));
  const k = partialKeys.length;
  const innerOutputs: Expr[] = [];
  const innerColumns: ScopeColumn[] = [];
  partialKeys.forEach((e, i) => { innerOutputs.push({ kind: 'Column', index: i, type: e.type }); innerColumns.push(derivedColumn(`key${i}`, e.type)); });
  partialAggs.forEach((a, i) => { innerOutputs.push({ kind: 'Column', index: k + i, type: a.type }); innerColumns.push(derivedColumn(`partial${i}`, a.type)); });
  const factTree = joinTree(factLeaves.map((l) => ({ kind: 'leaf', select: leaves[l]!.select, width: leaves[l]!.width })), and(inner.map(toFact)));
  const partial: BoundSelect = {
    source: { kind: 'join', tree: factTree },
    inputScope: factLeaves.flatMap((l) => s.inputScope.slice(leaves[l]!.offset, leaves[l]!.offset + leaves[l]!.width)),
    where: null,
    aggregate: { groupBy: partialKeys.map(toFact), aggs: partialAggs },
    having: null, outputs: innerOutputs, outputColumns: innerColumns,
    orderBy: [], distinct: false, limit: null, offset: null, correlated: [],
  };

  // The outer query: the dimension inputs in their order, then the partial results.
  const dimLeaves = leaves.map((_l, i) => i).filter((i) => !isFact(i));
  const { positions: dimPos, width: derivedAt } = renumbered(dimLeaves, leaves);
  const toOuter = (e: Expr): Expr => mapExpr(e, (x) => (x.kind === 'Column' ? { ...x, index: dimPos.get(x.index)! } : x));
  const joinConds = [
    ...outer.map(toOuter),
    ...between.map(({ fact: f, dim }): Expr => ({
      kind: 'Call', fn: 'eq', type: T.bool,
      args: [toOuter(dim), { kind: 'Column', index: derivedAt + keyCols.findIndex((c) => c.index === f.index), type: f.type }],
    })),
  ];
  const derivedLeaf: BoundSelect = {
    source: { kind: 'subquery', select: partial }, inputScope: innerColumns, where: null, aggregate: null, having: null,
    outputs: innerOutputs, outputColumns: innerColumns, orderBy: [], distinct: false, limit: null, offset: null, correlated: [],
  };
  const tree = joinTree([
    ...dimLeaves.map((l): JoinTree => ({ kind: 'leaf', select: leaves[l]!.select, width: leaves[l]!.width })),
    { kind: 'leaf', select: derivedLeaf, width: innerOutputs.length },
  ], and(joinConds));
  const outerGroupBy = groupBy.map((e, g) => {
    const at = factGroups.indexOf(g);
    return at < 0 ? toOuter(e) : { kind: 'Column' as const, index: derivedAt + keyCols.length + at, type: e.type };
  });
  const casts = new Map<number, SqlType>();
  const outerAggs = aggs.map((a, i): AggregateCall => {
    const name = outerName(a)!;
    const argType = partialAggs[i]!.type;
    const type = resolveAggregate(name, argType)?.returns ?? a.type;
    if (type.id !== a.type.id) casts.set(groupBy.length + i, a.type);
    return { name, arg: { kind: 'Column', index: derivedAt + k + i, type: argType }, distinct: false, type };
  });
  // Over the aggregated row [groups..., aggregates...]: a sum of counts (numeric) is cast back to int8, etc.
  const post = (e: Expr): Expr => mapExpr(e, (x) => {
    if (x.kind !== 'Column') return x;
    const to = casts.get(x.index);
    return to === undefined ? x : { kind: 'Cast', arg: { ...x, type: outerAggs[x.index - groupBy.length]!.type }, type: to };
  });
  return {
    ...s,
    source: { kind: 'join', tree },
    inputScope: [...dimLeaves.flatMap((l) => s.inputScope.slice(leaves[l]!.offset, leaves[l]!.offset + leaves[l]!.width)), ...innerColumns],
    aggregate: { groupBy: outerGroupBy, aggs: outerAggs },
    having: s.having === null ? null : post(s.having),
    outputs: s.outputs.map(post),
    orderBy: s.orderBy.map((o) => ({ ...o, expr: post(o.expr) })),
  };
}

/** Joined-row positions of `chosen` leaves → positions in a row of those leaves alone, and its width. */
function renumbered(chosen: readonly number[], leaves: readonly Leaf[]): { positions: Map<number, number>; width: number } {
  const positions = new Map<number, number>();
  let width = 0;
  for (const l of chosen) {
    const leaf = leaves[l]!;
    for (let o = 0; o < leaf.width; o++) positions.set(leaf.offset + o, width + o);
    width += leaf.width;
  }
  return { positions, width };
}

/** How a choice of fact inputs splits the query, and its partial groups by statistics. */
interface Split {
  readonly fact: ReadonlySet<number>;
  /** Conditions within the fact side, within the dimensions, and the equalities between. */
  readonly inner: readonly Expr[];
  readonly outer: readonly Expr[];
  readonly between: readonly { readonly fact: ColumnRef; readonly dim: ColumnRef }[];
  /** Positions in GROUP BY of the keys over the fact side. */
  readonly factGroups: readonly number[];
  /** The fact columns of the equalities (once each); then partial keys = those, then the fact-side group keys. */
  readonly keyCols: readonly ColumnRef[];
  readonly partialKeys: readonly Expr[];
  readonly groups: number;
}

/** Inputs joined to the aggregated ones that may join the fact side too, at most (2^n choices). */
const MAX_CHOICE_INPUTS = 8;

/** The split for fact inputs `fact`, or null when it cannot be done or would not pay. */
function splitFor(
  fact: ReadonlySet<number>, leaves: readonly Leaf[], conds: readonly Expr[], groupBy: readonly Expr[],
  leafOf: (pos: number) => number, leavesRead: (e: Expr) => Set<number> | null, tables: TableLookup,
): Split | null {
  const isFact = (l: number): boolean => fact.has(l);
  // Conditions within the fact side go with it; those within the dimensions stay; those between
  // must be equalities fact column = dimension column, whose fact column becomes a partial group key.
  const inner: Expr[] = [];
  const outer: Expr[] = [];
  const between: { fact: ColumnRef; dim: ColumnRef }[] = [];
  for (const c of conds) {
    const ls = leavesRead(c)!;
    const facts = [...ls].filter(isFact).length;
    if (facts === 0) outer.push(c);
    else if (facts === ls.size) inner.push(c);
    else {
      const eq = columnEquality(c);
      if (eq === null || eq[0].type.id !== eq[1].type.id) return null;
      const [a, b] = eq;
      between.push(isFact(leafOf(a.index)) ? { fact: a, dim: b } : { fact: b, dim: a });
    }
  }
  if (between.length === 0) return null;
  // The dimensions must only look rows up, not drop fact rows: a filter there (region = 'ASIA')
  // would cut the fact join before the aggregation, which then ought to stay above it.
  for (let l = 0; l < leaves.length; l++) if (!isFact(l) && leaves[l]!.select.where !== null) return null;
  if (outer.some((c) => columnEquality(c) === null)) return null;
  // Group keys over the fact side alone are computed there; the others must not read it.
  const factGroups: number[] = [];
  for (let g = 0; g < groupBy.length; g++) {
    const ls = leavesRead(groupBy[g]!)!;
    const facts = [...ls].filter(isFact).length;
    if (facts > 0 && facts < ls.size) return null;
    if (facts > 0) factGroups.push(g);
  }
  // The fact inputs must join among themselves (no cross product inside).
  const reached = new Set([Math.min(...fact)]);
  for (let grew = true; grew;) {
    grew = false;
    for (const c of inner) {
      const ls = [...leavesRead(c)!];
      if (ls.length > 1 && ls.some((l) => reached.has(l)) && ls.some((l) => !reached.has(l))) {
        for (const l of ls) reached.add(l);
        grew = true;
      }
    }
  }
  if (reached.size !== fact.size) return null;
  const keyCols: ColumnRef[] = [];
  for (const { fact: f } of between) if (!keyCols.some((k) => k.index === f.index)) keyCols.push(f);
  const partialKeys: Expr[] = [...keyCols, ...factGroups.map((g) => groupBy[g]!)];
  const groups = partialGroups(partialKeys, leaves, leafOf, tables);
  if (groups === null || groups > EAGER_MAX_GROUPS) return null;
  return { fact, inner, outer, between, factGroups, keyCols, partialKeys, groups };
}

/**
 * The partial groups by ANALYZE's statistics: per fact input, its filtered rows or the product of
 * its key columns' distinct counts, whichever is smaller, multiplied over the inputs; null without
 * statistics.
 */
function partialGroups(keys: readonly Expr[], leaves: readonly Leaf[], leafOf: (pos: number) => number, tables: TableLookup): number | null {
  const perLeaf = new Map<number, Set<number>>();
  for (const e of keys) {
    walkExpr(e, (x) => {
      if (x.kind !== 'Column') return;
      const l = leafOf(x.index);
      let set = perLeaf.get(l);
      if (set === undefined) perLeaf.set(l, set = new Set());
      set.add(x.index - leaves[l]!.offset);
    });
  }
  let groups = 1;
  for (const [l, cols] of perLeaf) {
    const sel = leaves[l]!.select;
    if (sel.source.kind !== 'table') return null;
    const table = tables(sel.source.tableOid);
    const stats = table?.stats;
    if (table === undefined || stats === undefined) return null;
    const identity = table.columns.map((_c, i) => i);
    const rows = stats.rows * filterSelectivity(sel.where, identity, table);
    let distinct = 1;
    for (const o of cols) {
      const out = sel.outputs[o];
      const st = out?.kind === 'Column' ? stats.columns[out.index] : undefined;
      if (st === undefined) return null;
      distinct *= Math.max(1, st.distinct) + (st.nullFrac > 0 ? 1 : 0);
    }
    groups *= Math.min(rows, distinct);
  }
  return groups;
}
