// Runs a fragment over column batches from a table scan with compiled kernels: the WHERE filter
// writes a selection vector, then projection or aggregate-input kernels produce vectors for only
// the surviving rows. Rows become Datums only at the edge (grouping, shipping to the leader).
import { datumAt } from '../batch/row-conversion.ts';
import { evaluate } from '../../sql/expr/evaluate.ts';
import type { Batch } from '../batch/batch.ts';
import type { Vector } from '../batch/vector.ts';
import { compileAggregateInputs } from '../codegen/compile-aggregate-inputs.ts';
import { compileFilter } from '../codegen/compile-filter.ts';
import { compileProjection } from '../codegen/compile-projection.ts';
import type { FilterKernel, ProjectionKernel } from '../codegen/kernel-types.ts';
import type { EvalContext } from '../../sql/functions/scalar-functions.ts';
import type { Datum } from '../../sql/types/datum.ts';
import type { SqlType } from '../../sql/types/sql-type.ts';
import type { Fragment } from './fragment.ts';
import { HashAggregate, fragmentAggSlots } from './hash-aggregate.ts';
import { BatchAggregator } from './batch-aggregate.ts';
import { GroupTable, distinctArgument } from './group-table.ts';
import type { FragmentRow } from './run-fragment.ts';
import { TopN, topRows } from './sort-rows.ts';
import type { FragmentChunk } from '../exchange/fragment-chunks.ts';
import { concatVectors, narrowBigDecimal, sliceVector } from '../../storage/vector-ops.ts';
import { layoutOf } from '../../storage/column-kind.ts';

const CHUNK_ROWS = 2048;
/** Projected rows a chunk of batches holds at least (but the last). */
const MIN_CHUNK_ROWS = 4096;
/** Groups per batch of partial states. */
const STATE_ROWS = 16384;

/** The selected row count of a batch and the selection to hand the next kernel. */
/** The rows of a batch a filter keeps: their count and indexes (null: every row, in order). */
export function selected(batch: Batch, filter: FilterKernel | null, buf: Uint32Array): [number, Uint32Array | null] {
  if (!filter) return [batch.selection ? batch.selection.length : batch.length, batch.selection];
  const n = filter(batch, batch.selection, buf);
  return [n, buf.subarray(0, n)];
}

/** Row `r` of each vector as Datums. */
function rowOf(vectors: readonly Vector[], r: number): Datum[] {
  const row: Datum[] = new Array<Datum>(vectors.length);
  for (let c = 0; c < vectors.length; c++) row[c] = datumAt(vectors[c]!, r);
  return row;
}

/**
 * Runs `f` over `batches` (columns = f.scanColumns, typed `inputTypes`) and yields output rows in
 * chunks, exactly as runFragment does over Datum rows.
 */
export async function* runFragmentOnBatches(
  f: Fragment, batches: AsyncIterable<Batch>, inputTypes: readonly SqlType[], ctx: EvalContext, signal?: AbortSignal,
): AsyncGenerator<FragmentRow[]> {
  const mode = f.mode;
  if (mode.kind === 'aggregate') {
    yield* aggregated(f, batches, inputTypes, ctx, signal, false) as AsyncGenerator<FragmentRow[]>;
    return;
  }
  const filter = f.filter ? compileFilter(f.filter, inputTypes, ctx) : null;
  const project = compileProjection(mode.exprs, inputTypes, ctx);
  const topN = mode.topN ? new TopN(mode.topN.keys, mode.topN.limit) : null;
  let out: FragmentRow[] = [];
  for await (const { n, cols: vectors } of projected(batches, filter, project)) {
    signal?.throwIfAborted();
    for (let r = 0; r < n; r++) {
      const row = rowOf(vectors, r);
      if (topN) topN.add(row);
      else out.push(row);
    }
    if (out.length >= CHUNK_ROWS) {
      yield out;
      out = [];
    }
  }
  if (topN) {
    const rows = topN.result();
    for (let i = 0; i < rows.length; i += CHUNK_ROWS) yield rows.slice(i, i + CHUNK_ROWS);
  } else if (out.length > 0) yield out;
}

/**
 * A fragment's aggregation over batches: the typed group table where the batches allow, the Datum
 * table for the rest. Yields final rows (a finish step), or partial rows; with `typedPartials`,
 * partial states as batches (GroupTable.partialBatch) when the typed table holds every group.
 */
async function* aggregated(
  f: Fragment, batches: AsyncIterable<Batch>, inputTypes: readonly SqlType[], ctx: EvalContext, signal: AbortSignal | undefined, typedPartials: boolean,
): AsyncGenerator<FragmentChunk> {
  const mode = f.mode;
  if (mode.kind !== 'aggregate') return;
  if (typedPartials && !mode.finish && distinctArgument(mode.aggs) !== null) {
    yield* distinctPairs(f, batches, inputTypes, ctx, signal);
    return;
  }
  const filter = f.filter ? compileFilter(f.filter, inputTypes, ctx) : null;
  let selBuf = new Uint32Array(4096);
  // Second arguments (corr(y, x)'s x) follow the first ones.
  const inputs = compileAggregateInputs(mode.groupBy, [...mode.aggs.map((a) => a.arg), ...mode.aggs.map((a) => a.arg2 ?? null)], inputTypes, ctx);
  const aggCount = mode.aggs.length;
  const slots = fragmentAggSlots(mode.aggs);
  const table = new HashAggregate(slots, mode.groupBy.length);
  // Batches go to the typed group table when their layouts allow, else to the Datum table.
  const groups = new GroupTable(mode.aggs);
  const typed = new BatchAggregator();
  const args: Datum[] = new Array<Datum>(aggCount);
  const args2: Datum[] = new Array<Datum>(aggCount);
  for await (const batch of batches) {
    signal?.throwIfAborted();
    if (selBuf.length < batch.length) selBuf = new Uint32Array(batch.length);
    const [n, sel] = selected(batch, filter, selBuf);
    if (n === 0) continue;
    const { keys, args: allArgs } = inputs(batch, sel);
    // Wide-numeric arguments of one scale (sums from a subquery) aggregate typed all the same.
    const argVectors = allArgs.slice(0, aggCount).map((v) => (v === null ? null : narrowBigDecimal(v)));
    if (groups.add(keys, argVectors, n)) continue;
    // Typed grouping within the batch for the usual aggregates; row by row for the rest.
    if (typed.aggregate(table, mode.aggs, keys, argVectors, n)) continue;
    for (let r = 0; r < n; r++) {
      const k = rowOf(keys, r);
      for (let a = 0; a < aggCount; a++) {
        const v = allArgs[a], x = allArgs[aggCount + a];
        args[a] = v ? datumAt(v, r) : null;
        args2[a] = x ? datumAt(x, r) : null;
      }
      table.accumulate(k, args, args2);
    }
  }
  let rows: FragmentRow[];
  // With no batch outside the typed table, its rows are the answer; else both merge.
  const typedOnly = table.size === 0 && (groups.size > 0 || mode.groupBy.length > 0);
  if (!typedOnly) for (const r of groups.partialRows()) table.merge(r);
  if (mode.finish) {
    const { having, project, topN } = mode.finish;
    const out: Datum[][] = [];
    // Groups that clearly fail HAVING are dropped on the typed states, before any Datum is made.
    const keep = typedOnly && having ? groups.havingMask(having, mode.groupBy.length) : null;
    for (const r of typedOnly ? groups.finalRows(slots, keep) : table.finalRows()) {
      if (having && evaluate(having, r, ctx) !== true) continue;
      out.push(project.map((e) => evaluate(e, r, ctx)));
    }
    rows = topRows(out, topN);
  } else {
    // Partial states as columns where the typed table holds them all, for a leader that merges typed.
    const states = typedOnly && typedPartials ? groups.partialBatch() : null;
    if (states !== null) {
      yield* stateChunks(states);
      return;
    }
    rows = typedOnly ? groups.partialRows() : table.partialRows();
  }
  for (let i = 0; i < rows.length; i += CHUNK_ROWS) yield rows.slice(i, i + CHUNK_ROWS);
}

/** Partial states in batches of at most STATE_ROWS groups (views, no copies). */
function* stateChunks(states: Batch): Generator<Batch> {
  for (let i = 0; i < states.length; i += STATE_ROWS) {
    const e = Math.min(states.length, i + STATE_ROWS);
    yield i === 0 && e === states.length ? states : { length: e - i, columns: states.columns.map((v) => sliceVector(v, i, e)), selection: null };
  }
}

/**
 * Partial DISTINCT aggregation as pairs: the slice groups by [keys..., argument] in the typed
 * table (no Datum per row) and sends the distinct pairs as columns, which the leader reads as one
 * partial row per pair, [keys..., [value]] per aggregate (see partialRowsFromBatch). Batches the
 * typed table declines go to the Datum table, whose partial rows follow.
 */
async function* distinctPairs(
  f: Fragment, batches: AsyncIterable<Batch>, inputTypes: readonly SqlType[], ctx: EvalContext, signal: AbortSignal | undefined,
): AsyncGenerator<FragmentChunk> {
  const mode = f.mode as Extract<Fragment['mode'], { kind: 'aggregate' }>;
  const arg = distinctArgument(mode.aggs)!;
  const filter = f.filter ? compileFilter(f.filter, inputTypes, ctx) : null;
  let selBuf = new Uint32Array(4096);
  const inputs = compileAggregateInputs([...mode.groupBy, arg], [], inputTypes, ctx);
  const pairs = new GroupTable([]);
  const table = new HashAggregate(fragmentAggSlots(mode.aggs), mode.groupBy.length);
  const args: Datum[] = new Array<Datum>(mode.aggs.length);
  for await (const batch of batches) {
    signal?.throwIfAborted();
    if (selBuf.length < batch.length) selBuf = new Uint32Array(batch.length);
    const [n, sel] = selected(batch, filter, selBuf);
    if (n === 0) continue;
    const { keys } = inputs(batch, sel);
    if (pairs.add(keys, [], n)) continue;
    const groupKeys = keys.slice(0, mode.groupBy.length);
    const values = keys[mode.groupBy.length]!;
    for (let r = 0; r < n; r++) {
      args.fill(datumAt(values, r));
      table.accumulate(rowOf(groupKeys, r), args);
    }
  }
  const states = pairs.size > 0 ? pairs.partialBatch() : null;
  if (states !== null) yield* stateChunks(states);
  if (table.size > 0 || (states === null && mode.groupBy.length === 0)) {
    const rows = table.partialRows();
    for (let i = 0; i < rows.length; i += CHUNK_ROWS) yield rows.slice(i, i + CHUNK_ROWS);
  }
}

/**
 * Like runFragmentOnBatches, but a projection without top-N yields its output vectors as batches
 * (what the compute node streams as Arrow): no Datum per value on the compute side; and with
 * `typedPartials` (a consumer that takes them: the leader) so do a partial aggregation's states.
 */
export async function* runFragmentChunks(
  f: Fragment, batches: AsyncIterable<Batch>, inputTypes: readonly SqlType[], ctx: EvalContext, signal?: AbortSignal, typedPartials = false,
): AsyncGenerator<FragmentChunk> {
  const mode = f.mode;
  if (mode.kind === 'aggregate') {
    yield* aggregated(f, batches, inputTypes, ctx, signal, typedPartials);
    return;
  }
  if (mode.topN !== null) {
    yield* runFragmentOnBatches(f, batches, inputTypes, ctx, signal);
    return;
  }
  const filter = f.filter ? compileFilter(f.filter, inputTypes, ctx) : null;
  const project = compileProjection(mode.exprs, inputTypes, ctx);
  // A selective filter or join leaves a few rows per batch: they go on together, so each chunk is
  // worth its encoding, message and acknowledgement (TPC-H Q20's partsupp probe: ~20 rows a batch).
  const layouts = mode.exprs.map((e) => layoutOf(e.type));
  let parts: Vector[][] = [];
  let held = 0;
  const flush = (): Batch => {
    const columns = layouts.map((l, c) => concatVectors(parts.map((p) => p[c]!), l));
    const out: Batch = { length: held, columns, selection: null };
    parts = [];
    held = 0;
    return out;
  };
  for await (const { n, cols } of projected(batches, filter, project)) {
    signal?.throwIfAborted();
    if (held === 0 && n >= MIN_CHUNK_ROWS) {
      yield { length: n, columns: cols, selection: null };
      continue;
    }
    parts.push(cols);
    held += n;
    if (held >= MIN_CHUNK_ROWS) yield flush();
  }
  if (held > 0) yield flush();
}

/** Runs a filter and a projection over batches; yields the projected vectors of each non-empty one. */
export async function* projected(batches: AsyncIterable<Batch>, filter: FilterKernel | null, project: ProjectionKernel): AsyncGenerator<{ n: number; cols: Vector[] }> {
  let selBuf = new Uint32Array(4096);
  for await (const batch of batches) {
    if (selBuf.length < batch.length) selBuf = new Uint32Array(batch.length);
    const [n, sel] = selected(batch, filter, selBuf);
    if (n === 0) continue;
    yield { n, cols: project(batch, sel) };
  }
}
