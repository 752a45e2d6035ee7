// What the leader does when a statement's final step outgrows its memory budget: it spills to disk
// and finishes. The final aggregation, once its groups would pass the budget, writes partial rows
// to partition files by group-key hash and aggregates one partition at a time (a partition still
// too big is partitioned again with another hash); ORDER BY without a small LIMIT sorts runs that
// fit, writes them out and merges them. Files are rows of tagged JSON (Datums round-trip exactly),
// one per line, in a directory of the statement's own under COLONNADE_SPILL_DIR (default the OS
// temp directory), removed when the statement ends, however it ends.
import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SqlError, SqlState } from '../../common/errors/index.ts';
import { fromTaggedJson, toTaggedJson } from '../../common/tagged-json.ts';
import { HashAggregate, type AggSlot } from '../../compute/fragment/hash-aggregate.ts';
import { GroupTable, distinctArgument, partialRowsFromBatch } from '../../compute/fragment/group-table.ts';
import { leaderRows, type LeaderChunk } from '../../compute/exchange/fragment-chunks.ts';
import type { AggSpec, SortKey } from '../../compute/fragment/fragment.ts';
import { compareRows, sortRows } from '../../compute/fragment/sort-rows.ts';
import type { FragmentRow } from '../../compute/fragment/run-fragment.ts';
import { datumKey } from '../../sql/expr/compare.ts';
import type { Datum } from '../../sql/types/datum.ts';

/** Rows handed on at a time when reading back. */
const CHUNK_ROWS = 4096;
/** Partitions per level of a spilled aggregation. */
const PARTITIONS = 32;
/** Levels of re-partitioning before a group set is declared too big (one key per partition by then). */
const MAX_DEPTH = 4;

/** A statement's spill directory, created on first use. */
export class SpillSpace {
  private dir: Promise<string> | null = null;
  private files = 0;
  /** Bytes written so far (EXPLAIN ANALYZE and the query log can show it). */
  bytes = 0;

  private async path(): Promise<string> {
    this.dir ??= mkdtemp(join(process.env['COLONNADE_SPILL_DIR'] ?? tmpdir(), 'colonnade-spill-'));
    return join(await this.dir, `f${this.files++}`);
  }

  /** A new file to write rows to. */
  async file(): Promise<SpillFile> {
    return new SpillFile(await this.path(), this);
  }

  /** Removes everything written. */
  async close(): Promise<void> {
    if (this.dir === null) return;
    const dir = await this.dir.catch(() => null);
    this.dir = null;
    if (dir !== null) await rm(dir, { recursive: true, force: true });
  }
}

/** Rows appended to a file, then read back once in order. */
export class SpillFile {
  private readonly out: WriteStream;
  rows = 0;
  private failed: Error | null = null;

  constructor(readonly path: string, private readonly space: SpillSpace) {
    this.out = createWriteStream(path);
    this.out.on('error', (err) => { this.failed = err; });
  }

  /** Appends one row; waits when the OS buffer is full. */
  async append(row: readonly (Datum | Datum[])[]): Promise<void> {
    if (this.failed) throw spillError(this.failed);
    const line = `${toTaggedJson(row)}\n`;
    this.rows++;
    this.space.bytes += line.length;
    if (!this.out.write(line)) await once(this.out, 'drain');
  }

  /** Finishes writing. */
  async close(): Promise<void> {
    this.out.end();
    if (!this.out.closed) await once(this.out, 'close').catch(() => undefined);
    if (this.failed) throw spillError(this.failed);
  }

  /** The rows, in the order written, in chunks. */
  async *read(): AsyncGenerator<FragmentRow[]> {
    const lines = createInterface({ input: createReadStream(this.path), crlfDelay: Infinity });
    let chunk: FragmentRow[] = [];
    for await (const line of lines) {
      if (line.length === 0) continue;
      chunk.push(fromTaggedJson(line) as FragmentRow);
      if (chunk.length >= CHUNK_ROWS) { yield chunk; chunk = []; }
    }
    if (chunk.length > 0) yield chunk;
  }
}

function spillError(err: Error): SqlError {
  const full = (err as NodeJS.ErrnoException).code === 'ENOSPC';
  return new SqlError(full ? SqlState.DISK_FULL : SqlState.IO_ERROR, `could not write spill file: ${err.message}`);
}

/** FNV-1a of a row's group key text, salted per level so a partition splits anew. */
function groupHash(row: FragmentRow, groupCount: number, salt: number): number {
  let h = (0x811c9dc5 ^ salt) >>> 0;
  for (let i = 0; i < groupCount; i++) {
    const k = datumKey((row[i] ?? null) as Datum);
    for (let c = 0; c < k.length; c++) h = Math.imul(h ^ k.charCodeAt(c), 0x01000193);
    h = Math.imul(h ^ 1, 0x01000193);
  }
  return (h >>> 0) % PARTITIONS;
}

/**
 * Merges partial aggregates into final rows [keys..., results...], holding at most `maxGroups`
 * groups in memory: past that, every row goes to a partition file by its key and partitions are
 * finished one by one. Partial states that come as columns (PartialStates) are merged in a typed
 * group table; rows (and states it cannot take) in a Datum one, the two combined at the end.
 */
export async function* aggregateSpilling(input: AsyncIterable<LeaderChunk>, slots: readonly AggSlot[], groupCount: number,
  maxGroups: number, space: SpillSpace, signal: AbortSignal, depth = 0): AsyncGenerator<Datum[][]> {
  let agg = new HashAggregate(slots, groupCount);
  /** The typed table, made from the first chunk of states (with that fragment's aggregate specs). */
  let typed: GroupTable | null = null;
  /** DISTINCT pairs [keys..., value] from every slice, deduplicated typed; their aggregate specs. */
  let pairs: { table: GroupTable; aggs: readonly AggSpec[] } | null = null;
  let parts: SpillFile[] | null = null;
  const held = (): number => agg.size + (typed?.size ?? 0) + (pairs?.table.size ?? 0);
  /** The pairs as HashAggregate's partial rows, each value a one-value DISTINCT list. */
  const pairRows = (): FragmentRow[] => {
    const b = pairs === null || pairs.table.size === 0 ? null : pairs.table.partialBatch();
    return b === null ? [] : partialRowsFromBatch(b, pairs!.aggs, groupCount);
  };
  for await (const chunk of input) {
    signal.throwIfAborted();
    if (parts === null) {
      if (!Array.isArray(chunk) && chunk.batch.columns.length === groupCount + 1 && distinctArgument(chunk.aggs) !== null) {
        pairs ??= { table: new GroupTable([]), aggs: chunk.aggs };
        if (!pairs.table.mergeBatch(chunk.batch.columns, [], chunk.batch.length)) for (const r of leaderRows(chunk)) agg.merge(r);
      } else if (!Array.isArray(chunk)) {
        typed ??= new GroupTable(chunk.aggs);
        const { batch } = chunk;
        // States the typed table declines (their kinds differ) merge as rows.
        if (!typed.mergeBatch(batch.columns.slice(0, groupCount), batch.columns.slice(groupCount), batch.length)) {
          for (const r of leaderRows(chunk)) agg.merge(r);
        }
      } else {
        for (const r of chunk) agg.merge(r);
      }
      if (held() <= maxGroups) continue;
      // Too many groups: what is held goes out as partial rows, and so does everything after.
      if (groupCount === 0 || depth >= MAX_DEPTH) throw tooManyGroups(maxGroups);
      parts = await Promise.all(Array.from({ length: PARTITIONS }, () => space.file()));
      for (const r of [...agg.partialRows(), ...(typed?.partialRows() ?? []), ...pairRows()]) await parts[groupHash(r as FragmentRow, groupCount, depth)]!.append(r);
      agg = new HashAggregate(slots, groupCount);
      typed = null;
      pairs = null;
      continue;
    }
    for (const r of leaderRows(chunk)) await parts[groupHash(r, groupCount, depth)]!.append(r as (Datum | Datum[])[]);
  }
  if (parts === null) {
    // DISTINCT pairs alone: each group's distinct values are its pairs, which the aggregates
    // (count, sum, ... without DISTINCT) take typed, grouped by the keys.
    if (pairs !== null && agg.size === 0 && typed === null && groupCount > 0) {
      const final = distinctFromPairs(pairs.table, pairs.aggs, groupCount, slots);
      if (final !== null) {
        yield* chunksOf(final);
        return;
      }
    }
    for (const r of pairRows()) agg.merge(r);
    // Typed states alone: their final rows straight from the table; else both merge as rows (with
    // no GROUP BY and no input, the row path gives its one row of empty aggregates).
    if (typed !== null && agg.size === 0 && typed.size > 0) {
      yield* chunksOf(typed.finalRows(slots));
      return;
    }
    for (const r of typed?.partialRows() ?? []) agg.merge(r);
    yield* chunksOf(agg.finalRows());
    return;
  }
  for (const p of parts) await p.close();
  for (const p of parts) {
    if (p.rows > 0) yield* aggregateSpilling(p.read(), slots, groupCount, maxGroups, space, signal, depth + 1);
  }
}

/**
 * Final rows of DISTINCT aggregates from deduplicated pairs [keys..., value]: the same aggregates
 * without DISTINCT over the pairs, grouped by the keys; null when the typed table cannot take them.
 */
function distinctFromPairs(pairs: GroupTable, aggs: readonly AggSpec[], groupCount: number, slots: readonly AggSlot[]): Datum[][] | null {
  const b = pairs.partialBatch();
  if (b === null) return null;
  const plain = new GroupTable(aggs.map((a) => ({ ...a, distinct: false })));
  const values = b.columns[groupCount]!;
  if (!plain.add(b.columns.slice(0, groupCount), aggs.map(() => values), b.length)) return null;
  return plain.finalRows(slots);
}

function tooManyGroups(maxGroups: number): SqlError {
  return new SqlError(SqlState.OUT_OF_MEMORY, 'out of memory: the aggregation has more groups than the leader can hold', {
    detail: `More than ${maxGroups} groups share a partition after ${MAX_DEPTH} rounds of partitioning.`,
    hint: 'Raise COLONNADE_LEADER_MEMORY_CELLS.',
  });
}

/**
 * Sorts rows by `keys`, holding at most `maxRows` in memory: runs that fill it are sorted and
 * written out, then merged. `keep` (OFFSET + LIMIT), when given, bounds what is kept instead.
 */
export async function* sortSpilling(input: AsyncIterable<Datum[][]>, keys: readonly SortKey[], maxRows: number, keep: number | null,
  space: SpillSpace, signal: AbortSignal): AsyncGenerator<Datum[][]> {
  let rows: Datum[][] = [];
  const runs: SpillFile[] = [];
  // With a small LIMIT the best rows are kept as they come: sort and cut whenever the buffer doubles.
  const bounded = keep !== null && keep * 2 <= maxRows;
  for await (const chunk of input) {
    signal.throwIfAborted();
    for (const r of chunk) rows.push(r);
    if (bounded && rows.length >= Math.max(2 * keep, 1024)) {
      sortRows(rows, keys);
      rows.length = Math.min(rows.length, keep);
    } else if (!bounded && rows.length >= maxRows) {
      sortRows(rows, keys);
      const run = await space.file();
      for (const r of rows) await run.append(r);
      await run.close();
      runs.push(run);
      rows = [];
    }
  }
  sortRows(rows, keys);
  if (bounded && rows.length > keep) rows.length = keep;
  if (runs.length === 0) {
    yield* chunksOf(rows);
    return;
  }
  yield* mergeRuns([...runs.map((r) => r.read() as AsyncIterator<Datum[][]>), chunksOf(rows)], keys, signal);
}

/** Rows held in memory, handed on CHUNK_ROWS at a time. */
async function* chunksOf(rows: Datum[][]): AsyncGenerator<Datum[][]> {
  for (let i = 0; i < rows.length; i += CHUNK_ROWS) yield rows.slice(i, i + CHUNK_ROWS);
}

/** K-way merge of sorted runs (a binary heap of the runs' current rows; ties keep run order). */
async function* mergeRuns(runs: AsyncIterator<Datum[][]>[], keys: readonly SortKey[], signal: AbortSignal): AsyncGenerator<Datum[][]> {
  const chunks: Datum[][][] = runs.map(() => []);
  const at = new Int32Array(runs.length);
  /** Loads run i's next chunk; false when it is done. */
  const fill = async (i: number): Promise<boolean> => {
    for (;;) {
      const r = await runs[i]!.next();
      if (r.done) return false;
      if (r.value.length > 0) { chunks[i] = r.value; at[i] = 0; return true; }
    }
  };
  const heap: number[] = [];
  const less = (a: number, b: number): boolean => {
    const c = compareRows(chunks[a]![at[a]!]!, chunks[b]![at[b]!]!, keys);
    return c < 0 || (c === 0 && a < b);
  };
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      if (l >= heap.length) return;
      const r = l + 1;
      const m = r < heap.length && less(heap[r]!, heap[l]!) ? r : l;
      if (!less(heap[m]!, heap[i]!)) return;
      [heap[m], heap[i]] = [heap[i]!, heap[m]!];
      i = m;
    }
  };
  for (let i = 0; i < runs.length; i++) if (await fill(i)) heap.push(i);
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
  let out: Datum[][] = [];
  while (heap.length > 0) {
    const top = heap[0]!;
    out.push(chunks[top]![at[top]!]!);
    if (++at[top]! >= chunks[top]!.length && !(await fill(top))) {
      heap[0] = heap[heap.length - 1]!;
      heap.pop();
    }
    if (heap.length > 0) down(0);
    if (out.length >= CHUNK_ROWS) {
      signal.throwIfAborted();
      yield out;
      out = [];
    }
  }
  if (out.length > 0) yield out;
}
