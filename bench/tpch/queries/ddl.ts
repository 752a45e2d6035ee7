// CREATE TABLE statements: Redshift-style (DISTKEY/SORTKEY/DISTSTYLE ALL) for Colonnade, plain PostgreSQL for the others.
import { SCHEMA, type TableDef } from './schema.ts';

/** Which DDL to write. */
export type DdlDialect = 'redshift' | 'plain';

function createTable(def: TableDef, dialect: DdlDialect): string {
  const cols = def.columns.map((c) => `  ${c.name} ${c.type} NOT NULL`).join(',\n');
  let suffix = '';
  if (dialect === 'redshift') {
    suffix = def.dist === 'ALL' ? '\nDISTSTYLE ALL' : `\nDISTKEY(${def.dist})`;
    if (def.sortKey !== undefined) suffix += `\nSORTKEY(${def.sortKey})`;
  }
  return `CREATE TABLE ${def.name} (\n${cols}\n)${suffix}`;
}

/** One CREATE TABLE per table, in load order (no trailing semicolons). */
export function createTableStatements(dialect: DdlDialect): string[] {
  return SCHEMA.map((def) => createTable(def, dialect));
}

/** DROP TABLE IF EXISTS for every table (reverse load order). */
export function dropTableStatements(): string[] {
  return [...SCHEMA].reverse().map((def) => `DROP TABLE IF EXISTS ${def.name}`);
}

/**
 * PostgreSQL statements to run after loading: primary keys and foreign-key indexes (added after
 * the load because that is faster than maintaining them row by row).
 */
export function postLoadIndexStatements(): string[] {
  const out: string[] = [];
  for (const def of SCHEMA) {
    out.push(`ALTER TABLE ${def.name} ADD PRIMARY KEY (${def.primaryKey.join(', ')})`);
    def.indexes.forEach((cols, indexIdx) => {
      out.push(`CREATE INDEX ${def.name}_idx${indexIdx + 1} ON ${def.name} (${cols})`);
    });
  }
  return out;
}

/** The whole DDL script as text, for `tpch ddl [--plain]`. */
export function ddlScript(dialect: DdlDialect): string {
  const parts = createTableStatements(dialect).map((s) => `${s};`);
  if (dialect === 'plain') {
    parts.push('-- after loading:');
    parts.push(...postLoadIndexStatements().map((s) => `${s};`));
  }
  return `${parts.join('\n\n')}\n`;
}
