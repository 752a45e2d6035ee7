// compileAggregateInputs: one kernel computing hash-aggregation inputs (group keys and aggregate
// arguments) per batch, with numeric arguments as float64 scaled decimals where exact.
import type { Expr } from '../../sql/expr/expr.ts';
import type { EvalContext } from '../../sql/functions/scalar-functions.ts';
import type { SqlType } from '../../sql/types/sql-type.ts';
import { layoutOf } from '../../storage/column-kind.ts';
import type { Batch } from '../batch/batch.ts';
import type { Vector } from '../batch/vector.ts';
import { kernelFor } from './javascript-stage.ts';
import type { ProjectionKernel } from './kernel-types.ts';

/** Inputs of one batch for a hash aggregate; row k of each vector is the k-th selected row. */
export interface AggregateInputs {
  readonly keys: readonly Vector[];
  /** One vector per aggregate; null for an aggregate without argument (count(*)). */
  readonly args: readonly (Vector | null)[];
}

/** Computes AggregateInputs for the rows `sel` of `batch` (all rows when null). */
export type AggregateInputKernel = (batch: Batch, sel: Uint32Array | null) => AggregateInputs;

/**
 * Compiles group-by keys and aggregate arguments into one kernel. Outputs are laid out like
 * compileProjection's, except that an unconstrained/wide numeric argument computed with a
 * compile-time scale (e.g. price * (1 - discount)) comes out as a 'decimal' vector (exact float64
 * scaled integers) when the batch stayed exact in float64, else 'bigdecimal' — consumers must
 * accept both kinds.
 */
export function compileAggregateInputs(
  groupBy: readonly Expr[], aggArgs: readonly (Expr | null)[], inputTypes: readonly SqlType[], ctx: EvalContext,
): AggregateInputKernel {
  const present = aggArgs.filter((a): a is Expr => a !== null);
  const exprs = [...groupBy, ...present];
  for (const e of exprs) layoutOf(e.type);
  // The generated entry has the ProjectionKernel signature (see kernel-source.ts).
  const kernel = kernelFor('aggregate', exprs, inputTypes, ctx) as ProjectionKernel;
  const nKeys = groupBy.length;
  const argSlot = aggArgs.map((a): number => (a === null ? -1 : 0));
  let next = nKeys;
  for (let j = 0; j < argSlot.length; j++) if (argSlot[j] === 0) argSlot[j] = next++;
  return (batch, sel) => {
    const out = kernel(batch, sel);
    const args = new Array<Vector | null>(argSlot.length);
    for (let j = 0; j < argSlot.length; j++) args[j] = argSlot[j]! < 0 ? null : out[argSlot[j]!]!;
    return { keys: out.slice(0, nKeys), args };
  };
}
