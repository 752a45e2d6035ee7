// Checks a table definition before storage accepts it: storable types, known encodings, a valid
// sort key; and that an ALTER keeps existing columns readable.
import type { StoredTable } from './slice-store.ts';
import { SqlError, SqlState, featureNotSupported } from '../common/errors/index.ts';
import { layoutOf, type ColumnLayout } from './column-kind.ts';
import { policyForEncodingName } from './encoding/encoding-policy.ts';
import { MAX_INTERLEAVED_COLUMNS } from './sort/z-order.ts';

/** Throws a SqlError if storage cannot hold this table; returns the column layouts. */
export function validateTable(t: StoredTable): ColumnLayout[] {
  if (!Number.isInteger(t.tableId) || t.tableId < 0) throw new SqlError(SqlState.INVALID_TABLE_DEFINITION, `invalid table id ${t.tableId}`);
  if (t.columns.length === 0 || t.columns.length > 1600) throw new SqlError(SqlState.INVALID_TABLE_DEFINITION, `tables must have 1 to 1600 columns, got ${t.columns.length}`);
  const names = new Set<string>();
  for (const c of t.columns) {
    if (names.has(c.name)) throw new SqlError(SqlState.DUPLICATE_COLUMN, `column "${c.name}" specified more than once`);
    names.add(c.name);
    policyForEncodingName(c.encoding);
  }
  const layouts = t.columns.map((c) => layoutOf(c.type));
  const seen = new Set<number>();
  for (const k of t.sortKey) {
    if (!Number.isInteger(k) || k < 0 || k >= t.columns.length || seen.has(k)) {
      throw new SqlError(SqlState.INVALID_TABLE_DEFINITION, `invalid sort key column index ${k}`);
    }
    seen.add(k);
  }
  if (t.sortStyle === 'interleaved' && t.sortKey.length > MAX_INTERLEAVED_COLUMNS) {
    throw featureNotSupported(`INTERLEAVED SORTKEY with more than ${MAX_INTERLEAVED_COLUMNS} columns`);
  }
  return layouts;
}

/** Throws 0A000 if a column kept by name changes its stored layout (existing blocks would be misread). */
export function validateAlter(before: StoredTable, after: StoredTable): void {
  if (before.tableId !== after.tableId) throw new SqlError(SqlState.INVALID_TABLE_DEFINITION, 'ALTER cannot change the table id');
  for (const c of after.columns) {
    const old = before.columns.find((o) => o.name === c.name);
    if (old === undefined) continue;
    const a = layoutOf(old.type);
    const b = layoutOf(c.type);
    if (a.kind !== b.kind || a.scale !== b.scale || a.float4 !== b.float4) {
      throw featureNotSupported(`changing the stored type of column "${c.name}"`);
    }
  }
}
