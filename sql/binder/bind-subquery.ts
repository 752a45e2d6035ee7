// Subqueries: EXISTS / IN conjuncts become semi and anti joins, correlated scalar subqueries with
// an aggregate become a grouped left join, and uncorrelated ones are computed once (InitPlans).
// Nothing is ever run once per outer row.
import { SqlError, SqlState, featureNotSupported } from '../../common/errors/index.ts';
import { errorPosition, location, node, strs } from '../parser/index.ts';
import { mapExpr, walkExpr, type Expr } from '../expr/expr.ts';
import { T } from '../types/sql-type.ts';
import { bindCall, bindExpr, coerce } from './bind-expr.ts';
import { bindSelect, hasOuter, toJoinTree, type FromItem, type RelationResolver } from './bind-select.ts';
import type { BoundSelect, JoinType } from './bound-select.ts';
import { mapAggregateArgs, type BindContext, type ScopeColumn, type SublinkHost } from './scope.ts';
import type { SqlType } from '../types/sql-type.ts';
import { comparableType } from '../functions/scalar-functions.ts';

/** What the host needs from the SELECT being bound. */
export interface SubqueryHostOptions {
  readonly resolver: RelationResolver;
  readonly params: SqlType[];
  /** The enclosing query's scope; grows when a scalar subquery is joined in. */
  readonly scope: ScopeColumn[];
  /** The scopes enclosing that query, nearest first: out of reach for its subqueries. */
  readonly farther: readonly (readonly ScopeColumn[])[];
  getTree(): FromItem | null;
  setTree(t: FromItem): void;
}

/** Binds subqueries for one SELECT. */
export interface SubqueryHost extends SublinkHost {
  /** Turns a WHERE conjunct that is [NOT] EXISTS / [NOT] IN (subquery) into a join; false if it is not one. */
  joinConjunct(n: unknown, ctx: BindContext): boolean;
}

function pos(n: unknown): { position?: number } {
  const p = errorPosition(location(n));
  return p === undefined ? {} : { position: p };
}

function isInSublink(s: { subLinkType?: string; operName?: unknown }): boolean {
  if (s.subLinkType !== 'ANY_SUBLINK') return false;
  const op = strs(s.operName);
  return op.length === 0 || op[op.length - 1] === '=';
}

/** Columns of the subquery's input that an expression uses. */
function innerColumns(exprs: readonly Expr[]): number[] {
  const used = new Set<number>();
  for (const e of exprs) walkExpr(e, (x) => { if (x.kind === 'Column') used.add(x.index); });
  return [...used].sort((a, b) => a - b);
}

function shiftColumns(e: Expr, by: number): Expr {
  return mapExpr(e, (x) => (x.kind === 'Column' ? { ...x, index: x.index + by } : x));
}

/** Hidden columns appended to the enclosing scope (reachable by index only). */
function hiddenScope(types: readonly SqlType[]): ScopeColumn[] {
  return types.map((type) => ({ name: '?subquery?', table: null, type, tableOid: 0, attnum: 0, merged: true }));
}

/** Creates the subquery host of one SELECT. */
export function subqueryHost(o: SubqueryHostOptions): SubqueryHost {
  const bindSub = (subselect: unknown): BoundSelect => bindSelect(subselect, o.resolver, o.params, [...o.scope], o.farther);

  /** Semi/anti join of the current FROM tree with `sub` on `test = sub output` and its correlation. */
  const addSemiJoin = (joinType: JoinType, sub: BoundSelect, test: Expr | null, ctx: BindContext, at: unknown, correlatedNotIn = false): void => {
    const tree = o.getTree()!;
    if (sub.correlated.length > 0 && (sub.aggregate || sub.limit || sub.offset || sub.source.kind === 'setop')) {
      throw featureNotSupported('correlated subqueries with aggregates, LIMIT or set operations in EXISTS / IN', pos(at));
    }
    const inner = innerColumns(sub.correlated);
    const base = test ? 1 : 0;
    const outputs: Expr[] = [...(test ? [sub.outputs[0]!] : []), ...inner.map((i) => ({ kind: 'Column' as const, index: i, type: sub.inputScope[i]!.type }))];
    const right: BoundSelect = {
      ...sub,
      outputs,
      outputColumns: outputs.map((e, i) => ({ name: `?column${i}?`, table: null, type: e.type, tableOid: 0, attnum: 0 })),
      orderBy: [], correlated: [],
    };
    const width = o.scope.length;
    const parts: Expr[] = [];
    const eq = test ? bindCall('eq', [test, { kind: 'Column', index: width, type: sub.outputs[0]!.type }], ctx, at) : null;
    if (eq && !correlatedNotIn) parts.push(eq);
    for (const c of sub.correlated) {
      parts.push(mapExpr(c, (x) => {
        if (x.kind === 'Outer') return { kind: 'Column', index: x.index, type: x.type };
        if (x.kind === 'Column') return { ...x, index: width + base + inner.indexOf(x.index) };
        return x;
      }));
    }
    if (eq && correlatedNotIn) {
      // x NOT IN (rows satisfying the correlation) is true when every such row's x = y is false:
      // an anti join dropping the row on a correlated row where x = y is true or unknown.
      const correlation: Expr = parts.length === 1 ? parts[0]! : { kind: 'And', args: [...parts], type: T.bool };
      const notFalse: Expr = { kind: 'Or', args: [eq, { kind: 'IsNull', arg: eq, negated: false, type: T.bool }], type: T.bool };
      parts.push({ kind: 'Case', whens: [{ when: correlation, then: notFalse }], otherwise: { kind: 'Const', value: false, type: T.bool }, type: T.bool });
    }
    const condition: Expr | null = parts.length === 0 ? null : parts.length === 1 ? parts[0]! : { kind: 'And', args: parts, type: T.bool };
    o.setTree({ kind: 'join', joinType, left: tree, right: { kind: 'leaf', select: right, scope: right.outputColumns.map((c) => ({ ...c })) }, condition, scope: tree.scope });
  };

  /**
   * A correlated scalar aggregate whose correlation is any condition, decorrelated over the domain
   * of the outer values it reads (the general unnesting): D = SELECT DISTINCT those outer columns
   * FROM the enclosing FROM; the subquery's rows join D under the correlation, are grouped by D's
   * columns and aggregated; the enclosing rows then left-join that result on equality with their
   * own values (a missing group is an aggregate over no rows: NULL, or 0 for count). An outer NULL
   * is treated as a correlation that no row satisfies, as comparisons with NULL are.
   */
  const joinScalarOverDomain = (sub: BoundSelect, tree: FromItem, at: unknown): Expr => {
    const aggregate = sub.aggregate!;
    const outerIdx = new Set<number>();
    for (const c of sub.correlated) walkExpr(c, (x) => { if (x.kind === 'Outer') outerIdx.add(x.index); });
    const outer = [...outerIdx].sort((a, b) => a - b);
    const k = outer.length;
    const domainOutputs: Expr[] = outer.map((i) => ({ kind: 'Column', index: i, type: o.scope[i]!.type }));
    const domainCols = hiddenScope(domainOutputs.map((e) => e.type));
    const domain: BoundSelect = {
      source: tree.kind === 'leaf' ? { kind: 'subquery', select: tree.select } : { kind: 'join', tree: toJoinTree(tree) },
      inputScope: tree.scope, where: null, aggregate: null, having: null,
      outputs: domainOutputs, outputColumns: domainCols, orderBy: [], distinct: true, limit: null, offset: null, correlated: [],
    };
    const innerScope = sub.inputScope;
    const innerRows: BoundSelect = {
      ...sub, aggregate: null, having: null,
      outputs: innerScope.map((c, i) => ({ kind: 'Column', index: i, type: c.type })),
      outputColumns: innerScope.map((c) => ({ ...c })), orderBy: [], distinct: false, limit: null, offset: null, correlated: [],
    };
    const parts = sub.correlated.map((c) => mapExpr(c, (x) => {
      if (x.kind === 'Outer') return { kind: 'Column', index: outer.indexOf(x.index), type: x.type };
      if (x.kind === 'Column') return { ...x, index: k + x.index };
      return x;
    }));
    const groupCols: Expr[] = domainOutputs.map((e, j) => ({ kind: 'Column', index: j, type: e.type }));
    const value = shiftColumns(sub.outputs[0]!, k);
    const outputs: Expr[] = [value, ...groupCols];
    const grouped: BoundSelect = {
      source: {
        kind: 'join',
        tree: {
          kind: 'join', joinType: 'inner', width: k + innerScope.length,
          left: { kind: 'leaf', select: domain, width: k },
          right: { kind: 'leaf', select: innerRows, width: innerScope.length },
          condition: parts.length === 1 ? parts[0]! : { kind: 'And', args: parts, type: T.bool },
        },
      },
      inputScope: [...domainCols, ...innerScope], where: null,
      aggregate: { groupBy: groupCols, aggs: aggregate.aggs.map((a) => mapAggregateArgs(a, (e) => shiftColumns(e, k))) },
      having: sub.having ? shiftColumns(sub.having, k) : null,
      outputs, outputColumns: hiddenScope(outputs.map((e) => e.type)), orderBy: [], distinct: false, limit: null, offset: null, correlated: [],
    };
    return leftJoinGrouped(tree, grouped, domainOutputs, sub, at);
  };

  /**
   * Left-joins `grouped` ([value, keys...]) to the enclosing rows on outerKeys = keys; the value is
   * the subquery's (count over no rows reads as 0, not NULL: the "count bug").
   */
  const leftJoinGrouped = (tree: FromItem, grouped: BoundSelect, outerKeys: readonly Expr[], sub: BoundSelect, at: unknown): Expr => {
    const width = o.scope.length;
    const added = hiddenScope(grouped.outputs.map((e) => e.type));
    const ctx: BindContext = { scope: [...o.scope, ...added], params: o.params, aggregates: null, clause: 'subquery correlation' };
    const parts = outerKeys.map((key, i) => bindCall('eq', [
      mapExpr(key, (x) => (x.kind === 'Outer' ? { kind: 'Column', index: x.index, type: x.type } : x)),
      { kind: 'Column', index: width + 1 + i, type: grouped.outputs[1 + i]!.type },
    ], ctx, at));
    const condition: Expr = parts.length === 1 ? parts[0]! : { kind: 'And', args: parts, type: T.bool };
    o.setTree({
      kind: 'join', joinType: 'left', left: tree,
      right: { kind: 'leaf', select: grouped, scope: added }, condition, scope: [...tree.scope, ...added],
    });
    o.scope.push(...added);
    const col: Expr = { kind: 'Column', index: width, type: grouped.outputs[0]!.type };
    const agg = sub.outputs[0]!.kind === 'Column' ? sub.aggregate!.aggs[sub.outputs[0]!.index] : undefined;
    if (agg?.name === 'count') return bindCall('coalesce', [col, { kind: 'Const', value: 0n, type: T.int8 }], ctx, at);
    return col;
  };

  /** A correlated scalar subquery `(SELECT agg(...) FROM ... WHERE inner = outer ...)` as a grouped left join. */
  const joinScalar = (plain: BoundSelect, at: unknown): Expr => {
    const tree = o.getTree();
    // A subquery without an aggregate yields its one value per outer row: the same grouped join
    // with an aggregate that returns the value and fails (21000) on a second row.
    const sub = plain.aggregate === null && plain.limit === null && plain.offset === null && !plain.distinct && plain.source.kind !== 'setop'
      ? { ...plain, aggregate: { groupBy: [], aggs: [{ name: 'single_value', arg: plain.outputs[0]!, distinct: false, type: plain.outputs[0]!.type }] }, having: null,
        outputs: [{ kind: 'Column' as const, index: 0, type: plain.outputs[0]!.type }] }
      : plain;
    if (!tree || !sub.aggregate || sub.aggregate.groupBy.length > 0 || sub.limit || sub.offset) {
      throw featureNotSupported('correlated scalar subqueries with GROUP BY, LIMIT, DISTINCT or set operations', pos(at));
    }
    const innerKeys: Expr[] = [];
    const outerKeys: Expr[] = [];
    for (const c of sub.correlated) {
      const ok = c.kind === 'Call' && c.fn === 'eq' && c.args.length === 2;
      const [a, b] = ok ? (c.args as [Expr, Expr]) : [c, c];
      const onlyOuter = (e: Expr): boolean => hasOuter(e) && innerColumns([e]).length === 0;
      const onlyInner = (e: Expr): boolean => !hasOuter(e);
      if (ok && onlyOuter(a) && onlyInner(b)) { outerKeys.push(a); innerKeys.push(b); continue; }
      if (ok && onlyOuter(b) && onlyInner(a)) { outerKeys.push(b); innerKeys.push(a); continue; }
      // Some correlation is not an equality (x.b < t1.b): aggregate over the outer values' domain.
      return joinScalarOverDomain(sub, tree, at);
    }
    const n = innerKeys.length;
    const value = shiftColumns(sub.outputs[0]!, n);
    const outputs: Expr[] = [value, ...innerKeys.map((k, i) => ({ kind: 'Column' as const, index: i, type: k.type }))];
    const grouped: BoundSelect = {
      ...sub,
      aggregate: { groupBy: innerKeys, aggs: sub.aggregate.aggs },
      having: sub.having ? shiftColumns(sub.having, n) : null,
      outputs,
      outputColumns: outputs.map((e, i) => ({ name: `?column${i}?`, table: null, type: e.type, tableOid: 0, attnum: 0 })),
      orderBy: [], distinct: false, correlated: [],
    };
    return leftJoinGrouped(tree, grouped, outerKeys, sub, at);
  };

  return {
    joinConjunct(n, ctx) {
      if (!o.getTree()) return false;
      let negated = false;
      let target: unknown = n;
      const not = node(n, 'BoolExpr');
      if (not && not.boolop === 'NOT_EXPR' && not.args?.length === 1) {
        negated = true;
        target = not.args[0];
      }
      const sl = node(target, 'SubLink');
      if (!sl) return false;
      if (sl.subLinkType === 'EXISTS_SUBLINK') {
        addSemiJoin(negated ? 'anti' : 'semi', bindSub(sl.subselect), null, ctx, target);
        return true;
      }
      if (isInSublink(sl)) {
        const sub = bindSub(sl.subselect);
        if (sub.outputs.length !== 1) throw new SqlError(SqlState.SYNTAX_ERROR, 'subquery has too many columns', pos(target));
        const test = bindExpr(sl.testexpr, ctx);
        if (hasOuter(test)) return false;
        if (negated && sub.correlated.length > 0) addSemiJoin('anti', sub, test, ctx, target, true);
        else addSemiJoin(negated ? 'anti_na' : 'semi', sub, test, ctx, target);
        return true;
      }
      return false;
    },

    bindSublink(n, ctx) {
      const sl = node(n, 'SubLink')!;
      const sub = bindSub(sl.subselect);
      const correlated = sub.correlated.length > 0;
      switch (sl.subLinkType) {
        case 'EXPR_SUBLINK': {
          if (sub.outputs.length !== 1) throw new SqlError(SqlState.SYNTAX_ERROR, 'subquery must return only one column', pos(n));
          if (correlated) {
            if (ctx.scope !== o.scope) throw featureNotSupported('correlated subqueries here', pos(n));
            return joinScalar(sub, n);
          }
          return { kind: 'Subquery', mode: 'scalar', select: sub, arg: null, negated: false, type: sub.outputs[0]!.type };
        }
        case 'EXISTS_SUBLINK':
          if (correlated) throw featureNotSupported('correlated EXISTS other than as a WHERE condition', pos(n));
          return { kind: 'Subquery', mode: 'exists', select: sub, arg: null, negated: false, type: T.bool };
        case 'ANY_SUBLINK': {
          if (!isInSublink(sl)) throw featureNotSupported('ANY / SOME with operators other than =', pos(n));
          if (correlated) throw featureNotSupported('correlated IN other than as a WHERE condition', pos(n));
          if (sub.outputs.length !== 1) throw new SqlError(SqlState.SYNTAX_ERROR, 'subquery has too many columns', pos(n));
          const arg = bindExpr(sl.testexpr, ctx);
          const t = comparableType(arg.type, sub.outputs[0]!.type);
          if (!t) throw new SqlError(SqlState.UNDEFINED_FUNCTION, 'operator does not exist for IN (subquery)', pos(n));
          return { kind: 'Subquery', mode: 'in', select: sub, arg: coerce(arg, t, ctx, sl.testexpr), negated: false, type: T.bool };
        }
        default:
          throw featureNotSupported(`${String(sl.subLinkType).replace('_SUBLINK', '')} subqueries`, pos(n));
      }
    },
  };
}
