// What the write, scan and vacuum code needs from the SegmentStore that owns them.
import type { Logger } from '../common/log.ts';
import type { TableManifest, Manifest } from './manifest.ts';
import type { FileRefs } from './file-refs.ts';
import type { ScanContext } from './segment-file-cache.ts';

/** Internal services of one slice's store. */
export interface StoreContext extends ScanContext {
  readonly dir: string;
  readonly log: Logger;
  /** Rows per row group (block). */
  readonly blockRows: number;
  /** Rows per segment written by appends and VACUUM. */
  readonly segmentRows: number;
  readonly refs: FileRefs;
  /** The committed state of a table; throws 42P01 if it does not exist. */
  table(tableId: number): TableManifest;
  /** A fresh segment id for the table (never reused, even across restarts). */
  allocateSegmentId(tableId: number): number;
  /** Directory of a table's files, relative to the slice directory. */
  tableDir(tableId: number): string;
  /** Segment ids of the table that durable prepared transactions will delete from (VACUUM leaves them alone). */
  preparedDeletes(tableId: number): ReadonlySet<number>;
  /**
   * Runs `mutate` under the commit lock on the latest manifest; publishes what it returns
   * atomically, then retires `obsolete` files and runs `afterPublish`, still under the lock (so no
   * later manifest is written before it finishes). `mutate` may do I/O and may throw to abort.
   */
  commit(mutate: (m: Manifest) => Promise<CommitPlan>): Promise<void>;
}

/** What a commit's mutate step returns. */
export interface CommitPlan {
  readonly manifest: Manifest;
  /** Files the new manifest no longer names. */
  readonly obsolete: readonly string[];
  /** Cleanup that must finish before the next manifest swap; if it fails the store needs a restart. */
  readonly afterPublish?: () => Promise<void>;
}
