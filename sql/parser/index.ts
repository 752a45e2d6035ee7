// The SQL entry point: parse a query string into statements, plus typed readers for the AST.
export { initParser, isParserReady } from './init-parser.ts';
export {
  parseStatements,
  type ParsedStatement,
  type SqlStatement,
  type AlterTableAttributesStatement,
} from './parse-statements.ts';
export { splitStatements } from './split-statements.ts';
export { rewriteRedshiftMaintenance } from './redshift-maintenance.ts';
export type { AlterTableAttributesAction } from './redshift-alter-table.ts';
export {
  emptyTableAttributes,
  hasTableAttributes,
  MAX_INTERLEAVED_SORTKEY_COLUMNS,
  type DistStyle,
  type SortKeySpec,
  type TableAttributes,
} from './table-attributes.ts';
export * from './ast.ts';
export { SourceMap } from './source-map.ts';
/** All @pgsql/types node body interfaces and enums as a namespace: `Pg.SelectStmt`, `Pg.A_Expr_Kind`. */
export type * as Pg from 'libpg-query';
