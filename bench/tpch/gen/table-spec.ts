// The contract each TPC-H table generator implements: units to split into parts, exact row counts, and a chunked row writer.
import type { LineWriter } from './line-writer.ts';
import type { Scale } from './scale.ts';
import type { TextPool } from './text-pool.ts';

/** The eight TPC-H tables, in load order (dimension tables first). */
export const TABLE_NAMES = ['region', 'nation', 'part', 'supplier', 'partsupp', 'customer', 'orders', 'lineitem'] as const;

/** One TPC-H table name. */
export type TableName = (typeof TABLE_NAMES)[number];

/** Narrows a string to a {@link TableName}. */
export function isTableName(s: string): s is TableName {
  return (TABLE_NAMES as readonly string[]).includes(s);
}

/** What every row writer needs: the cardinalities and the text pool. */
export interface GenContext {
  readonly scale: Scale;
  readonly pool: TextPool;
}

/**
 * One table's generator. A "unit" is what parts split on: a row for most tables, a part for
 * PARTSUPP (4 rows each), an order for LINEITEM (1..7 rows each). REGION and NATION have all
 * their units in part 1 so that parts concatenated equal the whole table.
 */
export interface TableSpec {
  readonly name: TableName;
  /** Number of units at this scale. */
  units(scale: Scale): number;
  /** Exact number of rows produced by units [from, to). */
  rowCount(scale: Scale, from: number, to: number): number;
  /**
   * Writes the rows of units [from, to) into `out`, yielding `out.takeChunk()` whenever the
   * writer is full. The caller takes the final partial chunk.
   */
  write(ctx: GenContext, from: number, to: number, out: LineWriter): Generator<Buffer, void, void>;
}
