// The contract between a compute node and the storage of one slice: tables of column segments
// that are written in transactions and scanned by column, with zone-map pruning.
import type { Batch } from '../compute/batch/batch.ts';
import type { SqlType } from '../sql/types/sql-type.ts';

/** A column as storage needs it. */
export interface StoredColumn {
  readonly name: string;
  readonly type: SqlType;
  readonly notNull: boolean;
  /** Forced encoding from `ENCODE x` (raw, bytedict, delta, runlength, az64, lzo, zstd, ...), or undefined for automatic. */
  readonly encoding?: string;
}

/** A table as storage needs it. `tableId` never changes; names live in the leader's catalog. */
export interface StoredTable {
  readonly tableId: number;
  readonly columns: readonly StoredColumn[];
  /** Column indexes of the sort key, in order; empty for none. */
  readonly sortKey: readonly number[];
  readonly sortStyle: 'compound' | 'interleaved';
}

/** A predicate a scan may use to skip blocks by their min/max; rows still go through the filter. */
export type ZoneFilter =
  | { readonly kind: 'compare'; readonly column: number; readonly op: '=' | '<' | '<=' | '>' | '>='; readonly value: number | bigint | string }
  | { readonly kind: 'between'; readonly column: number; readonly low: number | bigint | string; readonly high: number | bigint | string }
  | { readonly kind: 'in'; readonly column: number; readonly values: readonly (number | bigint | string)[] }
  | { readonly kind: 'isNull'; readonly column: number; readonly negated: boolean };

/** Options for {@link SliceStore.scan}. */
export interface ScanOptions {
  /** Column indexes to return, in this order. */
  readonly columns: readonly number[];
  /** Conjunctive zone-map filters; blocks that cannot match any row are skipped. */
  readonly filters?: readonly ZoneFilter[];
  readonly signal?: AbortSignal;
}

/** An open write. Nothing it writes is visible until commit. */
export interface WriteTransaction {
  /** Adds rows (columns in table order). */
  append(batch: Batch): Promise<void>;
  /** Makes the written data durable without publishing it (phase one of a distributed commit). */
  prepare(): Promise<void>;
  /** Publishes everything appended, atomically. */
  commit(): Promise<void>;
  /** Drops everything appended. */
  abort(): Promise<void>;
}

/** Options of {@link SliceStore.beginWrite}. */
export interface BeginWriteOptions {
  /**
   * Distributed transaction id (1–64 of [A-Za-z0-9_-], e.g. a UUID): prepare() then also records
   * the prepared state on disk, so a coordinator can commit or abort it after a restart.
   * At most one transaction per (txnId, table) per slice.
   */
  readonly txnId?: string;
  /**
   * ENCODE names for this write's blocks, by column, instead of the table's (null: automatic
   * choice per block). COPY's COMPUPDATE ON / PRESET use it.
   */
  readonly encodings?: readonly (string | null)[];
}

/** The storage of one slice on one compute node. */
export interface SliceStore {
  createTable(table: StoredTable): Promise<void>;
  dropTable(tableId: number): Promise<void>;
  /** Replaces the table's schema, e.g. after ADD COLUMN (existing rows read as NULL / default). */
  alterTable(table: StoredTable): Promise<void>;
  hasTable(tableId: number): boolean;
  /** Starts a write; with `opts.txnId` its prepared state survives a restart (see SegmentStore.preparedTransactions). */
  beginWrite(tableId: number, opts?: BeginWriteOptions): WriteTransaction;
  /** Streams the committed rows as of the call, batch by batch. */
  scan(tableId: number, opts: ScanOptions): AsyncIterable<Batch>;
  /** Committed live row count. */
  rowCount(tableId: number): number;
  close(): Promise<void>;
}
