// UNION / INTERSECT / EXCEPT [ALL] and WITH (common table expressions, bound as inline views).
import { SqlError, SqlState, featureNotSupported } from '../../common/errors/index.ts';
import { constValue, errorPosition, list, location, node, strs, type NodeOf } from '../parser/index.ts';
import type { Expr } from '../expr/expr.ts';
import { comparableType } from '../functions/scalar-functions.ts';
import { T, formatTypeName, type SqlType } from '../types/sql-type.ts';
import { bindExpr, coerce, sortDirection } from './bind-expr.ts';
import { bindSelect, type RelationResolver } from './bind-select.ts';
import type { BoundOrderItem, BoundSelect } from './bound-select.ts';
import type { BindContext, ScopeColumn } from './scope.ts';
import type { FunctionLookup } from './user-functions.ts';

function pos(n: unknown): { position?: number } {
  const p = errorPosition(location(n));
  return p === undefined ? {} : { position: p };
}

/** A resolver that sees the WITH clause's queries by name before the catalog. */
export function withCtes(w: NodeOf<'WithClause'>, outer: RelationResolver, params: SqlType[]): RelationResolver {
  if (w.recursive) throw featureNotSupported('WITH RECURSIVE', pos(w));
  let resolver = outer;
  for (const c of list(w.ctes)) {
    const cte = node(c, 'CommonTableExpr')!;
    const name = cte.ctename!;
    const aliases = strs(cte.aliascolnames);
    const visible = resolver; // a CTE sees the ones before it
    const parent = resolver;
    resolver = {
      resolve(qn, position) {
        if (qn.schema === undefined && qn.name === name) {
          return {
            kind: 'view', name,
            bind: (ps: SqlType[]) => {
              const b = bindSelect(cte.ctequery, visible, ps);
              if (aliases.length > b.outputColumns.length) {
                throw new SqlError(SqlState.INVALID_COLUMN_REFERENCE, `WITH query "${name}" has ${b.outputColumns.length} columns available but ${aliases.length} columns specified`);
              }
              return { ...b, outputColumns: b.outputColumns.map((col, i) => ({ ...col, name: aliases[i] ?? col.name })) };
            },
          };
        }
        return parent.resolve(qn, position);
      },
    };
  }
  void params;
  return resolver;
}

/** Casts a select's outputs to `types` (for set operation branches). */
function castOutputs(s: BoundSelect, types: readonly SqlType[], ctx: BindContext): BoundSelect {
  const outputs = s.outputs.map((e, i) => (e.type.id === types[i]!.id ? e : coerce(e, types[i]!, ctx)));
  return { ...s, outputs, outputColumns: s.outputColumns.map((c, i) => ({ ...c, type: types[i]! })) };
}

/** Binds `left op right` with its own ORDER BY / LIMIT. */
export function bindSetOperation(sel: NodeOf<'SelectStmt'>, resolver: RelationResolver, params: SqlType[], outer: readonly ScopeColumn[] | null,
  farther: readonly (readonly ScopeColumn[])[] = []): BoundSelect {
  const op = sel.op === 'SETOP_UNION' ? 'union' : sel.op === 'SETOP_INTERSECT' ? 'intersect' : 'except';
  let left = bindSelect(sel.larg, resolver, params, outer, farther);
  let right = bindSelect(sel.rarg, resolver, params, outer, farther);
  if (left.correlated.length > 0 || right.correlated.length > 0) throw featureNotSupported('correlated set operations');
  if (left.outputs.length !== right.outputs.length) {
    throw new SqlError(SqlState.SYNTAX_ERROR, `each ${op.toUpperCase()} query must have the same number of columns`, pos(sel.rarg));
  }
  const ctx: BindContext = { scope: [], params, aggregates: null, clause: op.toUpperCase() };
  const types = left.outputs.map((l, i) => {
    const r = right.outputs[i]!;
    if (l.type.id === 'unknown' && r.type.id === 'unknown') return T.text;
    const t = comparableType(l.type, r.type);
    if (!t) {
      throw new SqlError(SqlState.DATATYPE_MISMATCH, `${op.toUpperCase()} types ${formatTypeName(l.type)} and ${formatTypeName(r.type)} cannot be matched`, pos(sel.rarg));
    }
    return t.id === 'unknown' ? T.text : t;
  });
  left = castOutputs(left, types, ctx);
  right = castOutputs(right, types, ctx);
  const scope: ScopeColumn[] = left.outputColumns.map((c, i) => ({ name: c.name, table: null, type: types[i]!, tableOid: 0, attnum: 0 }));
  return compound(sel, scope, { kind: 'setop', op, all: sel.all === true, left, right }, params);
}

/**
 * `VALUES (...), (...)` as a query: each row a one-row SELECT, the rows combined by UNION ALL in
 * a balanced tree; column types resolved over all rows as UNION does; columns named column1, ...
 */
export function bindValues(sel: NodeOf<'SelectStmt'>, params: SqlType[], functions?: FunctionLookup): BoundSelect {
  const ctx: BindContext = { scope: [], params, aggregates: null, clause: 'VALUES', ...(functions ? { functions } : {}) };
  const rows = list(sel.valuesLists).map((r) => list(node(r, 'List')?.items ?? r).map((e) => bindExpr(e, ctx)));
  const width = rows[0]?.length ?? 0;
  for (const r of rows) {
    if (r.length !== width) throw new SqlError(SqlState.SYNTAX_ERROR, 'VALUES lists must all be the same length', pos(sel));
  }
  const types: SqlType[] = [];
  for (let c = 0; c < width; c++) {
    let t: SqlType = rows[0]![c]!.type;
    for (const r of rows) {
      const next = r[c]!.type;
      if (t.id === 'unknown') { t = next; continue; }
      if (next.id === 'unknown') continue;
      const common = comparableType(t, next);
      if (!common) throw new SqlError(SqlState.DATATYPE_MISMATCH, `VALUES types ${formatTypeName(t)} and ${formatTypeName(next)} cannot be matched`, pos(sel));
      t = common;
    }
    types.push(t.id === 'unknown' ? T.text : t);
  }
  const scope: ScopeColumn[] = types.map((type, i) => ({ name: `column${i + 1}`, table: null, type, tableOid: 0, attnum: 0 }));
  const one = (r: readonly Expr[]): BoundSelect => {
    const outputs = r.map((e, i) => (e.type.id === types[i]!.id ? e : coerce(e, types[i]!, ctx)));
    return {
      source: { kind: 'none' }, inputScope: [], where: null, aggregate: null, having: null,
      outputs, outputColumns: scope, orderBy: [], distinct: false, limit: null, offset: null, correlated: [],
    };
  };
  const tree = (lo: number, hi: number): BoundSelect => {
    if (hi - lo === 1) return one(rows[lo]!);
    const mid = (lo + hi) >> 1;
    const left = tree(lo, mid);
    const right = tree(mid, hi);
    const outputs: Expr[] = scope.map((c, i) => ({ kind: 'Column', index: i, type: c.type }));
    return {
      source: { kind: 'setop', op: 'union', all: true, left, right }, inputScope: scope, where: null, aggregate: null, having: null,
      outputs, outputColumns: scope, orderBy: [], distinct: false, limit: null, offset: null, correlated: [],
    };
  };
  const whole = tree(0, rows.length);
  return compound(sel, scope, whole.source.kind === 'none' ? { kind: 'subquery', select: whole } : whole.source, params);
}

/** A query over the rows of `source` (columns `scope`) with the statement's own ORDER BY / LIMIT / OFFSET. */
function compound(sel: NodeOf<'SelectStmt'>, scope: ScopeColumn[], source: BoundSelect['source'], params: SqlType[]): BoundSelect {
  const outputs: Expr[] = scope.map((c, i) => ({ kind: 'Column', index: i, type: c.type }));
  const orderCtx: BindContext = { scope, params, aggregates: null, clause: 'ORDER BY' };
  const orderBy: BoundOrderItem[] = list(sel.sortClause).map((s) => {
    const sb = node(s, 'SortBy')!;
    const { desc, nullsFirst } = sortDirection(sb);
    const c = constValue(sb.node);
    if (c?.kind === 'integer') {
      const col = outputs[c.value - 1];
      if (!col) throw new SqlError(SqlState.INVALID_COLUMN_REFERENCE, `ORDER BY position ${c.value} is not in select list`, pos(sb.node));
      return { expr: col, desc, nullsFirst };
    }
    return { expr: bindExpr(sb.node, orderCtx), desc, nullsFirst };
  });
  const limitCtx: BindContext = { scope: [], params, aggregates: null, clause: 'LIMIT' };
  const lim = (n: unknown): Expr | null => {
    if (n === undefined) return null;
    const c = constValue(n);
    if (c?.kind === 'null') return null;
    return coerce(bindExpr(n, limitCtx), T.int8, limitCtx, n);
  };
  return {
    source,
    inputScope: scope, where: null, aggregate: null, having: null,
    outputs, outputColumns: scope, orderBy, distinct: false,
    limit: lim(sel.limitCount), offset: lim(sel.limitOffset), correlated: [],
  };
}
