// One slice's share of a fragment request: what the compute node's main thread hands a slice's
// worker thread, and the code that runs it there. The task names pinned table snapshots (the main
// thread owns the stores and keeps the files until the task ends) and carries the fragment as tagged
// JSON, since Datums are class instances that structured cloning would strip.
import { fromTaggedJson } from '../../common/tagged-json.ts';
import type { EvalContext } from '../../sql/functions/scalar-functions.ts';
import type { TableSnapshot } from '../../storage/table-scan.ts';
import { SnapshotReader } from '../../storage/table-scan.ts';
import type { Batch } from '../batch/batch.ts';
import { SqlError, SqlState } from '../../common/errors/index.ts';
import { decodeBatch, encodeBatch } from '../exchange/arrow-batch-codec.ts';
import { sliceIndexes } from '../exchange/distribution-hash.ts';
import { chunkRows, encodeChunk } from '../exchange/fragment-chunks.ts';
import { unpackJoinFragment } from '../exchange/join-request.ts';
import type { Fragment } from '../fragment/fragment.ts';
import { runJoinFragment, type JoinFragment, type JoinSources } from '../fragment/join-fragment.ts';
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
  readonly kind: 'fragment' | 'join' | 'exchange';
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
  /** An exchange: the output column whose value picks the target slice, of `sliceCount`. */
  readonly keyIndex?: number;
  readonly sliceCount?: number;
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
  const stats = new StatsRecorder();
  result.stats = stats.ops;
  const scan = (f: Fragment, slice: number): AsyncIterable<Batch> => {
    if (f.exchange !== undefined) return exchanged(task.exchanges[f.exchange] ?? [], signal);
    const t = task.tables.find((x) => x.slice === slice && x.tableId === f.tableOid);
    return t === undefined ? NO_BATCHES : reader.scan(t.snapshot, { columns: f.scanColumns, filters: f.zoneFilters, signal });
  };
  if (task.kind !== 'join') {
    const f = spec.fragment as Fragment;
    const what = f.exchange !== undefined ? 'redistributed rows' : `table ${f.tableOid}`;
    const stat = stats.add(task.slice, task.kind === 'exchange' ? `scan ${what} and redistribute`
      : `scan ${what}${f.mode.kind === 'aggregate' ? ' and aggregate' : ''}`);
    const started = performance.now();
    const chunks = runFragmentChunks(f, countRowsIn(scan(f, task.slice), stat), f.scanTypes, spec.evalCtx, signal);
    if (task.kind === 'exchange') {
      for await (const chunk of chunks) {
        if (Array.isArray(chunk)) throw new SqlError(SqlState.INTERNAL_ERROR, 'an exchange needs a projection fragment');
        const n = chunkRows(chunk);
        stat.rows += n;
        result.rows += n;
        yield* partitioned(chunk, spec.keyIndex!, spec.sliceCount!);
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
  for await (const chunk of runJoinFragment(jf, sources, spec.evalCtx, signal, matched, { stats })) {
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
  // Counting sort of the rows by target.
  const starts = new Int32Array(sliceCount + 1);
  for (let k = 0; k < n; k++) starts[target[k]! + 1]!++;
  for (let s = 0; s < sliceCount; s++) starts[s + 1]! += starts[s]!;
  const pos = starts.slice(0, sliceCount);
  const order = new Uint32Array(n);
  const sel = b.selection;
  for (let k = 0; k < n; k++) order[pos[target[k]!]!++] = sel === null ? k : sel[k]!;
  for (let s = 0; s < sliceCount; s++) {
    const from = starts[s]!;
    const to = starts[s + 1]!;
    if (from < to) yield { bytes: encodeBatch(b, order.subarray(from, to), to - from), target: s };
  }
}
