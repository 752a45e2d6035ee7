// GROUPING SETS, ROLLUP and CUBE: the GROUP BY clause expanded into its grouping sets, and a query
// over them as a UNION ALL of one grouped query per set (keys outside the set read as NULL, and
// grouping() as the set's bit mask), ordered and limited as a whole.
import { SqlError, SqlState } from '../../common/errors/index.ts';
import { toTaggedJson } from '../../common/tagged-json.ts';
import { list, node, nodeTag } from '../parser/index.ts';
import { mapExpr, walkExpr, type Expr } from '../expr/expr.ts';
import { T } from '../types/sql-type.ts';
import type { BoundSelect } from './bound-select.ts';
import type { AggregateCall } from './scope.ts';

/** A grouping set: the AST nodes of its keys. */
type AstSet = unknown[];

/** The members of a ROLLUP / CUBE element: `(a, b)` is one element of two keys. */
function elementKeys(e: unknown): unknown[] {
  const row = node(e, 'RowExpr');
  return row ? list(row.args) : [e];
}

function expandItem(item: unknown): AstSet[] {
  const gs = node(item, 'GroupingSet');
  if (!gs) return [[item]];
  const content = list(gs.content);
  switch (gs.kind) {
    case 'GROUPING_SET_EMPTY': return [[]];
    case 'GROUPING_SET_SIMPLE': return [content];
    case 'GROUPING_SET_ROLLUP': {
      const out: AstSet[] = [];
      for (let k = content.length; k >= 0; k--) out.push(content.slice(0, k).flatMap(elementKeys));
      return out;
    }
    case 'GROUPING_SET_CUBE': {
      if (content.length > 12) throw new SqlError(SqlState.PROGRAM_LIMIT_EXCEEDED, 'CUBE is limited to 12 elements');
      const out: AstSet[] = [];
      for (let mask = (1 << content.length) - 1; mask >= 0; mask--) {
        out.push(content.filter((_e, i) => (mask & (1 << (content.length - 1 - i))) !== 0).flatMap(elementKeys));
      }
      return out;
    }
    case 'GROUPING_SET_SETS': return content.flatMap((c) => (node(c, 'RowExpr') ? [elementKeys(c)] : expandItem(c)));
    default: return [[item]];
  }
}

/**
 * The grouping sets of a GROUP BY clause (the cross product of its items' expansions), or null
 * when it has no GROUPING SETS / ROLLUP / CUBE.
 */
export function groupingSetsOf(groupClause: unknown): AstSet[] | null {
  const items = list(groupClause);
  if (!items.some((g) => nodeTag(g) === 'GroupingSet')) return null;
  let sets: AstSet[] = [[]];
  for (const item of items) {
    const ex = expandItem(item);
    const next: AstSet[] = [];
    for (const s of sets) for (const e of ex) next.push([...s, ...e]);
    sets = next;
    if (sets.length > 4096) throw new SqlError(SqlState.PROGRAM_LIMIT_EXCEEDED, 'too many grouping sets present');
  }
  return sets;
}

/** True when `e` calls grouping(). */
export function hasGroupingCall(e: Expr): boolean {
  let found = false;
  walkExpr(e, (x) => { if (x.kind === 'Call' && x.fn === 'grouping') found = true; });
  return found;
}

/**
 * grouping(args) for a query whose set holds the keys `inSet` (indexes into the full key list):
 * bit (n-1-i) is 1 when argument i is not in the set. Arguments are post-aggregation key columns.
 */
export function replaceGrouping(e: Expr, inSet: ReadonlySet<number>, keyCount: number): Expr {
  return mapExpr(e, (x) => {
    if (x.kind !== 'Call' || x.fn !== 'grouping') return x;
    let mask = 0;
    x.args.forEach((a, i) => {
      if (a.kind !== 'Column' || a.index >= keyCount) {
        throw new SqlError(SqlState.GROUPING_ERROR, 'arguments to GROUPING must be grouping expressions of the associated query level');
      }
      if (!inSet.has(a.index)) mask |= 1 << (x.args.length - 1 - i);
    });
    return { kind: 'Const', value: mask, type: T.int4 };
  });
}

/** The parts of a grouped SELECT bound over all keys of all its sets. */
export interface GroupedParts extends Pick<BoundSelect, 'having' | 'outputs' | 'outputColumns' | 'orderBy' | 'distinct' | 'limit' | 'offset'> {
  readonly base: Pick<BoundSelect, 'source' | 'inputScope' | 'where'>;
  /** Every distinct key of every set; outputs (and HAVING, ORDER BY) see [keys..., aggregates...]. */
  readonly keys: readonly Expr[];
  /** Each set as indexes into `keys`. */
  readonly sets: readonly (readonly number[])[];
  readonly aggs: readonly AggregateCall[];
}

/** Keys' indexes of each set, deduplicated, from the sets' bound keys. */
export function indexSets(boundSets: readonly (readonly Expr[])[]): { keys: Expr[]; sets: number[][] } {
  const keys: Expr[] = [];
  const tags: string[] = [];
  const sets = boundSets.map((s) => {
    const idx: number[] = [];
    for (const e of s) {
      const t = toTaggedJson(e);
      let i = tags.indexOf(t);
      if (i < 0) { i = keys.length; tags.push(t); keys.push(e); }
      if (!idx.includes(i)) idx.push(i);
    }
    return idx;
  });
  return { keys, sets };
}

/** The query as a UNION ALL of one grouped query per set, with the statement's ORDER BY, DISTINCT and LIMIT over it. */
export function unionOfSets(p: GroupedParts): BoundSelect {
  const k = p.keys.length;
  const visible = p.outputs.length;
  const branchOf = (set: readonly number[]): BoundSelect => {
    const inSet = new Set(set);
    const remap = (e: Expr): Expr => mapExpr(replaceGrouping(e, inSet, k), (x) => {
      if (x.kind !== 'Column') return x;
      if (x.index < k) {
        const at = set.indexOf(x.index);
        return at >= 0 ? { kind: 'Column', index: at, type: x.type } : { kind: 'Const', value: null, type: x.type };
      }
      return { kind: 'Column', index: set.length + x.index - k, type: x.type };
    });
    const outputs = [...p.outputs, ...p.orderBy.map((o) => o.expr)].map(remap);
    return {
      ...p.base,
      aggregate: { groupBy: set.map((i) => p.keys[i]!), aggs: p.aggs },
      having: p.having ? remap(p.having) : null,
      outputs,
      outputColumns: outputs.map((e, i) => (i < visible ? { ...p.outputColumns[i]!, type: e.type } : { name: `?sort${i}?`, table: null, type: e.type, tableOid: 0, attnum: 0 })),
      orderBy: [], distinct: false, limit: null, offset: null, correlated: [],
    };
  };
  const branches = p.sets.map(branchOf);
  const scope = branches[0]!.outputColumns;
  const unite = (lo: number, hi: number): BoundSelect => {
    if (hi - lo === 1) return branches[lo]!;
    const mid = (lo + hi) >>> 1;
    const left = unite(lo, mid);
    const right = unite(mid, hi);
    return {
      source: { kind: 'setop', op: 'union', all: true, left, right }, inputScope: scope, where: null, aggregate: null, having: null,
      outputs: scope.map((c, i) => ({ kind: 'Column', index: i, type: c.type })), outputColumns: scope,
      orderBy: [], distinct: false, limit: null, offset: null, correlated: [],
    };
  };
  const all = unite(0, branches.length);
  return {
    source: all.source.kind === 'setop' ? all.source : { kind: 'subquery', select: all },
    inputScope: scope, where: null, aggregate: null, having: null,
    outputs: scope.slice(0, visible).map((c, i) => ({ kind: 'Column', index: i, type: c.type })),
    outputColumns: p.outputColumns,
    orderBy: p.orderBy.map((o, i) => ({ ...o, expr: { kind: 'Column', index: visible + i, type: o.expr.type } })),
    distinct: p.distinct, limit: p.limit, offset: p.offset, correlated: [],
  };
}
