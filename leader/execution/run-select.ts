// Executes a planned SELECT on the leader: gathers fragment output (from every slice, or computed
// locally for system and derived sources) and applies the final step.
import { leaderRows, type LeaderChunk } from '../../compute/exchange/fragment-chunks.ts';
import { SqlError, SqlState, internalError } from '../../common/errors/index.ts';
import type { Fragment, TopNSpec } from '../../compute/fragment/fragment.ts';
import { aggSlots } from '../../compute/fragment/hash-aggregate.ts';
import { runFragment, type FragmentRow } from '../../compute/fragment/run-fragment.ts';
import { compareDatums, datumKey } from '../../sql/expr/compare.ts';
import { T } from '../../sql/types/sql-type.ts';
import { Interval } from '../../sql/types/interval.ts';
import { evaluate } from '../../sql/expr/evaluate.ts';
import type { Expr } from '../../sql/expr/expr.ts';
import type { EvalContext } from '../../sql/functions/scalar-functions.ts';
import type { Datum } from '../../sql/types/datum.ts';
import { topNOf, type FinalStep, type JoinPlan, type SelectPlan } from '../planning/select-plan.ts';
import { joinRows } from './hash-join.ts';
import { DEFAULT_LEADER_CELLS, type MemoryBudget } from '../../common/memory-budget.ts';
import { SpillSpace, aggregateSpilling, sortSpilling } from './spill.ts';
import { multiJoin } from './multi-join.ts';
import { classifySliceJoin, exchangeScan, flattenInner, groupsOnProbeSlices, sliceJoin, type SliceJoinEnv } from './slice-join.ts';
import type { MergeSpec, WindowSpec } from '../../compute/slices/slice-task.ts';
import { filterSelectivity } from '../planning/selectivity.ts';
import { computeWindows } from '../../compute/fragment/window.ts';
import type { BoundWindow } from '../../sql/binder/bound-select.ts';

/** What running a SELECT needs from the cluster and the session. */
export interface ExecutionEnv extends SliceJoinEnv {
  readonly evalCtx: EvalContext;
  readonly signal: AbortSignal;
  /** Runs a table fragment on every slice that holds the table, streaming its output. */
  runDistributed(fragment: Fragment): AsyncIterable<LeaderChunk>;
  /** The rows of a leader-local system view. */
  systemRows(name: string): Promise<Datum[][]>;
  /** Caps what the statement materialises on the leader. */
  readonly budget: MemoryBudget;
  /** Final rows of partial aggregates an exchange redistributed by group key, merged on every slice. */
  runMerge(exchange: Fragment, merge: MergeSpec): AsyncIterable<FragmentRow[]>;
  /** Rows of window functions computed on every slice over rows an exchange redistributed by a PARTITION BY key. */
  runWindow(exchange: Fragment, window: WindowSpec): AsyncIterable<LeaderChunk>;
}

async function* once<T>(v: T): AsyncGenerator<T> {
  yield v;
}

/** Narrows leader-side source rows to the fragment's scan columns (what a table scan would return). */
async function* project(rows: AsyncIterable<Datum[][]>, columns: readonly number[]): AsyncGenerator<Datum[][]> {
  for await (const chunk of rows) yield chunk.map((r) => columns.map((c) => r[c] ?? null));
}

/** A fragment's output as rows (partial states turned into partial rows). */
async function* rowsOf(input: AsyncIterable<LeaderChunk>): AsyncGenerator<Datum[][]> {
  for await (const c of input) yield leaderRows(c) as Datum[][];
}

function fragmentOutput(plan: SelectPlan, env: ExecutionEnv): AsyncIterable<LeaderChunk> {
  const src = plan.source;
  switch (src.kind) {
    case 'table': return env.runDistributed(plan.fragment);
    case 'none': return runFragment(plan.fragment, once([[]]), env.evalCtx, env.signal);
    case 'system': return (async function* system() {
      const rows = project(once(await env.systemRows(src.name)), plan.fragment.scanColumns);
      yield* runFragment(plan.fragment, rows, env.evalCtx, env.signal);
    })();
    case 'series': return runFragment(plan.fragment, project(seriesRows(src, env), plan.fragment.scanColumns), env.evalCtx, env.signal);
    case 'subquery': return runFragment(plan.fragment, project(runSelect(plan.subplan!, env), plan.fragment.scanColumns), env.evalCtx, env.signal);
    case 'window': {
      const onSlices = windowsOnSlices(plan, env);
      if (onSlices !== null) return windowedOnSlices(plan, onSlices.keyIndex, env);
      return runFragment(plan.fragment, project(windowRows(plan, src.windows, env), plan.fragment.scanColumns), env.evalCtx, env.signal);
    }
    case 'setop': return (async function* setop() {
      const src = plan.source as Extract<SelectPlan['source'], { kind: 'setop' }>;
      const [l, r] = plan.setPlans!;
      const [left, right] = await Promise.all([collect(runSelect(l, env)), collect(runSelect(r, env))]);
      const rows = combineSets(src.op, src.all, left, right);
      yield* runFragment(plan.fragment, project(once(rows), plan.fragment.scanColumns), env.evalCtx, env.signal);
    })();
    case 'join': return (async function* joined() {
      const distributed = await sliceJoin(plan, env, (j) => runJoin(j, env), env.evalCtx);
      if (distributed) {
        yield* distributed;
        return;
      }
      const rows = await runJoin(plan.joinPlan!, env);
      yield* runFragment(plan.fragment, project(once(rows), plan.fragment.scanColumns), env.evalCtx, env.signal);
    })();
  }
}

/**
 * Window functions run on the slices when their input is a table's own rows (no aggregation or
 * join before them) and every call partitions by one same key: the rows are redistributed by that
 * key, so each partition is whole on one slice, which sorts it and computes the calls there. The
 * key's position in the input row, or null (then the leader computes them over all the rows).
 */
export function windowsOnSlices(plan: SelectPlan, env: Pick<ExecutionEnv, 'table'>): { keyIndex: number } | null {
  if (plan.source.kind !== 'window') return null;
  const sub = plan.subplan!;
  const fin = sub.final;
  if (sub.source.kind !== 'table' || sub.fragment.mode.kind !== 'project' || fin.aggregate !== null || fin.distinct || fin.sortKeys.length > 0 || fin.limit !== null || fin.offset !== null) return null;
  const table = env.table(sub.source.tableOid);
  if (!table || table.distStyle === 'all') return null;
  const windows = plan.source.windows;
  if (windows.length === 0) return null;
  for (const k of windows[0]!.partitionBy) {
    if (k.kind === 'Column' && windows.every((w) => w.partitionBy.some((p) => p.kind === 'Column' && p.index === k.index))) return { keyIndex: k.index };
  }
  return null;
}

/** Window functions per slice after redistribution by a PARTITION BY key; the slices also run the query's fragment over their rows. */
async function* windowedOnSlices(plan: SelectPlan, keyIndex: number, env: ExecutionEnv): AsyncGenerator<LeaderChunk> {
  const sub = plan.subplan!;
  const src = plan.source as Extract<SelectPlan['source'], { kind: 'window' }>;
  const id = await env.redistribute((sub.source as { tableOid: number }).tableOid, sub.fragment, keyIndex);
  try {
    const types = src.select.outputs.map((e) => e.type);
    yield* env.runWindow(exchangeScan(id, types), { windows: src.windows, outer: plan.fragment });
  } finally {
    env.dropExchange(id);
  }
}

/** generate_series' rows, in chunks: start, then each value from the previous one, while not past stop. */
async function* seriesRows(src: Extract<SelectPlan['source'], { kind: 'series' }>, env: ExecutionEnv): AsyncGenerator<Datum[][]> {
  const ctx = env.evalCtx;
  const start = evaluate(src.start, [], ctx);
  const stop = evaluate(src.stop, [], ctx);
  const step = evaluate(src.step, [], ctx);
  if (start === null || stop === null || step === null) return;
  const zero: Datum = step instanceof Interval ? new Interval(0, 0, 0n) : evaluate({ kind: 'Cast', arg: { kind: 'Const', value: 0, type: T.int4 }, type: src.step.type }, [], ctx);
  const dir = compareDatums(step, zero);
  if (dir === 0) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, 'step size cannot equal zero');
  let x: Datum = start;
  let chunk: Datum[][] = [];
  const row: Datum[] = [null, step];
  while (dir > 0 ? compareDatums(x, stop) <= 0 : compareDatums(x, stop) >= 0) {
    chunk.push([x]);
    if (chunk.length === 4096) {
      env.signal.throwIfAborted();
      yield chunk;
      chunk = [];
    }
    row[0] = x;
    x = evaluate(src.next, row, ctx);
    if (x === null) break;
  }
  if (chunk.length > 0) yield chunk;
}

/** The window input's rows with a column per window call added (on the leader, within its budget). */
async function* windowRows(plan: SelectPlan, windows: readonly BoundWindow[], env: ExecutionEnv): AsyncGenerator<Datum[][]> {
  const rows: Datum[][] = [];
  for await (const chunk of runSelect(plan.subplan!, env)) {
    env.budget.charge(chunk.length, plan.subplan!.final.visible + windows.length);
    for (const r of chunk) rows.push(r);
  }
  yield computeWindows(rows, windows, env.evalCtx, env.signal);
}

function rowKey(r: readonly Datum[]): string {
  let k = '';
  for (const v of r) k += datumKey(v) + '\u0001';
  return k;
}

/** UNION / INTERSECT / EXCEPT with SQL's bag (ALL) or set semantics; NULLs compare equal here. */
function combineSets(op: 'union' | 'intersect' | 'except', all: boolean, left: Datum[][], right: Datum[][]): Datum[][] {
  if (op === 'union') {
    if (all) return left.concat(right);
    const seen = new Set<string>();
    return left.concat(right).filter((r) => {
      const k = rowKey(r);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  }
  const counts = new Map<string, number>();
  for (const r of right) {
    const k = rowKey(r);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const out: Datum[][] = [];
  const emitted = new Set<string>();
  for (const r of left) {
    const k = rowKey(r);
    const c = counts.get(k) ?? 0;
    if (all) {
      if (op === 'intersect' && c > 0) { out.push(r); counts.set(k, c - 1); }
      else if (op === 'except') {
        if (c > 0) counts.set(k, c - 1);
        else out.push(r);
      }
      continue;
    }
    const keep = op === 'intersect' ? c > 0 : c === 0;
    if (keep && !emitted.has(k)) { out.push(r); emitted.add(k); }
  }
  return out;
}

export async function collect(rows: AsyncIterable<Datum[][]>): Promise<Datum[][]> {
  const out: Datum[][] = [];
  for await (const chunk of rows) for (const r of chunk) out.push(r);
  return out;
}

/** Materialises a join tree on the leader: leaves run (distributed where they are tables), then joins. */
async function runJoin(j: JoinPlan, env: ExecutionEnv): Promise<Datum[][]> {
  if (j.kind === 'leaf') {
    const rows = await collect(runSelect(j.plan, env));
    env.budget.charge(rows.length, j.width);
    return rows;
  }
  if (j.joinType === 'inner') {
    const units: { plan: JoinPlan; offset: number }[] = [];
    const conditions: Expr[] = [];
    flattenInner(j, 0, units, conditions);
    const rows = await Promise.all(units.map((u) => runJoin(u.plan, env)));
    const inputs = units.map((u, i) => ({ rows: rows[i]!, offset: u.offset, width: u.plan.width }));
    return multiJoin(inputs, j.width, conditions, env.evalCtx, env.signal, env.budget);
  }
  const [left, right] = await Promise.all([runJoin(j.left, env), runJoin(j.right, env)]);
  const out = await joinRows(j.joinType, left, right, j.left.width, j.right.width, j.condition, env.evalCtx, env.signal, env.budget);
  env.budget.charge(out.length, j.width);
  return out;
}

function limitValue(e: Expr | null, ctx: EvalContext, what: 'LIMIT' | 'OFFSET'): number | null {
  if (!e) return null;
  const v = evaluate(e, [], ctx);
  if (v === null) return null;
  const n = Number(v);
  if (n < 0) {
    throw new SqlError(what === 'LIMIT' ? SqlState.INVALID_ROW_COUNT_IN_LIMIT_CLAUSE : SqlState.INVALID_ROW_COUNT_IN_RESULT_OFFSET_CLAUSE,
      `${what} must not be negative`);
  }
  return n;
}

/**
 * The plan with its aggregation finished on the slices when every group lives on one slice
 * (GROUP BY includes the table's DISTKEY, or a DISTSTYLE ALL table read once): one phase, and
 * only final rows reach the leader. Null when that does not hold.
 */
export async function onePhaseAggregate(plan: SelectPlan, env: Pick<ExecutionEnv, 'table' | 'tableRowCount'>): Promise<SelectPlan | null> {
  const f = plan.fragment;
  const fin = plan.final;
  if (f.mode.kind !== 'aggregate' || !fin.aggregate || !fin.project || f.mode.groupBy.length === 0) return null;
  if (plan.source.kind === 'join') {
    // Over a join on the slices: when the probe stays on its DISTKEY and a group key is (or equals) it.
    const sj = await classifySliceJoin(plan, env);
    return sj !== null && groupsOnProbeSlices(plan, sj) ? finishedOnSlices(plan) : null;
  }
  if (plan.source.kind !== 'table') return null;
  const table = env.table(plan.source.tableOid);
  if (!table) return null;
  const mode = f.mode;
  const onDistKey = table.distStyle === 'key' && mode.groupBy.some((g) => g.kind === 'Column' && f.scanColumns[g.index] === table.distKey);
  if (!onDistKey && table.distStyle !== 'all') return null;
  return finishedOnSlices(plan);
}

/** What each slice may keep of its final rows (see topNOf). */
function sliceTopN(fin: FinalStep): TopNSpec | null {
  return topNOf(fin.sortKeys, fin.distinct, fin.limit, fin.offset);
}

/** The plan with its HAVING and projection run where the groups are aggregated; the leader only merges streams. */
function finishedOnSlices(plan: SelectPlan): SelectPlan {
  const f = plan.fragment;
  const fin = plan.final;
  if (f.mode.kind !== 'aggregate' || !fin.project) throw internalError('finishedOnSlices: not an aggregation');
  return {
    ...plan,
    fragment: { ...f, mode: { ...f.mode, finish: { having: fin.having, project: fin.project, topN: sliceTopN(fin) } } },
    final: { ...fin, aggregate: null, having: null, project: null },
  };
}

/**
 * A GROUP BY estimated (ANALYZE) to form at least this many groups is finished on the slices: the
 * partial aggregates are redistributed by group key and each slice merges its share.
 * COLONNADE_REDISTRIBUTE_MIN_GROUPS changes it (0: every grouped aggregation over a table).
 */
export const REDISTRIBUTE_MIN_GROUPS = Number(process.env['COLONNADE_REDISTRIBUTE_MIN_GROUPS'] ?? 50_000);

/**
 * The plan with its final aggregation on the slices after redistribution by group key (two-phase:
 * partial per slice, exchange, final per slice), when a table's GROUP BY has many groups by
 * ANALYZE's distinct counts; null otherwise (or when one phase does: see {@link onePhaseAggregate}).
 */
export function slicesMergeAggregate(plan: SelectPlan, env: Pick<ExecutionEnv, 'table'>): { plan: SelectPlan; merge: MergeSpec } | null {
  const f = plan.fragment;
  const fin = plan.final;
  if (plan.source.kind !== 'table' || f.mode.kind !== 'aggregate' || f.mode.finish || !fin.aggregate || !fin.project || f.mode.groupBy.length === 0) return null;
  const table = env.table(plan.source.tableOid);
  if (!table || table.distStyle === 'all') return null;
  if (REDISTRIBUTE_MIN_GROUPS > 0) {
    const stats = table.stats;
    if (!stats) return null;
    let groups = 1;
    for (const g of f.mode.groupBy) {
      const st = g.kind === 'Column' ? stats.columns[f.scanColumns[g.index] ?? -1] : undefined;
      if (!st) return null;
      groups *= Math.max(1, st.distinct);
    }
    const rows = stats.rows * filterSelectivity(f.filter, f.scanColumns, table);
    if (Math.min(groups, rows) < REDISTRIBUTE_MIN_GROUPS) return null;
  }
  return {
    plan: { ...plan, final: { ...fin, aggregate: null, having: null, project: null } },
    merge: { groupCount: f.mode.groupBy.length, aggs: f.mode.aggs, having: fin.having, project: fin.project, topN: sliceTopN(fin) },
  };
}

/** Partial aggregation on every slice, redistributed by group key, merged and finished per slice. */
async function* mergedOnSlices(plan: SelectPlan, merge: MergeSpec, env: ExecutionEnv): AsyncGenerator<FragmentRow[]> {
  const id = await env.redistribute((plan.source as { tableOid: number }).tableOid, plan.fragment, -1, merge.groupCount);
  try {
    yield* env.runMerge(exchangeScan(id, []), merge);
  } finally {
    env.dropExchange(id);
  }
}

/** Runs the plan, yielding result rows (visible columns only) in chunks. */
export async function* runSelect(planned: SelectPlan, env: ExecutionEnv): AsyncGenerator<Datum[][]> {
  const onePhase = await onePhaseAggregate(planned, env);
  const twoPhase = onePhase ? null : slicesMergeAggregate(planned, env);
  const plan = onePhase ?? twoPhase?.plan ?? planned;
  const fin = plan.final;
  const ctx = env.evalCtx;
  const input = twoPhase ? mergedOnSlices(planned, twoPhase.merge, env) : fragmentOutput(plan, env);
  const limit = limitValue(fin.limit, ctx, 'LIMIT');
  const offset = limitValue(fin.offset, ctx, 'OFFSET') ?? 0;

  // The final step streams: aggregation, DISTINCT, ORDER BY, then OFFSET / LIMIT. Aggregation and
  // sorting spill to disk past the leader's budget (spill.ts); DISTINCT holds its keys, budgeted.
  const space = new SpillSpace();
  try {
    let rows: AsyncIterable<Datum[][]> = rowsOf(input);
    if (fin.aggregate) {
      const { aggs, groupCount } = fin.aggregate;
      const maxGroups = Math.max(1024, Math.floor(DEFAULT_LEADER_CELLS / 2 / (groupCount + aggs.length + 1)));
      rows = finishGroups(aggregateSpilling(input, aggSlots(aggs), groupCount, maxGroups, space, env.signal), fin.having, fin.project!, ctx);
    }
    if (fin.distinct) rows = distinctRows(rows, fin.visible, env.budget);
    if (fin.sortKeys.length > 0) {
      const maxRows = Math.max(1024, Math.floor(DEFAULT_LEADER_CELLS / 2 / Math.max(1, fin.visible)));
      rows = sortSpilling(rows, fin.sortKeys, maxRows, limit === null ? null : offset + limit, space, env.signal);
    }
    let skip = offset;
    let remaining = limit ?? Infinity;
    if (remaining === 0) return;
    for await (const chunk of rows) {
      env.signal.throwIfAborted();
      let part = chunk;
      if (skip > 0) {
        if (skip >= part.length) { skip -= part.length; continue; }
        part = part.slice(skip);
        skip = 0;
      }
      if (part.length >= remaining) part = part.slice(0, remaining);
      remaining -= part.length;
      yield part.map((r) => (r.length > fin.visible ? r.slice(0, fin.visible) : r));
      if (remaining === 0) return;
    }
  } finally {
    await space.close();
  }
}

/** HAVING and the final projection over aggregated rows [keys..., results...]. */
async function* finishGroups(groups: AsyncIterable<Datum[][]>, having: Expr | null, project: readonly Expr[], ctx: EvalContext): AsyncGenerator<Datum[][]> {
  for await (const chunk of groups) {
    const kept = having ? chunk.filter((r) => evaluate(having, r, ctx) === true) : chunk;
    yield kept.map((r) => project.map((e) => evaluate(e, r, ctx)));
  }
}

/** The first row of each distinct value of the visible columns (their keys held, within the budget). */
async function* distinctRows(rows: AsyncIterable<Datum[][]>, visible: number, budget: MemoryBudget): AsyncGenerator<Datum[][]> {
  const seen = new Set<string>();
  for await (const chunk of rows) {
    const out: Datum[][] = [];
    for (const r of chunk) {
      let k = '';
      for (let i = 0; i < visible; i++) k += datumKey(r[i] ?? null) + '\u0001';
      if (seen.has(k)) continue;
      seen.add(k);
      budget.charge(1, visible);
      out.push(r);
    }
    if (out.length > 0) yield out;
  }
}
