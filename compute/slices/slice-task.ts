// One slice's share of a fragment request: what the compute node's main thread hands a slice's
// worker thread, and the code that runs it there. The task names pinned table snapshots (the main
// thread owns the stores and keeps the files until the task ends) and carries the fragment as tagged
// JSON, since Datums are class instances that structured cloning would strip.
import { fromTaggedJson } from '../../common/tagged-json.ts';
import type { EvalContext } from '../../sql/functions/scalar-functions.ts';
import type { TableSnapshot } from '../../storage/table-scan.ts';
import { SnapshotReader } from '../../storage/table-scan.ts';
import type { Batch } from '../batch/batch.ts';
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

/** A fragment (`kind: 'fragment'`) or a join fragment (`'join'`) to run on one slice. */
export interface SliceTask {
  readonly kind: 'fragment' | 'join';
  readonly slice: number;
  /** Tagged JSON of {@link TaskSpec}. */
  readonly spec: string;
  /** Snapshots of every table the task scans: its own slice's, and the node's copy of DISTSTYLE ALL inputs. */
  readonly tables: readonly SliceTable[];
  /** A join's broadcast inputs as they arrived (Arrow); empty otherwise. */
  readonly body: Uint8Array;
}

/** What a task's spec holds. */
export interface TaskSpec {
  /** A Fragment, or a JoinFragment packed by packJoinFragment. */
  readonly fragment: Fragment | JoinFragment;
  readonly evalCtx: EvalContext;
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
export async function* runSliceTask(task: SliceTask, reader: SnapshotReader, signal: AbortSignal, result: SliceTaskResult): AsyncGenerator<Uint8Array> {
  const spec = fromTaggedJson(task.spec) as TaskSpec;
  const stats = new StatsRecorder();
  result.stats = stats.ops;
  const scan = (f: Fragment, slice: number): AsyncIterable<Batch> => {
    const t = task.tables.find((x) => x.slice === slice && x.tableId === f.tableOid);
    return t === undefined ? NO_BATCHES : reader.scan(t.snapshot, { columns: f.scanColumns, filters: f.zoneFilters, signal });
  };
  if (task.kind === 'fragment') {
    const f = spec.fragment as Fragment;
    const stat = stats.add(task.slice, `scan table ${f.tableOid}${f.mode.kind === 'aggregate' ? ' and aggregate' : ''}`);
    const started = performance.now();
    for await (const chunk of runFragmentChunks(f, countRowsIn(scan(f, task.slice), stat), f.scanTypes, spec.evalCtx, signal)) {
      const n = chunkRows(chunk);
      stat.rows += n;
      result.rows += n;
      yield encodeChunk(chunk);
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
    yield encodeChunk(chunk);
  }
  result.matched = [...matched];
}

/** A DISTSTYLE ALL table's node copy: its rows on whichever of the node's slices hold it. */
async function* nodeCopy(f: Fragment, task: SliceTask, scan: (f: Fragment, slice: number) => AsyncIterable<Batch>): AsyncGenerator<Batch> {
  for (const t of task.tables) if (t.tableId === f.tableOid) yield* scan(f, t.slice);
}
