// The shapes the catalog holds: schemas, tables, columns, views and the cluster's nodes.
import type { SqlType } from '../../sql/types/sql-type.ts';

/** How a table's rows are spread over slices. */
export type DistStyle = 'even' | 'key' | 'all';

/** One column of a table. */
export interface ColumnDef {
  readonly name: string;
  readonly type: SqlType;
  readonly notNull: boolean;
  /** DEFAULT expression as its parse tree (libpg-query JSON), bound and evaluated at insert time. */
  readonly defaultAst?: unknown;
  /** ENCODE attribute as written (lower case), or undefined for automatic. */
  readonly encoding?: string;
}

/** A table. `oid` is its identity on every node; names may change. */
export interface TableDef {
  readonly oid: number;
  readonly schema: string;
  readonly name: string;
  readonly columns: readonly ColumnDef[];
  /** The DISTSTYLE written (AUTO is kept so SHOW/svv_table_info can say so). */
  readonly distStyleDeclared: DistStyle | 'auto';
  /** The distribution in force. */
  readonly distStyle: DistStyle;
  /** Column index of the DISTKEY when distStyle is 'key'. */
  readonly distKey?: number;
  readonly sortKey: readonly number[];
  readonly sortStyle: 'compound' | 'interleaved';
  /** Sort key was declared AUTO. */
  readonly sortKeyAuto?: boolean;
  /** Statistics of the last ANALYZE (or load with STATUPDATE); absent before the first. */
  readonly stats?: TableStats;
  /**
   * The cluster's slice count when the table was created: its KEY placement (rows on the slice their
   * DISTKEY hashes to, of that many) holds only while the count is the same. Absent in catalogs
   * written before it was recorded.
   */
  readonly placedOnSlices?: number;
  /**
   * A materialized view's defining statement (`CREATE MATERIALIZED VIEW ... AS SELECT ...`), which
   * REFRESH runs again; absent for ordinary tables.
   */
  readonly materializedView?: string;
  /** Set by {@link plannedTable}: a DISTSTYLE ALL table whose newer nodes hold no full copy. */
  readonly copiesIncomplete?: boolean;
}

/**
 * The table as plans may rely on it: a DISTSTYLE KEY table created when the cluster had another
 * number of slices (a node joined since) has rows hashed over the old count, so nothing may assume
 * a key's rows share a slice: it is planned as EVEN (correct answers, less co-location) until its
 * rows are redistributed.
 */
export function plannedTable(t: TableDef | undefined, sliceCount: number, copiesCurrent = true): TableDef | undefined {
  // A node behind on its first slice, where its DISTSTYLE ALL copies live, must not join with them.
  if (t?.distStyle === 'all' && !copiesCurrent) return { ...t, copiesIncomplete: true };
  if (t === undefined || t.distStyle === 'even' || t.placedOnSlices === undefined || t.placedOnSlices === sliceCount) return t;
  // A DISTSTYLE ALL table's copy is whole only on the nodes that were there: read from the first
  // node (as scans do), never from a node's own copy.
  if (t.distStyle === 'all') return { ...t, copiesIncomplete: true };
  const { distKey: _key, ...rest } = t;
  return { ...rest, distStyle: 'even' };
}

/** One column's statistics (pg_stats). */
export interface ColumnStatsDef {
  /** Fraction of rows that are NULL. */
  readonly nullFrac: number;
  /** Estimated distinct non-null values (HyperLogLog over every slice). */
  readonly distinct: number;
  /** Average width in bytes of the non-null values. */
  readonly avgWidth: number;
  /** Smallest and largest value as text (the column type's output form); null when all NULL. */
  readonly min: string | null;
  readonly max: string | null;
}

/** What ANALYZE knows about a table. */
export interface TableStats {
  /** When it was gathered (ISO 8601). */
  readonly analyzedAt: string;
  readonly rows: number;
  /** By column index; columns added since have none. */
  readonly columns: readonly ColumnStatsDef[];
}

/** A view: its name and defining query. */
export interface ViewDef {
  readonly oid: number;
  readonly schema: string;
  readonly name: string;
  /** The whole CREATE VIEW statement; its query is re-parsed and bound at each use. */
  readonly sql: string;
  readonly columnNames: readonly string[];
}

/**
 * A user-defined SQL function (`CREATE FUNCTION ... LANGUAGE sql`): inlined into the queries that
 * call it. Its body is re-parsed from the statement at each use, as views are.
 */
export interface FunctionDef {
  readonly oid: number;
  readonly schema: string;
  readonly name: string;
  readonly argNames: readonly string[];
  readonly argTypes: readonly SqlType[];
  readonly returns: SqlType;
  /** LANGUAGE (absent: sql). */
  readonly language?: 'sql' | 'javascript';
  /** The whole CREATE FUNCTION statement. */
  readonly sql: string;
}

/** A compute node known to the cluster, with the slices it owns. */
export interface NodeDef {
  /** Stable identity, kept in the node's data directory. */
  readonly nodeId: string;
  /** 0-based position in the cluster (Redshift's `node` column). */
  readonly index: number;
  /** Global slice numbers owned by this node. */
  readonly slices: readonly number[];
  /** Other nodes' slices this node keeps a copy of (K-safety, leader/catalog/placement.ts). */
  readonly replicas?: readonly ReplicaDef[];
  /**
   * Slices held here (own or copies) that miss committed changes: the node was down during a
   * write, or a copy moved here after data existed. Never read nor counted until recovery has
   * caught them up (leader/scheduling/recovery.ts).
   */
  readonly behind?: readonly number[];
  /**
   * For a slice of `behind` (key: slice number), the tables it missed changes to; a behind slice
   * not listed missed changes to any table (recovery then goes over every table).
   */
  readonly behindTables?: Readonly<Record<string, readonly number[]>>;
  /** Grows whenever the behind marks grow: a catch-up clears only marks made before it started. */
  readonly behindEpoch?: number;
}

/** A copy of another node's slice. */
export interface ReplicaDef {
  readonly slice: number;
}

/** The whole catalog as persisted. */
export interface CatalogState {
  readonly version: 1;
  nextOid: number;
  schemas: string[];
  tables: TableDef[];
  views: ViewDef[];
  nodes: NodeDef[];
  /** Absent in catalogs written before functions existed. */
  functions?: FunctionDef[];
  /** The K-safety asked for at creation (copies of each slice besides its own); absent: automatic. */
  kSafety?: number;
}
