// Comparison operators on typed values with compareDatums' order: NaN above all floats, false <
// true, decimals aligned to a common scale, strings by UTF-8 bytes (see cmpBytes for the order).
import type { CodegenContext, Val } from './codegen-context.ts';
import { MAX_STATIC_SCALE, alignDec } from './decimal-align.ts';

/** The six comparison operators by scalar-function name. */
export type CompareOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

const JS_CMP: Record<CompareOp, string> = { eq: '===', ne: '!==', lt: '<', le: '<=', gt: '>', ge: '>=' };

/** Whether `fn` names a comparison operator. */
export function isCompareOp(fn: string): fn is CompareOp {
  return fn in JS_CMP;
}

function floatCompare(op: CompareOp, a: string, b: string): string {
  switch (op) {
    case 'eq': return `(${a} === ${b} || (${a} !== ${a} && ${b} !== ${b}))`;
    case 'ne': return `!(${a} === ${b} || (${a} !== ${a} && ${b} !== ${b}))`;
    case 'lt': return `(${a} < ${b} || (${a} === ${a} && ${b} !== ${b}))`;
    case 'le': return `(${a} <= ${b} || ${b} !== ${b})`;
    case 'gt': return `(${a} > ${b} || (${a} !== ${a} && ${b} === ${b}))`;
    case 'ge': return `(${a} >= ${b} || ${a} !== ${a})`;
  }
}

function boolCompare(op: CompareOp, a: string, b: string): string {
  switch (op) {
    case 'eq': return `(${a} === ${b})`;
    case 'ne': return `(${a} !== ${b})`;
    case 'lt': return `(!${a} && ${b})`;
    case 'le': return `(!${a} || ${b})`;
    case 'gt': return `(${a} && !${b})`;
    case 'ge': return `(${a} || !${b})`;
  }
}

/**
 * A boolean JS expression for `a op b` (both non-NULL), emitting any statements it needs first;
 * undefined when the representations have no specialised comparison.
 */
export function compareVals(ctx: CodegenContext, op: CompareOp, a: Val, b: Val): string | undefined {
  if (a.repr !== b.repr) return undefined;
  switch (a.repr) {
    case 'i32': case 'i64': return `(${a.v} ${JS_CMP[op]} ${b.v})`;
    case 'f64': return floatCompare(op, a.v, b.v);
    case 'bool': return boolCompare(op, `(${a.v})`, `(${b.v})`);
    case 'dec': {
      const scale = Math.max(a.scale, b.scale);
      if (scale > MAX_STATIC_SCALE) return undefined;
      return `(${alignDec(ctx, a, scale)} ${JS_CMP[op]} ${alignDec(ctx, b, scale)})`;
    }
    case 'slice': {
      const args = `${a.arr}, ${a.s}, ${a.e}, ${b.arr}, ${b.s}, ${b.e}`;
      if (op === 'eq') return `H.eqBytes(${args})`;
      if (op === 'ne') return `!H.eqBytes(${args})`;
      return `(H.cmpBytes(${args}) ${JS_CMP[op]} 0)`;
    }
    default: return undefined;
  }
}

/** compareDatums on both values as Datums (the generic comparison). */
export function compareGeneric(ctx: CodegenContext, op: CompareOp, a: Val, b: Val): string {
  return `(H.compareDatums(${ctx.datumOf(a)}, ${ctx.datumOf(b)}) ${JS_CMP[op]} 0)`;
}
