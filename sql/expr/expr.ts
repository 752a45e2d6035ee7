// Bound, typed scalar expressions: what the binder produces and fragments evaluate.
import { createHash } from 'node:crypto';
import { toTaggedJson } from '../../common/tagged-json.ts';
import type { BoundSelect } from '../binder/bound-select.ts';
import type { Datum } from '../types/datum.ts';
import type { SqlType } from '../types/sql-type.ts';

/** A bound expression. Every node carries its result type. */
export type Expr =
  /** The value of input column `index` of the row. */
  | { readonly kind: 'Column'; readonly index: number; readonly type: SqlType }
  | { readonly kind: 'Const'; readonly value: Datum; readonly type: SqlType }
  /** Parameter $n (index n-1); replaced by a Const before execution. */
  | { readonly kind: 'Param'; readonly index: number; readonly type: SqlType }
  /** A scalar function or operator from sql/functions/scalar-functions.ts, by its name there. */
  | { readonly kind: 'Call'; readonly fn: string; readonly args: readonly Expr[]; readonly type: SqlType }
  | { readonly kind: 'And'; readonly args: readonly Expr[]; readonly type: SqlType }
  | { readonly kind: 'Or'; readonly args: readonly Expr[]; readonly type: SqlType }
  | { readonly kind: 'Not'; readonly arg: Expr; readonly type: SqlType }
  | { readonly kind: 'IsNull'; readonly arg: Expr; readonly negated: boolean; readonly type: SqlType }
  | { readonly kind: 'Cast'; readonly arg: Expr; readonly type: SqlType }
  | { readonly kind: 'Case'; readonly whens: readonly { readonly when: Expr; readonly then: Expr }[]; readonly otherwise: Expr | null; readonly type: SqlType }
  /** arg [NOT] IN (list): NULL when no match and arg or any item is NULL. */
  | { readonly kind: 'InList'; readonly arg: Expr; readonly list: readonly Expr[]; readonly negated: boolean; readonly type: SqlType }
  /**
   * arg is one of `keys`: distinct non-NULL values of arg's type, found at run time (the keys of a
   * join input, filtering the scan of the other side); NULL when arg is NULL. `digest` identifies
   * the key set (SHA-256 of its tagged JSON) so compiled kernels are cached without re-reading it.
   */
  | { readonly kind: 'InSet'; readonly arg: Expr; readonly keys: readonly Datum[]; readonly digest: string; readonly type: SqlType }
  /** A column of the enclosing query, inside a correlated subquery; decorrelation removes it. */
  | { readonly kind: 'Outer'; readonly index: number; readonly type: SqlType }
  /**
   * An uncorrelated subquery, computed once before the statement runs (an InitPlan) and replaced
   * by its value: 'scalar' (one column, at most one row), 'exists', or 'in' (arg IN (rows)).
   */
  | { readonly kind: 'Subquery'; readonly mode: 'scalar' | 'exists' | 'in'; readonly select: BoundSelect; readonly arg: Expr | null; readonly negated: boolean; readonly type: SqlType };

/** A column reference. */
export type ColumnRef = Extract<Expr, { kind: 'Column' }>;

/** The two columns of a conjunct `a = b` between plain columns, or null. */
export function columnEquality(e: Expr): readonly [ColumnRef, ColumnRef] | null {
  if (e.kind !== 'Call' || e.fn !== 'eq' || e.args.length !== 2) return null;
  const [a, b] = e.args as [Expr, Expr];
  return a.kind === 'Column' && b.kind === 'Column' ? [a, b] : null;
}

/** Calls `visit` on `e` and every sub-expression, parents first. */
export function walkExpr(e: Expr, visit: (e: Expr) => void): void {
  visit(e);
  switch (e.kind) {
    case 'Call': case 'And': case 'Or': for (const a of e.args) walkExpr(a, visit); break;
    case 'Not': case 'IsNull': case 'Cast': walkExpr(e.arg, visit); break;
    case 'Case':
      for (const w of e.whens) { walkExpr(w.when, visit); walkExpr(w.then, visit); }
      if (e.otherwise) walkExpr(e.otherwise, visit);
      break;
    case 'InList': walkExpr(e.arg, visit); for (const a of e.list) walkExpr(a, visit); break;
    case 'InSet': walkExpr(e.arg, visit); break;
    // The tested value of IN (subquery) is an expression of the outer row; the subquery is not.
    case 'Subquery': if (e.arg) walkExpr(e.arg, visit); break;
    default: break;
  }
}

/** Rebuilds `e` bottom-up, replacing each node by `fn(node with rewritten children)`. */
export function mapExpr(e: Expr, fn: (e: Expr) => Expr): Expr {
  switch (e.kind) {
    case 'Call': return fn({ ...e, args: e.args.map((a) => mapExpr(a, fn)) });
    case 'And': case 'Or': return fn({ ...e, args: e.args.map((a) => mapExpr(a, fn)) });
    case 'Not': case 'IsNull': case 'Cast': return fn({ ...e, arg: mapExpr(e.arg, fn) });
    case 'Case': return fn({
      ...e,
      whens: e.whens.map((w) => ({ when: mapExpr(w.when, fn), then: mapExpr(w.then, fn) })),
      otherwise: e.otherwise ? mapExpr(e.otherwise, fn) : null,
    });
    case 'InList': return fn({ ...e, arg: mapExpr(e.arg, fn), list: e.list.map((a) => mapExpr(a, fn)) });
    case 'InSet': return fn({ ...e, arg: mapExpr(e.arg, fn) });
    case 'Subquery': return fn(e.arg ? { ...e, arg: mapExpr(e.arg, fn) } : e);
    default: return fn(e);
  }
}

/** A copy of `e` with `fn` applied to each direct child (not to `e` itself, not recursively). */
export function mapChildren(e: Expr, fn: (c: Expr) => Expr): Expr {
  switch (e.kind) {
    case 'Call': case 'And': case 'Or': return { ...e, args: e.args.map(fn) };
    case 'Not': case 'IsNull': case 'Cast': return { ...e, arg: fn(e.arg) };
    case 'Case': return { ...e, whens: e.whens.map((w) => ({ when: fn(w.when), then: fn(w.then) })), otherwise: e.otherwise ? fn(e.otherwise) : null };
    case 'InList': return { ...e, arg: fn(e.arg), list: e.list.map(fn) };
    case 'InSet': return { ...e, arg: fn(e.arg) };
    case 'Subquery': return e.arg ? { ...e, arg: fn(e.arg) } : e;
    default: return e;
  }
}

/** Substitutes parameter values: every Param becomes a Const. */
export function bindParams(e: Expr, params: readonly Datum[]): Expr {
  return mapExpr(e, (x) => (x.kind === 'Param' ? { kind: 'Const', value: params[x.index] ?? null, type: x.type } : x));
}

/** `arg` IN (keys) over a key set found at run time: non-NULL, distinct values of arg's type. */
export function inSet(arg: Expr, keys: readonly Datum[]): Expr {
  // In one order, so the same keys found again (rows arrive in any order) have the same digest and
  // the kernels compiled for them are reused rather than compiled anew for every query.
  // Numbers (a join's integer keys, thousands of them) are sorted and hashed as a Float64Array's
  // bytes, not as JSON text.
  const typed = keys.length >= 2 ? numbersOf(keys) : null;
  if (typed !== null) {
    typed.sort();
    const digest = createHash('sha256').update(toTaggedJson(arg.type)).update(new Uint8Array(typed.buffer)).digest('base64');
    const sorted = new Array<Datum>(typed.length);
    for (let k = 0; k < typed.length; k++) sorted[k] = typed[k]!;
    return { kind: 'InSet', arg, keys: sorted, digest, type: { id: 'bool' } };
  }
  const sorted = canonicalOrder(keys);
  const digest = createHash('sha256').update(toTaggedJson([arg.type, sorted])).digest('base64');
  return { kind: 'InSet', arg, keys: sorted, digest, type: { id: 'bool' } };
}

/** The keys as a Float64Array when every one is a number, else null. */
function numbersOf(keys: readonly Datum[]): Float64Array | null {
  const out = new Float64Array(keys.length);
  for (let k = 0; k < keys.length; k++) {
    const x = keys[k];
    if (typeof x !== 'number') return null;
    out[k] = x;
  }
  return out;
}

/** Bigints or strings sorted (natively, typed where it can); other keys as they are. */
function canonicalOrder(keys: readonly Datum[]): readonly Datum[] {
  if (keys.length < 2) return keys;
  if (keys.every((k) => typeof k === 'bigint' && k >= -(2n ** 63n) && k < 2n ** 63n)) return Array.from(BigInt64Array.from(keys as bigint[]).sort());
  if (keys.every((k) => typeof k === 'string')) return [...keys].sort();
  return keys;
}
