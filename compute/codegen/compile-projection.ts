// compileProjection: bound expressions compiled into one kernel producing an output vector each.
import type { Expr } from '../../sql/expr/expr.ts';
import type { EvalContext } from '../../sql/functions/scalar-functions.ts';
import type { SqlType } from '../../sql/types/sql-type.ts';
import { layoutOf } from '../../storage/column-kind.ts';
import { kernelFor } from './javascript-stage.ts';
import type { ProjectionKernel } from './kernel-types.ts';

/**
 * Compiles `exprs` (over columns typed `inputTypes`) into a ProjectionKernel; output j has the
 * layout of exprs[j].type. Throws 0A000 at compile time for a result type with no vector layout
 * (interval). `ctx` is the session the kernel evaluates in.
 */
export function compileProjection(exprs: readonly Expr[], inputTypes: readonly SqlType[], ctx: EvalContext): ProjectionKernel {
  for (const e of exprs) layoutOf(e.type);
  // The generated entry has exactly the ProjectionKernel signature (see kernel-source.ts).
  return kernelFor('projection', exprs, inputTypes, ctx) as ProjectionKernel;
}
