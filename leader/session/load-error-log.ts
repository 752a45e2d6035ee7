// The leader's record of rows that loads rejected (Redshift's STL_LOAD_ERRORS), newest kept.
import type { LoadErrorRecord } from '../../compute/loading/load-error.ts';

/** One stl_load_errors row. */
export interface LoadErrorEntry {
  readonly query: number;
  readonly session: number;
  readonly table: number;
  readonly startTime: bigint;
  readonly record: LoadErrorRecord;
}

/** A bounded in-memory log of rejected rows. */
export class LoadErrorLog {
  private entries: LoadErrorEntry[] = [];

  constructor(private readonly capacity = 100_000) {}

  add(entries: readonly LoadErrorEntry[]): void {
    this.entries.push(...entries);
    if (this.entries.length > this.capacity) this.entries = this.entries.slice(this.entries.length - this.capacity);
  }

  all(): readonly LoadErrorEntry[] {
    return this.entries;
  }
}
