// Compiles generated kernel source with `new Function` and caches the factory by a structural key
// (expression JSON + input layouts), so each distinct expression shape compiles once per process.
import type { Expr } from '../../sql/expr/expr.ts';
import type { EvalContext } from '../../sql/functions/scalar-functions.ts';
import { Decimal } from '../../sql/types/decimal.ts';
import { Interval } from '../../sql/types/interval.ts';
import type { SqlType } from '../../sql/types/sql-type.ts';
import { buildKernelSource, CAST_SETTINGS, inputLayouts, type KernelKind } from './kernel-source.ts';
import { KERNEL_RUNTIME, type KernelRuntime } from './kernel-runtime.ts';
import { narrowDecimalComparisons } from './narrow-compare.ts';

/** Instantiates a kernel for one session context; the result is a FilterKernel or ProjectionKernel. */
type KernelFactory = (H: KernelRuntime, K: readonly unknown[], ctx: EvalContext) => unknown;

/** A compiled kernel shape. */
export interface CompiledKernel {
  readonly kind: KernelKind;
  readonly source: string;
  readonly constants: readonly unknown[];
  readonly factory: KernelFactory;
  /** Whether the source reads the session beyond its time zone (generic evaluation: now(), current_user). */
  readonly readsSession: boolean;
  /** Shared instances by session key (see instantiate). */
  readonly instances: Map<string, unknown>;
}

const MAX_ENTRIES = 1024;
const cache = new Map<string, CompiledKernel>();

/**
 * JSON with Datums kept distinct: numbers (incl. NaN, -0), bigints, decimals and intervals. A key
 * set (InSet) stands in by its digest, not its thousands of keys.
 */
function keyReplacer(_key: string, v: unknown): unknown {
  if (isInSet(v)) return { kind: 'InSet', arg: v.arg, digest: v.digest, type: v.type };
  if (typeof v === 'number') return ['#n', Object.is(v, -0) ? '-0' : String(v)];
  if (typeof v === 'bigint') return ['#b', String(v)];
  if (v instanceof Decimal) return ['#d', String(v.unscaled), String(v.scale)];
  if (v instanceof Interval) return ['#i', String(v.months), String(v.days), String(v.micros)];
  return v;
}

function isInSet(v: unknown): v is Extract<Expr, { kind: 'InSet' }> {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'InSet';
}

/** The cache key of a kernel: kind, expressions and the layouts of the input columns. */
export function structuralKey(kind: KernelKind, exprs: readonly Expr[], inputTypes: readonly SqlType[]): string {
  const layouts = inputLayouts(inputTypes).map((l) => (l ? `${l.kind}:${l.scale}` : '-')).join(',');
  return `${kind}|${layouts}|${JSON.stringify(exprs, keyReplacer)}|${JSON.stringify(inputTypes)}`;
}

/** The compiled kernel for this shape, from the cache or freshly generated. */
export function compiledKernel(kind: KernelKind, exprs: readonly Expr[], inputTypes: readonly SqlType[]): CompiledKernel {
  const key = structuralKey(kind, exprs, inputTypes);
  const hit = cache.get(key);
  if (hit) return hit;
  const { source, constants } = buildKernelSource(kind, exprs.map(narrowDecimalComparisons), inputTypes);
  // new Function is typed as returning Function; the generated source returns a KernelFactory-shaped body.
  const factory = new Function('H', 'K', 'ctx', source) as KernelFactory;
  const readsSession = /\bctx\b/.test(source.replace(CAST_SETTINGS, ''));
  const compiled: CompiledKernel = { kind, source, constants, factory, readsSession, instances: new Map() };
  if (cache.size >= MAX_ENTRIES) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(key, compiled);
  return compiled;
}

/** Instances kept per compiled kernel (one per time zone in practice). */
const MAX_INSTANCES = 8;

/**
 * A kernel instance bound to `ctx` (cheap: no code generation on a cache hit).
 *
 * Filter and projection kernels keep no state between calls that a caller could see, so one
 * instance serves every query of the same session settings. Reusing it matters for speed: V8
 * specialises the optimised code of a function that only ever had one closure to the constants
 * of its context (a key set's bitmap, a range), while closures created anew for every query
 * share generic code that reloads them on every row (TPC-H Q19's key-set probe: ~2x slower).
 * Aggregate kernels reuse their output buffers from call to call (see outputAlloc), which two
 * concurrent queries must not share: they get an instance each.
 */
export function instantiate(compiled: CompiledKernel, ctx: EvalContext): unknown {
  if (compiled.kind === 'aggregate') return compiled.factory(KERNEL_RUNTIME, compiled.constants, ctx);
  const key = compiled.readsSession ? sessionKey(ctx) : `${ctx.timeZoneOffsetSeconds}|${ctx.timeZone ?? ''}`;
  let instance = compiled.instances.get(key);
  if (instance === undefined) {
    instance = compiled.factory(KERNEL_RUNTIME, compiled.constants, ctx);
    if (compiled.instances.size >= MAX_INSTANCES) compiled.instances.clear();
    compiled.instances.set(key, instance);
  }
  return instance;
}

/** Every field of the session a kernel could read, as a string. */
function sessionKey(ctx: EvalContext): string {
  return JSON.stringify(ctx, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
}

/** Number of cached kernel shapes (for tests). */
export function kernelCacheSize(): number {
  return cache.size;
}
