// Binds a SELECT statement: FROM, target list with * expansion, WHERE, GROUP BY / HAVING with
// aggregates, DISTINCT, ORDER BY (ordinals, output names, expressions), LIMIT / OFFSET.
import { SqlError, SqlState, featureNotSupported } from '../../common/errors/index.ts';
import { toTaggedJson } from '../../common/tagged-json.ts';
import {
  constValue, errorPosition, list, location, node, nodeTag, rangeVarName, strs, type NodeOf, type QualifiedName,
} from '../parser/index.ts';
import { mapExpr, walkExpr, type Expr } from '../expr/expr.ts';
import { T, formatTypeName, type SqlType } from '../types/sql-type.ts';
import { bindCall, bindExpr, coerce, figureColumnName, sortDirection } from './bind-expr.ts';
import type { BoundOrderItem, BoundSelect, JoinTree, JoinType, SelectSource } from './bound-select.ts';
import { AGG_PLACEHOLDER_BASE, WINDOW_PLACEHOLDER_BASE, aggregateArgs, type AggregateCall, type BindContext, type ScopeColumn, type WindowCollector } from './scope.ts';
import { hasWindow, mapWindowExprs, splitWindows, windowDefinitions } from './bind-window.ts';
import { groupingSetsOf, hasGroupingCall, indexSets, replaceGrouping, unionOfSets } from './grouping-sets.ts';
import { subqueryHost } from './bind-subquery.ts';
import { bindFunctionScan } from './bind-function-scan.ts';
import type { FunctionLookup } from './user-functions.ts';
import { bindSetOperation, bindValues, withCtes } from './bind-set-operation.ts';

/** What a name in FROM refers to, as the catalog answers. */
export type ResolvedRelation =
  | { readonly kind: 'table'; readonly tableOid: number; readonly name: string; readonly columns: readonly { name: string; type: SqlType }[] }
  | { readonly kind: 'system'; readonly name: string; readonly columns: readonly { name: string; type: SqlType }[] }
  | { readonly kind: 'view'; readonly name: string; readonly bind: (params: SqlType[]) => BoundSelect };

/** Looks relations up in the catalog (42P01 when missing). */
export interface RelationResolver {
  resolve(name: QualifiedName, position: number | undefined): ResolvedRelation;
  /** User-defined functions by name (inlined where called). */
  readonly functions?: FunctionLookup;
}

function pos(n: unknown): { position?: number } {
  const p = errorPosition(location(n));
  return p === undefined ? {} : { position: p };
}

/** A FROM item while binding: a leaf select or a join, with its columns. */
export type FromItem =
  | { kind: 'leaf'; select: BoundSelect; scope: ScopeColumn[] }
  | { kind: 'join'; joinType: JoinType; left: FromItem; right: FromItem; condition: Expr | null; scope: ScopeColumn[] };

/** "SELECT every column FROM source": the leaf of a join tree. */
export function leafSelect(source: SelectSource, scope: ScopeColumn[]): BoundSelect {
  return {
    source, inputScope: scope, where: null, aggregate: null, having: null,
    outputs: scope.map((c, i) => ({ kind: 'Column', index: i, type: c.type })),
    outputColumns: scope, orderBy: [], distinct: false, limit: null, offset: null, correlated: [],
  };
}

function bindFromItem(item: unknown, resolver: RelationResolver, params: SqlType[]): FromItem {
  const tag = nodeTag(item);
  if (tag === 'RangeVar') {
    const rv = node(item, 'RangeVar')!;
    const name = rangeVarName(item);
    const alias = rv.alias?.aliasname ?? name.name;
    const rel = resolver.resolve(name, errorPosition(location(item)));
    const colAliases = strs(rv.alias?.colnames);
    if (rel.kind === 'view') {
      const inner = rel.bind(params);
      const scope = inner.outputColumns.map((c, i) => ({ ...c, name: colAliases[i] ?? c.name, table: alias }));
      return { kind: 'leaf', select: leafSelect({ kind: 'subquery', select: inner }, scope), scope };
    }
    const scope = rel.columns.map((c, i) => ({
      name: colAliases[i] ?? c.name, table: alias, type: c.type,
      tableOid: rel.kind === 'table' ? rel.tableOid : 0, attnum: rel.kind === 'table' ? i + 1 : 0,
    }));
    const source: SelectSource = rel.kind === 'table' ? { kind: 'table', tableOid: rel.tableOid } : { kind: 'system', name: rel.name };
    return { kind: 'leaf', select: leafSelect(source, scope), scope };
  }
  if (tag === 'RangeSubselect') {
    const rs = node(item, 'RangeSubselect')!;
    if (rs.lateral) throw featureNotSupported('LATERAL', pos(item));
    const inner = bindSelect(rs.subquery, resolver, params);
    const alias = rs.alias?.aliasname ?? null;
    const colAliases = strs(rs.alias?.colnames);
    const scope = inner.outputColumns.map((c, i) => ({ ...c, name: colAliases[i] ?? c.name, table: alias }));
    return { kind: 'leaf', select: leafSelect({ kind: 'subquery', select: inner }, scope), scope };
  }
  if (tag === 'RangeFunction') {
    const { source, scope } = bindFunctionScan(item, params);
    return { kind: 'leaf', select: leafSelect(source, scope), scope };
  }
  if (tag === 'JoinExpr') {
    const j = node(item, 'JoinExpr')!;
    const left = bindFromItem(j.larg, resolver, params);
    const right = bindFromItem(j.rarg, resolver, params);
    const joinType: JoinType = j.jointype === 'JOIN_LEFT' ? 'left' : j.jointype === 'JOIN_RIGHT' ? 'right' : j.jointype === 'JOIN_FULL' ? 'full' : 'inner';
    if (j.alias !== undefined) throw featureNotSupported('aliases on JOIN expressions', pos(item));
    let lscope = left.scope;
    let rscope = right.scope;
    let condition: Expr | null = null;
    let usingNames = strs(j.usingClause);
    if (j.isNatural) usingNames = lscope.filter((c) => !c.merged && rscope.some((r) => !r.merged && r.name === c.name)).map((c) => c.name);
    if (usingNames.length > 0) {
      if (joinType === 'full') throw featureNotSupported('FULL JOIN with USING or NATURAL', pos(item));
      const ctx: BindContext = { scope: [...lscope, ...rscope], params, aggregates: null, clause: 'JOIN/USING', ...(resolver.functions ? { functions: resolver.functions } : {}) };
      const eqs: Expr[] = [];
      lscope = [...lscope];
      rscope = [...rscope];
      for (const name of usingNames) {
        const li = lscope.findIndex((c) => c.name === name && !c.merged);
        const ri = rscope.findIndex((c) => c.name === name && !c.merged);
        if (li < 0 || ri < 0) {
          throw new SqlError(SqlState.UNDEFINED_COLUMN, `column "${name}" specified in USING clause does not exist in ${li < 0 ? 'left' : 'right'} table`, pos(item));
        }
        const l: Expr = { kind: 'Column', index: li, type: lscope[li]!.type };
        const r: Expr = { kind: 'Column', index: lscope.length + ri, type: rscope[ri]!.type };
        eqs.push(bindCall('eq', [l, r], ctx, item));
        // The column is shown once: from the side whose rows are always present.
        if (joinType === 'right') lscope[li] = { ...lscope[li]!, merged: true };
        else rscope[ri] = { ...rscope[ri]!, merged: true };
      }
      condition = eqs.length === 1 ? eqs[0]! : { kind: 'And', args: eqs, type: T.bool };
    } else if (j.quals !== undefined) {
      const ctx: BindContext = { scope: [...lscope, ...rscope], params, aggregates: null, clause: 'JOIN conditions', ...(resolver.functions ? { functions: resolver.functions } : {}) };
      condition = coerce(bindExpr(j.quals, ctx), T.bool, ctx, j.quals);
      if (condition.type.id !== 'bool') {
        throw new SqlError(SqlState.DATATYPE_MISMATCH, `argument of JOIN/ON must be type boolean, not type ${condition.type.id}`, pos(j.quals));
      }
    }
    return { kind: 'join', joinType, left: { ...left, scope: lscope } as FromItem, right: { ...right, scope: rscope } as FromItem, condition, scope: [...lscope, ...rscope] };
  }
  throw featureNotSupported(`FROM item ${tag ?? ''}`, pos(item));
}

function bindFrom(sel: NodeOf<'SelectStmt'>, resolver: RelationResolver, params: SqlType[]): FromItem | null {
  const from = list(sel.fromClause);
  if (from.length === 0) return null;
  let acc = bindFromItem(from[0], resolver, params);
  for (let i = 1; i < from.length; i++) {
    const right = bindFromItem(from[i], resolver, params);
    acc = { kind: 'join', joinType: 'inner', left: acc, right, condition: null, scope: [...acc.scope, ...right.scope] };
  }
  return acc;
}

/** The conjuncts of a boolean expression. */
function conjuncts(e: Expr): Expr[] {
  return e.kind === 'And' ? e.args.flatMap(conjuncts) : [e];
}

function columnRange(e: Expr): [number, number] {
  let lo = Infinity;
  let hi = -1;
  mapExpr(e, (x) => {
    if (x.kind === 'Column') {
      lo = Math.min(lo, x.index);
      hi = Math.max(hi, x.index);
    }
    return x;
  });
  return [lo, hi];
}

function shift(e: Expr, by: number): Expr {
  return mapExpr(e, (x) => (x.kind === 'Column' ? { ...x, index: x.index - by } : x));
}

function andOf(a: Expr | null, b: Expr): Expr {
  if (a === null) return b;
  return { kind: 'And', args: [...conjuncts(a), b], type: T.bool };
}

/**
 * Moves a WHERE conjunct (columns [lo, hi] of the item starting at `start`) as deep as the joins
 * allow (through inner joins, and into the preserved side of outer, semi and anti joins): into a
 * leaf's WHERE (so compute nodes filter) or into an inner join's condition (so it can hash).
 */
function pushDown(item: FromItem, start: number, e: Expr, lo: number, hi: number): FromItem | null {
  if (lo < start || hi >= start + item.scope.length) return null;
  if (item.kind === 'leaf') {
    const where = andOf(item.select.where, shift(e, start));
    return { ...item, select: { ...item.select, where } };
  }
  const mid = start + item.left.scope.length;
  if (item.joinType === 'semi' || item.joinType === 'anti' || item.joinType === 'anti_na') {
    // Filtering the kept side before or after a semi/anti join is the same.
    const left = hi < mid ? pushDown(item.left, start, e, lo, hi) : null;
    return left ? { ...item, left } : null;
  }
  if (item.joinType === 'left' || item.joinType === 'right') {
    // A filter on the preserved side commutes with an outer join.
    if (item.joinType === 'left' && hi < mid) {
      const left = pushDown(item.left, start, e, lo, hi);
      return left ? { ...item, left } : null;
    }
    if (item.joinType === 'right' && lo >= mid) {
      const right = pushDown(item.right, mid, e, lo, hi);
      return right ? { ...item, right } : null;
    }
    return null;
  }
  if (item.joinType !== 'inner') return null;
  if (hi < mid) {
    const left = pushDown(item.left, start, e, lo, hi);
    return left ? { ...item, left } : null;
  }
  if (lo >= mid) {
    const right = pushDown(item.right, mid, e, lo, hi);
    return right ? { ...item, right } : null;
  }
  return { ...item, condition: andOf(item.condition, shift(e, start)) };
}

/** The [start, end) positions of each leaf of a FROM tree. */
function leafRanges(item: FromItem, start: number): [number, number][] {
  if (item.kind === 'leaf') return [[start, start + item.scope.length]];
  return [...leafRanges(item.left, start), ...leafRanges(item.right, start + item.left.scope.length)];
}

/**
 * For `(a1 AND b1) OR (a2 AND b2) ...`, the filters it implies on single inputs: where every branch
 * has conjuncts over one input's columns alone, `(a1) OR (a2) ...` over those holds whenever the OR
 * does, so that input can be filtered before the join (e.g. part's brand / container / size options
 * in TPC-H Q19), while the OR itself still decides after the join.
 */
function impliedLeafFilters(e: Expr, ranges: readonly [number, number][]): Expr[] {
  if (e.kind !== 'Or') return [];
  const branches = e.args.map((b) => conjuncts(b));
  const out: Expr[] = [];
  for (const [lo, hi] of ranges) {
    const parts: Expr[] = [];
    for (const branch of branches) {
      const mine = branch.filter((c) => {
        const [a, b] = columnRange(c);
        let volatile = false;
        walkExpr(c, (x) => { if (x.kind === 'Call' && x.fn === 'random') volatile = true; });
        return b >= 0 && a >= lo && b < hi && !volatile;
      });
      if (mine.length === 0) break;
      parts.push(mine.length === 1 ? mine[0]! : { kind: 'And', args: mine, type: T.bool });
    }
    // The OR reads other inputs too (else it was pushed down whole): only then is this worth it.
    if (parts.length === branches.length && !branches.every((b) => b.every((c) => { const [a, x] = columnRange(c); return x < 0 || (a >= lo && x < hi); }))) {
      out.push({ kind: 'Or', args: parts, type: T.bool });
    }
  }
  return out;
}

export function toJoinTree(item: FromItem): JoinTree {
  if (item.kind === 'leaf') return { kind: 'leaf', select: item.select, width: item.scope.length };
  return { kind: 'join', joinType: item.joinType, left: toJoinTree(item.left), right: toJoinTree(item.right), condition: item.condition, width: item.scope.length };
}

interface Target {
  readonly node: unknown;
  readonly name: string;
  /** Bound over the input scope (aggregates as placeholders). */
  readonly expr: Expr;
  readonly source: ScopeColumn | null;
}

/** Rewrites an input-scope expression into the post-aggregation scope [groups..., aggs...]. */
function toPostAgg(e: Expr, groupKeys: readonly string[], scope: readonly ScopeColumn[], at: unknown): Expr {
  const key = toTaggedJson(e);
  const g = groupKeys.indexOf(key);
  if (g >= 0) return { kind: 'Column', index: g, type: e.type };
  if (e.kind === 'Call' && e.fn === 'grouping') {
    return {
      ...e,
      args: e.args.map((a) => {
        const k = groupKeys.indexOf(toTaggedJson(a));
        if (k < 0) throw new SqlError(SqlState.GROUPING_ERROR, 'arguments to GROUPING must be grouping expressions of the associated query level', pos(at));
        return { kind: 'Column', index: k, type: a.type };
      }),
    };
  }
  if (e.kind === 'Column') {
    if (e.index >= WINDOW_PLACEHOLDER_BASE) return e;
    if (e.index >= AGG_PLACEHOLDER_BASE) return { kind: 'Column', index: groupKeys.length + e.index - AGG_PLACEHOLDER_BASE, type: e.type };
    const col = scope[e.index]!;
    throw new SqlError(SqlState.GROUPING_ERROR,
      `column "${col.table ? `${col.table}.` : ''}${col.name}" must appear in the GROUP BY clause or be used in an aggregate function`, pos(at));
  }
  switch (e.kind) {
    case 'Call': return { ...e, args: e.args.map((a) => toPostAgg(a, groupKeys, scope, at)) };
    case 'And': case 'Or': return { ...e, args: e.args.map((a) => toPostAgg(a, groupKeys, scope, at)) };
    case 'Not': case 'IsNull': case 'Cast': return { ...e, arg: toPostAgg(e.arg, groupKeys, scope, at) };
    case 'Case': return {
      ...e,
      whens: e.whens.map((w) => ({ when: toPostAgg(w.when, groupKeys, scope, at), then: toPostAgg(w.then, groupKeys, scope, at) })),
      otherwise: e.otherwise ? toPostAgg(e.otherwise, groupKeys, scope, at) : null,
    };
    case 'InList': return { ...e, arg: toPostAgg(e.arg, groupKeys, scope, at), list: e.list.map((a) => toPostAgg(a, groupKeys, scope, at)) };
    case 'InSet': return { ...e, arg: toPostAgg(e.arg, groupKeys, scope, at) };
    // The tested value of IN (subquery) is over the aggregated row like any HAVING expression.
    case 'Subquery': return e.arg ? { ...e, arg: toPostAgg(e.arg, groupKeys, scope, at) } : e;
    default: return e;
  }
}

/**
 * QUALIFY may name the SELECT list's output columns (`QUALIFY rn = 1`), as in Redshift: a bare
 * name that is no input column is replaced by that output's expression before binding.
 */
function withOutputAliases(n: unknown, targets: readonly Target[], scope: readonly ScopeColumn[]): unknown {
  if (Array.isArray(n)) return n.map((x) => withOutputAliases(x, targets, scope));
  if (typeof n !== 'object' || n === null) return n;
  const cref = node(n, 'ColumnRef');
  if (cref) {
    const f = strs(cref.fields);
    if (f.length === 1 && !scope.some((c) => c.name === f[0])) {
      const t = targets.find((x) => x.name === f[0]);
      if (t) return t.node;
    }
    return n;
  }
  // A subquery's names are its own.
  if (node(n, 'SubLink')) return n;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(n)) out[k] = withOutputAliases(v, targets, scope);
  return out;
}

function hasAggregatePlaceholder(e: Expr): boolean {
  let found = false;
  mapExpr(e, (x) => {
    if (x.kind === 'Column' && x.index >= AGG_PLACEHOLDER_BASE && x.index < WINDOW_PLACEHOLDER_BASE) found = true;
    return x;
  });
  return found;
}

function bindLimit(n: unknown, params: SqlType[], what: string): Expr | null {
  if (n === undefined || n === null) return null;
  const c = constValue(n);
  if (c?.kind === 'null') return null;
  const ctx: BindContext = { scope: [], params, aggregates: null, clause: what };
  const e = coerce(bindExpr(n, ctx), T.int8, ctx, n);
  if (e.kind === 'Column') throw new SqlError(SqlState.INVALID_COLUMN_REFERENCE, `argument of ${what} must not contain variables`, pos(n));
  return e;
}

/** Binds a SelectStmt node (or wrapper). `params` collects parameter types ($1 = index 0). */
export function bindSelect(n: unknown, resolver: RelationResolver, params: SqlType[], outer: readonly ScopeColumn[] | null = null,
  farther: readonly (readonly ScopeColumn[])[] = []): BoundSelect {
  const sel = node(n, 'SelectStmt') ?? (n as NodeOf<'SelectStmt'>);
  if (sel.withClause !== undefined) resolver = withCtes(sel.withClause, resolver, params);
  if (sel.op !== undefined && sel.op !== 'SETOP_NONE') return bindSetOperation(sel, resolver, params, outer, farther);
  if (sel.valuesLists !== undefined) return bindValues(sel, params, resolver.functions);
  if (sel.intoClause !== undefined) throw featureNotSupported('SELECT INTO', pos(n));
  if (sel.lockingClause !== undefined) throw featureNotSupported('FOR UPDATE / FOR SHARE', pos(n));

  const from = bindFrom(sel, resolver, params);
  // `scope` grows when correlated scalar subqueries join their results in (hidden columns at the end).
  const scope: ScopeColumn[] = from ? [...from.scope] : [];
  let tree: FromItem | null = from;
  const aggs: AggregateCall[] = [];
  const host = subqueryHost({
    resolver, params, scope, farther: outer === null ? [] : [outer, ...farther],
    getTree: () => tree,
    setTree: (t) => { tree = t; },
  });
  const windowClause = windowDefinitions(sel.windowClause);
  const windows: WindowCollector = { calls: [], defs: windowClause.defs };
  const ctxFor = (clause: string, allowAggs: boolean, allowWindows = false): BindContext => ({
    scope, params, aggregates: allowAggs ? aggs : null, windows: allowWindows ? windows : null, clause, outer, farther, sublinks: host,
    ...(resolver.functions ? { functions: resolver.functions } : {}),
  });

  // WHERE: subqueries that are whole conjuncts become semi / anti joins; the rest bind as expressions.
  const whereParts: Expr[] = [];
  const whereCtx = ctxFor('WHERE', false);
  for (const c of astConjuncts(sel.whereClause)) {
    if (host.joinConjunct(c, whereCtx)) continue;
    const e = coerce(bindExpr(c, whereCtx), T.bool, whereCtx, c);
    if (e.type.id !== 'bool') {
      throw new SqlError(SqlState.DATATYPE_MISMATCH, `argument of WHERE must be type boolean, not type ${formatTypeName(e.type)}`, pos(c));
    }
    whereParts.push(e);
  }

  // Target list, with * expanded.
  const targets: Target[] = [];
  const selectCtx = ctxFor('SELECT', true, true);
  for (const t of list(sel.targetList)) {
    const rt = node(t, 'ResTarget')!;
    const cref = node(rt.val, 'ColumnRef');
    const fields = cref ? strs(cref.fields) : [];
    if (cref && fields[fields.length - 1] === '*') {
      const table = fields.length >= 2 ? fields[fields.length - 2]! : null;
      if (table !== null && !scope.some((c) => c.table === table)) {
        throw new SqlError(SqlState.UNDEFINED_TABLE, `missing FROM-clause entry for table "${table}"`, pos(rt.val));
      }
      if (scope.length === 0 && table === null) throw new SqlError(SqlState.SYNTAX_ERROR, 'SELECT * with no tables specified is not valid', pos(rt.val));
      scope.forEach((c, i) => {
        if (c.merged) return;
        if (table === null || c.table === table) targets.push({ node: rt.val, name: c.name, expr: { kind: 'Column', index: i, type: c.type }, source: c });
      });
      continue;
    }
    const expr = bindExpr(rt.val, selectCtx);
    const name = rt.name ?? figureColumnName(rt.val);
    const source = expr.kind === 'Column' && expr.index < AGG_PLACEHOLDER_BASE ? scope[expr.index]! : null;
    targets.push({ node: rt.val, name, expr, source });
  }

  // GROUP BY: ordinals and output names refer to the target list.
  const bindKey = (g: unknown): Expr => {
    const c = constValue(g);
    if (c?.kind === 'integer') {
      const t = targets[c.value - 1];
      if (!t) throw new SqlError(SqlState.INVALID_COLUMN_REFERENCE, `GROUP BY position ${c.value} is not in select list`, pos(g));
      if (hasAggregatePlaceholder(t.expr)) throw new SqlError(SqlState.GROUPING_ERROR, 'aggregate functions are not allowed in GROUP BY', pos(t.node));
      if (hasWindow(t.expr)) throw new SqlError(SqlState.WINDOWING_ERROR, 'window functions are not allowed in GROUP BY', pos(t.node));
      return t.expr;
    }
    const cref = node(g, 'ColumnRef');
    if (cref) {
      const f = strs(cref.fields);
      if (f.length === 1 && !scope.some((s) => s.name === f[0])) {
        const t = targets.find((x) => x.name === f[0]);
        if (t) return t.expr;
      }
    }
    return bindExpr(g, ctxFor('GROUP BY', false));
  };
  // GROUPING SETS / ROLLUP / CUBE: every set's keys, bound; the query aggregates over all of them.
  const astSets = groupingSetsOf(sel.groupClause);
  let groupBy: Expr[];
  let sets: number[][] | null = null;
  if (astSets === null) {
    groupBy = list(sel.groupClause).map(bindKey);
  } else {
    const indexed = indexSets(astSets.map((set) => set.map(bindKey)));
    groupBy = indexed.keys;
    sets = indexed.sets;
  }

  const having = sel.havingClause !== undefined ? coerce(bindExpr(sel.havingClause, ctxFor('HAVING', true)), T.bool, selectCtx, sel.havingClause) : null;

  // ORDER BY: ordinal, output name, or expression over the input.
  const order: { expr: Expr; desc: boolean; nullsFirst: boolean; at: unknown; outputIndex: number }[] = [];
  for (const s of list(sel.sortClause)) {
    const sb = node(s, 'SortBy')!;
    const { desc, nullsFirst } = sortDirection(sb);
    if (sb.sortby_dir === 'SORTBY_USING') throw featureNotSupported('ORDER BY ... USING', pos(s));
    const c = constValue(sb.node);
    if (c?.kind === 'integer') {
      const t = targets[c.value - 1];
      if (!t) throw new SqlError(SqlState.INVALID_COLUMN_REFERENCE, `ORDER BY position ${c.value} is not in select list`, pos(sb.node));
      order.push({ expr: t.expr, desc, nullsFirst, at: sb.node, outputIndex: c.value - 1 });
      continue;
    }
    const cref = node(sb.node, 'ColumnRef');
    if (cref) {
      const f = strs(cref.fields);
      if (f.length === 1) {
        const matches = targets.map((t, i) => [t, i] as const).filter(([t]) => t.name === f[0]);
        if (matches.length > 1 && !matches.every(([t]) => toTaggedJson(t.expr) === toTaggedJson(matches[0]![0].expr))) {
          throw new SqlError(SqlState.AMBIGUOUS_COLUMN, `ORDER BY "${f[0]}" is ambiguous`, pos(sb.node));
        }
        if (matches.length > 0) {
          order.push({ expr: matches[0]![0].expr, desc, nullsFirst, at: sb.node, outputIndex: matches[0]![1] });
          continue;
        }
      }
    }
    order.push({ expr: bindExpr(sb.node, selectCtx), desc, nullsFirst, at: sb.node, outputIndex: -1 });
  }

  // QUALIFY: a filter over the rows with their window function results.
  let qualify: Expr | null = null;
  if (windowClause.qualify !== undefined) {
    const qctx = ctxFor('QUALIFY', true, true);
    const cond = withOutputAliases(windowClause.qualify, targets, scope);
    qualify = coerce(bindExpr(cond, qctx), T.bool, qctx, windowClause.qualify);
    if (qualify.type.id !== 'bool') {
      throw new SqlError(SqlState.DATATYPE_MISMATCH, `argument of QUALIFY must be type boolean, not type ${formatTypeName(qualify.type)}`, pos(windowClause.qualify));
    }
  }

  const isAggregate = aggs.length > 0 || groupBy.length > 0 || having !== null || sets !== null;
  let outputs = targets.map((t) => t.expr);
  let orderBy: BoundOrderItem[] = order.map((o) => ({ expr: o.expr, desc: o.desc, nullsFirst: o.nullsFirst }));
  let havingOut = having;
  if (isAggregate) {
    const keys = groupBy.map((g) => toTaggedJson(g));
    outputs = targets.map((t) => toPostAgg(t.expr, keys, scope, t.node));
    orderBy = order.map((o) => ({ expr: toPostAgg(o.expr, keys, scope, o.at), desc: o.desc, nullsFirst: o.nullsFirst }));
    havingOut = having ? toPostAgg(having, keys, scope, sel.havingClause) : null;
    qualify = qualify ? toPostAgg(qualify, keys, scope, windowClause.qualify) : null;
    windows.calls.forEach((w, i) => { windows.calls[i] = mapWindowExprs(w, (e) => toPostAgg(e, keys, scope, sel), false); });
    if (sets === null) {
      // Without grouping sets every key is in the one set: grouping() is 0.
      const all = new Set(groupBy.map((_g, i) => i));
      outputs = outputs.map((e) => replaceGrouping(e, all, groupBy.length));
      orderBy = orderBy.map((o) => ({ ...o, expr: replaceGrouping(o.expr, all, groupBy.length) }));
      havingOut = havingOut ? replaceGrouping(havingOut, all, groupBy.length) : null;
      qualify = qualify ? replaceGrouping(qualify, all, groupBy.length) : null;
    }
  } else if (outputs.some(hasGroupingCall) || orderBy.some((o) => hasGroupingCall(o.expr))) {
    throw new SqlError(SqlState.GROUPING_ERROR, 'arguments to GROUPING must be grouping expressions of the associated query level');
  }
  // Untyped literals in the output become text, as PostgreSQL resolves them.
  outputs = outputs.map((e, i) => (e.type.id === 'unknown' ? coerce(e, T.text, selectCtx, targets[i]!.node) : e));
  // ORDER BY items naming an output (by position or name) sort that resolved output.
  orderBy = orderBy.map((o, i) => (order[i]!.outputIndex >= 0 ? { ...o, expr: outputs[order[i]!.outputIndex]! } : o));

  const distinctList = list(sel.distinctClause);
  const distinct = sel.distinctClause !== undefined;
  if (distinctList.length > 0 && nodeTag(distinctList[0]) !== undefined) throw featureNotSupported('DISTINCT ON', pos(distinctList[0]));
  if (distinct) {
    for (const [i, o] of orderBy.entries()) {
      if (!outputs.some((e) => toTaggedJson(e) === toTaggedJson(o.expr))) {
        throw new SqlError(SqlState.INVALID_COLUMN_REFERENCE, 'for SELECT DISTINCT, ORDER BY expressions must appear in select list', pos(order[i]!.at));
      }
    }
  }

  const outputColumns: ScopeColumn[] = targets.map((t, i) => ({
    name: t.name, table: null, type: outputs[i]!.type,
    tableOid: t.source?.tableOid ?? 0, attnum: t.source?.attnum ?? 0,
  }));

  // Correlated conjuncts are lifted out for the enclosing query to decorrelate.
  const correlated: Expr[] = [];
  const local: Expr[] = [];
  for (const c of whereParts.flatMap((w) => conjuncts(factorOr(w)))) (hasOuter(c) ? correlated : local).push(c);
  for (const e of [...outputs, ...(havingOut ? [havingOut] : []), ...groupBy, ...aggs.flatMap(aggregateArgs)]) {
    if (hasOuter(e)) throw featureNotSupported('correlated references outside the subquery\'s WHERE clause');
  }

  // Push WHERE conjuncts into the join tree where the joins allow it.
  let source: SelectSource;
  let where: Expr | null = null;
  if (tree === null) {
    source = { kind: 'none' };
    where = andAll(local);
  } else if (tree.kind === 'leaf') {
    source = tree.select.source;
    where = andAll(local);
  } else {
    let t: FromItem = tree;
    const kept: Expr[] = [];
    for (const c of local) {
      const [lo, hi] = columnRange(c);
      const pushed: FromItem | null = hi >= 0 ? pushDown(t, 0, c, lo, hi) : null;
      if (pushed) t = pushed;
      else kept.push(c);
    }
    // Filters implied by an OR for a single input (TPC-H Q19): pushed down too, the OR stays.
    const ranges = leafRanges(tree, 0);
    for (const c of local) {
      for (const d of impliedLeafFilters(c, ranges)) {
        const [lo, hi] = columnRange(d);
        t = pushDown(t, 0, d, lo, hi) ?? t;
      }
    }
    where = andAll(kept);
    source = { kind: 'join', tree: toJoinTree(t) };
  }

  const limit = bindLimit(sel.limitCount, params, 'LIMIT');
  const offset = bindLimit(sel.limitOffset, params, 'OFFSET');
  if (sets !== null) {
    if (windows.calls.length > 0 || qualify !== null) throw featureNotSupported('window functions or QUALIFY with GROUPING SETS, ROLLUP or CUBE', pos(n));
    if (correlated.length > 0) throw featureNotSupported('GROUPING SETS, ROLLUP or CUBE in a correlated subquery', pos(n));
    return unionOfSets({
      base: { source, inputScope: scope, where }, keys: groupBy, sets, aggs, having: havingOut,
      outputs, outputColumns, orderBy, distinct, limit, offset,
    });
  }
  if (windows.calls.length > 0 || qualify !== null) {
    if (correlated.length > 0) throw featureNotSupported('window functions in a correlated subquery', pos(n));
    return splitWindows({
      base: { source, inputScope: scope, where, aggregate: isAggregate ? { groupBy, aggs } : null, having: havingOut },
      calls: windows.calls, outputs, outputColumns, orderBy, qualify, distinct, limit, offset,
    });
  }
  return {
    source, inputScope: scope, where,
    aggregate: isAggregate ? { groupBy, aggs } : null,
    having: havingOut, outputs, outputColumns, orderBy, distinct,
    limit: bindLimit(sel.limitCount, params, 'LIMIT'),
    offset: bindLimit(sel.limitOffset, params, 'OFFSET'),
    correlated,
  };
}

/**
 * (a AND b) OR (a AND c) → a AND (b OR c): conjuncts every branch shares move out of the OR, so
 * join conditions written inside each branch (TPC-H Q19) can drive a hash join.
 */
export function factorOr(e: Expr): Expr {
  if (e.kind !== 'Or') return e;
  const branches = e.args.map((b) => conjuncts(b));
  const keyed = branches.map((bs) => bs.map((c) => toTaggedJson(c)));
  const common = keyed[0]!.filter((k) => keyed.every((ks) => ks.includes(k)));
  if (common.length === 0) return e;
  const commonExprs = branches[0]!.filter((_c, i) => common.includes(keyed[0]![i]!));
  const rest = branches.map((bs, bi) => bs.filter((_c, i) => !common.includes(keyed[bi]![i]!)));
  // A branch left empty is TRUE, and then so is the whole OR.
  if (rest.some((r) => r.length === 0)) return andAll(commonExprs)!;
  const or: Expr = { kind: 'Or', args: rest.map((r) => andAll(r)!), type: T.bool };
  return andAll([...commonExprs, or])!;
}

function andAll(parts: readonly Expr[]): Expr | null {
  return parts.length === 0 ? null : parts.length === 1 ? parts[0]! : { kind: 'And', args: [...parts], type: T.bool };
}

/** The top-level AND-ed parts of a WHERE clause, as AST nodes. */
function astConjuncts(n: unknown): unknown[] {
  if (n === undefined) return [];
  const b = node(n, 'BoolExpr');
  if (b && b.boolop === 'AND_EXPR') return list(b.args).flatMap(astConjuncts);
  return [n];
}

/** True when `e` mentions the enclosing query. */
export function hasOuter(e: Expr): boolean {
  let found = false;
  walkExpr(e, (x) => {
    if (x.kind === 'Outer') found = true;
  });
  return found;
}
