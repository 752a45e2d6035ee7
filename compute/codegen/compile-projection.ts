// compileProjection: bound expressions compiled into one kernel producing an output vector each.
import type { Expr } from '../../sql/expr/expr.ts';
import type { EvalContext } from '../../sql/functions/scalar-functions.ts';
import type { SqlType } from '../../sql/types/sql-type.ts';
import { layoutOf } from '../../storage/column-kind.ts';
import { sliceVector, zeroVector } from '../../storage/vector-ops.ts';
import type { Vector } from '../batch/vector.ts';
import { kernelFor } from './javascript-stage.ts';
import type { ProjectionKernel } from './kernel-types.ts';

/**
 * Compiles `exprs` (over columns typed `inputTypes`) into a ProjectionKernel; output j has the
 * layout of exprs[j].type. Throws 0A000 at compile time for a result type with no vector layout
 * (interval). `ctx` is the session the kernel evaluates in.
 */
export function compileProjection(exprs: readonly Expr[], inputTypes: readonly SqlType[], ctx: EvalContext): ProjectionKernel {
  const layouts = exprs.map((e) => layoutOf(e.type));
  // NULL outputs (the columns of a join input nobody reads, kept for their positions) are views of
  // one all-NULL vector per output, made outside the kernel: no per-row store, no string writer.
  const isNull = exprs.map((e) => e.kind === 'Const' && e.value === null);
  // The generated entry has exactly the ProjectionKernel signature (see kernel-source.ts).
  if (!isNull.includes(true)) return kernelFor('projection', exprs, inputTypes, ctx) as ProjectionKernel;
  const live = exprs.filter((_e, j) => !isNull[j]);
  const kernel = live.length > 0 ? kernelFor('projection', live, inputTypes, ctx) as ProjectionKernel : null;
  const nulls: (Vector | null)[] = exprs.map(() => null);
  const nullOutput = (j: number, n: number): Vector => {
    // No rows, no null map (as the kernels make it).
    if (n === 0) return zeroVector(layouts[j]!, 0, null);
    let v = nulls[j];
    if (v === null || v.length < n) {
      const size = Math.max(n, 2 * (v?.length ?? 0), 1024);
      nulls[j] = v = zeroVector(layouts[j]!, size, new Uint8Array(size).fill(1));
    }
    return sliceVector(v, 0, n);
  };
  return (batch, sel) => {
    const out = kernel === null ? [] : kernel(batch, sel);
    const n = sel === null ? batch.length : sel.length;
    const res: Vector[] = new Array<Vector>(exprs.length);
    let k = 0;
    for (let j = 0; j < exprs.length; j++) res[j] = isNull[j] ? nullOutput(j, n) : out[k++]!;
    return res;
  };
}
