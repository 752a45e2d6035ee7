// Unqualified names resolve through the session's search_path, as in PostgreSQL.
import { SqlError, SqlState } from '../../common/errors/index.ts';
import type { Catalog } from '../catalog/catalog.ts';

/** The schemas to search, in order, for a search_path setting such as `"$user", public`. */
export function parseSearchPath(setting: string, user: string): string[] {
  return setting.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map((s) => {
    const unquoted = s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1).replace(/""/g, '"') : s.toLowerCase();
    return unquoted === '$user' ? user : unquoted;
  });
}

/** Schema lookup for one statement. */
export interface NamePath {
  /** The schema holding a relation named `name` (first match on the path), or the given schema. */
  schemaOf(schema: string | undefined, name: string): string;
  /** Where CREATE without a schema puts things: the first existing schema on the path. */
  creationSchema(): string;
  /** The schemas to look a name up in, in order: the given one, or the path's existing ones. */
  lookupSchemas(schema: string | undefined): readonly string[];
}

/** A NamePath over the catalog. */
export function namePath(catalog: Catalog, schemas: readonly string[]): NamePath {
  return {
    schemaOf(schema, name) {
      if (schema !== undefined) return schema;
      for (const s of schemas) {
        if (catalog.findTable(s, name) || catalog.findView(s, name)) return s;
      }
      return schemas.find((s) => catalog.schemas.includes(s)) ?? 'public';
    },
    lookupSchemas(schema) {
      return schema !== undefined ? [schema] : schemas.filter((s) => catalog.schemas.includes(s));
    },
    creationSchema() {
      const s = schemas.find((x) => catalog.schemas.includes(x));
      if (s === undefined) throw new SqlError(SqlState.INVALID_SCHEMA_NAME, 'no schema has been selected to create in');
      return s;
    },
  };
}
