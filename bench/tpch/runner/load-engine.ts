// Loads the eight .tbl files of a data directory into an engine and times it.
import { join } from 'node:path';
import { TABLE_NAMES, type TableName } from '../gen/table-spec.ts';
import type { Engine } from './engine.ts';

/** Load timing of one engine. */
export interface LoadResult {
  /** Wall time of schema + all tables + afterLoad (indexes, ANALYZE). */
  totalMs: number;
  tables: { table: TableName; rows: number; ms: number }[];
  afterLoadMs: number;
  /** The engine's note on how it loaded (COPY or INSERT fallback). */
  method?: string;
}

/** Creates the schema and loads `<dir>/<table>.tbl` for every table. */
export async function loadEngine(
  engine: Engine, dir: string, onTable?: (table: TableName, index: number) => void,
): Promise<LoadResult> {
  const start = performance.now();
  await engine.createSchema();
  const tables: LoadResult['tables'] = [];
  for (let tableIdx = 0; tableIdx < TABLE_NAMES.length; tableIdx++) {
    const table = TABLE_NAMES[tableIdx]!;
    onTable?.(table, tableIdx);
    const t0 = performance.now();
    const rows = await engine.loadTable(table, join(dir, `${table}.tbl`));
    tables.push({ table, rows, ms: performance.now() - t0 });
  }
  const t1 = performance.now();
  await engine.afterLoad();
  const afterLoadMs = performance.now() - t1;
  const result: LoadResult = { totalMs: performance.now() - start, tables, afterLoadMs };
  const note = engine.loadNote?.();
  if (note !== undefined) result.method = note;
  return result;
}
