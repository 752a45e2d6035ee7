// The chunks a fragment streams to the leader: projected rows as Arrow IPC record batches (column
// vectors straight from the compiled kernels, no Datum on the compute side); partial aggregate
// states as Arrow too where the typed group table holds them (GroupTable.partialBatch: keys and
// state columns, which the leader merges typed), else as tagged JSON rows (DISTINCT value lists,
// sums past 2^53). An Arrow stream starts with the 0xFFFFFFFF continuation marker, tagged JSON
// with '[': the first byte tells them apart.
import { fromTaggedJson, toTaggedJson } from '../../common/tagged-json.ts';
import type { Batch } from '../batch/batch.ts';
import { rowsFromBatch } from '../batch/row-conversion.ts';
import type { FragmentRow } from '../fragment/run-fragment.ts';
import type { AggSpec, Fragment } from '../fragment/fragment.ts';
import { partialRowsFromBatch } from '../fragment/group-table.ts';
import { decodeBatch, encodeBatch } from './arrow-batch-codec.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** What a fragment yields: rows, or a batch of vectors (projections; typed partial states). */
export type FragmentChunk = FragmentRow[] | Batch;

/** Partial aggregate states as columns (GroupTable.partialBatch's layout), as the leader receives them. */
export interface PartialStates {
  readonly kind: 'partial';
  readonly batch: Batch;
  readonly aggs: readonly AggSpec[];
  readonly groupCount: number;
}

/** What the leader receives from a fragment: rows, or partial states it can merge typed. */
export type LeaderChunk = FragmentRow[] | PartialStates;

/** A leader chunk's rows (partial states as HashAggregate's partial rows). */
export function leaderRows(c: LeaderChunk): FragmentRow[] {
  return Array.isArray(c) ? c : partialRowsFromBatch(c.batch, c.aggs, c.groupCount);
}

/** A chunk the leader itself computed for `fragment`, as leaderDecoder would give it. */
export function leaderChunk(chunk: FragmentChunk, fragment: Fragment): LeaderChunk {
  if (Array.isArray(chunk)) return chunk;
  const mode = fragment.mode;
  if (mode.kind !== 'aggregate' || mode.finish) return rowsFromBatch(chunk);
  return { kind: 'partial', batch: chunk, aggs: mode.aggs, groupCount: mode.groupBy.length };
}

/**
 * The decoder of a fragment's chunks for the leader: a partial aggregation's Arrow chunks stay
 * columns (PartialStates), everything else becomes rows.
 */
export function leaderDecoder(fragment: Fragment): (bytes: Uint8Array) => LeaderChunk {
  const mode = fragment.mode;
  if (mode.kind !== 'aggregate' || mode.finish) return decodeChunk;
  const aggs = mode.aggs;
  const groupCount = mode.groupBy.length;
  return (bytes) => (bytes.length > 0 && bytes[0] === 0xff ? { kind: 'partial', batch: decodeBatch(bytes), aggs, groupCount } : decodeChunk(bytes));
}

/** Rows in a chunk. */
export function chunkRows(chunk: FragmentChunk): number {
  return Array.isArray(chunk) ? chunk.length : chunk.selection === null ? chunk.length : chunk.selection.length;
}

/** The bytes of a chunk on the wire. */
export function encodeChunk(chunk: FragmentChunk): Uint8Array {
  return Array.isArray(chunk) ? enc.encode(toTaggedJson(chunk)) : encodeBatch(chunk);
}

/** A chunk's rows from its bytes. */
export function decodeChunk(bytes: Uint8Array): FragmentRow[] {
  if (bytes.length > 0 && bytes[0] === 0xff) return rowsFromBatch(decodeBatch(bytes));
  return fromTaggedJson(dec.decode(bytes)) as FragmentRow[];
}

/** A chunk's rows (a batch converted to Datum rows). */
export function chunkAsRows(chunk: FragmentChunk): FragmentRow[] {
  return Array.isArray(chunk) ? chunk : rowsFromBatch(chunk);
}
