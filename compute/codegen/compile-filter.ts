// compileFilter: a bound predicate compiled into a selection-vector kernel over column batches.
import type { Expr } from '../../sql/expr/expr.ts';
import type { EvalContext } from '../../sql/functions/scalar-functions.ts';
import type { SqlType } from '../../sql/types/sql-type.ts';
import { compiledKernel, instantiate } from './kernel-cache.ts';
import type { FilterKernel } from './kernel-types.ts';

/**
 * Compiles `predicate` (over columns typed `inputTypes`) into a FilterKernel that keeps the rows
 * where it is TRUE, with the reference evaluator's results and errors. `ctx` is the session the
 * kernel evaluates in (now(), current_user, the time zone for casts).
 */
export function compileFilter(predicate: Expr, inputTypes: readonly SqlType[], ctx: EvalContext): FilterKernel {
  // The generated entry has exactly the FilterKernel signature (see kernel-source.ts).
  return instantiate(compiledKernel('filter', [predicate], inputTypes), ctx) as FilterKernel;
}
