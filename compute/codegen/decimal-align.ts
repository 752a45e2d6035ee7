// Scale alignment of compile-time-scaled decimals in generated code (exact, with the fast-mode guard).
import { bigLit, numLit, type CodegenContext, type Val } from './codegen-context.ts';

/** Largest decimal scale kept in float64 code (10^22 is the largest exact power of ten). */
export const MAX_STATIC_SCALE = 22;

/** 10^k as a source literal for the current mode. */
export function pow10Lit(ctx: CodegenContext, k: number): string {
  return ctx.fast ? numLit(10 ** k) : bigLit(10n ** BigInt(k));
}

/** The fast-mode guard: leave for the exact variant when `v` is not an exact float64 integer. */
export function guardExact(ctx: CodegenContext, v: string): void {
  if (ctx.fast) ctx.emit(`if (${v} > 9007199254740991 || ${v} < -9007199254740991) ${ctx.bail()}`);
}

/** A literal for the exact integer `x` in the current mode (fast mode bails when it is not exact). */
export function intLit(ctx: CodegenContext, x: bigint): string {
  if (!ctx.fast) return bigLit(x);
  if (x > 9007199254740991n || x < -9007199254740991n) {
    ctx.emit(ctx.bail());
    return '0';
  }
  return numLit(Number(x));
}

/** Expression for unscaled value of `x` (repr dec) at scale `to` ≥ x.scale. */
export function alignDec(ctx: CodegenContext, x: Val, to: number): string {
  const k = to - x.scale;
  if (k === 0) return x.v;
  if (x.lit !== undefined) return intLit(ctx, x.lit * 10n ** BigInt(k));
  const t = ctx.tmp('dec', 'a');
  ctx.emit(`${t} = ${x.v} * ${pow10Lit(ctx, k)};`);
  guardExact(ctx, t);
  return t;
}

/** Expression for `v` (unscaled at scale `from`) rounded half away from zero to scale `to` < from. */
export function roundDownDec(ctx: CodegenContext, v: string, from: number, to: number): string {
  const p = pow10Lit(ctx, from - to);
  return ctx.fast ? `H.roundDivFast(${v}, ${p})` : `H.roundDiv(${v}, ${p})`;
}

/** Expression for `v` (unscaled at `from`) rescaled to `to` as Decimal.withScale does. */
export function rescaleDec(ctx: CodegenContext, v: string, from: number, to: number): string {
  if (to === from) return v;
  if (to < from) return roundDownDec(ctx, v, from, to);
  const t = ctx.tmp('dec', 'a');
  ctx.emit(`${t} = ${v} * ${pow10Lit(ctx, to - from)};`);
  guardExact(ctx, t);
  return t;
}
