// Casts between typed representations with cast.ts's rules: rint for float→int, half away from zero
// for numeric rescaling, range errors 22003, numeric(p,s) precision checks.
import type { SqlType } from '../../sql/types/sql-type.ts';
import { val, type CodegenContext, type Val } from './codegen-context.ts';
import { MAX_STATIC_SCALE, guardExact, pow10Lit, rescaleDec, roundDownDec } from './decimal-align.ts';

const I32_RANGE: Record<string, [number, number, string]> = {
  int2: [-32768, 32767, 'smallint'],
  int4: [-2147483648, 2147483647, 'integer'],
};

const STRING_IDS = new Set(['text', 'varchar', 'char', 'name', 'unknown']);

function toInt32(ctx: CodegenContext, x: Val, from: SqlType, to: string): Val | undefined {
  const [lo, hi, name] = I32_RANGE[to]!;
  const r = ctx.tmp('i32', 'r');
  const check = `if (${r} < ${lo} || ${r} > ${hi}) throw H.intRange('${name}');`;
  switch (x.repr) {
    case 'i32':
      ctx.emit(`${r} = ${x.v};`);
      ctx.emit(check);
      break;
    case 'bool':
      ctx.emit(`${r} = (${x.v}) ? 1 : 0;`);
      break;
    case 'f64':
      if (from.id !== 'float4' && from.id !== 'float8') return undefined;
      ctx.emit(`${r} = H.f64ToI32(${x.v}, ${lo}, ${hi}, '${name}');`);
      break;
    case 'i64':
      if (ctx.fast) ctx.emit(`${r} = ${x.v};`);
      else ctx.emit(`if (${x.v} < ${lo}n || ${x.v} > ${hi}n) throw H.intRange('${name}'); ${r} = Number(${x.v});`);
      if (ctx.fast) ctx.emit(check);
      break;
    case 'dec': {
      const q = x.scale === 0 ? x.v : roundDownDec(ctx, x.v, x.scale, 0);
      if (ctx.fast) {
        ctx.emit(`${r} = ${q};`);
        ctx.emit(check);
      } else {
        const t = ctx.tmp('dec', 't');
        ctx.emit(`${t} = ${q}; if (${t} < ${lo}n || ${t} > ${hi}n) throw H.intRange('${name}'); ${r} = Number(${t});`);
      }
      break;
    }
    default: return undefined;
  }
  return val('i32', r, 'false');
}

function toInt64(ctx: CodegenContext, x: Val, from: SqlType): Val | undefined {
  const r = ctx.tmp('i64', 'r');
  switch (x.repr) {
    case 'i32': ctx.emit(ctx.fast ? `${r} = ${x.v};` : `${r} = BigInt(${x.v});`); break;
    case 'bool': ctx.emit(ctx.fast ? `${r} = (${x.v}) ? 1 : 0;` : `${r} = (${x.v}) ? 1n : 0n;`); break;
    case 'i64': return x;
    case 'f64':
      if (from.id !== 'float4' && from.id !== 'float8') return undefined;
      if (ctx.fast) ctx.emit(`${r} = H.f64ToI64Fast(${x.v}); if (${r} !== ${r}) ${ctx.bail()}`);
      else ctx.emit(`${r} = H.f64ToI64Exact(${x.v});`);
      break;
    case 'dec': {
      const q = x.scale === 0 ? x.v : roundDownDec(ctx, x.v, x.scale, 0);
      ctx.emit(`${r} = ${q};`);
      if (!ctx.fast) ctx.emit(`if (${r} < -9223372036854775808n || ${r} > 9223372036854775807n) throw H.intRange('bigint');`);
      break;
    }
    default: return undefined;
  }
  return val('i64', r, 'false');
}

function toFloat(ctx: CodegenContext, x: Val, to: string): Val | undefined {
  let v: string;
  switch (x.repr) {
    case 'i32': case 'f64': v = x.v; break;
    case 'i64': v = ctx.fast ? x.v : `Number(${x.v})`; break;
    case 'dec':
      if (ctx.fast) v = x.scale === 0 ? `(${x.v} + 0)` : `((${x.v} + 0) / ${pow10Lit(ctx, x.scale)})`;
      else v = `H.decToF64(${x.v}, ${x.scale})`;
      break;
    default: return undefined;
  }
  if (to === 'float8') return val('f64', v, 'false');
  const src = ctx.tmp('f64', 'x');
  const r = ctx.tmp('f64', 'r');
  ctx.emit(`${src} = ${v}; ${r} = Math.fround(${src});`);
  ctx.emit(`if (!Number.isFinite(${r}) && Number.isFinite(${src})) throw H.floatOverflow();`);
  return val('f64', r, 'false');
}

function toNumeric(ctx: CodegenContext, x: Val, to: SqlType): Val | undefined {
  let v: string;
  let scale: number;
  switch (x.repr) {
    case 'i32': v = x.v; scale = 0; if (!ctx.fast) v = `BigInt(${x.v})`; break;
    case 'i64': v = x.v; scale = 0; break;
    case 'dec': v = x.v; scale = x.scale; break;
    default: return undefined;
  }
  if (x.repr === 'i32' || x.repr === 'i64') ctx.usesWide = true;
  if (to.precision === undefined) return val('dec', v, 'false', { scale, ...(x.lit !== undefined ? { lit: x.lit } : {}) });
  const target = to.scale ?? 0;
  if (target > MAX_STATIC_SCALE || target < 0) return undefined;
  const r = ctx.tmp('dec', 'r');
  ctx.emit(`${r} = ${rescaleDec(ctx, v, scale, target)};`);
  const p = to.precision;
  const typeName = ctx.pool.add(to, `type:${JSON.stringify(to)}`);
  if (ctx.fast) {
    // |r| ≤ 2^53 < 10^16, so only precisions up to 15 can overflow here.
    if (p <= 15) ctx.emit(`if (${r} >= ${10 ** p} || ${r} <= -${10 ** p}) H.numericFieldOverflow(BigInt(${r}), ${target}, ${typeName});`);
  } else {
    const lim = `${10n ** BigInt(p)}n`;
    ctx.emit(`if (${r} >= ${lim} || ${r} <= -${lim}) H.numericFieldOverflow(${r}, ${target}, ${typeName});`);
  }
  return val('dec', r, 'false', { scale: target });
}

/** Cast of the non-NULL value `x` from `from` to `to`, or undefined for the generic castDatum path. */
export function genCast(ctx: CodegenContext, x: Val, from: SqlType, to: SqlType): Val | undefined {
  switch (to.id) {
    case 'int2': case 'int4':
      if (from.id === 'date') return undefined;
      return toInt32(ctx, x, from, to.id);
    case 'int8':
      if (from.id === 'date' || from.id === 'timestamp' || from.id === 'timestamptz') return undefined;
      return toInt64(ctx, x, from);
    case 'float4': case 'float8':
      if (x.repr === 'i32' && (from.id === 'date' || from.id === 'bool')) return undefined;
      if (x.repr === 'i64' && from.id !== 'int8') return undefined;
      return toFloat(ctx, x, to.id);
    case 'numeric':
      if (from.id === 'date' || from.id === 'bool' || from.id === 'timestamp' || from.id === 'timestamptz') return undefined;
      return toNumeric(ctx, x, to);
    case 'bool':
      if (x.repr === 'bool') return x;
      if (x.repr === 'i32' && (from.id === 'int4' || from.id === 'int2')) return val('bool', `(${x.v} !== 0)`, 'false');
      return undefined;
    case 'text': case 'varchar': case 'name': case 'unknown':
      if (!STRING_IDS.has(from.id)) return undefined;
      if (to.id === 'varchar' && to.length !== undefined) return undefined;
      return x.repr === 'slice' || x.repr === 'datum' ? x : undefined;
    case 'date':
      if (from.id === 'date' && x.repr === 'i32') return x;
      if (from.id === 'timestamp' && x.repr === 'i64') {
        const r = ctx.tmp('i32', 'r');
        if (ctx.fast) {
          const m = ctx.tmp('i64', 'm');
          ctx.emit(`${m} = ${x.v} % 86400000000; ${r} = (${x.v} - ${m}) / 86400000000; if (${m} < 0) ${r} -= 1;`);
        } else {
          ctx.emit(`${r} = Number(${x.v} / 86400000000n - (${x.v} % 86400000000n < 0n ? 1n : 0n));`);
        }
        return val('i32', r, 'false');
      }
      return undefined;
    case 'timestamp':
      if (from.id === 'timestamp' && x.repr === 'i64') return x;
      if (from.id === 'date' && x.repr === 'i32') {
        const r = ctx.tmp('i64', 'r');
        if (ctx.fast) {
          ctx.emit(`${r} = ${x.v} * 86400000000;`);
          guardExact(ctx, r);
        } else ctx.emit(`${r} = BigInt(${x.v}) * 86400000000n;`);
        return val('i64', r, 'false');
      }
      return undefined;
    case 'timestamptz':
      return from.id === 'timestamptz' && x.repr === 'i64' ? x : undefined;
    default:
      return undefined;
  }
}
