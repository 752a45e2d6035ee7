// Extensions of the storage contract's scan: batches that know where their rows live, strings as
// dictionary codes, and counters that show how much zone maps skipped.
import type { Batch } from '../compute/batch/batch.ts';
import type { ScanOptions } from './slice-store.ts';

/**
 * A batch from {@link SegmentStore.scan}. Row i of the batch is row `firstRow + i` of segment
 * `segmentId` — the row id to pass to `SegmentWriteTransaction.delete`.
 */
export interface StorageBatch extends Batch {
  readonly segmentId: number;
  readonly firstRow: number;
}

/** Counters a scan fills in as it goes (pass an object, read it after the scan). */
export interface ScanStats {
  segmentsTotal: number;
  segmentsSkipped: number;
  rowGroupsTotal: number;
  /** Row groups skipped because a zone map ruled out every row. */
  rowGroupsSkipped: number;
  blocksRead: number;
  bytesRead: number;
  rowsReturned: number;
}

/** Options of {@link SegmentStore.scan} beyond the contract's. */
export interface SegmentScanOptions extends ScanOptions {
  /**
   * String columns of dictionary-encoded blocks come as codes into the block's entries
   * (`StringVector.dictionary`), their offsets and bytes built only if something reads them.
   */
  readonly dictionaryCodes?: boolean;
  /** Filled with block-level counters. */
  readonly stats?: ScanStats;
  /**
   * Recycle decode buffers: a batch's vectors are valid only until the next batch is requested
   * (the usual pull-pipeline contract). Much faster where fresh memory is expensive; leave it off
   * when batches are kept.
   */
  readonly reuseBuffers?: boolean;
  /** Rows per emitted batch (default BATCH_SIZE). */
  readonly batchRows?: number;
}

/** Fresh zeroed counters. */
export function newScanStats(): ScanStats {
  return { segmentsTotal: 0, segmentsSkipped: 0, rowGroupsTotal: 0, rowGroupsSkipped: 0, blocksRead: 0, bytesRead: 0, rowsReturned: 0 };
}
