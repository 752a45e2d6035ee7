// Three-valued logic and conditional nodes: AND, OR, NOT, IS [NOT] NULL, CASE, [NOT] IN,
// coalesce and nullif, evaluating sub-expressions exactly when the reference evaluator does.
import type { Expr } from '../../sql/expr/expr.ts';
import type { Datum } from '../../sql/types/datum.ts';
import { Decimal } from '../../sql/types/decimal.ts';
import { ByteStringSet } from './byte-string-set.ts';
import { NumberKeySet } from './number-key-set.ts';
import { NULL_VAL, val, type CodegenContext, type Repr, type Val } from './codegen-context.ts';
import { foldConstant, isFoldable } from './const-fold.ts';
import { compareGeneric, compareVals } from './gen-compare.ts';
import { hasLoneSurrogate } from './like-pattern.ts';

type Node<K extends Expr['kind']> = Extract<Expr, { kind: K }>;

/** JS condition "x is TRUE" (not NULL and true). */
export function isTrueCond(x: Val): string {
  if (x.repr === 'null' || x.n === 'true') return 'false';
  const v = x.repr === 'datum' ? `(${x.v}) === true` : `(${x.v})`;
  return x.n === 'false' ? v : `(!(${x.n}) && ${v})`;
}

/** AND / OR: stops at the first FALSE (AND) or TRUE (OR), NULL when none decided and one was NULL. */
export function genAndOr(ctx: CodegenContext, e: Node<'And'> | Node<'Or'>): Val {
  const isAnd = e.kind === 'And';
  const r = ctx.tmp('bool', 'r');
  const rn = ctx.tmp('bool', 'n');
  const saw = ctx.tmp('bool', 'w');
  ctx.emit(`${saw} = false;`);
  let opens = 0;
  for (const arg of e.args) {
    const x = ctx.gen(arg);
    if (x.repr === 'null' || x.n === 'true') {
      ctx.emit(`${saw} = true;`);
      continue;
    }
    const v = x.repr === 'datum' ? `((${x.v}) === true)` : `(${x.v})`;
    const decides = isAnd ? `!${v}` : v;
    const cond = x.n === 'false' ? decides : `!(${x.n}) && ${decides}`;
    ctx.open(`if (${cond}) { ${r} = ${isAnd ? 'false' : 'true'}; ${rn} = false; } else {`);
    opens++;
    if (x.n !== 'false') ctx.emit(`if (${x.n}) ${saw} = true;`);
  }
  ctx.emit(`${rn} = ${saw}; ${r} = ${isAnd ? 'true' : 'false'};`);
  for (; opens > 0; opens--) ctx.close();
  return val('bool', r, rn);
}

/** NOT: NULL stays NULL. */
export function genNot(ctx: CodegenContext, e: Node<'Not'>): Val {
  const x = ctx.gen(e.arg);
  if (x.repr === 'null' || x.n === 'true') return NULL_VAL;
  return val('bool', x.repr === 'datum' ? `((${x.v}) !== true)` : `!(${x.v})`, x.n);
}

/** IS [NOT] NULL: never NULL. */
export function genIsNull(ctx: CodegenContext, e: Node<'IsNull'>): Val {
  const x = ctx.gen(e.arg);
  return val('bool', e.negated ? `!(${x.n})` : `(${x.n})`, 'false');
}

/** The representation several branches share: their common one, else datum. */
function unify(vals: readonly Val[]): { repr: Repr; scale: number } {
  let repr: Repr = 'null';
  let scale = 0;
  for (const v of vals) {
    if (v.repr === 'null' || v.n === 'true') continue;
    if (repr === 'null') {
      repr = v.repr;
      scale = v.scale;
    } else if (repr !== v.repr || (repr === 'dec' && scale !== v.scale)) {
      return { repr: 'datum', scale: 0 };
    }
  }
  return { repr, scale };
}

function assignConverted(ctx: CodegenContext, target: Val, x: Val): void {
  if (x.repr === 'null' || x.n === 'true') ctx.assignNull(target);
  else ctx.assign(target, ctx.convert(x, target.repr));
}

/** CASE WHEN ... THEN ... [ELSE ...] END: only the chosen branch is evaluated. */
export function genCase(ctx: CodegenContext, e: Node<'Case'>): Val {
  const branches: { at: number; depth: number; v: Val }[] = [];
  let opens = 0;
  for (const w of e.whens) {
    const c = ctx.gen(w.when);
    ctx.open(`if (${isTrueCond(c)}) {`);
    const t = ctx.gen(w.then);
    branches.push({ at: ctx.placeholder(), depth: ctx.currentDepth, v: t });
    ctx.reopen('} else {');
    opens++;
  }
  const o = e.otherwise ? ctx.gen(e.otherwise) : NULL_VAL;
  branches.push({ at: ctx.placeholder(), depth: ctx.currentDepth, v: o });
  for (; opens > 0; opens--) ctx.close();
  const { repr, scale } = unify(branches.map((b) => b.v));
  if (repr === 'null') return NULL_VAL;
  const target = ctx.tmpVal(repr, scale, ctx.tmp('bool', 'n'));
  for (const b of branches) ctx.fill(b.at, ctx.capture(() => assignConverted(ctx, target, b.v)), b.depth);
  return target;
}

/** coalesce: the reference evaluates every argument (non-strict call), then takes the first non-NULL. */
export function genCoalesce(ctx: CodegenContext, args: readonly Expr[]): Val {
  const vals = args.map((a) => ctx.gen(a));
  const { repr, scale } = unify(vals);
  if (repr === 'null') return NULL_VAL;
  const target = ctx.tmpVal(repr, scale, ctx.tmp('bool', 'n'));
  let opens = 0;
  let decided = false;
  for (const x of vals) {
    if (x.repr === 'null' || x.n === 'true') continue;
    if (x.n === 'false') {
      assignConverted(ctx, target, x);
      decided = true;
      break;
    }
    ctx.open(`if (!(${x.n})) {`);
    assignConverted(ctx, target, x);
    ctx.reopen('} else {');
    opens++;
  }
  if (!decided) ctx.assignNull(target);
  for (; opens > 0; opens--) ctx.close();
  return target;
}

/** nullif(a, b): both evaluated; NULL when equal, else a. */
export function genNullif(ctx: CodegenContext, args: readonly Expr[]): Val {
  const a = ctx.gen(args[0]!);
  const b = ctx.gen(args[1]!);
  if (a.repr === 'null' || a.n === 'true') return NULL_VAL;
  if (b.repr === 'null' || b.n === 'true') return a;
  const eq = compareVals(ctx, 'eq', a, b) ?? compareGeneric(ctx, 'eq', a, b);
  const target = ctx.tmpVal(a.repr, a.scale, ctx.tmp('bool', 'n'));
  ctx.open(`if (${a.n} || (!(${b.n}) && ${eq})) {`);
  ctx.assignNull(target);
  ctx.reopen('} else {');
  ctx.assign(target, a);
  ctx.close();
  return target;
}

/**
 * Lookup sets already built for a list of values (an InSet's keys, one array however many kernel
 * variants compile it), by the representation they were built for: a runtime key filter of
 * thousands of keys is hashed once, not once per variant.
 */
const builtSets = new WeakMap<readonly Datum[], Map<string, object>>();

function cachedSet<T extends object>(values: readonly Datum[], tag: string, make: () => T): T {
  let byTag = builtSets.get(values);
  if (byTag === undefined) builtSets.set(values, byTag = new Map());
  let set = byTag.get(tag) as T | undefined;
  if (set === undefined) byTag.set(tag, set = make());
  return set;
}

/** A lookup set of constant IN-list values for an argument of representation x, if one fits. */
function constantSet(ctx: CodegenContext, x: Val, values: readonly Datum[]): string | undefined {
  switch (x.repr) {
    case 'i32': case 'f64':
      return values.every((v): v is number => typeof v === 'number') ? ctx.pool.add(cachedSet(values, 'number', () => new NumberKeySet(values))) : undefined;
    case 'bool':
      return values.every((v) => typeof v === 'boolean') ? ctx.pool.add(new Set(values)) : undefined;
    case 'i64': {
      if (!values.every((v): v is bigint => typeof v === 'bigint')) return undefined;
      ctx.usesWide = true;
      const safe = (v: bigint): boolean => v <= 9007199254740991n && v >= -9007199254740991n;
      return ctx.pool.add(ctx.fast ? cachedSet(values, 'i64', () => new NumberKeySet(values.filter(safe).map(Number))) : cachedSet(values, 'i64 exact', () => new Set(values)));
    }
    case 'dec': {
      if (!values.every((v): v is Decimal => v instanceof Decimal)) return undefined;
      const keys: bigint[] = [];
      for (const d of values) {
        if (d.scale <= x.scale) keys.push(d.unscaled * 10n ** BigInt(x.scale - d.scale));
        else {
          const p = 10n ** BigInt(d.scale - x.scale);
          if (d.unscaled % p === 0n) keys.push(d.unscaled / p);
        }
      }
      const safe = (v: bigint): boolean => v <= 9007199254740991n && v >= -9007199254740991n;
      return ctx.pool.add(ctx.fast ? new NumberKeySet(keys.filter(safe).map(Number)) : new Set(keys));
    }
    case 'slice':
      if (!values.every((v): v is string => typeof v === 'string' && !hasLoneSurrogate(v))) return undefined;
      return ctx.pool.add(new ByteStringSet(values));
    default:
      return undefined;
  }
}

/**
 * JS testing whether x is in the pooled lookup set `set` (byte strings probe with their slice).
 * An int32 argument against a bitmap set probes it inline: one subtraction, one unsigned range
 * check, one word (a join's runtime key filter runs this for every scanned row).
 */
function setProbe(ctx: CodegenContext, set: string, x: Val): string {
  if (x.repr === 'slice') return `${set}.has(${x.arr}, ${x.s}, ${x.e})`;
  const pooled = ctx.pool.valueOf(set);
  const bitmap = x.repr === 'i32' && pooled instanceof NumberKeySet ? pooled.bitmap() : null;
  if (bitmap === null) return `${set}.has(${x.v})`;
  const bits = ctx.pool.add(bitmap.bits);
  const min = ctx.pool.add(bitmap.min);
  const range = ctx.pool.add(bitmap.range);
  const d = ctx.tmp('i32', 'd');
  // x - min is exact for int32 x; a negative difference is a huge unsigned one, out of range.
  return `((${d} = ${x.v} - ${min}) >>> 0 < ${range} && (${bits}[${d} >>> 5] & (1 << (${d} & 31))) !== 0)`;
}

/** x IN (a run-time key set): a lookup set, or the evaluator's for a representation without one. */
export function genInSet(ctx: CodegenContext, e: Node<'InSet'>): Val | undefined {
  const x = ctx.gen(e.arg);
  if (x.repr === 'null' || x.n === 'true') return NULL_VAL;
  const set = constantSet(ctx, x, e.keys);
  if (set === undefined) return undefined;
  const r = ctx.tmp('bool', 'r');
  const probe = setProbe(ctx, set, x);
  if (x.n === 'false') {
    ctx.emit(`${r} = ${probe};`);
    return val('bool', r, 'false');
  }
  const rn = ctx.tmp('bool', 'n');
  ctx.emit(`if (${x.n}) { ${rn} = true; } else { ${rn} = false; ${r} = ${probe}; }`);
  return val('bool', r, rn);
}

/** x [NOT] IN (list): hash set for constant lists, else item by item until a match. */
export function genInList(ctx: CodegenContext, e: Node<'InList'>): Val {
  const x = ctx.gen(e.arg);
  if (x.repr === 'null' || x.n === 'true') return NULL_VAL;
  const r = ctx.tmp('bool', 'r');
  const rn = ctx.tmp('bool', 'n');
  const nullable = x.n !== 'false';
  if (nullable) ctx.open(`if (${x.n}) { ${rn} = true; } else {`);
  const hit = e.negated ? 'false' : 'true';
  const miss = e.negated ? 'true' : 'false';
  const folded = e.list.every(isFoldable) ? e.list.map(foldConstant) : undefined;
  const values = folded?.every((f) => f.ok) ? folded.map((f) => (f.ok ? f.value : null)) : undefined;
  const set = values ? constantSet(ctx, x, values.filter((v) => v !== null)) : undefined;
  if (values && set) {
    const hasNull = values.some((v) => v === null);
    const probe = setProbe(ctx, set, x);
    ctx.emit(`if (${probe}) { ${r} = ${hit}; ${rn} = false; } else { ${r} = ${miss}; ${rn} = ${hasNull}; }`);
  } else {
    const matched = ctx.tmp('bool', 'm');
    const saw = ctx.tmp('bool', 'w');
    ctx.emit(`${matched} = false; ${saw} = false;`);
    let opens = 0;
    e.list.forEach((item, j) => {
      if (j > 0) {
        ctx.open(`if (!${matched}) {`);
        opens++;
      }
      const y = ctx.gen(item);
      if (y.repr === 'null' || y.n === 'true') {
        ctx.emit(`${saw} = true;`);
        return;
      }
      const eq = compareVals(ctx, 'eq', x, y) ?? compareGeneric(ctx, 'eq', x, y);
      if (y.n === 'false') ctx.emit(`if (${eq}) ${matched} = true;`);
      else ctx.emit(`if (${y.n}) ${saw} = true; else if (${eq}) ${matched} = true;`);
    });
    for (; opens > 0; opens--) ctx.close();
    ctx.emit(`if (${matched}) { ${r} = ${hit}; ${rn} = false; } else if (${saw}) { ${rn} = true; } else { ${r} = ${miss}; ${rn} = false; }`);
  }
  if (nullable) ctx.close();
  return val('bool', r, rn);
}
