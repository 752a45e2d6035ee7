// DELETE, UPDATE and TRUNCATE: the rows a WHERE selects are deleted on the slices that hold them,
// in the same two-phase write that appends UPDATE's new row versions (routed by their DISTKEY).
// Uncorrelated subqueries in WHERE and SET run first (InitPlans), as in SELECT.
import { SqlError, SqlState, featureNotSupported } from '../../common/errors/index.ts';
import { bindExpr, coerce } from '../../sql/binder/bind-expr.ts';
import { subqueryHost } from '../../sql/binder/bind-subquery.ts';
import { bindSelect } from '../../sql/binder/bind-select.ts';
import type { BoundSelect } from '../../sql/binder/bound-select.ts';
import type { BindContext, ScopeColumn } from '../../sql/binder/scope.ts';
import type { Expr } from '../../sql/expr/expr.ts';
import { datumKey } from '../../sql/expr/compare.ts';
import type { EvalContext } from '../../sql/functions/scalar-functions.ts';
import { errorPosition, list, location, node, rangeVarName, type NodeOf, type SqlStatement } from '../../sql/parser/index.ts';
import type { Datum } from '../../sql/types/datum.ts';
import { formatTypeName, isStringType, T, type SqlType } from '../../sql/types/sql-type.ts';
import type { TableDef } from '../catalog/catalog-types.ts';
import type { SelectPlan } from '../planning/select-plan.ts';
import type { PreparedWrite } from '../scheduling/cluster-dispatcher.ts';
import type { ServerContext } from '../server-context.ts';
import { DEFAULT_MARKER, completeRow, routeRows } from './insert.ts';
import { catalogResolver } from './relation-resolver.ts';
import type { NamePath } from './search-path.ts';

/**
 * A bound DELETE, UPDATE or TRUNCATE. `select` reads the target table's rows that WHERE keeps:
 * for UPDATE its outputs are every column of the row, then each SET value (SET ... = DEFAULT
 * reads as a NULL placeholder, `setDefault` says which).
 */
export interface BoundModify {
  readonly kind: 'delete' | 'update' | 'truncate';
  /**
   * DELETE / UPDATE whose rows a join selects (USING, FROM, correlated subqueries): `select` gives
   * the rows (every column, then UPDATE's SET values) and the nodes delete the rows equal to them.
   */
  readonly byValue?: boolean;
  readonly tableOids: readonly number[];
  readonly select: BoundSelect | null;
  /** UPDATE: the table column each SET item assigns. */
  readonly setColumns: readonly number[];
  readonly setDefault: readonly boolean[];
}

function pos(n: unknown): { position?: number } {
  const p = errorPosition(location(n));
  return p === undefined ? {} : { position: p };
}

function targetTable(ctx: ServerContext, relation: unknown, path: NamePath): TableDef {
  const name = rangeVarName(relation);
  const table = ctx.catalog.findTable(path.schemaOf(name.schema, name.name), name.name);
  if (!table) throw new SqlError(SqlState.UNDEFINED_TABLE, `relation "${name.name}" does not exist`, pos(relation));
  return table;
}

/** Binds a DeleteStmt, UpdateStmt or TruncateStmt; `params` collects parameter types. */
export function bindModify(ctx: ServerContext, stmt: SqlStatement, params: SqlType[], path: NamePath): BoundModify {
  const truncate = node(stmt.ast, 'TruncateStmt');
  if (truncate) {
    const tables = list(truncate.relations).map((r) => targetTable(ctx, node(r, 'RangeVar') ?? r, path));
    tables.forEach(assertWritable);
    return { kind: 'truncate', tableOids: [...new Set(tables.map((t) => t.oid))], select: null, setColumns: [], setDefault: [] };
  }
  const del = node(stmt.ast, 'DeleteStmt');
  const upd = node(stmt.ast, 'UpdateStmt');
  const s = (del ?? upd)!;
  const verb = del ? 'DELETE' : 'UPDATE';
  if (s.withClause !== undefined) throw featureNotSupported(`WITH ... ${verb}`);
  if (s.returningClause !== undefined) throw featureNotSupported(`${verb} ... RETURNING`);
  const table = targetTable(ctx, s.relation, path);
  assertWritable(table);
  if (del && del.usingClause !== undefined) return deleteByValue(ctx, del, table, params, path);
  if (upd && upd.fromClause !== undefined) return updateByValue(ctx, upd, table, params, path);
  try {
    return bindByFilter(ctx, s, table, verb, del !== undefined, params, path);
  } catch (err) {
    // A correlated condition (EXISTS, IN, scalar) needs the join a SELECT makes of it.
    if (!(err instanceof SqlError) || err.code !== SqlState.FEATURE_NOT_SUPPORTED || !/correlated/i.test(err.message)) throw err;
    return del ? deleteByValue(ctx, del, table, params, path) : updateByValue(ctx, upd!, table, params, path);
  }
}

/** A SET list (UPDATE, MERGE's UPDATE): the column each item assigns, whether it is DEFAULT, and its value AST (undefined for DEFAULT). */
export function setItems(table: TableDef, targetList: unknown): { columns: number[]; defaults: boolean[]; values: unknown[] } {
  const columns: number[] = [];
  const defaults: boolean[] = [];
  const values: unknown[] = [];
  for (const t of list(targetList)) {
    const rt = node(t, 'ResTarget')!;
    if (node(rt.val, 'MultiAssignRef')) throw featureNotSupported('SET (columns) = (values)', pos(t));
    if (rt.indirection !== undefined) throw featureNotSupported('assigning to a field or element in SET', pos(t));
    const col = table.columns.findIndex((c) => c.name === rt.name);
    if (col < 0) throw new SqlError(SqlState.UNDEFINED_COLUMN, `column "${rt.name}" of relation "${table.name}" does not exist`, pos(t));
    if (columns.includes(col)) throw new SqlError(SqlState.SYNTAX_ERROR, `multiple assignments to same column "${rt.name}"`, pos(t));
    columns.push(col);
    const isDefault = node(rt.val, 'SetToDefault') !== undefined;
    defaults.push(isDefault);
    values.push(isDefault ? undefined : rt.val);
  }
  return { columns, defaults, values };
}

/** The target table's columns as qualified references (`alias.column`), for a SELECT of every column. */
function columnRefs(table: TableDef, alias: string): unknown[] {
  return table.columns.map((c) => ({ ResTarget: { val: { ColumnRef: { fields: [{ String: { sval: alias } }, { String: { sval: c.name } }] } } } }));
}

/**
 * UPDATE t SET ... FROM other WHERE ... (or with a correlated condition): a SELECT of t's columns and
 * the SET values over the same FROM items and WHERE; the rows equal to each selected one are deleted
 * and as many new versions appended (the first joined row's values, as PostgreSQL takes one).
 */
function updateByValue(ctx: ServerContext, upd: NodeOf<'UpdateStmt'>, table: TableDef, params: SqlType[], path: NamePath): BoundModify {
  const alias = upd.relation?.alias?.aliasname ?? table.name;
  const { columns: setColumns, defaults: setDefault, values: items } = setItems(table, upd.targetList);
  const values = items.map((val) => ({ ResTarget: { val: val ?? { A_Const: { isnull: true } } } }));
  const ast = {
    SelectStmt: {
      targetList: [...columnRefs(table, alias), ...values],
      fromClause: [{ RangeVar: upd.relation }, ...list(upd.fromClause)],
      ...(upd.whereClause !== undefined ? { whereClause: upd.whereClause } : {}),
      limitOption: 'LIMIT_OPTION_DEFAULT', op: 'SETOP_NONE',
    },
  };
  const select = bindSelect(ast, catalogResolver(ctx.catalog, path), params);
  return { kind: 'update', byValue: true, tableOids: [table.oid], select, setColumns, setDefault };
}

/**
 * DELETE FROM t [USING ...] WHERE ...: the rows of t the statement selects, as a SELECT of all of
 * t's columns over the same FROM items and WHERE (joins and decorrelated subqueries included).
 */
function deleteByValue(ctx: ServerContext, del: NodeOf<'DeleteStmt'>, table: TableDef, params: SqlType[], path: NamePath): BoundModify {
  const alias = del.relation?.alias?.aliasname ?? table.name;
  const ast = {
    SelectStmt: {
      targetList: columnRefs(table, alias),
      fromClause: [{ RangeVar: del.relation }, ...list(del.usingClause)],
      ...(del.whereClause !== undefined ? { whereClause: del.whereClause } : {}),
      limitOption: 'LIMIT_OPTION_DEFAULT', op: 'SETOP_NONE',
    },
  };
  const select = bindSelect(ast, catalogResolver(ctx.catalog, path), params);
  return { kind: 'delete', byValue: true, tableOids: [table.oid], select, setColumns: [], setDefault: [] };
}

function bindByFilter(ctx: ServerContext, s: NodeOf<'DeleteStmt'> | NodeOf<'UpdateStmt'>, table: TableDef, verb: string, isDelete: boolean,
  params: SqlType[], path: NamePath): BoundModify {
  const upd = isDelete ? undefined : (s as NodeOf<'UpdateStmt'>);
  const del = isDelete;
  const alias = s.relation?.alias?.aliasname ?? table.name;
  const scope: ScopeColumn[] = table.columns.map((c, i) => ({ name: c.name, table: alias, type: c.type, tableOid: table.oid, attnum: i + 1 }));
  const resolver = catalogResolver(ctx.catalog, path);
  const host = subqueryHost({
    resolver, params, scope, farther: [],
    getTree: () => null,
    setTree: () => { throw featureNotSupported(`correlated subqueries in ${verb}`); },
  });
  const bctx = (clause: string): BindContext => ({ scope, params, aggregates: null, clause, sublinks: host, ...(resolver.functions ? { functions: resolver.functions } : {}) });
  let where: Expr | null = null;
  if (s.whereClause !== undefined) {
    const w = bctx('WHERE');
    where = coerce(bindExpr(s.whereClause, w), T.bool, w, s.whereClause);
    if (where.type.id !== 'bool') throw new SqlError(SqlState.DATATYPE_MISMATCH, `argument of WHERE must be type boolean, not type ${formatTypeName(where.type)}`, pos(s.whereClause));
  }
  const columns: Expr[] = scope.map((c, i) => ({ kind: 'Column', index: i, type: c.type }));
  const { columns: setColumns, defaults: setDefault, values: items } = upd ? setItems(table, upd.targetList) : { columns: [], defaults: [], values: [] };
  const setValues = items.map((val, i): Expr => {
    const colType = table.columns[setColumns[i]!]!.type;
    if (val === undefined) return { kind: 'Const', value: null, type: colType };
    const e = bindExpr(val, bctx('UPDATE'));
    // Untyped literals and parameters take the column's type, as PostgreSQL infers them.
    return e.type.id === 'unknown' ? coerce(e, isStringType(colType) ? T.text : colType, bctx('UPDATE'), val) : e;
  });
  const outputs = del ? [] : [...columns, ...setValues];
  const select: BoundSelect = {
    source: { kind: 'table', tableOid: table.oid }, inputScope: scope, where, aggregate: null, having: null,
    outputs, outputColumns: outputs.map((e, i) => ({ name: `?column${i}?`, table: null, type: e.type, tableOid: 0, attnum: 0 })),
    orderBy: [], distinct: false, limit: null, offset: null, correlated: [],
  };
  return { kind: del ? 'delete' : 'update', tableOids: [table.oid], select, setColumns, setDefault };
}

/** What running a DELETE / UPDATE needs: the target query planned (InitPlans done), and its rows. */
export interface ModifyRun {
  readonly plan: SelectPlan;
  rows(): AsyncIterable<Datum[][]>;
}

/**
 * Phase one of a DELETE / UPDATE / TRUNCATE: deletes on every node, appends UPDATE's new rows.
 * Returns the prepared writes and the command tag.
 */
export async function prepareModify(ctx: ServerContext, bound: BoundModify, run: ModifyRun | null, evalCtx: EvalContext): Promise<{ writes: PreparedWrite[]; tag: string }> {
  const tables = bound.tableOids.map((oid) => {
    const t = ctx.catalog.tableByOid(oid);
    if (!t) throw new SqlError(SqlState.UNDEFINED_TABLE, 'table was dropped');
    return t;
  });
  if (bound.kind === 'truncate') {
    const writes: PreparedWrite[] = [];
    try {
      for (const t of tables) writes.push((await ctx.dispatcher.prepareModify(t, { filter: null, columns: [], types: [], zoneFilters: [] }, new Map(), evalCtx)).write);
    } catch (err) {
      await ctx.dispatcher.finishWrites(writes, false);
      throw err;
    }
    return { writes, tag: 'TRUNCATE TABLE' };
  }
  const table = tables[0]!;
  const f = run!.plan.fragment;
  const remove = { filter: f.filter, columns: f.scanColumns, types: f.scanTypes, zoneFilters: f.zoneFilters };
  if (bound.kind === 'delete' && bound.byValue === true) {
    // The distinct rows the join selected; the nodes delete every live row equal to one of them.
    const seen = new Set<string>();
    const rows: Datum[][] = [];
    for await (const chunk of run!.rows()) {
      for (const r of chunk) {
        let k = '';
        for (const v of r) k += `${datumKey(v)}\u0001`;
        if (!seen.has(k)) { seen.add(k); rows.push(r); }
      }
    }
    const byValue = { filter: null, rows, columns: table.columns.map((_c, i) => i), types: table.columns.map((c) => c.type), zoneFilters: [] };
    const { write, deleted } = await ctx.dispatcher.prepareModify(table, byValue, new Map(), evalCtx);
    return { writes: [write], tag: `DELETE ${deleted}` };
  }
  if (bound.kind === 'delete') {
    const { write, deleted } = await ctx.dispatcher.prepareModify(table, remove, new Map(), evalCtx);
    return { writes: [write], tag: `DELETE ${deleted}` };
  }
  if (bound.byValue === true) return updateRowsByValue(ctx, bound, table, run!, evalCtx);
  // UPDATE: the new version of every row WHERE keeps, then one write that deletes the old ones.
  const width = table.columns.length;
  const all = table.columns.map((_c, i) => i);
  const types: SqlType[] = table.columns.map((c) => c.type);
  bound.setColumns.forEach((col, i) => { types[col] = bound.select!.outputs[width + i]!.type; });
  const rows: Datum[][] = [];
  for await (const chunk of run!.rows()) {
    for (const r of chunk) {
      const values = r.slice(0, width);
      bound.setColumns.forEach((col, i) => { values[col] = bound.setDefault[i] ? DEFAULT_MARKER : r[width + i] ?? null; });
      rows.push(completeRow(table, all, values, types, evalCtx));
    }
  }
  const { write, deleted } = await ctx.dispatcher.prepareModify(table, remove, routeRows(ctx, table, rows), evalCtx);
  if (deleted !== rows.length) {
    // Another transaction changed the table between reading the rows and deleting them.
    await ctx.dispatcher.finishWrite(write, false);
    throw new SqlError(SqlState.SERIALIZATION_FAILURE, 'could not serialize access due to concurrent update', { hint: 'Retry the statement.' });
  }
  return { writes: [write], tag: `UPDATE ${rows.length}` };
}

/**
 * REFRESH MATERIALIZED VIEW: one write that deletes every row of the view's table and appends the
 * rows its query gives now (published together at commit, so readers see the old rows or the new).
 */
export async function prepareRefresh(ctx: ServerContext, table: TableDef, rows: AsyncIterable<Datum[][]>, types: readonly SqlType[], evalCtx: EvalContext): Promise<{ write: PreparedWrite; rows: number }> {
  const all = table.columns.map((_c, i) => i);
  const fresh: Datum[][] = [];
  for await (const chunk of rows) for (const r of chunk) fresh.push(completeRow(table, all, r, types, evalCtx));
  const { write } = await ctx.dispatcher.prepareModify(table, { filter: null, columns: [], types: [], zoneFilters: [] }, routeRows(ctx, table, fresh), evalCtx);
  return { write, rows: fresh.length };
}

/** 42809 for writing into a materialized view (REFRESH is how it changes). */
export function assertWritable(table: TableDef): void {
  if (table.materializedView !== undefined) throw new SqlError(SqlState.WRONG_OBJECT_TYPE, `cannot change materialized view "${table.name}"`);
}

/** UPDATE by value: distinct old rows with their new version; as many new versions as rows deleted. */
async function updateRowsByValue(ctx: ServerContext, bound: BoundModify, table: TableDef, run: ModifyRun, evalCtx: EvalContext): Promise<{ writes: PreparedWrite[]; tag: string }> {
  const width = table.columns.length;
  const all = table.columns.map((_c, i) => i);
  const types: SqlType[] = table.columns.map((c) => c.type);
  bound.setColumns.forEach((col, i) => { types[col] = bound.select!.outputs[width + i]!.type; });
  const olds: Datum[][] = [];
  const news: Datum[][] = [];
  const seen = new Set<string>();
  for await (const chunk of run.rows()) {
    for (const r of chunk) {
      const old = r.slice(0, width);
      let k = '';
      for (const v of old) k += `${datumKey(v)}\u0001`;
      if (seen.has(k)) continue;
      seen.add(k);
      const values = old.slice();
      bound.setColumns.forEach((col, i) => { values[col] = bound.setDefault[i] ? DEFAULT_MARKER : r[width + i] ?? null; });
      olds.push(old);
      // Checked now (types, NOT NULL), before anything is written.
      news.push(completeRow(table, all, values, types, evalCtx));
    }
  }
  const removal = { filter: null, rows: olds, columns: all, types: table.columns.map((c) => c.type), zoneFilters: [] };
  const { write, deletedByRow } = await ctx.dispatcher.prepareModify(table, removal, new Map(), evalCtx);
  const fresh: Datum[][] = [];
  (deletedByRow ?? []).forEach((k, i) => { for (let c = 0; c < k; c++) fresh.push(news[i]!); });
  try {
    const inserted = await ctx.dispatcher.prepareWrite(table, routeRows(ctx, table, fresh), fresh.length);
    return { writes: [write, inserted], tag: `UPDATE ${fresh.length}` };
  } catch (err) {
    await ctx.dispatcher.finishWrite(write, false);
    throw err;
  }
}
