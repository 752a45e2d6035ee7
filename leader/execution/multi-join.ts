// Inner joins of several inputs in a greedy order: start from an input, then repeatedly join the
// smallest input connected to what is joined so far by an equality (hash join), falling back to a
// cross product only when nothing is connected. FROM order no longer decides the work done.
import { evaluate } from '../../sql/expr/evaluate.ts';
import { PAIRS_PER_YIELD, joinKey, yieldToEventLoop } from '../../compute/fragment/join-key.ts';
import { mapExpr, walkExpr, type Expr } from '../../sql/expr/expr.ts';
import type { EvalContext } from '../../sql/functions/scalar-functions.ts';
import type { Datum } from '../../sql/types/datum.ts';
import type { MemoryBudget } from '../../common/memory-budget.ts';

/** One input of the join: its rows and where its columns sit in the joined row. */
export interface JoinInput {
  readonly rows: readonly Datum[][];
  readonly offset: number;
  readonly width: number;
}

function inputsOf(e: Expr, inputs: readonly JoinInput[]): Set<number> {
  const out = new Set<number>();
  walkExpr(e, (x) => {
    if (x.kind !== 'Column') return;
    const i = inputs.findIndex((u) => x.index >= u.offset && x.index < u.offset + u.width);
    if (i >= 0) out.add(i);
  });
  return out;
}

interface Conjunct {
  readonly expr: Expr;
  readonly inputs: Set<number>;
  applied: boolean;
}

/**
 * Joins `inputs` (full joined width `width`) under the AND of `conditions` (over joined positions).
 * Returns full-width rows in no particular order.
 */
export async function multiJoin(
  inputs: readonly JoinInput[], width: number, conditions: readonly Expr[], ctx: EvalContext, signal: AbortSignal, budget: MemoryBudget,
): Promise<Datum[][]> {
  const conj: Conjunct[] = conditions.flatMap((c) => (c.kind === 'And' ? c.args : [c])).map((expr) => ({ expr, inputs: inputsOf(expr, inputs), applied: false }));
  const joined = new Set<number>();
  const connected = (i: number): boolean => conj.some((c) => !c.applied && c.inputs.has(i) && c.inputs.size === 2 && [...c.inputs].some((x) => joined.has(x)));
  const remaining = (): number[] => inputs.map((_u, i) => i).filter((i) => !joined.has(i));
  const smallest = (cands: number[]): number => cands.reduce((a, b) => (inputs[b]!.rows.length < inputs[a]!.rows.length ? b : a));

  // Start from the smallest input that joins to something by equality (else the smallest).
  const linked = remaining().filter((i) => conj.some((c) => c.inputs.has(i) && c.inputs.size === 2));
  const first = smallest(linked.length > 0 ? linked : remaining());
  joined.add(first);
  const f = inputs[first]!;
  let rows: Datum[][] = f.rows.map((r) => place(r, f.offset, width));
  budget.charge(rows.length, width);
  rows = applyReady(rows, conj, joined, ctx);

  let work = 0;
  while (joined.size < inputs.length) {
    const rest = remaining();
    const next = smallest(rest.filter(connected).length > 0 ? rest.filter(connected) : rest);
    const u = inputs[next]!;
    // Equalities between the joined set and `next` become hash keys; other ready conjuncts filter.
    const leftKeys: Expr[] = [];
    const rightKeys: Expr[] = [];
    for (const c of conj) {
      if (c.applied || !c.inputs.has(next) || ![...c.inputs].every((x) => x === next || joined.has(x))) continue;
      const e = c.expr;
      if (e.kind === 'Call' && e.fn === 'eq' && e.args.length === 2) {
        const [a, b] = e.args as [Expr, Expr];
        const ia = inputsOf(a, inputs);
        const ib = inputsOf(b, inputs);
        const onlyNext = (s: Set<number>): boolean => s.size === 1 && s.has(next);
        const notNext = (s: Set<number>): boolean => s.size > 0 && !s.has(next);
        if (notNext(ia) && onlyNext(ib)) { leftKeys.push(a); rightKeys.push(shift(b, u.offset)); c.applied = true; }
        else if (notNext(ib) && onlyNext(ia)) { leftKeys.push(b); rightKeys.push(shift(a, u.offset)); c.applied = true; }
      }
    }
    joined.add(next);
    const out: Datum[][] = [];
    if (leftKeys.length > 0) {
      const buckets = new Map<string, Datum[][]>();
      for (const r of u.rows) {
        const k = joinKey(rightKeys, r, ctx);
        if (k === null) continue;
        const b = buckets.get(k);
        if (b) b.push(r);
        else buckets.set(k, [r]);
      }
      for (const l of rows) {
        if (++work >= PAIRS_PER_YIELD) { work = 0; await yieldToEventLoop(); signal.throwIfAborted(); }
        const k = joinKey(leftKeys, l, ctx);
        if (k === null) continue;
        const matches = buckets.get(k);
        if (!matches) continue;
        for (const r of matches) {
          out.push(fill(l, r, u.offset));
          if ((out.length & 0xffff) === 0) budget.charge(0x10000, width);
        }
      }
    } else {
      for (const l of rows) {
        for (const r of u.rows) {
          if (++work >= PAIRS_PER_YIELD) { work = 0; await yieldToEventLoop(); signal.throwIfAborted(); }
          out.push(fill(l, r, u.offset));
          if ((out.length & 0xffff) === 0) budget.charge(0x10000, width);
        }
      }
    }
    budget.charge(out.length & 0xffff, width);
    budget.release(rows.length, width);
    rows = applyReady(out, conj, joined, ctx);
  }
  return rows;
}

function place(r: readonly Datum[], offset: number, width: number): Datum[] {
  const row: Datum[] = new Array<Datum>(width).fill(null);
  for (let i = 0; i < r.length; i++) row[offset + i] = r[i]!;
  return row;
}

function fill(l: readonly Datum[], r: readonly Datum[], offset: number): Datum[] {
  const row = l.slice();
  for (let i = 0; i < r.length; i++) row[offset + i] = r[i]!;
  return row;
}

function shift(e: Expr, offset: number): Expr {
  return mapExpr(e, (x) => (x.kind === 'Column' ? { ...x, index: x.index - offset } : x));
}


/** Applies every not-yet-applied conjunct whose inputs are all joined. */
function applyReady(rows: Datum[][], conj: Conjunct[], joined: Set<number>, ctx: EvalContext): Datum[][] {
  const ready = conj.filter((c) => !c.applied && [...c.inputs].every((i) => joined.has(i)));
  if (ready.length === 0) return rows;
  for (const c of ready) c.applied = true;
  return rows.filter((r) => ready.every((c) => evaluate(c.expr, r, ctx) === true));
}
