// Redshift-style physical table design (distribution, sort key, encodings) as plain data.

/** How rows are spread over slices. */
export type DistStyle = 'auto' | 'even' | 'key' | 'all';

/** An explicit sort key. */
export interface SortKeySpec {
  readonly style: 'compound' | 'interleaved';
  /** Column names, case-folded like identifiers (lower case unless quoted). */
  readonly columns: string[];
}

/**
 * Distribution, sort key, encodings and backup flag of a CREATE TABLE / CTAS, from Redshift
 * syntax (`DISTSTYLE KEY DISTKEY(a) SORTKEY(b)`, column `ENCODE zstd`) or from
 * `WITH (distkey = 'a', ...)`. Column-level DISTKEY / SORTKEY are folded into distKey / sortKey.
 * Unset fields mean "not specified" (the engine picks its default).
 */
export interface TableAttributes {
  /** Set to 'key' whenever distKey is given. */
  distStyle?: DistStyle;
  distKey?: string;
  sortKey?: SortKeySpec | 'auto';
  /** Lower-cased (unless quoted) column name → encoding name as written, lower-cased. */
  columnEncodings: Record<string, string>;
  /** Table-level `ENCODE AUTO`. */
  encodeAuto?: boolean;
  /** `BACKUP YES|NO`. */
  backup?: boolean;
}

/** Redshift's limit on the columns of an INTERLEAVED sort key. */
export const MAX_INTERLEAVED_SORTKEY_COLUMNS = 8;

/** Fresh empty attributes. */
export function emptyTableAttributes(): TableAttributes {
  return { columnEncodings: {} };
}

/** True when no attribute at all was given. */
export function hasTableAttributes(a: TableAttributes): boolean {
  return a.distStyle !== undefined || a.distKey !== undefined || a.sortKey !== undefined
    || a.encodeAuto !== undefined || a.backup !== undefined || Object.keys(a.columnEncodings).length > 0;
}
