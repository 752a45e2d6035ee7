// INSERT ... VALUES / INSERT ... SELECT: bind, evaluate, coerce to the columns, route rows to
// their slices, and write them in two phases.
import { SqlError, SqlState, featureNotSupported } from '../../common/errors/index.ts';
import { bindExpr, coerce } from '../../sql/binder/bind-expr.ts';
import { bindSelect } from '../../sql/binder/bind-select.ts';
import type { BoundSelect } from '../../sql/binder/bound-select.ts';
import type { BindContext } from '../../sql/binder/scope.ts';
import { castDatum } from '../../sql/expr/cast.ts';
import { evaluate } from '../../sql/expr/evaluate.ts';
import type { Expr } from '../../sql/expr/expr.ts';
import type { EvalContext } from '../../sql/functions/scalar-functions.ts';
import { errorPosition, list, location, node, rangeVarName, type SqlStatement } from '../../sql/parser/index.ts';
import type { Datum } from '../../sql/types/datum.ts';
import { formatTypeName, isStringType, type SqlType } from '../../sql/types/sql-type.ts';
import type { TableDef } from '../catalog/catalog-types.ts';
import type { PreparedWrite } from '../scheduling/cluster-dispatcher.ts';
import { sliceForKey } from '../../compute/exchange/distribution-hash.ts';
import type { ServerContext } from '../server-context.ts';
import { catalogResolver } from './relation-resolver.ts';
import type { NamePath } from './search-path.ts';

/** A bound INSERT. */
export interface BoundInsert {
  readonly tableOid: number;
  /** Table column index for each supplied value position. */
  readonly targetColumns: readonly number[];
  /** VALUES rows (expressions over no columns), or a query. */
  readonly source: { readonly kind: 'values'; readonly rows: readonly (readonly Expr[])[] } | { readonly kind: 'select'; readonly select: BoundSelect };
}

/** Binds an InsertStmt; `params` collects parameter types. */
export function bindInsert(ctx: ServerContext, stmt: SqlStatement, params: SqlType[], path: NamePath): BoundInsert {
  const ins = node(stmt.ast, 'InsertStmt')!;
  if (ins.returningClause !== undefined) throw featureNotSupported('INSERT ... RETURNING');
  if (ins.onConflictClause !== undefined) throw featureNotSupported('INSERT ... ON CONFLICT');
  if (ins.withClause !== undefined) throw featureNotSupported('WITH ... INSERT');
  const name = rangeVarName(ins.relation);
  const table = ctx.catalog.findTable(path.schemaOf(name.schema, name.name), name.name);
  if (!table) {
    const p = errorPosition(location(ins.relation));
    throw new SqlError(SqlState.UNDEFINED_TABLE, `relation "${name.name}" does not exist`, p === undefined ? {} : { position: p });
  }
  if (table.materializedView !== undefined) throw new SqlError(SqlState.WRONG_OBJECT_TYPE, `cannot change materialized view "${table.name}"`);
  const targetColumns: number[] = [];
  const cols = list(ins.cols);
  if (cols.length === 0) table.columns.forEach((_c, i) => targetColumns.push(i));
  for (const c of cols) {
    const rt = node(c, 'ResTarget')!;
    const idx = table.columns.findIndex((x) => x.name === rt.name);
    if (idx < 0) {
      const p = errorPosition(location(c));
      throw new SqlError(SqlState.UNDEFINED_COLUMN, `column "${rt.name}" of relation "${table.name}" does not exist`, p === undefined ? {} : { position: p });
    }
    if (targetColumns.includes(idx)) throw new SqlError(SqlState.DUPLICATE_COLUMN, `column "${rt.name}" specified more than once`);
    targetColumns.push(idx);
  }
  const sel = node(ins.selectStmt, 'SelectStmt');
  if (sel?.valuesLists !== undefined) {
    const resolver = catalogResolver(ctx.catalog, path);
    const bctx: BindContext = { scope: [], params, aggregates: null, clause: 'VALUES', ...(resolver.functions ? { functions: resolver.functions } : {}) };
    const rows = list(sel.valuesLists).map((l) => {
      const items = list(l);
      if (items.length > targetColumns.length) throw new SqlError(SqlState.SYNTAX_ERROR, 'INSERT has more expressions than target columns', pos(items[targetColumns.length]));
      if (items.length < targetColumns.length) throw new SqlError(SqlState.SYNTAX_ERROR, 'INSERT has more target columns than expressions', pos(items[items.length - 1]));
      return items.map((item, i) => {
        if (node(item, 'SetToDefault')) return { kind: 'Const', value: DEFAULT_MARKER, type: table.columns[targetColumns[i]!]!.type } as Expr;
        const e = bindExpr(item, bctx);
        const colType = table.columns[targetColumns[i]!]!.type;
        // Untyped literals and parameters take the column's type, as PostgreSQL infers them.
        return e.type.id === 'unknown' ? coerce(e, isStringType(colType) ? { id: 'text' } : colType, bctx, item) : e;
      });
    });
    return { tableOid: table.oid, targetColumns, source: { kind: 'values', rows } };
  }
  if (ins.selectStmt === undefined) {
    // INSERT ... DEFAULT VALUES
    return { tableOid: table.oid, targetColumns: [], source: { kind: 'values', rows: [[]] } };
  }
  const select = bindSelect(ins.selectStmt, catalogResolver(ctx.catalog, path), params);
  if (select.outputs.length > targetColumns.length) throw new SqlError(SqlState.SYNTAX_ERROR, 'INSERT has more expressions than target columns');
  if (select.outputs.length < targetColumns.length) throw new SqlError(SqlState.SYNTAX_ERROR, 'INSERT has more target columns than expressions');
  return { tableOid: table.oid, targetColumns, source: { kind: 'select', select } };
}

/** Marks VALUES (DEFAULT) items. */
export const DEFAULT_MARKER = '\u0000colonnade:default';

function pos(n: unknown): { position?: number } {
  const p = errorPosition(location(n));
  return p === undefined ? {} : { position: p };
}

/** Converts a value to a column's type with PostgreSQL's assignment rules. */
export function assignDatum(v: Datum, from: SqlType, to: SqlType, columnName: string, ctx: EvalContext): Datum {
  if (v === null) return null;
  if ((to.id === 'varchar' || to.id === 'char') && to.length !== undefined && typeof v === 'string') {
    const chars = [...v];
    if (chars.length > to.length) {
      const trimmed = v.replace(/ +$/, '');
      if ([...trimmed].length > to.length) {
        throw new SqlError(SqlState.STRING_DATA_RIGHT_TRUNCATION, `value too long for type ${formatTypeName(to)}`, { column: columnName });
      }
      return trimmed;
    }
    return to.id === 'char' ? v.replace(/ +$/, '') : v;
  }
  try {
    return castDatum(v, from, to, ctx);
  } catch (err) {
    if (err instanceof SqlError && err.code === SqlState.CANNOT_COERCE) {
      throw new SqlError(SqlState.DATATYPE_MISMATCH, `column "${columnName}" is of type ${formatTypeName(to)} but expression is of type ${formatTypeName(from)}`,
        { hint: 'You will need to rewrite or cast the expression.' });
    }
    throw err;
  }
}

/** A column's DEFAULT evaluated now (NULL when it has none). */
function defaultValue(table: TableDef, i: number, ctx: EvalContext): Datum {
  const c = table.columns[i]!;
  if (c.defaultAst === undefined) return null;
  const bctx: BindContext = { scope: [], params: [], aggregates: null, clause: 'DEFAULT expressions' };
  const e = bindExpr(c.defaultAst, bctx);
  return assignDatum(evaluate(e.type.id === 'unknown' ? coerce(e, c.type, bctx) : e, [], ctx), e.type.id === 'unknown' ? c.type : e.type, c.type, c.name, ctx);
}

function notNullViolation(table: TableDef, column: string): SqlError {
  return new SqlError(SqlState.NOT_NULL_VIOLATION, `null value in column "${column}" of relation "${table.name}" violates not-null constraint`,
    { table: table.name, column, schema: table.schema });
}

/** Builds full table rows from supplied values: defaults, coercion, NOT NULL checks. */
export function completeRow(table: TableDef, targets: readonly number[], values: readonly Datum[], valueTypes: readonly SqlType[], ctx: EvalContext): Datum[] {
  const row: Datum[] = new Array<Datum>(table.columns.length).fill(null);
  const given = new Array<boolean>(table.columns.length).fill(false);
  targets.forEach((col, i) => {
    const v = values[i] ?? null;
    if (v === DEFAULT_MARKER) return;
    const c = table.columns[col]!;
    row[col] = assignDatum(v, valueTypes[i]!, c.type, c.name, ctx);
    given[col] = true;
  });
  table.columns.forEach((c, i) => {
    if (!given[i]) row[i] = defaultValue(table, i, ctx);
    if (row[i] === null && c.notNull) throw notNullViolation(table, c.name);
  });
  return row;
}

/**
 * The values of the columns a bulk load does not supply (their DEFAULTs, evaluated once per load
 * as COPY's input rows share one statement time), by table column index; null for supplied ones.
 * A NOT NULL column left NULL fails on the compute nodes at the first row, as in PostgreSQL.
 */
export function omittedColumnValues(table: TableDef, targets: readonly number[], ctx: EvalContext): Datum[] {
  return table.columns.map((_c, i) => (targets.includes(i) ? null : defaultValue(table, i, ctx)));
}

/** Groups rows by the slice that stores them. */
export function routeRows(ctx: ServerContext, table: TableDef, rows: readonly Datum[][]): Map<number, Datum[][]> {
  const bySlice = new Map<number, Datum[][]>();
  const add = (slice: number, row: Datum[]): void => {
    let l = bySlice.get(slice);
    if (!l) bySlice.set(slice, (l = []));
    l.push(row);
  };
  const nodes = ctx.catalog.nodes;
  const allSlices = nodes.flatMap((n) => n.slices).sort((a, b) => a - b);
  if (allSlices.length === 0) throw new SqlError(SqlState.CANNOT_CONNECT_NOW, 'no compute nodes have joined the cluster yet');
  if (table.distStyle === 'all') {
    for (const n of nodes) for (const r of rows) add(n.slices[0]!, r);
  } else if (table.distStyle === 'key') {
    for (const r of rows) add(allSlices[sliceForKey(r[table.distKey!] ?? null, allSlices.length)]!, r);
  } else {
    let next = Math.floor(Math.random() * allSlices.length);
    for (const r of rows) {
      add(allSlices[next]!, r);
      next = (next + 1) % allSlices.length;
    }
  }
  return bySlice;
}

/** Evaluates the INSERT's rows and prepares them on the compute nodes (phase one). */
export async function prepareInsert(
  ctx: ServerContext,
  bound: BoundInsert,
  sourceRows: AsyncIterable<Datum[][]> | null,
  evalCtx: EvalContext,
  instantiate: (e: Expr) => Expr,
): Promise<PreparedWrite> {
  const table = ctx.catalog.tableByOid(bound.tableOid);
  if (!table) throw new SqlError(SqlState.UNDEFINED_TABLE, 'table was dropped');
  const rows: Datum[][] = [];
  if (bound.source.kind === 'values') {
    for (const exprs of bound.source.rows) {
      const live = exprs.map(instantiate);
      rows.push(completeRow(table, bound.targetColumns, live.map((e) => evaluate(e, [], evalCtx)), live.map((e) => e.type), evalCtx));
    }
  } else {
    const types = bound.source.select.outputColumns.map((c) => c.type);
    for await (const chunk of sourceRows!) for (const r of chunk) rows.push(completeRow(table, bound.targetColumns, r, types, evalCtx));
  }
  return ctx.dispatcher.prepareWrite(table, routeRows(ctx, table, rows), rows.length);
}

