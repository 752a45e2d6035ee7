// Compile-time evaluation of constant sub-expressions that do not read the session (EvalContext).
import { evaluate, isConstantExpr } from '../../sql/expr/evaluate.ts';
import { walkExpr, type Expr } from '../../sql/expr/expr.ts';
import type { EvalContext } from '../../sql/functions/scalar-functions.ts';
import { SCALAR_LIBRARY } from '../../sql/functions/scalar/index.ts';
import type { Datum } from '../../sql/types/datum.ts';

/** Core functions whose result depends only on their arguments (never on EvalContext). */
const PURE_FUNCTIONS = new Set([
  'add', 'sub', 'mul', 'div', 'mod', 'neg', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'like', 'ilike',
  'concat_op', 'concat', 'lower', 'upper', 'length', 'char_length', 'octet_length', 'btrim', 'ltrim',
  'rtrim', 'reverse', 'replace', 'strpos', 'substring', 'abs', 'floor', 'ceil', 'round', 'trunc',
  'coalesce', 'nullif', 'date_trunc',
]);

/** A context for folding: never read, because folded expressions are session-independent. */
const FOLD_CONTEXT: EvalContext = {
  user: '', database: '', serverVersion: '', statementStartMicros: 0n, timeZoneOffsetSeconds: 0,
};

/** Whether `e` has no columns and reads nothing from the session (time zone, user, clock). */
export function isFoldable(e: Expr): boolean {
  if (!isConstantExpr(e)) return false;
  let pure = true;
  walkExpr(e, (x) => {
    if (x.kind === 'Call' && (!PURE_FUNCTIONS.has(x.fn) || x.fn in SCALAR_LIBRARY)) pure = false;
    // Casts read the session time zone for timestamptz.
    if (x.kind === 'Cast' && (x.type.id === 'timestamptz' || x.arg.type.id === 'timestamptz')) pure = false;
  });
  return pure;
}

/** The value of a foldable expression, or the error evaluating it throws (raised lazily by kernels). */
export type Folded = { readonly ok: true; readonly value: Datum } | { readonly ok: false; readonly error: unknown };

/** Evaluates a foldable expression once. */
export function foldConstant(e: Expr): Folded {
  try {
    return { ok: true, value: evaluate(e, [], FOLD_CONTEXT) };
  } catch (error) {
    return { ok: false, error };
  }
}
