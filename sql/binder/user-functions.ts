// User-defined SQL functions, inlined where they are called: the body expression is bound over the
// function's parameters, then each parameter is replaced by the call's argument (coerced to the
// parameter's type), so the compiled kernels see the body itself, vectorised like any expression.
// A JavaScript function becomes a call carrying its definition (sql/functions/javascript.ts).
import { SqlError, SqlState } from '../../common/errors/index.ts';
import { mapExpr, type Expr } from '../expr/expr.ts';
import { JAVASCRIPT_CALL, type JavascriptDefinition } from '../functions/javascript.ts';
import { T, formatTypeName, type SqlType } from '../types/sql-type.ts';
import { bindExpr, coerce } from './bind-expr.ts';
import type { BindContext, ScopeColumn } from './scope.ts';

/** A user-defined function as the binder sees it. */
export interface UserFunction {
  readonly name: string;
  readonly argNames: readonly string[];
  readonly argTypes: readonly SqlType[];
  readonly returns: SqlType;
  /** The body: one expression's AST, over the parameters by name or as $1, $2, ... */
  body(): unknown;
  /** Set for LANGUAGE javascript: what the slices run instead of an inlined body. */
  readonly javascript?: JavascriptDefinition;
}

/** Where the binder finds user functions by (unqualified or qualified) name. */
export type FunctionLookup = (schema: string | undefined, name: string) => readonly UserFunction[];

const NUMERIC_RANK: Record<string, number> = { int2: 1, int4: 2, int8: 3, numeric: 4, float4: 5, float8: 6 };

/** Whether a value of type `from` is accepted by a parameter of type `to` without an explicit cast. */
function accepts(from: SqlType, to: SqlType): number {
  if (from.id === to.id) return 2;
  // An untyped literal prefers a string parameter, as PostgreSQL resolves unknown arguments.
  if (from.id === 'unknown') return to.id === 'text' || to.id === 'varchar' ? 1.5 : 1;
  const a = NUMERIC_RANK[from.id];
  const b = NUMERIC_RANK[to.id];
  if (a !== undefined && b !== undefined) return a < b ? 1 : 0;
  if ((from.id === 'varchar' || from.id === 'char') && to.id === 'text') return 1;
  if (from.id === 'date' && (to.id === 'timestamp' || to.id === 'timestamptz')) return 1;
  if (from.id === 'timestamp' && to.id === 'timestamptz') return 1;
  return 0;
}

/** The best candidate for `args` (most exact type matches), or undefined when none accepts them. */
export function chooseFunction(candidates: readonly UserFunction[], args: readonly Expr[]): UserFunction | undefined {
  let best: UserFunction | undefined;
  let bestScore = -1;
  for (const f of candidates) {
    if (f.argTypes.length !== args.length) continue;
    let score = 0;
    let ok = true;
    f.argTypes.forEach((t, i) => {
      const s = accepts(args[i]!.type, t);
      if (s === 0) ok = false;
      score += s;
    });
    if (ok && score > bestScore) { best = f; bestScore = score; }
  }
  return best;
}

let inlining = 0;

/** The call `fn(args)` with the function's body in its place. */
export function inlineFunction(fn: UserFunction, args: readonly Expr[], ctx: BindContext, at: unknown): Expr {
  if (inlining > 32) throw new SqlError(SqlState.PROGRAM_LIMIT_EXCEEDED, `function "${fn.name}" calls itself, or nests functions too deeply, to be inlined`);
  const values = args.map((a, i) => coerce(a, fn.argTypes[i]!, ctx, at));
  if (fn.javascript) {
    return { kind: 'Call', fn: JAVASCRIPT_CALL, args: [{ kind: 'Const', value: JSON.stringify(fn.javascript), type: T.text }, ...values], type: fn.returns };
  }
  const scope: ScopeColumn[] = fn.argNames.map((name, i) => ({ name, table: null, type: fn.argTypes[i]!, tableOid: 0, attnum: 0 }));
  const bodyCtx: BindContext = { scope, params: [...fn.argTypes], aggregates: null, clause: 'SQL function bodies', ...(ctx.functions ? { functions: ctx.functions } : {}) };
  inlining++;
  let body: Expr;
  try {
    body = bindExpr(fn.body(), bodyCtx);
  } finally {
    inlining--;
  }
  const inlined = mapExpr(body, (x) => (x.kind === 'Column' || x.kind === 'Param' ? values[x.index]! : x));
  const result = coerce(inlined, fn.returns, ctx, at);
  if (result.type.id !== fn.returns.id) {
    throw new SqlError(SqlState.INVALID_FUNCTION_DEFINITION, `return type mismatch in function declared to return ${formatTypeName(fn.returns)}`,
      { detail: `Actual return type is ${formatTypeName(inlined.type)}.` });
  }
  return result;
}
