// Resolves names in FROM against the catalog, views and system views.
import { lookupFunctions } from './functions.ts';
import { SqlError, SqlState, undefinedTable } from '../../common/errors/index.ts';
import { bindSelect, type RelationResolver, type ResolvedRelation } from '../../sql/binder/bind-select.ts';
import { node, parseStatements, type QualifiedName } from '../../sql/parser/index.ts';
import type { SqlType } from '../../sql/types/sql-type.ts';
import type { Catalog } from '../catalog/catalog.ts';
import { SYSTEM_VIEWS } from './system-views.ts';
import type { NamePath } from './search-path.ts';

const SYSTEM_SCHEMAS = new Set(['pg_catalog', 'information_schema']);

/** A resolver over the catalog for one statement; `depth` guards against view cycles. */
export function catalogResolver(catalog: Catalog, path: NamePath, depth = 0): RelationResolver {
  return {
    functions: (schema, name) => lookupFunctions(catalog, path, schema, name),
    resolve(name: QualifiedName, position: number | undefined): ResolvedRelation {
      const schema = path.schemaOf(name.schema, name.name);
      const sys = SYSTEM_VIEWS[name.name];
      if (sys && (name.schema === undefined || SYSTEM_SCHEMAS.has(name.schema))) {
        return { kind: 'system', name: name.name, columns: sys.columns };
      }
      const t = catalog.findTable(schema, name.name);
      if (t) return { kind: 'table', tableOid: t.oid, name: t.name, columns: t.columns };
      const v = catalog.findView(schema, name.name);
      if (v) {
        if (depth > 32) throw new SqlError(SqlState.PROGRAM_LIMIT_EXCEEDED, `views nested too deeply at "${v.name}"`);
        return {
          kind: 'view', name: v.name,
          bind: (params: SqlType[]) => {
            const [stmt] = parseStatements(v.sql);
            const query = stmt && stmt.kind === 'Sql' ? node(stmt.ast, 'ViewStmt')?.query : undefined;
            if (query === undefined) throw new SqlError(SqlState.INTERNAL_ERROR, `view "${v.name}" has no query`);
            const bound = bindSelect(query, catalogResolver(catalog, path, depth + 1), params);
            return { ...bound, outputColumns: bound.outputColumns.map((c, i) => ({ ...c, name: v.columnNames[i] ?? c.name })) };
          },
        };
      }
      const qualified = name.schema !== undefined ? `${name.schema}.${name.name}` : name.name;
      throw undefinedTable(qualified, position);
    },
  };
}
