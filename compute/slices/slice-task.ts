// One slice's share of a fragment request: what the compute node's main thread hands a slice's
// worker thread, and the code that runs it there. The task names pinned table snapshots (the main
// thread owns the stores and keeps the files until the task ends) and carries the fragment as tagged
// JSON, since Datums are class instances that structured cloning would strip.
import { fromTaggedJson } from '../../common/tagged-json.ts';
import { loadJavascript } from '../../sql/functions/javascript.ts';
import type { EvalContext } from '../../sql/functions/scalar-functions.ts';
import type { TableSnapshot } from '../../storage/table-scan.ts';
import { SnapshotReader } from '../../storage/table-scan.ts';
import type { Batch } from '../batch/batch.ts';
import { decodeBatch, encodeBatch } from '../exchange/arrow-batch-codec.ts';
import { hashDatum, rowsByTarget, sliceIndexes } from '../exchange/distribution-hash.ts';
import { chunkRows, decodeChunk, encodeChunk, type FragmentChunk } from '../exchange/fragment-chunks.ts';
import { windowVectors } from '../fragment/window-vectors.ts';
import { concatVectors, gatherVector, sliceVector } from '../../storage/vector-ops.ts';
import { layoutOf } from '../../storage/column-kind.ts';
import { BATCH_SIZE } from '../batch/batch.ts';
import { rowsFromBatch } from '../batch/row-conversion.ts';
import { computeWindows } from '../fragment/window.ts';
import { runFragment } from '../fragment/run-fragment.ts';
import type { BoundWindow } from '../../sql/binder/bound-select.ts';
import { HashAggregate, fragmentAggSlots } from '../fragment/hash-aggregate.ts';
import type { AggSpec, TopNSpec } from '../fragment/fragment.ts';
import type { FragmentRow } from '../fragment/run-fragment.ts';
import { evaluate } from '../../sql/expr/evaluate.ts';
import type { Expr } from '../../sql/expr/expr.ts';
import type { Datum } from '../../sql/types/datum.ts';
import { unpackJoinFragment } from '../exchange/join-request.ts';
import type { Fragment } from '../fragment/fragment.ts';
import { runJoinFragment, type JoinFragment, type JoinSources } from '../fragment/join-fragment.ts';
import { TopN } from '../fragment/sort-rows.ts';
import { StatsRecorder, countRowsIn, type OperatorStats } from '../fragment/operator-stats.ts';
import { runFragmentChunks } from '../fragment/run-fragment-batches.ts';

/** A pinned table snapshot on one of the node's slices. */
export interface SliceTable {
  readonly slice: number;
  readonly tableId: number;
  readonly snapshot: TableSnapshot;
}

/**
 * A fragment (`kind: 'fragment'`), a join fragment (`'join'`), or a fragment whose output is
 * redistributed by a key column over all the cluster's slices (`'exchange'`), to run on one slice.
 */
export interface SliceTask {
  readonly kind: 'fragment' | 'join' | 'exchange' | 'merge' | 'window';
  readonly slice: number;
  /** Tagged JSON of {@link TaskSpec}. */
  readonly spec: string;
  /** Snapshots of every table the task scans: its own slice's, and the node's copy of DISTSTYLE ALL inputs. */
  readonly tables: readonly SliceTable[];
  /** A join's broadcast inputs as they arrived (Arrow); empty otherwise. */
  readonly body: Uint8Array;
  /** Rows exchanges redistributed to this slice, by exchange id (Arrow batches). */
  readonly exchanges: Readonly<Record<string, readonly Uint8Array[]>>;
}

/** What a task's spec holds. */
export interface TaskSpec {
  /** A Fragment, or a JoinFragment packed by packJoinFragment. */
  readonly fragment: Fragment | JoinFragment;
  readonly evalCtx: EvalContext;
  /**
   * An exchange: the output column whose value picks the target slice, of `sliceCount`; or, for
   * partial aggregate rows, the number of leading group columns whose values together pick it.
   */
  readonly keyIndex?: number;
  readonly groupCount?: number;
  readonly sliceCount?: number;
  /** A merge: the final aggregation of the partial rows an exchange brought to this slice. */
  readonly merge?: MergeSpec;
  /** Window functions over the rows an exchange brought to this slice (redistributed by a PARTITION BY key). */
  readonly window?: WindowSpec;
}

/** Window functions per slice: the calls over the exchanged rows, then the query's fragment over [rows..., results...]. */
export interface WindowSpec {
  readonly windows: readonly BoundWindow[];
  /** Runs over each window row narrowed to its scan columns (outputs, QUALIFY, per-slice top-N). */
  readonly outer: Fragment;
}

/** Finishing redistributed partial aggregates: merge [keys..., states...], then HAVING and the projection. */
export interface MergeSpec {
  readonly groupCount: number;
  readonly aggs: readonly AggSpec[];
  readonly having: Expr | null;
  readonly project: readonly Expr[];
  /** ORDER BY ... LIMIT over the final rows: the slice sends only its first ones. */
  readonly topN?: TopNSpec | null;
}

/** An encoded chunk; `target` is the index of the slice an exchange sends it to (-1 otherwise). */
export interface TaskChunk {
  readonly bytes: Uint8Array;
  readonly target: number;
}

/** What a task reports besides its chunks. */
export interface SliceTaskResult {
  rows: number;
  stats: OperatorStats[];
  /** Broadcast input rows that found a match (join steps that track them). */
  matched: number[];
}

const NO_BATCHES: AsyncIterable<Batch> = { async *[Symbol.asyncIterator]() { /* a table this slice does not hold */ } };

/**
 * Runs a task, yielding its output chunks encoded for the wire; fills `result` as it goes (complete
 * once the iteration ends).
 */
export async function* runSliceTask(task: SliceTask, reader: SnapshotReader, signal: AbortSignal, result: SliceTaskResult): AsyncGenerator<TaskChunk> {
  const spec = fromTaggedJson(task.spec) as TaskSpec;
  if (spec.evalCtx.javascript === true) await loadJavascript();
  const stats = new StatsRecorder();
  result.stats = stats.ops;
  // Scans recycle their buffers: every consumer here reads a batch through kernels, whose outputs
  // are their own arrays (string columns passed through keep only dictionary entries, which are
  // decoded into fresh arrays), before it asks for the next.
  const scan = (f: Fragment, slice: number): AsyncIterable<Batch> => {
    if (f.exchange !== undefined) return exchanged(task.exchanges[f.exchange] ?? [], signal);
    const t = task.tables.find((x) => x.slice === slice && x.tableId === f.tableOid);
    return t === undefined ? NO_BATCHES : reader.scan(t.snapshot, { columns: f.scanColumns, filters: f.zoneFilters, signal, dictionaryCodes: true, reuseBuffers: true });
  };
  if (task.kind === 'merge') {
    yield* mergeTask(task, spec, stats, result);
    return;
  }
  if (task.kind === 'window') {
    yield* windowTask(task, spec, stats, result, signal);
    return;
  }
  if (task.kind !== 'join') {
    const f = spec.fragment as Fragment;
    const what = f.exchange !== undefined ? 'redistributed rows' : `table ${f.tableOid}`;
    const stat = stats.add(task.slice, task.kind === 'exchange' ? `scan ${what} and redistribute`
      : `scan ${what}${f.mode.kind === 'aggregate' ? ' and aggregate' : ''}`);
    const started = performance.now();
    // Partial states go to the leader as columns; an exchange splits rows by their group keys.
    const chunks = runFragmentChunks(f, countRowsIn(scan(f, task.slice), stat), f.scanTypes, spec.evalCtx, signal, task.kind === 'fragment');
    if (task.kind === 'exchange') {
      for await (const chunk of chunks) {
        const n = chunkRows(chunk);
        stat.rows += n;
        result.rows += n;
        if (Array.isArray(chunk)) yield* partitionedRows(chunk, spec.groupCount ?? 1, spec.sliceCount!);
        else yield* partitioned(chunk, spec.keyIndex!, spec.sliceCount!);
      }
    } else {
      for await (const chunk of chunks) {
        const n = chunkRows(chunk);
        stat.rows += n;
        result.rows += n;
        yield { bytes: encodeChunk(chunk), target: -1 };
      }
    }
    stat.ms = performance.now() - started;
    return;
  }
  const jf = unpackJoinFragment(spec.fragment as JoinFragment, task.body);
  const sources: JoinSources = {
    slices: [task.slice],
    scanSlice: scan,
    scanNodeCopy: (f) => nodeCopy(f, task, scan),
  };
  const matched = new Set<number>();
  for await (const chunk of runJoinFragment(jf, sources, spec.evalCtx, signal, matched, { stats, typedPartials: true })) {
    result.rows += chunkRows(chunk);
    yield { bytes: encodeChunk(chunk), target: -1 };
  }
  result.matched = [...matched];
}

/** A DISTSTYLE ALL table's node copy: its rows on whichever of the node's slices hold it. */
async function* nodeCopy(f: Fragment, task: SliceTask, scan: (f: Fragment, slice: number) => AsyncIterable<Batch>): AsyncGenerator<Batch> {
  for (const t of task.tables) if (t.tableId === f.tableOid) yield* scan(f, t.slice);
}

/** Batches an exchange delivered, decoded one at a time. */
async function* exchanged(chunks: readonly Uint8Array[], signal: AbortSignal): AsyncGenerator<Batch> {
  for (const c of chunks) {
    signal.throwIfAborted();
    yield decodeBatch(c);
  }
}

/**
 * A batch's rows split by the slice their key hashes to (the DISTKEY hash: rows land where a table
 * distributed on that key keeps its matching rows), one Arrow batch per target slice index.
 */
function* partitioned(b: Batch, keyIndex: number, sliceCount: number): Generator<TaskChunk> {
  const n = b.selection === null ? b.length : b.selection.length;
  if (n === 0) return;
  const target = new Int32Array(n);
  sliceIndexes(b.columns[keyIndex]!, b.selection, n, sliceCount, target);
  const { starts, order } = rowsByTarget(target, n, b.selection, sliceCount);
  for (let s = 0; s < sliceCount; s++) {
    const from = starts[s]!;
    const to = starts[s + 1]!;
    if (from < to) yield { bytes: encodeBatch(b, order.subarray(from, to), to - from), target: s };
  }
}

/** Partial aggregate rows split by the slice their group key hashes to, a tagged JSON chunk per target. */
function* partitionedRows(rows: readonly FragmentRow[], groupCount: number, sliceCount: number): Generator<TaskChunk> {
  const parts: FragmentRow[][] = Array.from({ length: sliceCount }, () => []);
  for (const r of rows) {
    let h = 0x811c9dc5;
    for (let i = 0; i < groupCount; i++) h = Math.imul(h ^ hashDatum((r[i] ?? null) as Datum), 0x01000193);
    parts[(h >>> 0) % sliceCount]!.push(r);
  }
  for (let s = 0; s < sliceCount; s++) if (parts[s]!.length > 0) yield { bytes: encodeChunk(parts[s]!), target: s };
}

/** Merges the partial rows redistributed to this slice into its groups' final rows. */
async function* mergeTask(task: SliceTask, spec: TaskSpec, stats: StatsRecorder, result: SliceTaskResult): AsyncGenerator<TaskChunk> {
  const m = spec.merge!;
  const f = spec.fragment as Fragment;
  const stat = stats.add(task.slice, 'merge redistributed partial aggregates');
  const started = performance.now();
  const agg = new HashAggregate(fragmentAggSlots(m.aggs), m.groupCount);
  for (const bytes of task.exchanges[f.exchange!] ?? []) {
    const rows = decodeChunk(bytes);
    stat.rowsIn += rows.length;
    for (const r of rows) agg.merge(r);
  }
  let out: Datum[][] = [];
  const top = m.topN ? new TopN(m.topN.keys, m.topN.limit) : null;
  for (const r of agg.finalRows()) {
    if (m.having !== null && evaluate(m.having, r, spec.evalCtx) !== true) continue;
    const row = m.project.map((e) => evaluate(e, r, spec.evalCtx));
    if (top !== null) { top.add(row); continue; }
    out.push(row);
    if (out.length >= MERGE_CHUNK_ROWS) {
      result.rows += out.length;
      yield { bytes: encodeChunk(out), target: -1 };
      out = [];
    }
  }
  if (top !== null) out = top.result();
  if (out.length > 0) {
    result.rows += out.length;
    yield { bytes: encodeChunk(out), target: -1 };
  }
  stat.rows = result.rows;
  stat.ms = performance.now() - started;
}

const MERGE_CHUNK_ROWS = 4096;

/**
 * Window functions over the rows redistributed to this slice: every partition is whole here (the
 * exchange hashed a PARTITION BY key), so the slice sorts and computes its partitions alone, then
 * runs the rest of the query (outputs, QUALIFY, top-N) and sends the rows to the leader.
 */
async function* windowTask(task: SliceTask, spec: TaskSpec, stats: StatsRecorder, result: SliceTaskResult, signal: AbortSignal): AsyncGenerator<TaskChunk> {
  const w = spec.window!;
  const f = spec.fragment as Fragment;
  const stat = stats.add(task.slice, `window functions (${w.windows.length}) over redistributed rows`);
  const started = performance.now();
  const batches = (task.exchanges[f.exchange!] ?? []).map((bytes) => decodeBatch(bytes));
  const cols = f.scanTypes.map((t, c) => concatVectors(batches.map((b) => (b.selection === null ? b.columns[c]! : gatherVector(b.columns[c]!, b.selection, b.selection.length))), layoutOf(t)));
  const n = cols.length === 0 ? 0 : cols[0]!.length;
  stat.rowsIn = n;
  signal.throwIfAborted();
  // Column vectors when every call is on the vector path; rows of Datums (the reference) otherwise.
  const results = windowVectors(cols, n, w.windows, spec.evalCtx);
  let chunks: AsyncIterable<FragmentChunk>;
  if (results !== null) {
    const all = [...cols, ...results];
    const scan = w.outer.scanColumns.map((c) => all[c]!);
    const input = async function* batched(): AsyncGenerator<Batch> {
      for (let i = 0; i < n; i += BATCH_SIZE) {
        const e = Math.min(n, i + BATCH_SIZE);
        yield { length: e - i, columns: scan.map((v) => sliceVector(v, i, e)), selection: null };
      }
    };
    chunks = runFragmentChunks(w.outer, input(), w.outer.scanTypes, spec.evalCtx, signal, true);
  } else {
    const rows = computeWindows(rowsFromBatch({ length: n, columns: cols, selection: null }), w.windows, spec.evalCtx, signal);
    const narrow = w.outer.scanColumns;
    const input = async function* narrowed(): AsyncGenerator<Datum[][]> {
      for (let i = 0; i < rows.length; i += MERGE_CHUNK_ROWS) yield rows.slice(i, i + MERGE_CHUNK_ROWS).map((r) => narrow.map((c) => r[c] ?? null));
    };
    chunks = runFragment(w.outer, input(), spec.evalCtx, signal);
  }
  for await (const chunk of chunks) {
    const k = chunkRows(chunk);
    if (k === 0) continue;
    result.rows += k;
    yield { bytes: encodeChunk(chunk), target: -1 };
  }
  stat.rows = result.rows;
  stat.ms = performance.now() - started;
}
