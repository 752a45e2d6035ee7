// compileFilter: a bound predicate compiled into a selection-vector kernel over column batches.
// Conditions on one dictionary-encoded string column are decided once per distinct value: the
// kernel evaluates them over the block's entries, then keeps rows by looking their codes up.
import type { Expr } from '../../sql/expr/expr.ts';
import { mapExpr, walkExpr } from '../../sql/expr/expr.ts';
import type { EvalContext } from '../../sql/functions/scalar-functions.ts';
import type { SqlType } from '../../sql/types/sql-type.ts';
import { layoutOf } from '../../storage/column-kind.ts';
import type { Batch } from '../batch/batch.ts';
import type { StringVector, Vector } from '../batch/vector.ts';
import { kernelFor } from './javascript-stage.ts';
import { internalError } from '../../common/errors/index.ts';
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
  return split === null ? termFilter(predicate, inputTypes, ctx, whole) : dictionaryFilter(whole, split, inputTypes, ctx);
}

/** A condition on one string column inside the predicate's AND / OR / NOT, decided per dictionary entry. */
interface StringTerm {
  readonly column: number;
  /** Over a one-column row (the string column at position 0). */
  readonly expr: Expr;
}

const BOOL: SqlType = { id: 'bool' };

/**
 * `e` with its maximal boolean sub-expressions that read one string column alone and cannot fail
 * (within AND, OR and NOT) replaced by new bool columns, numbered from `base` in `terms` order.
 */
function extractStringTerms(e: Expr, inputTypes: readonly SqlType[], base: number, terms: StringTerm[]): Expr {
  const column = e.type.id === 'bool' && e.kind !== 'Column' ? stringColumnOf(e, inputTypes) : -1;
  if (column >= 0) {
    terms.push({ column, expr: mapExpr(e, (x) => (x.kind === 'Column' ? { ...x, index: 0 } : x)) });
    return { kind: 'Column', index: base + terms.length - 1, type: BOOL };
  }
  switch (e.kind) {
    case 'And': case 'Or': return { ...e, args: e.args.map((a) => extractStringTerms(a, inputTypes, base, terms)) };
    case 'Not': return { ...e, arg: extractStringTerms(e.arg, inputTypes, base, terms) };
    default: return e;
  }
}

/**
 * A filter whose conditions on dictionary-encoded string columns, even inside OR (TPC-H Q19's
 * brands and containers), are decided once per dictionary entry: each becomes a bool column
 * looked up by code, which the compiled predicate reads instead of comparing bytes per row.
 * Batches where such a column is plain run `fallback` (the predicate as written).
 */
function termFilter(predicate: Expr, inputTypes: readonly SqlType[], ctx: EvalContext, fallback: FilterKernel): FilterKernel {
  const terms: StringTerm[] = [];
  const rewritten = extractStringTerms(predicate, inputTypes, inputTypes.length, terms);
  if (terms.length === 0) return fallback;
  const kernel = kernelFor('filter', [rewritten], [...inputTypes, ...terms.map(() => BOOL)], ctx) as FilterKernel;
  const perTerm = terms.map((t) => ({
    column: t.column,
    project: kernelFor('projection', [t.expr], [inputTypes[t.column]!], ctx) as (batch: Batch, sel: Uint32Array | null) => Vector[],
    /** Per entries vector: the term's value per entry, then a NULL's (last slot). */
    answers: new WeakMap<StringVector, Answers>(),
    values: new Uint8Array(0),
    nulls: new Uint8Array(0),
  }));
  const answersOf = (t: (typeof perTerm)[number], entries: StringVector): Answers => {
    let a = t.answers.get(entries);
    if (a !== undefined) return a;
    const out = t.project({ length: entries.length + 1, columns: [withNullRow(entries)], selection: null }, null)[0]!;
    if (out.kind !== 'bool') throw internalError(`a string condition gave a ${out.kind} vector`);
    // Only a NULL row reads the last slot: NULL answers elsewhere are what makes the nulls count.
    a = { values: out.values, nulls: out.nulls !== null && out.nulls.subarray(0, entries.length).includes(1) ? out.nulls : null, nullAnswer: out.nulls !== null && out.nulls[entries.length] === 1 };
    t.answers.set(entries, a);
    return a;
  };
  return (batch: Batch, sel: Uint32Array | null, selOut: Uint32Array): number => {
    if (!dictionaryCoded(batch, perTerm)) return fallback(batch, sel, selOut);
    const n = batch.length;
    const columns = batch.columns.slice();
    for (const t of perTerm) {
      const v = batch.columns[t.column] as StringVector;
      const { codes, entries } = v.dictionary!;
      const a = answersOf(t, entries);
      if (t.values.length < n) { t.values = new Uint8Array(n); t.nulls = new Uint8Array(n); }
      const withNulls = gatherAnswers(a.values, a.nulls, a.nullAnswer, codes, v.nulls, entries.length, n, t.values, t.nulls);
      columns.push({ kind: 'bool', length: n, values: t.values, nulls: withNulls ? t.nulls : null });
    }
    return kernel({ length: n, columns, selection: batch.selection }, sel, selOut);
  };
}

/** A string term's answer per dictionary entry, and a NULL row's. */
interface Answers {
  readonly values: Uint8Array;
  /** NULL answers of the entries (slot `entries.length` aside); null when there are none. */
  readonly nulls: Uint8Array | null;
  /** Whether a NULL row's answer is NULL. */
  readonly nullAnswer: boolean;
}

// The per-row loops live in top-level functions over typed arrays only. Inside the filters'
// closures they would share those closures' optimised code, which each query's different kernels
// (called from there) deoptimise: V8 then gives up optimising and the loops run interpreted, ~5x slower.

/**
 * Writes each row's answer (`answers` by code; NULL rows take slot `nullSlot`) into `values`, and
 * its NULL flag into `nulls` when there can be any: returns whether `nulls` was written.
 */
function gatherAnswers(
  answers: Uint8Array, answerNulls: Uint8Array | null, nullAnswer: boolean, codes: Int32Array, rowNulls: Uint8Array | null,
  nullSlot: number, n: number, values: Uint8Array, nulls: Uint8Array,
): boolean {
  if (answerNulls === null && (rowNulls === null || !nullAnswer)) {
    if (rowNulls === null) for (let i = 0; i < n; i++) values[i] = answers[codes[i]!]!;
    else for (let i = 0; i < n; i++) values[i] = answers[rowNulls[i] !== 0 ? nullSlot : codes[i]!]!;
    return false;
  }
  for (let i = 0; i < n; i++) {
    const slot = rowNulls !== null && rowNulls[i] !== 0 ? nullSlot : codes[i]!;
    values[i] = answers[slot]!;
    nulls[i] = slot === nullSlot ? (nullAnswer ? 1 : 0) : answerNulls === null ? 0 : answerNulls[slot]!;
  }
  return true;
}

/**
 * Writes into `out` the rows (the first `n`, or the `n` of `sel`) whose code's `match` is 1 (NULL
 * rows look at slot `nullSlot`); returns how many.
 */
function keepMatching(
  match: Uint8Array, codes: Int32Array, nulls: Uint8Array | null, nullSlot: number,
  sel: Uint32Array | null, n: number, out: Uint32Array,
): number {
  let m = 0;
  // The common cases in loops of their own: every row (no selection yet), no NULLs.
  if (sel === null && nulls === null) {
    for (let i = 0; i < n; i++) if (match[codes[i]!] === 1) out[m++] = i;
  } else if (sel === null) {
    for (let i = 0; i < n; i++) if (match[nulls![i] !== 0 ? nullSlot : codes[i]!] === 1) out[m++] = i;
  } else if (nulls === null) {
    for (let k = 0; k < n; k++) { const i = sel[k]!; if (match[codes[i]!] === 1) out[m++] = i; }
  } else {
    for (let k = 0; k < n; k++) { const i = sel[k]!; if (match[nulls[i] !== 0 ? nullSlot : codes[i]!] === 1) out[m++] = i; }
  }
  return m;
}

/** Whether every one of the columns is dictionary-encoded in this batch. */
function dictionaryCoded(batch: Batch, uses: readonly { readonly column: number }[]): boolean {
  for (const u of uses) {
    const v = batch.columns[u.column];
    if (v?.kind !== 'string' || v.dictionary === undefined) return false;
  }
  return true;
}

/** A dictionary's entries plus one NULL row (position entries.length). */
function withNullRow(entries: StringVector): StringVector {
  const size = entries.length;
  const offsets = new Int32Array(size + 2);
  offsets.set(entries.offsets.subarray(0, size + 1));
  offsets[size + 1] = offsets[size]!;
  const nulls = new Uint8Array(size + 1);
  nulls[size] = 1;
  return { kind: 'string', length: size + 1, offsets, bytes: entries.bytes, nulls };
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

/** The one string column `e` reads when it reads no other and cannot fail; -1 otherwise. */
function stringColumnOf(e: Expr, inputTypes: readonly SqlType[]): number {
  const cols = new Set<number>();
  walkExpr(e, (x) => { if (x.kind === 'Column') cols.add(x.index); });
  const [only] = cols;
  const t = cols.size === 1 ? inputTypes[only!] : undefined;
  return t !== undefined && layoutOf(t).kind === 'string' && infallible(e) ? only! : -1;
}

interface Split {
  /** The predicate's first conjuncts while they are key sets (a join's runtime filter): run first. */
  readonly keySets: readonly Expr[];
  /** Per string column: its conjuncts, in their order. */
  readonly byColumn: ReadonlyMap<number, Expr[]>;
  /** The other conjuncts, in their order. */
  readonly rest: readonly Expr[];
}

/** The top-level conjuncts that read one string column only and cannot fail, by column; null if none. */
function splitByStringColumn(predicate: Expr, inputTypes: readonly SqlType[]): Split | null {
  const conjuncts = predicate.kind === 'And' ? predicate.args : [predicate];
  const keySets: Expr[] = [];
  const byColumn = new Map<number, Expr[]>();
  const rest: Expr[] = [];
  for (const c of conjuncts) {
    const column = stringColumnOf(c, inputTypes);
    if (column >= 0) {
      const list = byColumn.get(column) ?? [];
      list.push(c);
      byColumn.set(column, list);
    } else if (c.kind === 'InSet' && rest.length === 0 && byColumn.size === 0) keySets.push(c);
    else rest.push(c);
  }
  return byColumn.size === 0 ? null : { keySets, byColumn, rest };
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
  // Key sets written first (a join's runtime filter) run before the per-entry conditions.
  const pre = split.keySets.length === 0 ? null : kernelFor('filter', [and(split.keySets)], inputTypes, ctx) as FilterKernel;
  const groups = [...split.byColumn].map(([column, conds]) => ({
    column,
    kernel: kernelFor('filter', [and(conds)], inputTypes, ctx) as FilterKernel,
    /** Per entries vector: 1 where the entry passes; the last slot is a NULL's answer. */
    matches: new WeakMap<StringVector, Uint8Array>(),
  }));
  const restPredicate = split.rest.length === 0 ? null : and(split.rest);
  const rest = restPredicate === null ? null : termFilter(restPredicate, inputTypes, ctx, kernelFor('filter', [restPredicate], inputTypes, ctx) as FilterKernel);
  let a = new Uint32Array(4096);
  let b = new Uint32Array(4096);
  const matchesOf = (g: (typeof groups)[number], entries: StringVector): Uint8Array => {
    let m = g.matches.get(entries);
    if (m !== undefined) return m;
    // The entries plus one NULL row, as the column of a batch nothing else is read from.
    const size = entries.length;
    const column = withNullRow(entries);
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
    if (!dictionaryCoded(batch, groups)) return whole(batch, selIn, selOut);
    if (a.length < batch.length) { a = new Uint32Array(batch.length); b = new Uint32Array(batch.length); }
    let sel = selIn;
    let n = sel === null ? batch.length : sel.length;
    let intoA = true;
    if (pre !== null) {
      n = pre(batch, sel, a);
      if (n === 0) return 0;
      sel = a.subarray(0, n);
      intoA = false;
    }
    for (const g of groups) {
      const v = batch.columns[g.column] as StringVector;
      const d = v.dictionary!;
      const out = intoA ? a : b;
      intoA = !intoA;
      const m = keepMatching(matchesOf(g, d.entries), d.codes, v.nulls, d.entries.length, sel, n, out);
      sel = out.subarray(0, m);
      n = m;
      if (n === 0) return 0;
    }
    if (rest !== null) return rest(batch, sel, selOut);
    selOut.set(sel!);
    return n;
  };
}
