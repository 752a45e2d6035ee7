// A batch: up to BATCH_SIZE rows as one vector per column, plus an optional selection vector.
import type { Vector } from './vector.ts';

/** Rows per batch that operators aim for. */
export const BATCH_SIZE = 4096;

/** A set of rows in columnar form. All vectors have `length` rows. */
export interface Batch {
  readonly length: number;
  readonly columns: readonly Vector[];
  /** Rows that are live, ascending; null means all `length` rows. Filters write this instead of copying. */
  readonly selection: Uint32Array | null;
}
