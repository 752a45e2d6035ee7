// Shared pieces of hash joins (leader and slices): hash keys of rows and yielding to the event loop.
import { datumKey } from '../../sql/expr/compare.ts';
import { evaluate } from '../../sql/expr/evaluate.ts';
import type { Expr } from '../../sql/expr/expr.ts';
import type { EvalContext } from '../../sql/functions/scalar-functions.ts';
import type { Datum } from '../../sql/types/datum.ts';

/** Row pairs examined between yields to the event loop, so other sessions and cancels get a turn. */
export const PAIRS_PER_YIELD = 50_000;

/** Lets other work (heartbeats, cancels, other sessions) run during a long join. */
export const yieldToEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

/** The hash key of `row` under the key expressions, or null when a key is NULL (never matches). */
export function joinKey(exprs: readonly Expr[], row: readonly Datum[], ctx: EvalContext): string | null {
  let k = '';
  for (const e of exprs) {
    const v = evaluate(e, row, ctx);
    if (v === null) return null;
    k += datumKey(v) + '\u0001';
  }
  return k;
}
