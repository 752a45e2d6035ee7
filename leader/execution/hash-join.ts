// Joins two materialised row sets: hash join on the equality conjuncts of the condition, the
// rest checked per candidate pair; nested loop when there is no equality. NULL keys never match.
import { evaluate } from '../../sql/expr/evaluate.ts';
import { PAIRS_PER_YIELD, joinKey, yieldToEventLoop } from '../../compute/fragment/join-key.ts';
import { mapExpr, type Expr } from '../../sql/expr/expr.ts';
import type { JoinType } from '../../sql/binder/bound-select.ts';
import type { EvalContext } from '../../sql/functions/scalar-functions.ts';
import type { Datum } from '../../sql/types/datum.ts';
import type { MemoryBudget } from '../../common/memory-budget.ts';

interface EquiKeys {
  readonly left: Expr[];
  /** Over the right row alone. */
  readonly right: Expr[];
  readonly residual: Expr | null;
}

function columnsOf(e: Expr): number[] {
  const out: number[] = [];
  mapExpr(e, (x) => {
    if (x.kind === 'Column') out.push(x.index);
    return x;
  });
  return out;
}

/** Splits `condition` into hashable equalities (left expr = right expr) and a residual. */
function equiKeys(condition: Expr | null, leftWidth: number): EquiKeys {
  const left: Expr[] = [];
  const right: Expr[] = [];
  const rest: Expr[] = [];
  const parts = condition === null ? [] : condition.kind === 'And' ? condition.args : [condition];
  for (const c of parts) {
    if (c.kind === 'Call' && c.fn === 'eq' && c.args.length === 2) {
      const [a, b] = c.args as [Expr, Expr];
      const ca = columnsOf(a);
      const cb = columnsOf(b);
      const allLeft = (cs: number[]): boolean => cs.length > 0 && cs.every((i) => i < leftWidth);
      const allRight = (cs: number[]): boolean => cs.length > 0 && cs.every((i) => i >= leftWidth);
      const shift = (e: Expr): Expr => mapExpr(e, (x) => (x.kind === 'Column' ? { ...x, index: x.index - leftWidth } : x));
      if (allLeft(ca) && allRight(cb)) {
        left.push(a);
        right.push(shift(b));
        continue;
      }
      if (allLeft(cb) && allRight(ca)) {
        left.push(b);
        right.push(shift(a));
        continue;
      }
    }
    rest.push(c);
  }
  const residual = rest.length === 0 ? null : rest.length === 1 ? rest[0]! : { kind: 'And' as const, args: rest, type: { id: 'bool' as const } };
  return { left, right, residual };
}


/**
 * Joins `left` and `right` (rows `leftWidth` and `rightWidth` wide). The output is charged to
 * `budget` as it grows, so a join that explodes fails with 53200 before it exhausts the heap.
 */
export async function joinRows(
  joinType: JoinType, left: readonly Datum[][], right: readonly Datum[][],
  leftWidth: number, rightWidth: number, condition: Expr | null, ctx: EvalContext, signal: AbortSignal, budget: MemoryBudget,
): Promise<Datum[][]> {
  let work = 0;
  const width = leftWidth + rightWidth;
  const push = (out: Datum[][], row: Datum[]): void => {
    out.push(row);
    if ((out.length & 0xffff) === 0) budget.charge(0x10000, width);
  };
  const { left: lk, right: rk, residual } = equiKeys(condition, leftWidth);
  const out: Datum[][] = [];
  const rightMatched = joinType === 'right' || joinType === 'full' ? new Uint8Array(right.length) : null;
  const nullLeft: Datum[] = new Array<Datum>(leftWidth).fill(null);
  const nullRight: Datum[] = new Array<Datum>(rightWidth).fill(null);
  const accept = (l: readonly Datum[], r: readonly Datum[]): Datum[] | null => {
    const row = [...l, ...r];
    return residual === null || evaluate(residual, row, ctx) === true ? row : null;
  };

  let buckets: Map<string, number[]> | null = null;
  if (lk.length > 0) {
    buckets = new Map();
    for (let i = 0; i < right.length; i++) {
      const k = joinKey(rk, right[i]!, ctx);
      if (k === null) continue;
      const b = buckets.get(k);
      if (b) b.push(i);
      else buckets.set(k, [i]);
    }
  }
  const semi = joinType === 'semi';
  const anti = joinType === 'anti' || joinType === 'anti_na';
  if (joinType === 'anti_na' && right.length > 0) {
    // NOT IN: a NULL among the subquery's values makes every comparison unknown: no row qualifies.
    for (const r of right) if (joinKey(rk, r, ctx) === null) return [];
  }
  for (let li = 0; li < left.length; li++) {
    if (work >= PAIRS_PER_YIELD) {
      work = 0;
      await yieldToEventLoop();
      signal.throwIfAborted();
    }
    const l = left[li]!;
    let matched = false;
    /** NOT IN: some comparison was NULL (unknown), so without a match the row does not qualify. */
    let unknown = false;
    let candidates: Iterable<number>;
    if (buckets) {
      const k = joinKey(lk, l, ctx);
      if (k === null) {
        // A NULL key matches nothing; for NOT IN it is unknown (no row) unless the subquery is empty.
        if (joinType === 'anti_na' && right.length > 0) continue;
        candidates = [];
      } else {
        candidates = buckets.get(k) ?? [];
      }
    } else {
      candidates = right.keys();
    }
    for (const ri of candidates) {
      work++;
      if (semi || anti) {
        const ok = residual === null ? true : evaluate(residual, [...l, ...right[ri]!], ctx);
        if (ok === true) {
          matched = true;
          break;
        }
        if (ok === null) unknown = true;
        continue;
      }
      const row = accept(l, right[ri]!);
      if (row) {
        push(out, row);
        matched = true;
        if (rightMatched) rightMatched[ri] = 1;
      }
    }
    if (semi && matched) push(out, l as Datum[]);
    else if (anti && !matched && !(joinType === 'anti_na' && unknown)) push(out, l as Datum[]);
    else if (!matched && (joinType === 'left' || joinType === 'full')) push(out, [...l, ...nullRight]);
  }
  if (rightMatched) {
    for (let ri = 0; ri < right.length; ri++) if (rightMatched[ri] === 0) push(out, [...nullLeft, ...right[ri]!]);
  }
  // The caller charges the whole result: give back what was charged on the way.
  budget.release(out.length & ~0xffff, width);
  return out;
}
