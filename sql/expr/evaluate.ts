// Evaluates a bound expression over one row of Datums. The reference semantics: constant folding,
// leader-side steps and the slow path of fragments use it; compiled kernels must agree with it.
import { SqlError, SqlState, internalError } from '../../common/errors/index.ts';
import { JAVASCRIPT_CALL, callJavascript, javascriptDefinitionOf } from '../functions/javascript.ts';
import { SCALAR_FUNCTIONS, type EvalContext } from '../functions/scalar-functions.ts';
import type { Datum } from '../types/datum.ts';
import { castDatum } from './cast.ts';
import { compareDatums, datumKey } from './compare.ts';
import type { Expr } from './expr.ts';

type InSet = Extract<Expr, { kind: 'InSet' }>;

/** The keys of each InSet node as a set of datumKey strings, built on first use. */
const keySets = new WeakMap<InSet, Set<string>>();

function keySetOf(e: InSet): Set<string> {
  let set = keySets.get(e);
  if (set === undefined) keySets.set(e, set = new Set(e.keys.map(datumKey)));
  return set;
}

/** Evaluates `e` for `row`; three-valued logic, PostgreSQL's errors. */
export function evaluate(e: Expr, row: readonly Datum[], ctx: EvalContext): Datum {
  switch (e.kind) {
    case 'Column': return row[e.index] ?? null;
    case 'Const': return e.value;
    case 'Param': throw internalError(`parameter $${e.index + 1} was not bound`);
    case 'Outer': throw internalError('correlated reference was not decorrelated');
    case 'Subquery': throw internalError('subquery was not computed before execution');
    case 'And': {
      let sawNull = false;
      for (const a of e.args) {
        const v = evaluate(a, row, ctx);
        if (v === false) return false;
        if (v === null) sawNull = true;
      }
      return sawNull ? null : true;
    }
    case 'Or': {
      let sawNull = false;
      for (const a of e.args) {
        const v = evaluate(a, row, ctx);
        if (v === true) return true;
        if (v === null) sawNull = true;
      }
      return sawNull ? null : false;
    }
    case 'Not': {
      const v = evaluate(e.arg, row, ctx);
      return v === null ? null : !v;
    }
    case 'IsNull': {
      const v = evaluate(e.arg, row, ctx);
      return (v === null) !== e.negated;
    }
    case 'Cast': {
      const v = evaluate(e.arg, row, ctx);
      return castDatum(v, e.arg.type, e.type, ctx);
    }
    case 'Case': {
      for (const w of e.whens) {
        if (evaluate(w.when, row, ctx) === true) return evaluate(w.then, row, ctx);
      }
      return e.otherwise ? evaluate(e.otherwise, row, ctx) : null;
    }
    case 'InList': {
      const v = evaluate(e.arg, row, ctx);
      if (v === null) return null;
      let sawNull = false;
      for (const item of e.list) {
        const x = evaluate(item, row, ctx);
        if (x === null) sawNull = true;
        else if (compareDatums(v, x) === 0) return !e.negated;
      }
      return sawNull ? null : e.negated;
    }
    case 'InSet': {
      const v = evaluate(e.arg, row, ctx);
      return v === null ? null : keySetOf(e).has(datumKey(v));
    }
    case 'Call': {
      if (e.fn === JAVASCRIPT_CALL) {
        // One row at a time here; compiled kernels call it once per batch (compute/codegen/javascript-stage.ts).
        const args = e.args.slice(1).map((a) => [evaluate(a, row, ctx)]);
        return callJavascript(javascriptDefinitionOf(e.args), args, 1, ctx)[0]!;
      }
      const fn = SCALAR_FUNCTIONS[e.fn];
      if (!fn) throw new SqlError(SqlState.UNDEFINED_FUNCTION, `function ${e.fn} does not exist`);
      const args: Datum[] = new Array<Datum>(e.args.length);
      for (let i = 0; i < e.args.length; i++) {
        const v = evaluate(e.args[i]!, row, ctx);
        if (v === null && fn.strict !== false) return null;
        args[i] = v;
      }
      return fn.evaluate(args, e.type, ctx, e.args.map((a) => a.type));
    }
  }
}

/** True when the expression's value is the same for every row (no columns), so it can be folded. */
export function isConstantExpr(e: Expr): boolean {
  switch (e.kind) {
    case 'Column': case 'Param': case 'Outer': case 'Subquery': return false;
    case 'Const': return true;
    case 'Call': return e.args.every(isConstantExpr);
    case 'And': case 'Or': return e.args.every(isConstantExpr);
    case 'Not': case 'IsNull': case 'Cast': return isConstantExpr(e.arg);
    case 'Case': return e.whens.every((w) => isConstantExpr(w.when) && isConstantExpr(w.then)) && (e.otherwise === null || isConstantExpr(e.otherwise));
    case 'InList': return isConstantExpr(e.arg) && e.list.every(isConstantExpr);
    case 'InSet': return isConstantExpr(e.arg);
  }
}
