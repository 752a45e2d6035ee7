// What each operator of a fragment did on each slice, for EXPLAIN ANALYZE: rows in and out and
// milliseconds (a pipelined operator's time includes what runs downstream of it on the same batches).
import type { Batch } from '../batch/batch.ts';

/** One operator on one slice (slice -1: done once for the whole node, e.g. a broadcast input's hash table). */
export interface OperatorStats {
  readonly slice: number;
  /** What ran, e.g. "scan table 16384", "hash colocated input 1", "join step 2 (semi)". */
  readonly op: string;
  /** Rows read (a scan: rows in the blocks read, before filters). */
  rowsIn: number;
  /** Rows produced. */
  rows: number;
  ms: number;
}

/** Collects a fragment run's operator stats; a node returns them with its answer. */
export class StatsRecorder {
  readonly ops: OperatorStats[] = [];

  add(slice: number, op: string): OperatorStats {
    const s: OperatorStats = { slice, op, rowsIn: 0, rows: 0, ms: 0 };
    this.ops.push(s);
    return s;
  }
}

/** Passes scan batches through, adding their live rows to `stat.rowsIn`. */
export async function* countRowsIn(batches: AsyncIterable<Batch>, stat: OperatorStats): AsyncGenerator<Batch> {
  for await (const b of batches) {
    stat.rowsIn += b.selection === null ? b.length : b.selection.length;
    yield b;
  }
}
