// Generic paths for what the kernel does not specialise: calls through the scalar function's own
// evaluate on Datums, castDatum, and the reference evaluator for a whole sub-expression.
import { walkExpr, type Expr } from '../../sql/expr/expr.ts';
import { SCALAR_FUNCTIONS } from '../../sql/functions/scalar-functions.ts';
import type { SqlType } from '../../sql/types/sql-type.ts';
import type { CodegenContext, Val } from './codegen-context.ts';

type CallExpr = Extract<Expr, { kind: 'Call' }>;

function typeConst(ctx: CodegenContext, t: SqlType): string {
  return ctx.pool.add(t, `type:${JSON.stringify(t)}`);
}

/** Calls the function's evaluate with the (already generated) argument values as Datums. */
export function genericCallBody(ctx: CodegenContext, e: CallExpr, vals: readonly Val[]): Val {
  const fn = ctx.pool.add(SCALAR_FUNCTIONS[e.fn], `fn:${e.fn}`);
  const args = ctx.pool.declare('a', `new Array(${vals.length})`);
  for (let j = 0; j < vals.length; j++) ctx.emit(`${args}[${j}] = ${ctx.datumOrNull(vals[j]!)};`);
  // The argument types, as the reference passes them: they tell timestamptz from timestamp and int8.
  const argTypes = ctx.pool.add(e.args.map((a) => a.type), `argTypes:${JSON.stringify(e.args.map((a) => a.type))}`);
  return ctx.fromDatum(`${fn}.evaluate(${args}, ${typeConst(ctx, e.type)}, ctx, ${argTypes})`, e.type);
}

/** castDatum on the (non-NULL) value `x`, with the session's time zone as the reference passes it. */
export function genericCastBody(ctx: CodegenContext, x: Val, from: SqlType, to: SqlType): Val {
  return ctx.fromDatum(`H.castDatum(${ctx.datumOf(x)}, ${typeConst(ctx, from)}, ${typeConst(ctx, to)}, castSettings)`, to);
}

/**
 * The reference evaluator for all of `e`: fills the row buffer with Datums of just the columns
 * `e` reads, then calls evaluate (used for Param and unknown functions).
 */
export function genEvaluateFallback(ctx: CodegenContext, e: Expr): Val {
  const cols = new Set<number>();
  walkExpr(e, (x) => { if (x.kind === 'Column') cols.add(x.index); });
  for (const c of [...cols].sort((a, b) => a - b)) {
    ctx.datumRowColumns.add(c);
    ctx.emit(`R[${c}] = H.datumAt(cols[${c}], i);`);
  }
  const k = ctx.pool.add(e);
  return ctx.fromDatum(`H.evaluate(${k}, R, ctx)`, e.type);
}
