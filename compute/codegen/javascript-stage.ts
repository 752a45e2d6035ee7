// Kernels over expressions that call JavaScript functions. A generated kernel computes one row at a
// time, but a JavaScript function is worth calling once per batch (sql/functions/javascript.ts).
// So the calls run first, in stages: each stage computes the arguments of the innermost calls as
// vectors, calls each function once over the batch's selected rows, and appends the results to
// the batch as extra columns; the kernel itself then reads those columns in place of the calls.
import { mapChildren, walkExpr, type Expr } from '../../sql/expr/expr.ts';
import { JAVASCRIPT_CALL, callJavascript, javascriptDefinitionOf } from '../../sql/functions/javascript.ts';
import type { EvalContext } from '../../sql/functions/scalar-functions.ts';
import type { Datum } from '../../sql/types/datum.ts';
import type { SqlType } from '../../sql/types/sql-type.ts';
import { toTaggedJson } from '../../common/tagged-json.ts';
import type { Batch } from '../batch/batch.ts';
import { datumAt, vectorFromRows } from '../batch/row-conversion.ts';
import type { Vector } from '../batch/vector.ts';
import { compiledKernel, instantiate } from './kernel-cache.ts';
import type { KernelKind } from './kernel-source.ts';
import type { FilterKernel, ProjectionKernel } from './kernel-types.ts';

type CallExpr = Extract<Expr, { kind: 'Call' }>;

function isJavascriptCall(e: Expr): e is CallExpr {
  return e.kind === 'Call' && e.fn === JAVASCRIPT_CALL;
}

/** Whether `e` calls a JavaScript function anywhere. */
export function hasJavascriptCall(e: Expr): boolean {
  let found = false;
  walkExpr(e, (x) => { if (isJavascriptCall(x)) found = true; });
  return found;
}

/** One round of calls whose arguments need no other JavaScript call. */
interface Stage {
  readonly calls: readonly CallExpr[];
  /** Their arguments, one after another, as vectors of the selected rows (null when none take any). */
  readonly args: ProjectionKernel | null;
}

const NULL_ROW: readonly Datum[] = [null];

/**
 * The kernel for `exprs` (a FilterKernel for 'filter', else a ProjectionKernel), as
 * instantiate(compiledKernel(...)) builds it, with JavaScript calls made once per batch.
 */
export function kernelFor(kind: KernelKind, exprs: readonly Expr[], inputTypes: readonly SqlType[], ctx: EvalContext): unknown {
  if (!exprs.some(hasJavascriptCall)) return instantiate(compiledKernel(kind, exprs, inputTypes), ctx);
  if (kind === 'filter' && exprs[0]!.kind === 'And') {
    // Conditions without calls first: the functions see only rows the others keep.
    const parts = exprs[0]!.args;
    const plain = parts.filter((p) => !hasJavascriptCall(p));
    if (plain.length > 0) {
      const and = (xs: readonly Expr[]): Expr => (xs.length === 1 ? xs[0]! : { kind: 'And', args: xs, type: exprs[0]!.type });
      const first = instantiate(compiledKernel('filter', [and(plain)], inputTypes), ctx) as FilterKernel;
      const then = kernelFor('filter', [and(parts.filter(hasJavascriptCall))], inputTypes, ctx) as FilterKernel;
      let kept = new Uint32Array(0);
      return ((batch, sel, selOut) => {
        if (kept.length < selOut.length) kept = new Uint32Array(selOut.length);
        const n = first(batch, sel, kept);
        return n === 0 ? 0 : then(batch, kept.subarray(0, n), selOut);
      }) satisfies FilterKernel;
    }
  }
  const stages: Stage[] = [];
  let types = [...inputTypes];
  let current = exprs;
  while (current.some(hasJavascriptCall)) {
    const calls: CallExpr[] = [];
    const seen = new Map<string, number>();
    const base = types.length;
    const innermost = (e: Expr): Expr => {
      if (isJavascriptCall(e) && !e.args.some(hasJavascriptCall)) {
        const key = toTaggedJson(e);
        let at = seen.get(key);
        if (at === undefined) {
          at = base + calls.length;
          seen.set(key, at);
          calls.push(e);
        }
        return { kind: 'Column', index: at, type: e.type };
      }
      return mapChildren(e, innermost);
    };
    current = current.map(innermost);
    const argExprs = calls.flatMap((c) => c.args.slice(1));
    stages.push({ calls, args: argExprs.length === 0 ? null : instantiate(compiledKernel('projection', argExprs, types), ctx) as ProjectionKernel });
    types = [...types, ...calls.map((c) => c.type)];
  }
  const kernel = instantiate(compiledKernel(kind, current, types), ctx);
  const extend = (batch: Batch, sel: Uint32Array | null): Batch => {
    const cnt = sel === null ? batch.length : sel.length;
    let b = batch;
    for (const stage of stages) {
      const vectors = stage.args === null ? [] : stage.args(b, sel);
      const added: Vector[] = [];
      let v = 0;
      for (const call of stage.calls) {
        const columns: Datum[][] = [];
        for (let a = 1; a < call.args.length; a++) {
          const vec = vectors[v++]!;
          const values = new Array<Datum>(cnt);
          for (let r = 0; r < cnt; r++) values[r] = datumAt(vec, r);
          columns.push(values);
        }
        const results = callJavascript(javascriptDefinitionOf(call.args), columns, cnt, ctx);
        // Results go back to the rows they belong to: the kernel reads the batch through `sel`.
        const rows = new Array<readonly Datum[]>(batch.length).fill(NULL_ROW);
        for (let k = 0; k < cnt; k++) rows[sel === null ? k : sel[k]!] = [results[k]!];
        added.push(vectorFromRows(call.type, rows, 0));
      }
      b = { length: b.length, columns: [...b.columns, ...added], selection: b.selection };
    }
    return b;
  };
  if (kind === 'filter') {
    const filter = kernel as FilterKernel;
    return ((batch, sel, selOut) => filter(extend(batch, sel), sel, selOut)) satisfies FilterKernel;
  }
  const project = kernel as ProjectionKernel;
  return ((batch, sel) => project(extend(batch, sel), sel)) satisfies ProjectionKernel;
}
