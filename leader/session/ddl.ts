// DDL statements: CREATE/DROP/ALTER TABLE, CREATE/DROP VIEW, CREATE/DROP SCHEMA, CREATE INDEX.
import { dropFunctions } from './functions.ts';
import { SqlError, SqlState, featureNotSupported, undefinedColumn } from '../../common/errors/index.ts';
import { bindSelect } from '../../sql/binder/bind-select.ts';
import { resolveTypeName } from '../../sql/binder/resolve-type.ts';
import {
  errorPosition, list, location, node, nodeTag, rangeVarName, str, strs, type SqlStatement, type TableAttributes,
} from '../../sql/parser/index.ts';
import type { SqlType } from '../../sql/types/sql-type.ts';
import type { ColumnDef, DistStyle, TableDef } from '../catalog/catalog-types.ts';
import { storedTable } from '../scheduling/cluster-dispatcher.ts';
import type { ServerContext } from '../server-context.ts';
import { catalogResolver } from './relation-resolver.ts';
import type { NamePath } from './search-path.ts';

/** Sends NOTICE messages to the client. */
export type NoticeSink = (message: string) => void;

function pos(n: unknown): { position?: number } {
  const p = errorPosition(location(n));
  return p === undefined ? {} : { position: p };
}


/** Reads one ColumnDef AST into our ColumnDef (and whether it is a PRIMARY KEY column). */
function columnFromAst(n: unknown, encodings: Record<string, string>): { column: ColumnDef; primaryKey: boolean } {
  const cd = node(n, 'ColumnDef')!;
  const name = cd.colname!;
  const type: SqlType = resolveTypeName(cd.typeName);
  let notNull = cd.is_not_null === true;
  let primaryKey = false;
  let defaultAst: unknown;
  for (const c of list(cd.constraints)) {
    const con = node(c, 'Constraint')!;
    switch (con.contype) {
      case 'CONSTR_NOTNULL': notNull = true; break;
      case 'CONSTR_NULL': break;
      case 'CONSTR_DEFAULT': defaultAst = con.raw_expr; break;
      case 'CONSTR_PRIMARY': primaryKey = true; notNull = true; break;
      // Informational, as in Redshift: kept for planners and tools, not enforced.
      case 'CONSTR_UNIQUE': case 'CONSTR_FOREIGN': break;
      default: throw featureNotSupported(`column constraint ${String(con.contype).replace('CONSTR_', '')}`, pos(c));
    }
  }
  const encoding = encodings[name];
  return {
    column: { name, type, notNull, ...(defaultAst !== undefined ? { defaultAst } : {}), ...(encoding !== undefined ? { encoding } : {}) },
    primaryKey,
  };
}

/** Distribution and sort key from Redshift attributes, validated against the columns. */
function physicalDesign(attrs: TableAttributes | undefined, columns: readonly ColumnDef[], at: unknown): Pick<TableDef, 'distStyleDeclared' | 'distStyle' | 'distKey' | 'sortKey' | 'sortStyle' | 'sortKeyAuto'> {
  const indexOf = (name: string): number => {
    const i = columns.findIndex((c) => c.name === name);
    if (i < 0) throw undefinedColumn(name, pos(at).position);
    return i;
  };
  const declared = attrs?.distStyle ?? (attrs?.distKey !== undefined ? 'key' : 'auto');
  let distStyle: DistStyle = declared === 'auto' ? 'even' : declared;
  let distKey: number | undefined;
  if (attrs?.distKey !== undefined) {
    distKey = indexOf(attrs.distKey);
    distStyle = 'key';
  }
  const sk = attrs?.sortKey;
  const sortKey = sk && sk !== 'auto' ? sk.columns.map(indexOf) : [];
  return {
    distStyleDeclared: declared, distStyle,
    ...(distKey !== undefined ? { distKey } : {}),
    sortKey, sortStyle: sk && sk !== 'auto' ? sk.style : 'compound',
    ...(sk === 'auto' ? { sortKeyAuto: true } : {}),
  };
}

/** CREATE TABLE. */
export async function createTable(ctx: ServerContext, stmt: SqlStatement, notice: NoticeSink, path: NamePath): Promise<string> {
  const cs = node(stmt.ast, 'CreateStmt')!;
  const name = rangeVarName(cs.relation);
  const schema = name.schema ?? path.creationSchema();
  if (cs.relation?.relpersistence === 't') throw featureNotSupported('temporary tables', pos(stmt.ast));
  if (list(cs.inhRelations).length > 0) throw featureNotSupported('table inheritance');
  if (cs.partspec !== undefined) throw featureNotSupported('partitioned tables');
  if (ctx.catalog.findTable(schema, name.name) || ctx.catalog.findView(schema, name.name)) {
    if (cs.if_not_exists) {
      notice(`relation "${name.name}" already exists, skipping`);
      return 'CREATE TABLE';
    }
    throw new SqlError(SqlState.DUPLICATE_TABLE, `relation "${name.name}" already exists`);
  }
  const encodings = stmt.attributes?.columnEncodings ?? {};
  const columns: ColumnDef[] = [];
  const pkColumns: string[] = [];
  for (const elt of list(cs.tableElts)) {
    const tag = nodeTag(elt);
    if (tag === 'ColumnDef') {
      const { column, primaryKey } = columnFromAst(elt, encodings);
      if (columns.some((c) => c.name === column.name)) {
        throw new SqlError(SqlState.DUPLICATE_COLUMN, `column "${column.name}" specified more than once`, pos(elt));
      }
      columns.push(column);
      if (primaryKey) pkColumns.push(column.name);
    } else if (tag === 'Constraint') {
      const con = node(elt, 'Constraint')!;
      if (con.contype === 'CONSTR_PRIMARY') pkColumns.push(...strs(con.keys));
      else if (con.contype !== 'CONSTR_UNIQUE' && con.contype !== 'CONSTR_FOREIGN') {
        throw featureNotSupported(`table constraint ${String(con.contype).replace('CONSTR_', '')}`, pos(elt));
      }
    } else {
      throw featureNotSupported(`table element ${tag ?? ''}`, pos(elt));
    }
  }
  if (columns.length === 0) throw featureNotSupported('tables without columns');
  for (const pk of pkColumns) {
    const i = columns.findIndex((c) => c.name === pk);
    if (i < 0) throw undefinedColumn(pk);
    columns[i] = { ...columns[i]!, notNull: true };
  }
  for (const enc of Object.keys(encodings)) {
    if (!columns.some((c) => c.name === enc)) throw undefinedColumn(enc);
  }
  const table: TableDef = {
    oid: ctx.catalog.allocateOid(), schema, name: name.name, columns,
    ...physicalDesign(stmt.attributes, columns, stmt.ast),
    placedOnSlices: ctx.catalog.sliceCount,
  };
  // Held until the catalog has it: recovery drops tables the catalog lacks from a node catching up.
  const release = await ctx.dispatcher.gate.shared(table.oid);
  try {
    await ctx.dispatcher.broadcast('createTable', { table: storedTable(table) }, table.oid);
    await ctx.catalog.apply({ kind: 'CreateTable', table });
  } finally {
    release();
  }
  return 'CREATE TABLE';
}

/** DROP TABLE / VIEW / SCHEMA / INDEX. */
export async function drop(ctx: ServerContext, stmt: SqlStatement, notice: NoticeSink, path: NamePath): Promise<string> {
  const ds = node(stmt.ast, 'DropStmt')!;
  const kind = ds.removeType;
  const names = list(ds.objects).map((o) => strs(o));
  switch (kind) {
    case 'OBJECT_TABLE': case 'OBJECT_VIEW': case 'OBJECT_MATVIEW': {
      // A materialized view is a table the catalog marks; each DROP form takes only its own kind.
      const isTable = kind !== 'OBJECT_VIEW';
      const materialized = kind === 'OBJECT_MATVIEW';
      const what = materialized ? 'materialized view' : isTable ? 'table' : 'view';
      // Validate all first so a failing name drops nothing.
      const targets: number[] = [];
      for (const parts of names) {
        const rel = parts[parts.length - 1]!;
        const schema = path.schemaOf(parts.length > 1 ? parts[parts.length - 2]! : undefined, rel);
        const found = isTable ? ctx.catalog.findTable(schema, rel) : ctx.catalog.findView(schema, rel);
        if (!found) {
          const other = isTable ? ctx.catalog.findView(schema, rel) : ctx.catalog.findTable(schema, rel);
          if (other) throw new SqlError(SqlState.WRONG_OBJECT_TYPE, `"${rel}" is not a ${what}`, { hint: `Use DROP ${isTable ? 'VIEW' : 'TABLE'} to remove a ${isTable ? 'view' : 'table'}.` });
          if (ds.missing_ok) {
            notice(`${what} "${rel}" does not exist, skipping`);
            continue;
          }
          throw new SqlError(SqlState.UNDEFINED_TABLE, `${what} "${rel}" does not exist`);
        }
        if (isTable && ((found as TableDef).materializedView !== undefined) !== materialized) {
          throw new SqlError(SqlState.WRONG_OBJECT_TYPE, `"${rel}" is not a ${what}`,
            { hint: `Use DROP ${materialized ? 'TABLE' : 'MATERIALIZED VIEW'} to remove a ${materialized ? 'table' : 'materialized view'}.` });
        }
        targets.push(found.oid);
      }
      for (const oid of targets) {
        if (isTable) {
          await ctx.catalog.apply({ kind: 'DropTable', oid });
          await ctx.dispatcher.broadcast('dropTable', { tableId: oid }, oid).catch((err: unknown) => {
            // The catalog no longer knows the table; a node that missed this drops it when it rejoins.
            ctx.log.warn({ err, oid }, 'drop did not reach every node');
          });
        } else {
          await ctx.catalog.apply({ kind: 'DropView', oid });
        }
      }
      return materialized ? 'DROP MATERIALIZED VIEW' : isTable ? 'DROP TABLE' : 'DROP VIEW';
    }
    case 'OBJECT_FUNCTION': return dropFunctions(ctx, list(ds.objects), ds.missing_ok === true, notice, path);
    case 'OBJECT_SCHEMA': {
      for (const n of list(ds.objects)) {
        const s = str(n) ?? strs(n)[0]!;
        if (!ctx.catalog.schemas.includes(s)) {
          if (ds.missing_ok) {
            notice(`schema "${s}" does not exist, skipping`);
            continue;
          }
          throw new SqlError(SqlState.INVALID_SCHEMA_NAME, `schema "${s}" does not exist`);
        }
        const dependents = ctx.catalog.tables.filter((t) => t.schema === s);
        if (dependents.length > 0 && ds.behavior !== 'DROP_CASCADE') {
          throw new SqlError(SqlState.DEPENDENT_OBJECTS_STILL_EXIST, `cannot drop schema ${s} because other objects depend on it`,
            { hint: 'Use DROP ... CASCADE to drop the dependent objects too.' });
        }
        for (const t of dependents) {
          await ctx.catalog.apply({ kind: 'DropTable', oid: t.oid });
          await ctx.dispatcher.broadcast('dropTable', { tableId: t.oid }, t.oid).catch(() => undefined);
        }
        for (const v of ctx.catalog.views.filter((x) => x.schema === s)) await ctx.catalog.apply({ kind: 'DropView', oid: v.oid });
        await ctx.catalog.apply({ kind: 'DropSchema', name: s });
      }
      return 'DROP SCHEMA';
    }
    case 'OBJECT_INDEX':
      notice('indexes are not used by Colonnade; nothing to drop');
      return 'DROP INDEX';
    default:
      throw featureNotSupported(`DROP ${String(kind).replace('OBJECT_', '')}`);
  }
}

/** ALTER TABLE ... ADD COLUMN. */
export async function alterTable(ctx: ServerContext, stmt: SqlStatement, path: NamePath): Promise<string> {
  const at = node(stmt.ast, 'AlterTableStmt')!;
  const name = rangeVarName(at.relation);
  const t = ctx.catalog.findTable(path.schemaOf(name.schema, name.name), name.name);
  if (!t) {
    if (at.missing_ok) return 'ALTER TABLE';
    throw new SqlError(SqlState.UNDEFINED_TABLE, `relation "${name.name}" does not exist`);
  }
  // Held against recovery, which could otherwise install a copy of the table from before the change.
  const release = await ctx.dispatcher.gate.shared(t.oid);
  try {
    for (const c of list(at.cmds)) {
      const cmd = node(c, 'AlterTableCmd')!;
      if (cmd.subtype !== 'AT_AddColumn') throw featureNotSupported(`ALTER TABLE ${String(cmd.subtype).replace('AT_', '')}`);
      const { column } = columnFromAst(cmd.def, {});
      if (column.notNull && column.defaultAst === undefined && t.columns.length > 0) {
        throw new SqlError(SqlState.NOT_NULL_VIOLATION, `column "${column.name}" of relation "${t.name}" contains null values`);
      }
      if (column.defaultAst !== undefined) throw featureNotSupported('ADD COLUMN with DEFAULT on existing rows');
      await ctx.catalog.apply({ kind: 'AddColumn', oid: t.oid, column });
    }
    const updated = ctx.catalog.tableByOid(t.oid)!;
    await ctx.dispatcher.broadcast('alterTable', { table: storedTable(updated) }, updated.oid);
  } finally {
    release();
  }
  return 'ALTER TABLE';
}

/** ALTER TABLE ... RENAME [COLUMN] ... TO ... */
export async function rename(ctx: ServerContext, stmt: SqlStatement, path: NamePath): Promise<string> {
  const rs = node(stmt.ast, 'RenameStmt')!;
  const name = rangeVarName(rs.relation);
  const t = ctx.catalog.findTable(path.schemaOf(name.schema, name.name), name.name);
  if (rs.renameType === 'OBJECT_TABLE') {
    if (!t) throw new SqlError(SqlState.UNDEFINED_TABLE, `relation "${name.name}" does not exist`);
    await ctx.catalog.apply({ kind: 'RenameTable', oid: t.oid, newName: rs.newname! });
    return 'ALTER TABLE';
  }
  if (rs.renameType === 'OBJECT_COLUMN') {
    if (!t) throw new SqlError(SqlState.UNDEFINED_TABLE, `relation "${name.name}" does not exist`);
    const idx = t.columns.findIndex((c) => c.name === rs.subname);
    if (idx < 0) throw undefinedColumn(rs.subname ?? '');
    await ctx.catalog.apply({ kind: 'RenameColumn', oid: t.oid, index: idx, newName: rs.newname! });
    return 'ALTER TABLE';
  }
  throw featureNotSupported(`ALTER ${String(rs.renameType).replace('OBJECT_', '')} RENAME`);
}

/** CREATE [OR REPLACE] VIEW. */
export async function createView(ctx: ServerContext, stmt: SqlStatement, path: NamePath): Promise<string> {
  const vs = node(stmt.ast, 'ViewStmt')!;
  const name = rangeVarName(vs.view);
  const schema = name.schema ?? path.creationSchema();
  const bound = bindSelect(vs.query, catalogResolver(ctx.catalog, path), []);
  const aliases = strs(vs.aliases);
  const columnNames = bound.outputColumns.map((c, i) => aliases[i] ?? c.name);
  const existing = ctx.catalog.findView(schema, name.name);
  if (existing && !vs.replace) throw new SqlError(SqlState.DUPLICATE_TABLE, `relation "${name.name}" already exists`);
  await ctx.catalog.apply({
    kind: 'CreateView', replace: vs.replace === true,
    view: { oid: existing?.oid ?? ctx.catalog.allocateOid(), schema, name: name.name, sql: stmt.text, columnNames },
  });
  return 'CREATE VIEW';
}

/** CREATE SCHEMA. */
export async function createSchema(ctx: ServerContext, stmt: SqlStatement, notice: NoticeSink): Promise<string> {
  const cs = node(stmt.ast, 'CreateSchemaStmt')!;
  const s = cs.schemaname!;
  if (list(cs.schemaElts).length > 0) throw featureNotSupported('CREATE SCHEMA with elements');
  if (ctx.catalog.schemas.includes(s) && cs.if_not_exists) {
    notice(`schema "${s}" already exists, skipping`);
    return 'CREATE SCHEMA';
  }
  await ctx.catalog.apply({ kind: 'CreateSchema', name: s });
  return 'CREATE SCHEMA';
}
