// The signatures of compiled kernels, as run-fragment and operators call them.
import type { Batch } from '../batch/batch.ts';
import type { Vector } from '../batch/vector.ts';

/**
 * Evaluates a predicate over the rows `selIn` of `batch` (all rows when null; `selIn.length` is the
 * row count, so pass `subarray(0, n)` of a reused buffer) and writes the indices of rows where it is
 * TRUE into `selOut` (capacity ≥ that row count), ascending. Returns how many were written.
 * Throws the reference evaluator's SqlError for the first failing row.
 */
export type FilterKernel = (batch: Batch, selIn: Uint32Array | null, selOut: Uint32Array) => number;

/**
 * Evaluates expressions over the rows `sel` of `batch` (all rows when null) and returns one
 * compacted vector per expression, laid out for its SQL type (storage/column-kind.ts layoutOf):
 * row k of each output is the k-th selected row.
 */
export type ProjectionKernel = (batch: Batch, sel: Uint32Array | null) => Vector[];
