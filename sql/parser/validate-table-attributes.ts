// Checks a table's distribution / sort key / encodings for consistency and against its columns.
import { SqlError, SqlState } from '../../common/errors/index.ts';
import type { AttributePositions } from './redshift-create-table.ts';
import { MAX_INTERLEAVED_SORTKEY_COLUMNS, type TableAttributes } from './table-attributes.ts';

/**
 * Validates `attrs` in place and completes it (a DISTKEY implies DISTSTYLE KEY). `columns` are
 * the table's column names when the statement lists them all, or null when they are not known
 * at parse time (CTAS, LIKE, INHERITS, PARTITION OF): then column existence is the binder's job.
 * Throws SqlError with the position of the offending attribute.
 */
export function validateTableAttributes(attrs: TableAttributes, pos: AttributePositions, columns: readonly string[] | null): void {
  if (attrs.distKey !== undefined) {
    if (attrs.distStyle === undefined) attrs.distStyle = 'key';
    else if (attrs.distStyle !== 'key') {
      throw new SqlError(SqlState.INVALID_TABLE_DEFINITION,
        `DISTKEY cannot be used with DISTSTYLE ${attrs.distStyle.toUpperCase()}`,
        withPosition(pos.distKey, 'A DISTKEY requires DISTSTYLE KEY (or no DISTSTYLE at all).'));
    }
  } else if (attrs.distStyle === 'key') {
    throw new SqlError(SqlState.INVALID_TABLE_DEFINITION, 'DISTSTYLE KEY requires a DISTKEY column',
      withPosition(pos.distStyle));
  }
  const sortKey = attrs.sortKey;
  if (sortKey !== undefined && sortKey !== 'auto') {
    if (sortKey.style === 'interleaved' && sortKey.columns.length > MAX_INTERLEAVED_SORTKEY_COLUMNS) {
      throw new SqlError(SqlState.INVALID_TABLE_DEFINITION,
        `INTERLEAVED SORTKEY can have at most ${MAX_INTERLEAVED_SORTKEY_COLUMNS} columns, got ${sortKey.columns.length}`,
        withPosition(pos.sortKey));
    }
    const seen = new Set<string>();
    for (let i = 0; i < sortKey.columns.length; i++) {
      const col = sortKey.columns[i]!;
      if (seen.has(col)) {
        throw new SqlError(SqlState.DUPLICATE_COLUMN, `column "${col}" appears twice in SORTKEY`,
          withPosition(pos.sortKeyColumns[i]));
      }
      seen.add(col);
    }
  }
  if (columns === null) return;
  const known = new Set(columns);
  if (attrs.distKey !== undefined && !known.has(attrs.distKey)) {
    throw new SqlError(SqlState.UNDEFINED_COLUMN, `column "${attrs.distKey}" named in DISTKEY does not exist`,
      withPosition(pos.distKey));
  }
  if (sortKey !== undefined && sortKey !== 'auto') {
    for (let i = 0; i < sortKey.columns.length; i++) {
      const col = sortKey.columns[i]!;
      if (!known.has(col)) {
        throw new SqlError(SqlState.UNDEFINED_COLUMN, `column "${col}" named in SORTKEY does not exist`,
          withPosition(pos.sortKeyColumns[i]));
      }
    }
  }
}

function withPosition(position: number | undefined, hint?: string): { position?: number; hint?: string } {
  return { ...(position === undefined ? {} : { position }), ...(hint === undefined ? {} : { hint }) };
}
