// Arithmetic operators (+ - * / % and unary -, abs) specialised by representation, with the
// reference's overflow (22003) and division-by-zero (22012) errors.
import { val, type CodegenContext, type Val } from './codegen-context.ts';
import { MAX_STATIC_SCALE, alignDec, guardExact } from './decimal-align.ts';

type ArithOp = 'add' | 'sub' | 'mul' | 'div' | 'mod';

const JS_OP: Record<ArithOp, string> = { add: '+', sub: '-', mul: '*', div: '/', mod: '%' };

const INT_RANGE: Record<string, [number, number, string]> = {
  int2: [-32768, 32767, 'smallint'],
  int4: [-2147483648, 2147483647, 'integer'],
};

const INT8_CHECK = '< -9223372036854775808n || {v} > 9223372036854775807n';

function int8Check(v: string): string {
  return `if (${v} ${INT8_CHECK.replace('{v}', v)}) throw H.intRange('bigint');`;
}

function int32Check(v: string, typeId: string): string {
  const [lo, hi, name] = INT_RANGE[typeId]!;
  return `if (${v} < ${lo} || ${v} > ${hi}) throw H.intRange('${name}');`;
}

/** Binary arithmetic with result type `rt`, or undefined when the representations are not handled. */
export function genArith(ctx: CodegenContext, op: ArithOp, rt: string, a: Val, b: Val): Val | undefined {
  if ((rt === 'int2' || rt === 'int4') && a.repr === 'i32' && b.repr === 'i32') {
    const r = ctx.tmp('i32', 'r');
    if (op === 'div' || op === 'mod') ctx.emit(`if (${b.v} === 0) throw H.divisionByZero();`);
    if (op === 'div') ctx.emit(`${r} = Math.trunc(${a.v} / ${b.v});`);
    else if (op === 'mod') {
      ctx.emit(`${r} = ${a.v} % ${b.v} === 0 ? 0 : ${a.v} % ${b.v};`);
      return val('i32', r, 'false');
    } else ctx.emit(`${r} = ${a.v} ${JS_OP[op]} ${b.v};`);
    ctx.emit(int32Check(r, rt));
    return val('i32', r, 'false');
  }
  if (rt === 'date' && a.repr === 'i32' && b.repr === 'i32' && (op === 'add' || op === 'sub')) {
    const r = ctx.tmp('i32', 'r');
    ctx.emit(`${r} = ${a.v} ${JS_OP[op]} ${b.v};`);
    return val('i32', r, 'false');
  }
  if (rt === 'int8' && a.repr === 'i64' && b.repr === 'i64') {
    const r = ctx.tmp('i64', 'r');
    const zero = ctx.fast ? '0' : '0n';
    if (op === 'div' || op === 'mod') ctx.emit(`if (${b.v} === ${zero}) throw H.divisionByZero();`);
    if (ctx.fast) {
      // Exact operands; a result beyond 2^53 is rounded, so the guard sends the batch to exact mode.
      if (op === 'div') ctx.emit(`${r} = Math.trunc(${a.v} / ${b.v}) + 0;`);
      else ctx.emit(`${r} = ${a.v} ${JS_OP[op]} ${b.v} + 0;`);
      guardExact(ctx, r);
    } else {
      ctx.emit(`${r} = ${a.v} ${JS_OP[op]} ${b.v};`);
      if (op !== 'mod') ctx.emit(int8Check(r));
    }
    return val('i64', r, 'false');
  }
  if ((rt === 'float8' || rt === 'float4') && a.repr === 'f64' && b.repr === 'f64') {
    const r = ctx.tmp('f64', 'r');
    if (op === 'div' || op === 'mod') ctx.emit(`if (${b.v} === 0) throw H.divisionByZero();`);
    ctx.emit(`${r} = ${a.v} ${JS_OP[op]} ${b.v};`);
    ctx.emit(`if (!Number.isFinite(${r}) && Number.isFinite(${a.v}) && Number.isFinite(${b.v})) throw H.floatOverflow();`);
    if (rt === 'float4') ctx.emit(`${r} = Math.fround(${r});`);
    return val('f64', r, 'false');
  }
  if (rt === 'numeric' && a.repr === 'dec' && b.repr === 'dec' && op !== 'div') {
    const scale = op === 'mul' ? a.scale + b.scale : Math.max(a.scale, b.scale);
    if (scale > MAX_STATIC_SCALE) return undefined;
    const r = ctx.tmp('dec', 'r');
    if (op === 'mul') {
      ctx.emit(`${r} = ${a.v} * ${b.v}${ctx.fast ? ' + 0' : ''};`);
    } else {
      if (op === 'mod') ctx.emit(`if (${b.v} === ${ctx.fast ? '0' : '0n'}) throw H.divisionByZero();`);
      const x = alignDec(ctx, a, scale);
      const y = alignDec(ctx, b, scale);
      ctx.emit(`${r} = ${x} ${JS_OP[op]} ${y}${ctx.fast && op === 'mod' ? ' + 0' : ''};`);
    }
    guardExact(ctx, r);
    return val('dec', r, 'false', { scale });
  }
  return undefined;
}

/** Unary minus with result type `rt`. */
export function genNeg(ctx: CodegenContext, rt: string, a: Val): Val | undefined {
  if ((rt === 'int2' || rt === 'int4') && a.repr === 'i32') {
    const r = ctx.tmp('i32', 'r');
    ctx.emit(`${r} = -(${a.v});`);
    ctx.emit(int32Check(r, rt));
    return val('i32', r, 'false');
  }
  if (rt === 'int8' && a.repr === 'i64') {
    const r = ctx.tmp('i64', 'r');
    if (ctx.fast) {
      ctx.emit(`${r} = 0 - ${a.v};`);
      guardExact(ctx, r);
    } else {
      ctx.emit(`${r} = -(${a.v});`);
      ctx.emit(int8Check(r));
    }
    return val('i64', r, 'false');
  }
  if ((rt === 'float8' || rt === 'float4') && a.repr === 'f64') return val('f64', `(-(${a.v}))`, 'false');
  if (rt === 'numeric' && a.repr === 'dec') {
    const r = ctx.tmp('dec', 'r');
    ctx.emit(ctx.fast ? `${r} = 0 - ${a.v};` : `${r} = -(${a.v});`);
    return val('dec', r, 'false', { scale: a.scale });
  }
  return undefined;
}

/** abs() as numericUnary(Math.abs, ...) computes it. */
export function genAbs(ctx: CodegenContext, rt: string, a: Val): Val | undefined {
  if ((rt === 'int2' || rt === 'int4') && a.repr === 'i32') {
    const r = ctx.tmp('i32', 'r');
    ctx.emit(`${r} = Math.abs(${a.v});`);
    ctx.emit(int32Check(r, rt));
    return val('i32', r, 'false');
  }
  if (rt === 'int8' && a.repr === 'i64') {
    const r = ctx.tmp('i64', 'r');
    // The reference goes through Number for bigints: BigInt(Math.abs(Number(x))).
    ctx.emit(ctx.fast ? `${r} = Math.abs(${a.v});` : `${r} = BigInt(Math.abs(Number(${a.v})));`);
    return val('i64', r, 'false');
  }
  if ((rt === 'float8' || rt === 'float4') && a.repr === 'f64') return val('f64', `Math.abs(${a.v})`, 'false');
  if (rt === 'numeric' && a.repr === 'dec') {
    const r = ctx.tmp('dec', 'r');
    ctx.emit(ctx.fast ? `${r} = Math.abs(${a.v});` : `${r} = ${a.v} < 0n ? -(${a.v}) : ${a.v};`);
    return val('dec', r, 'false', { scale: a.scale });
  }
  return undefined;
}
