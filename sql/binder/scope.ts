// The columns visible to expressions at one point of a query, and parameter types being inferred.
import type { SqlType } from '../types/sql-type.ts';
import type { Datum } from '../types/datum.ts';
import type { Expr } from '../expr/expr.ts';
import type { BoundWindow } from './bound-select.ts';
import type { FunctionLookup } from './user-functions.ts';

/** One column visible by name. */
export interface ScopeColumn {
  readonly name: string;
  /** The table alias (or name) it comes from; null for derived columns. */
  readonly table: string | null;
  readonly type: SqlType;
  /** For RowDescription: source table OID and attribute number (1-based), or 0. */
  readonly tableOid: number;
  readonly attnum: number;
  /** A JOIN ... USING column shown once: this duplicate is reachable only by a qualified name. */
  readonly merged?: boolean;
}

/** An aggregate call found while binding, replaced in the expression by a placeholder column. */
export interface AggregateCall {
  readonly name: string;
  readonly arg: Expr | null;
  /** The second argument of the aggregates of two (corr(y, x), covar_*, regr_*): x. */
  readonly arg2?: Expr;
  readonly distinct: boolean;
  readonly type: SqlType;
  /**
   * Constant arguments besides the aggregated one and the direction it is ordered in: string_agg /
   * listagg [delimiter, desc], percentile_cont / percentile_disc [fraction, desc]; absent otherwise.
   */
  readonly options?: readonly Datum[];
}

/** The call with `f` applied to its arguments. */
export function mapAggregateArgs<A extends { readonly arg: Expr | null; readonly arg2?: Expr }>(a: A, f: (e: Expr) => Expr): A {
  return { ...a, arg: a.arg ? f(a.arg) : null, ...(a.arg2 ? { arg2: f(a.arg2) } : {}) };
}

/** The argument expressions of an aggregate call (none for count(*)). */
export function aggregateArgs(a: { readonly arg: Expr | null; readonly arg2?: Expr }): Expr[] {
  return a.arg ? (a.arg2 ? [a.arg, a.arg2] : [a.arg]) : [];
}

/** Placeholder columns for aggregate results start here (rewritten after binding). */
export const AGG_PLACEHOLDER_BASE = 1_000_000;

/** Placeholder columns for window function results start here (rewritten after binding). */
export const WINDOW_PLACEHOLDER_BASE = 2_000_000;

/** Where window function calls go while binding a SELECT list or ORDER BY, and the WINDOW clause's definitions. */
export interface WindowCollector {
  readonly calls: BoundWindow[];
  readonly defs: ReadonlyMap<string, unknown>;
}

/** Binds subqueries met inside expressions (scalar, or EXISTS / IN away from top-level WHERE). */
export interface SublinkHost {
  bindSublink(n: unknown, ctx: BindContext): Expr;
}

/** Mutable state shared while binding one statement. */
export interface BindContext {
  readonly scope: readonly ScopeColumn[];
  /** The enclosing query's columns, when binding a subquery that may be correlated. */
  readonly outer?: readonly ScopeColumn[] | null;
  /** The scopes of the queries enclosing that one, nearest first (references there are not supported). */
  readonly farther?: readonly (readonly ScopeColumn[])[];
  /** Where subqueries inside expressions go; absent where they are not allowed. */
  readonly sublinks?: SublinkHost | null;
  /** Parameter types by index ($1 = 0); 'unknown' until inferred. */
  readonly params: SqlType[];
  /** Where aggregate calls go; null where aggregates are not allowed (with the clause name). */
  readonly aggregates: AggregateCall[] | null;
  /** User-defined functions by name, inlined where called; absent where there are none to find. */
  readonly functions?: FunctionLookup;
  /** Where window function calls go; null or absent where they are not allowed. */
  readonly windows?: WindowCollector | null;
  readonly clause: string;
}
