// The chunks a fragment streams to the leader: projected rows as Arrow IPC record batches (column
// vectors straight from the compiled kernels, no Datum on the compute side), partial aggregate
// states as tagged JSON (they hold DISTINCT value lists and wide sums). An Arrow stream starts with
// the 0xFFFFFFFF continuation marker, tagged JSON with '[': the first byte tells them apart.
import { fromTaggedJson, toTaggedJson } from '../../common/tagged-json.ts';
import type { Batch } from '../batch/batch.ts';
import { rowsFromBatch } from '../batch/row-conversion.ts';
import type { FragmentRow } from '../fragment/run-fragment.ts';
import { decodeBatch, encodeBatch } from './arrow-batch-codec.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** What a fragment yields: rows, or (projections) a batch of vectors. */
export type FragmentChunk = FragmentRow[] | Batch;

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
