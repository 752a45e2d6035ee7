// A hash join run on the slices: every slice scans its part of the big (probe) table through the
// probe fragment, joins each row with the other inputs, and feeds the joined rows to the query's own
// fragment (filter, then partial aggregation or projection). Only that fragment's output goes back to
// the leader. An input is either
//   - broadcast rows the leader computed and shipped to every node (Redshift's DS_BCAST_INNER),
//   - the same slice's part of a table distributed on the join key (DS_DIST_NONE: co-located), or
//   - the node's full copy of a DISTSTYLE ALL table (DS_DIST_ALL_NONE).
// Hash tables of broadcast and ALL inputs are built once per call (a compute node runs one call per
// slice, each on the slice's worker thread); co-located ones once per slice.
import { evaluate } from '../../sql/expr/evaluate.ts';
import type { Expr } from '../../sql/expr/expr.ts';
import type { EvalContext } from '../../sql/functions/scalar-functions.ts';
import type { Datum } from '../../sql/types/datum.ts';
import type { SqlType } from '../../sql/types/sql-type.ts';
import type { Fragment } from './fragment.ts';
import { PAIRS_PER_YIELD, joinKey, yieldToEventLoop } from './join-key.ts';
import { runFragment, type FragmentRow } from './run-fragment.ts';
import { DEFAULT_SLICE_CELLS, MemoryBudget, SLICE_PLACE } from '../../common/memory-budget.ts';
import type { Batch } from '../batch/batch.ts';
import { rowsFromBatch } from '../batch/row-conversion.ts';
import { planBatchJoin, runBatchJoin, type BatchJoinSources } from './batch-join.ts';
import { runFragmentChunks, runFragmentOnBatches } from './run-fragment-batches.ts';
import type { StatsRecorder } from './operator-stats.ts';
import type { FragmentChunk } from '../exchange/fragment-chunks.ts';

/** An input of the join, placed at `offset` in the joined row. */
export type JoinInput =
  /** Rows the leader materialised and broadcast. */
  | {
    readonly kind: 'broadcast'; readonly rows: readonly Datum[][]; readonly offset: number; readonly width: number; readonly types: readonly SqlType[];
    /** On a compute node: the rows as they arrived, column vectors (then `rows` is empty). */
    readonly batch?: Batch;
  }
  /** A table fragment run on the same slice as the probe (both distributed on the join key). */
  | { readonly kind: 'colocated'; readonly fragment: Fragment; readonly offset: number; readonly width: number }
  /** A table fragment over the node's copy of a DISTSTYLE ALL table. */
  | { readonly kind: 'replicated'; readonly fragment: Fragment; readonly offset: number; readonly width: number };

/** Where a compute node's join reads its tables (the probe's slices, scans per slice or node copy). */
export type JoinSources = BatchJoinSources;

/**
 * One hash join step: join input `input` on leftKeys (joined row) = rightKeys (input's row).
 * inner: every match; `residual` then filters the joined rows. left: unmatched rows are kept with
 * NULLs. semi / anti: the row is kept (without the input's columns) if some match / no match passes
 * `residual`; anti_na is NOT IN: a NULL key in a non-empty input, or on the row, keeps nothing.
 * For every type but inner, `residual` is part of the match (the ON condition's other conjuncts).
 */
export interface JoinStep {
  readonly type: 'inner' | 'left' | 'semi' | 'anti' | 'anti_na';
  readonly input: number;
  readonly leftKeys: readonly Expr[];
  readonly rightKeys: readonly Expr[];
  /** Over the joined row with the input's columns in place; null if none. */
  readonly residual: Expr | null;
  /**
   * Record which rows of the (broadcast) input found a match: a LEFT JOIN whose preserved side is
   * the small input, run with the big table probing; the leader adds the rows no node matched.
   */
  readonly trackMatches?: boolean;
  /**
   * With trackMatches: the joined rows themselves are not wanted, only which input rows matched
   * (a semi or anti join with the small side preserved); the step marks matches and passes nothing on.
   */
  readonly matchesOnly?: boolean;
}

/** The join a slice runs: probe fragment, broadcast inputs in join order, then the query's fragment. */
export interface JoinFragment {
  /** Scan + filter + projection of the probe table; its output row sits at probeOffset. */
  readonly probe: Fragment;
  readonly probeOffset: number;
  /** Width of the joined row. */
  readonly width: number;
  /** Conditions over the probe's columns alone. */
  readonly probeResidual: Expr | null;
  readonly inputs: readonly JoinInput[];
  readonly steps: readonly JoinStep[];
  /** The query's fragment over the joined row (its scanColumns index the joined row). */
  readonly post: Fragment;
}

/** Rows per chunk handed from the join to the query fragment. */
const CHUNK_ROWS = 2048;

async function collectRows(chunks: AsyncIterable<FragmentRow[]>, width: number, budget: MemoryBudget): Promise<Datum[][]> {
  const out: Datum[][] = [];
  for await (const c of chunks) {
    budget.charge(c.length, width);
    for (const r of c) out.push(r as Datum[]);
  }
  return out;
}

/** The rows and hash table a step joins with. */
interface StepTable {
  rows: readonly Datum[][];
  /** Rows by key; null for a cross join (no keys). */
  buckets: Map<string, Datum[][]> | null;
  /** Some row's key is NULL (what NOT IN needs to know). */
  hasNullKey: boolean;
}

/** Hashes an input under a step's keys in one pass, noting NULL keys (which never match). */
function stepTable(rows: readonly Datum[][], keys: readonly Expr[], ctx: EvalContext): StepTable {
  if (keys.length === 0) return { rows, buckets: null, hasNullKey: false };
  const buckets = new Map<string, Datum[][]>();
  let hasNullKey = false;
  for (const r of rows) {
    const k = joinKey(keys, r, ctx);
    if (k === null) { hasNullKey = true; continue; }
    const b = buckets.get(k);
    if (b) b.push(r);
    else buckets.set(k, [r]);
  }
  return { rows, buckets, hasNullKey };
}

/**
 * Runs the join over this node's slices of the probe table and the query fragment over the result:
 * vectorized (batch-join.ts) when every step allows it, else row at a time. `typedPartials`: a
 * partial aggregation may yield its states as batches (for the leader, see runFragmentChunks).
 */
export function runJoinFragment(jf: JoinFragment, sources: JoinSources, ctx: EvalContext, signal?: AbortSignal,
  matchedInputRows?: Set<number>, opts: { rowPath?: boolean; stats?: StatsRecorder; memoryCells?: number; typedPartials?: boolean } = {}): AsyncGenerator<FragmentChunk> {
  const plan = opts.rowPath === true ? null : planBatchJoin(jf, ctx);
  if (plan !== null) {
    const joined = runBatchJoin(plan, sources, signal, matchedInputRows, opts.stats, opts.memoryCells);
    return runFragmentChunks(jf.post, joined, jf.post.scanTypes, ctx, signal, opts.typedPartials === true);
  }
  return runRowJoin(jf, sources, ctx, signal, matchedInputRows);
}

/** The row-at-a-time join: Datum rows and string hash keys (steps the batch join does not support). */
function runRowJoin(jf: JoinFragment, sources: JoinSources, ctx: EvalContext, signal?: AbortSignal,
  matchedInputRows?: Set<number>): AsyncGenerator<FragmentRow[]> {
  const narrow = jf.post.scanColumns;
  let work = 0;
  /** A fragment's output rows on one slice, or over this node's copy of a DISTSTYLE ALL table. */
  const onSlice = (f: Fragment, slice: number): AsyncIterable<FragmentRow[]> => runFragmentOnBatches(f, sources.scanSlice(f, slice), f.scanTypes, ctx, signal);
  const onNodeCopy = (f: Fragment): AsyncIterable<FragmentRow[]> => runFragmentOnBatches(f, sources.scanNodeCopy(f), f.scanTypes, ctx, signal);
  const broadcastRows = new Map<JoinInput, Datum[][]>();
  const rowsOf = (input: Extract<JoinInput, { kind: 'broadcast' }>): Datum[][] => {
    let rows = broadcastRows.get(input);
    if (!rows) broadcastRows.set(input, rows = input.batch ? rowsFromBatch(input.batch) : input.rows as Datum[][]);
    return rows;
  };
  // What this statement's join holds on the node: inputs' rows and the rows joined from one chunk.
  const budget = new MemoryBudget(DEFAULT_SLICE_CELLS, SLICE_PLACE);

  /** Tables of the steps whose input is the same on every slice of this node (built once). */
  const nodeTables = async (): Promise<(StepTable | null)[]> => Promise.all(jf.steps.map(async (step) => {
    const input = jf.inputs[step.input]!;
    if (input.kind === 'colocated') return null;
    if (input.kind === 'broadcast') budget.charge(rowsOf(input).length, input.width);
    const rows = input.kind === 'broadcast' ? rowsOf(input) : await collectRows(onNodeCopy(input.fragment), input.width, budget);
    return stepTable(rows, step.rightKeys, ctx);
  }));

  /** Row → index in its input, for the steps that track matches. */
  const indexOf = jf.steps.map((step) => {
    if (!step.trackMatches) return null;
    const input = jf.inputs[step.input]!;
    if (input.kind !== 'broadcast') return null;
    return new Map<readonly Datum[], number>(rowsOf(input).map((r, i) => [r, i]));
  });

  async function* joinSlice(slice: number, shared: readonly (StepTable | null)[]): AsyncGenerator<Datum[][]> {
    const tables: StepTable[] = [];
    let sliceCells = 0;
    for (let s = 0; s < jf.steps.length; s++) {
      const step = jf.steps[s]!;
      const input = jf.inputs[step.input]!;
      if (input.kind !== 'colocated') { tables.push(shared[s]!); continue; }
      const rows = await collectRows(onSlice(input.fragment, slice), input.width, budget);
      sliceCells += rows.length * input.width;
      tables.push(stepTable(rows, step.rightKeys, ctx));
    }
    let out: Datum[][] = [];
    for await (const chunk of onSlice(jf.probe, slice)) {
      signal?.throwIfAborted();
      let rows: Datum[][] = [];
      for (const p of chunk) {
        const row = new Array<Datum>(jf.width).fill(null);
        for (let i = 0; i < p.length; i++) row[jf.probeOffset + i] = p[i] as Datum;
        if (jf.probeResidual === null || evaluate(jf.probeResidual, row, ctx) === true) rows.push(row);
      }
      for (let s = 0; s < jf.steps.length && rows.length > 0; s++) {
        const step = jf.steps[s]!;
        const input = jf.inputs[step.input]!;
        const offset = input.offset;
        const table = tables[s]!;
        const next: Datum[][] = [];
        const type = step.type;
        // NOT IN over an input holding a NULL key: unknown for every row, so none qualifies.
        if (type === 'anti_na' && table.rows.length > 0 && table.hasNullKey) { rows = []; break; }
        for (const l of rows) {
          if (++work >= PAIRS_PER_YIELD) { work = 0; await yieldToEventLoop(); signal?.throwIfAborted(); }
          let matches: readonly Datum[][] | undefined;
          if (table.buckets === null) matches = table.rows;
          else {
            const k = joinKey(step.leftKeys, l, ctx);
            if (k === null && type === 'anti_na' && table.rows.length > 0) continue;
            matches = k === null ? undefined : table.buckets.get(k);
          }
          if (type === 'inner') {
            if (!matches) continue;
            const track = indexOf[s];
            for (const r of matches) {
              const row = l.slice();
              for (let i = 0; i < r.length; i++) row[offset + i] = r[i]!;
              if (step.residual === null || evaluate(step.residual, row, ctx) === true) {
                if (track && matchedInputRows) matchedInputRows.add(track.get(r)!);
                next.push(row);
                if ((next.length & 0xfff) === 0) budget.charge(0x1000, jf.width);
              }
            }
            continue;
          }
          let matched = false;
          // NOT IN: a NULL comparison without a match leaves the row out (unknown, not true).
          let unknown = false;
          if (matches) {
            const row = type === 'left' ? null : l.slice();
            for (const r of matches) {
              const cand = row ?? l.slice();
              for (let i = 0; i < r.length; i++) cand[offset + i] = r[i]!;
              if (step.residual !== null) {
                const ok = evaluate(step.residual, cand, ctx);
                if (ok !== true) {
                  if (ok === null) unknown = true;
                  continue;
                }
              }
              matched = true;
              if (type !== 'left') break;
              next.push(cand);
            }
          }
          if (type === 'semi' ? matched : type === 'anti_na' ? !matched && !unknown : !matched) next.push(l);
        }
        budget.release(next.length & ~0xfff, jf.width);
        rows = next;
      }
      for (const r of rows) {
        const n = new Array<Datum>(narrow.length);
        for (let c = 0; c < narrow.length; c++) n[c] = r[narrow[c]!] ?? null;
        out.push(n);
      }
      if (out.length >= CHUNK_ROWS) {
        yield out;
        out = [];
      }
    }
    if (out.length > 0) yield out;
    // This slice's co-located inputs are done with.
    budget.release(sliceCells, 1);
  }

  async function* joined(): AsyncGenerator<Datum[][]> {
    const shared = await nodeTables();
    for (const slice of sources.slices) yield* joinSlice(slice, shared);
  }
  return runFragment(jf.post, joined(), ctx, signal);
}
