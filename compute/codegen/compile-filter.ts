// compileFilter: a bound predicate compiled into a selection-vector kernel over column batches.
// Conditions on one dictionary-encoded string column are decided once per distinct value: the
// kernel evaluates them over the block's entries, then keeps rows by looking their codes up.
import type { Expr } from '../../sql/expr/expr.ts';
import { walkExpr } from '../../sql/expr/expr.ts';
import type { EvalContext } from '../../sql/functions/scalar-functions.ts';
import type { SqlType } from '../../sql/types/sql-type.ts';
import { layoutOf } from '../../storage/column-kind.ts';
import type { Batch } from '../batch/batch.ts';
import type { StringVector, Vector } from '../batch/vector.ts';
import { kernelFor } from './javascript-stage.ts';
import type { FilterKernel } from './kernel-types.ts';

/**
 * Compiles `predicate` (over columns typed `inputTypes`) into a FilterKernel that keeps the rows
 * where it is TRUE, with the reference evaluator's results and errors. `ctx` is the session the
 * kernel evaluates in (now(), current_user, the time zone for casts).
 */
export function compileFilter(predicate: Expr, inputTypes: readonly SqlType[], ctx: EvalContext): FilterKernel {
  // The generated entry has exactly the FilterKernel signature (see kernel-source.ts).
  const whole = kernelFor('filter', [predicate], inputTypes, ctx) as FilterKernel;
  const split = splitByStringColumn(predicate, inputTypes);
  return split === null ? whole : dictionaryFilter(whole, split, inputTypes, ctx);
}

/** Functions that cannot fail on any string value (so evaluating them on every entry is safe). */
const INFALLIBLE = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'like', 'ilike']);

/** Whether `e` only compares its column with constants, without any way to raise an error. */
function infallible(e: Expr): boolean {
  switch (e.kind) {
    case 'Column': case 'Const': return true;
    case 'Call': {
      if (!INFALLIBLE.has(e.fn) || !e.args.every(infallible)) return false;
      if (e.fn !== 'like' && e.fn !== 'ilike') return true;
      // A pattern ending in the escape character is an error (22025): only when a row reaches it.
      const pattern = e.args[1];
      return pattern?.kind === 'Const' && typeof pattern.value === 'string' && !pattern.value.endsWith('\\');
    }
    case 'And': case 'Or': return e.args.every(infallible);
    case 'Not': case 'IsNull': return infallible(e.arg);
    case 'InList': return infallible(e.arg) && e.list.every((x) => x.kind === 'Const');
    case 'InSet': return infallible(e.arg);
    default: return false;
  }
}

interface Split {
  /** Per string column: its conjuncts, in their order. */
  readonly byColumn: ReadonlyMap<number, Expr[]>;
  /** The other conjuncts, in their order. */
  readonly rest: readonly Expr[];
}

/** The top-level conjuncts that read one string column only and cannot fail, by column; null if none. */
function splitByStringColumn(predicate: Expr, inputTypes: readonly SqlType[]): Split | null {
  const conjuncts = predicate.kind === 'And' ? predicate.args : [predicate];
  const byColumn = new Map<number, Expr[]>();
  const rest: Expr[] = [];
  for (const c of conjuncts) {
    const cols = new Set<number>();
    walkExpr(c, (x) => { if (x.kind === 'Column') cols.add(x.index); });
    const [only] = cols;
    const t = cols.size === 1 ? inputTypes[only!] : undefined;
    if (t !== undefined && layoutOf(t).kind === 'string' && infallible(c)) {
      const list = byColumn.get(only!) ?? [];
      list.push(c);
      byColumn.set(only!, list);
    } else rest.push(c);
  }
  return byColumn.size === 0 ? null : { byColumn, rest };
}

function and(exprs: readonly Expr[]): Expr {
  return exprs.length === 1 ? exprs[0]! : { kind: 'And', args: [...exprs], type: { id: 'bool' } };
}

/**
 * A filter that decides each dictionary-encoded string column's conditions per entry (cached per
 * entries vector, i.e. per block) and runs the rest over the rows they keep. A batch where one of
 * those columns is not dictionary-encoded runs the whole filter.
 */
function dictionaryFilter(whole: FilterKernel, split: Split, inputTypes: readonly SqlType[], ctx: EvalContext): FilterKernel {
  const groups = [...split.byColumn].map(([column, conds]) => ({
    column,
    kernel: kernelFor('filter', [and(conds)], inputTypes, ctx) as FilterKernel,
    /** Per entries vector: 1 where the entry passes; the last slot is a NULL's answer. */
    matches: new WeakMap<StringVector, Uint8Array>(),
  }));
  const rest = split.rest.length === 0 ? null : kernelFor('filter', [and(split.rest)], inputTypes, ctx) as FilterKernel;
  let a = new Uint32Array(4096);
  let b = new Uint32Array(4096);
  const matchesOf = (g: (typeof groups)[number], entries: StringVector): Uint8Array => {
    let m = g.matches.get(entries);
    if (m !== undefined) return m;
    // The entries plus one NULL row, as the column of a batch nothing else is read from.
    const size = entries.length;
    const offsets = new Int32Array(size + 2);
    offsets.set(entries.offsets.subarray(0, size + 1));
    offsets[size + 1] = offsets[size]!;
    const nulls = new Uint8Array(size + 1);
    nulls[size] = 1;
    const column: StringVector = { kind: 'string', length: size + 1, offsets, bytes: entries.bytes, nulls };
    const columns = new Array<Vector>(inputTypes.length);
    columns[g.column] = column;
    const out = new Uint32Array(size + 1);
    const kept = g.kernel({ length: size + 1, columns, selection: null }, null, out);
    m = new Uint8Array(size + 1);
    for (let k = 0; k < kept; k++) m[out[k]!] = 1;
    g.matches.set(entries, m);
    return m;
  };
  return (batch: Batch, selIn: Uint32Array | null, selOut: Uint32Array): number => {
    for (const g of groups) {
      const v = batch.columns[g.column];
      if (v?.kind !== 'string' || v.dictionary === undefined) return whole(batch, selIn, selOut);
    }
    if (a.length < batch.length) { a = new Uint32Array(batch.length); b = new Uint32Array(batch.length); }
    let sel = selIn;
    let n = sel === null ? batch.length : sel.length;
    let intoA = true;
    for (const g of groups) {
      const v = batch.columns[g.column] as StringVector;
      const d = v.dictionary!;
      const match = matchesOf(g, d.entries);
      const codes = d.codes;
      const nulls = v.nulls;
      const nullSlot = d.entries.length;
      const out = intoA ? a : b;
      intoA = !intoA;
      let m = 0;
      for (let k = 0; k < n; k++) {
        const i = sel === null ? k : sel[k]!;
        if (match[nulls !== null && nulls[i] !== 0 ? nullSlot : codes[i]!] === 1) out[m++] = i;
      }
      sel = out.subarray(0, m);
      n = m;
      if (n === 0) return 0;
    }
    if (rest !== null) return rest(batch, sel, selOut);
    selOut.set(sel!);
    return n;
  };
}
