// Dispatches code generation per expression node: columns, constants (folded at compile time),
// logic, casts and calls, falling back to the generic Datum path for anything not specialised.
import type { Expr } from '../../sql/expr/expr.ts';
import { pgUnit } from '../../sql/functions/scalar/date-units.ts';
import { SCALAR_FUNCTIONS } from '../../sql/functions/scalar-functions.ts';
import { SCALAR_LIBRARY } from '../../sql/functions/scalar/index.ts';
import type { Datum } from '../../sql/types/datum.ts';
import { Decimal } from '../../sql/types/decimal.ts';
import type { SqlType } from '../../sql/types/sql-type.ts';
import { NULL_VAL, numLit, val, type CodegenContext, type Val } from './codegen-context.ts';
import { foldConstant, isFoldable } from './const-fold.ts';
import { MAX_STATIC_SCALE, intLit } from './decimal-align.ts';
import { genAbs, genArith, genNeg } from './gen-arith.ts';
import { genCast } from './gen-cast.ts';
import { compareVals, isCompareOp } from './gen-compare.ts';
import { genEvaluateFallback, genericCallBody, genericCastBody } from './gen-generic.ts';
import { genLike } from './gen-like.ts';
import { genAndOr, genCase, genCoalesce, genInList, genInSet, genIsNull, genNot, genNullif } from './gen-logic.ts';
import { hasLoneSurrogate } from './like-pattern.ts';

type CallExpr = Extract<Expr, { kind: 'Call' }>;

const encoder = new TextEncoder();

const STRING_IDS = new Set(['text', 'varchar', 'char', 'name']);

/** Installs the dispatcher as `ctx.gen`. */
export function installCodegen(ctx: CodegenContext): void {
  ctx.gen = (e) => genExpr(ctx, e);
}

function genExpr(ctx: CodegenContext, e: Expr): Val {
  switch (e.kind) {
    case 'Column': return genColumn(ctx, e.index);
    case 'Const': return genConst(ctx, e.value, e.type);
    case 'Param': return genEvaluateFallback(ctx, e);
    default: break;
  }
  if (isFoldable(e)) {
    const folded = foldConstant(e);
    if (folded.ok) return genConst(ctx, folded.value, e.type);
    // The reference raises this error for each row that reaches the expression.
    ctx.emit(`throw ${ctx.pool.add(folded.error)};`);
    return NULL_VAL;
  }
  switch (e.kind) {
    case 'And': case 'Or': return genAndOr(ctx, e);
    case 'Not': return genNot(ctx, e);
    case 'IsNull': return genIsNull(ctx, e);
    case 'Case': return genCase(ctx, e);
    case 'InList': return genInList(ctx, e);
    case 'InSet': return genInSet(ctx, e) ?? genEvaluateFallback(ctx, e);
    case 'Cast': return genCastNode(ctx, e.arg, e.type);
    case 'Call': return genCall(ctx, e);
    default: return genEvaluateFallback(ctx, e);
  }
}

function genCastNode(ctx: CodegenContext, arg: Expr, to: SqlType): Val {
  const x = ctx.gen(arg);
  if (x.repr === 'null' || x.n === 'true') return NULL_VAL;
  const nullable = x.n !== 'false';
  const rn = nullable ? ctx.tmp('bool', 'n') : 'false';
  if (nullable) ctx.open(`if (${x.n}) { ${rn} = true; } else {`);
  const r = genCast(ctx, x, arg.type, to) ?? genericCastBody(ctx, x, arg.type, to);
  if (!nullable) return r;
  const t = ctx.tmpVal(r.repr, r.scale, rn);
  ctx.assign(t, r);
  ctx.close();
  return t;
}

function genCall(ctx: CodegenContext, e: CallExpr): Val {
  const fn = SCALAR_FUNCTIONS[e.fn];
  if (!fn) return genEvaluateFallback(ctx, e);
  const core = !(e.fn in SCALAR_LIBRARY);
  if (core && e.fn === 'coalesce') return genCoalesce(ctx, e.args);
  if (core && e.fn === 'nullif' && e.args.length === 2) return genNullif(ctx, e.args);
  if (fn.strict === false) return genericCallBody(ctx, e, e.args.map((a) => ctx.gen(a)));
  return strictCallOf(ctx, e, core);
}

/** A strict call: arguments in order, the first NULL one ends it (see strict-call.ts). */
function strictCallOf(ctx: CodegenContext, e: CallExpr, core: boolean): Val {
  const vals: Val[] = [];
  let opens = 0;
  let nullVar: string | null = null;
  for (const a of e.args) {
    const x = ctx.gen(a);
    if (x.repr === 'null' || x.n === 'true') {
      for (; opens > 0; opens--) ctx.close();
      return NULL_VAL;
    }
    if (x.n !== 'false') {
      nullVar ??= ctx.tmp('bool', 'n');
      ctx.open(`if (${x.n}) { ${nullVar} = true; } else {`);
      opens++;
    }
    vals.push(x);
  }
  const r = (core ? specialised(ctx, e, vals) : librarySpecialised(ctx, e, vals)) ?? genericCallBody(ctx, e, vals);
  if (nullVar === null) return r;
  const t = ctx.tmpVal(r.repr === 'null' ? 'datum' : r.repr, r.scale, nullVar);
  if (r.repr === 'null') ctx.assignNull(t);
  else ctx.assign(t, r);
  for (; opens > 0; opens--) ctx.close();
  return t;
}

/** Library functions with byte-level code: substring(text, int [, int]) as a sub-slice of its argument. */
function librarySpecialised(ctx: CodegenContext, e: CallExpr, vals: readonly Val[]): Val | undefined {
  if (e.fn === 'extract' || e.fn === 'date_part') return genDateField(ctx, e, vals);
  if (e.fn !== 'substring' && e.fn !== 'substr') return undefined;
  const [s, from, count] = vals;
  if (s?.repr !== 'slice' || from?.repr !== 'i32' || (count !== undefined && count.repr !== 'i32') || vals.length > 3) return undefined;
  // Characters are code points: byte offsets come from walking the UTF-8 (no string is made).
  const start = ctx.tmp('i32', 's');
  const end = ctx.tmp('i32', 'e');
  const first = ctx.tmp('i32', 'f');
  ctx.emit(`${first} = ${from.v} - 1; ${start} = H.charOffset(${s.arr}, ${s.s}, ${s.e}, ${first});`);
  if (count === undefined) ctx.emit(`${end} = ${s.e};`);
  else {
    ctx.emit(`if (${count.v} < 0) throw H.negativeSubstringLength();`);
    ctx.emit(`${end} = H.charOffset(${s.arr}, ${s.s}, ${s.e}, ${first} + ${count.v});`);
  }
  return val('slice', '', 'false', { arr: s.arr, s: start, e: end });
}

/** Calendar fields computed inline from a date's day number (H.dateField's codes). */
const DATE_FIELDS: Partial<Record<string, number>> = { year: 0, month: 1, day: 2, quarter: 3 };

/**
 * extract(field from date) (numeric, scale 0) and date_part(field, date) (float8) for the calendar
 * fields year, month, day and quarter, from the day number: no Datum, no timestamp split.
 */
function genDateField(ctx: CodegenContext, e: CallExpr, vals: readonly Val[]): Val | undefined {
  const [field, date] = e.args;
  const x = vals[1];
  if (field?.kind !== 'Const' || typeof field.value !== 'string' || date?.type.id !== 'date' || x?.repr !== 'i32' || vals.length !== 2) return undefined;
  const unit = pgUnit(field.value);
  const code = unit === undefined ? undefined : DATE_FIELDS[unit];
  if (code === undefined) return undefined;
  const v = `H.dateField(${x.v}, ${code})`;
  if (e.type.id === 'float8') return val('f64', v, 'false');
  if (e.type.id !== 'numeric') return undefined;
  ctx.usesWide = true;
  return val('dec', ctx.fast ? v : `BigInt(${v})`, 'false', { scale: 0 });
}

function specialised(ctx: CodegenContext, e: CallExpr, vals: readonly Val[]): Val | undefined {
  const rt = e.type.id;
  const [a, b] = vals;
  if (!a) return undefined;
  switch (e.fn) {
    case 'add': case 'sub': case 'mul': case 'div': case 'mod':
      return b && vals.length === 2 ? genArith(ctx, e.fn, rt, a, b) : undefined;
    case 'neg': return vals.length === 1 ? genNeg(ctx, rt, a) : undefined;
    case 'abs': return vals.length === 1 ? genAbs(ctx, rt, a) : undefined;
    case 'like': return b && vals.length === 2 ? genLike(ctx, a, b) : undefined;
    default: {
      if (!isCompareOp(e.fn) || !b || vals.length !== 2) return undefined;
      const cmp = compareVals(ctx, e.fn, a, b);
      return cmp === undefined ? undefined : val('bool', cmp, 'false');
    }
  }
}

/** A column of the input batch (hoisted typed arrays; null flag from the null map). */
function genColumn(ctx: CodegenContext, idx: number): Val {
  const layout = ctx.layouts[idx];
  const t = ctx.inputTypes[idx];
  // The reference reads a missing column as NULL.
  if (!layout || !t) return NULL_VAL;
  const n = ctx.opts.nullable ? `(${ctx.hoist(`cz${idx}`, `cols[${idx}].nulls ?? H.zerosOf(len)`)}[i] === 1)` : 'false';
  const values = (): string => ctx.hoist(`cv${idx}`, `cols[${idx}].values`);
  switch (layout.kind) {
    case 'bool': return val('bool', `(${values()}[i] === 1)`, n);
    case 'int32': return val('i32', `${values()}[i]`, n);
    case 'float64': return val('f64', `${values()}[i]`, n);
    case 'int64': {
      if (!ctx.fast) {
        ctx.usesWide = true;
        return val('i64', `${values()}[i]`, n);
      }
      // Fast mode reads the two int32 halves; |v| ≤ 2^53 exactly when hi is in [-2^21, 2^21).
      const halves = ctx.hoist(`ch${idx}`, `H.int32View(cols[${idx}].values)`);
      const x = ctx.tmp('i64', 'x');
      const hi = ctx.tmp('i32', 't');
      const read = `${hi} = ${halves}[2 * i + 1]; if (${hi} > 2097151 || ${hi} < -2097152) ${ctx.bail()} ${x} = ${hi} * 4294967296 + (${halves}[2 * i] >>> 0);`;
      ctx.emit(n === 'false' ? read : `if (!${n}) { ${read} }`);
      return val('i64', x, n);
    }
    case 'decimal': {
      ctx.usesWide = true;
      if (ctx.fast) return val('dec', `${values()}[i]`, n, { scale: layout.scale });
      const x = ctx.tmp('dec', 'x');
      ctx.emit(n === 'false' ? `${x} = BigInt(${values()}[i]);` : `${x} = ${n} ? 0n : BigInt(${values()}[i]);`);
      return val('dec', x, n, { scale: layout.scale });
    }
    case 'bigdecimal': {
      const scales = ctx.hoist(`cq${idx}`, `cols[${idx}].scales`);
      const d = ctx.tmp('datum', 'd');
      ctx.emit(`${d} = ${n === 'false' ? '' : `${n} ? null : `}H.decFromBig(${values()}[i], ${scales}[i]);`);
      return val('datum', d, n);
    }
    case 'string': {
      // Row i is entry rows[i] of (offsets, bytes): the vector's own rows (rows = identity), or a
      // dictionary-encoded block's entries through its codes, never expanded.
      const rows = ctx.hoist(`cr${idx}`, `H.stringRows(cols[${idx}])`);
      const offsets = ctx.hoist(`co${idx}`, `H.stringOffsets(cols[${idx}])`);
      const bytes = ctx.hoist(`cb${idx}`, `H.stringBytes(cols[${idx}])`);
      return val('slice', '', n, { arr: bytes, s: `${offsets}[${rows}[i]]`, e: `${offsets}[${rows}[i] + 1]` });
    }
  }
}

/** A constant in its natural representation (literals inline; strings as pooled UTF-8 bytes). */
export function genConst(ctx: CodegenContext, value: Datum, t: SqlType): Val {
  if (value === null) return NULL_VAL;
  switch (t.id) {
    case 'bool':
      if (typeof value === 'boolean') return val('bool', String(value), 'false');
      break;
    case 'int2': case 'int4': case 'date': case 'oid': case 'float4': case 'float8':
      if (typeof value === 'number') return val(t.id === 'float4' || t.id === 'float8' ? 'f64' : 'i32', numLit(value), 'false');
      break;
    case 'int8': case 'timestamp': case 'timestamptz':
      if (typeof value === 'bigint') {
        ctx.usesWide = true;
        return val('i64', intLit(ctx, value), 'false', { lit: value });
      }
      break;
    case 'numeric':
      if (value instanceof Decimal && value.scale <= MAX_STATIC_SCALE) {
        ctx.usesWide = true;
        return val('dec', intLit(ctx, value.unscaled), 'false', { scale: value.scale, lit: value.unscaled });
      }
      break;
    default:
      if (STRING_IDS.has(t.id) && typeof value === 'string' && !hasLoneSurrogate(value)) {
        const bytes = encoder.encode(value);
        const k = ctx.pool.add(bytes, `str:${value}`);
        return val('slice', '', 'false', { arr: k, s: '0', e: String(bytes.length), str: value });
      }
  }
  const k = ctx.pool.add(value);
  return val('datum', k, 'false', typeof value === 'string' ? { str: value } : {});
}
