// An open write on one table: buffers appended rows, sorts and spills them as segment files,
// collects deleted row ids, and publishes everything with one manifest swap at commit.
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Batch } from '../compute/batch/batch.ts';
import type { StoredTable, WriteTransaction, ZoneFilter } from './slice-store.ts';
import type { StoreContext } from './store-context.ts';
import type { SegmentRef, TableManifest, Manifest } from './manifest.ts';
import type { StorageBatch } from './scan-types.ts';
import { SqlError, SqlState, undefinedTable, internalError } from '../common/errors/index.ts';
import { layoutOf, type ColumnLayout } from './column-kind.ts';
import { RowBuffer } from './row-buffer.ts';
import { SegmentSink, type SinkSegment } from './segment/segment-sink.ts';
import { sortPermutation } from './sort/sort-permutation.ts';
import { writeDeleteVector, mergeRowSets, normalizeRows } from './delete-vector.ts';
import { fsyncFile, fsyncDir, unlinkQuiet } from './io/fs-durable.ts';
import { segmentKeyRange, followsStrictly } from './key-range.ts';

/** Decides, for each live row of a batch, whether to delete it: set `matches[i] = 1` for batch row i. */
export type DeletePredicate = (batch: StorageBatch, matches: Uint8Array) => void;

/** Options of {@link SegmentWriteTransaction.deleteWhere}. */
export interface DeleteWhereOptions {
  /** Columns the predicate needs (batches carry these, in this order). */
  readonly columns: readonly number[];
  /** Zone filters implied by the predicate, to skip blocks that cannot match. */
  readonly filters?: readonly ZoneFilter[];
}

type Scanner = (tableId: number, opts: { columns: readonly number[]; filters?: readonly ZoneFilter[]; reuseBuffers?: boolean }) => AsyncIterable<StorageBatch>;

type State = 'open' | 'prepared' | 'done';

/** A delete vector file written by this transaction for one segment. */
interface PendingDelete {
  rows: Uint32Array;
  /** The committed delete file it was merged with (null = none). */
  base: string | null;
  /** The file this transaction wrote (union of base and rows). */
  file: string;
  count: number;
}

/** Serialization failure: a concurrent VACUUM rewrote a segment this transaction deletes from. */
function serializationFailure(tableId: number, segmentId: number): SqlError {
  // 40001 is not in SqlState yet; 25000 is the closest constant we have (see the storage report).
  return new SqlError(SqlState.INVALID_TRANSACTION_STATE, `could not serialize access to table ${tableId}: segment ${segmentId} was rewritten by a concurrent VACUUM`, {
    hint: 'Retry the transaction.',
  });
}

/**
 * A write transaction of {@link SegmentStore}. Besides the contract's append/prepare/commit/abort:
 * `delete(segmentId, rowIds)` with row ids from {@link StorageBatch} (`firstRow + i`), and
 * `deleteWhere(options, predicate)` which scans the committed snapshot and deletes matching rows.
 * UPDATE is deleteWhere + append of the new row versions. Deletes see the snapshot at the time
 * they run, not rows appended by this transaction.
 */
export class SegmentWriteTransaction implements WriteTransaction {
  private state: State = 'open';
  private readonly table: StoredTable;
  private readonly layouts: readonly ColumnLayout[];
  private readonly buffer: RowBuffer;
  private readonly sink: SegmentSink;
  private readonly deleted = new Map<number, number[]>();
  private readonly pendingDeletes = new Map<number, PendingDelete>();
  private readonly extraFiles: string[] = [];
  /** Set once apply() has produced the manifest: after that, a failure may have published it. */
  private reachedPublish = false;

  constructor(private readonly ctx: StoreContext, private readonly scanner: Scanner, table: StoredTable) {
    this.table = table;
    this.layouts = table.columns.map((c) => layoutOf(c.type));
    this.buffer = new RowBuffer(this.layouts, 4096);
    this.sink = new SegmentSink(ctx, table);
  }

  get tableId(): number { return this.table.tableId; }

  private checkOpen(): void {
    if (this.state !== 'open') throw new SqlError(SqlState.INVALID_TRANSACTION_STATE, `write transaction on table ${this.tableId} is ${this.state === 'prepared' ? 'prepared' : 'finished'}`);
  }

  /** Adds rows (columns in table order; the selection is honoured). NOT NULL columns reject NULLs (23502). */
  async append(batch: Batch): Promise<void> {
    this.checkOpen();
    if (batch.columns.length !== this.layouts.length) throw internalError(`table ${this.tableId} has ${this.layouts.length} columns, batch has ${batch.columns.length}`);
    for (let c = 0; c < this.layouts.length; c++) {
      const v = batch.columns[c]!;
      if (v.kind !== this.layouts[c]!.kind) throw internalError(`column ${c} of table ${this.tableId} is ${this.layouts[c]!.kind}, batch has ${v.kind}`);
      if (this.table.columns[c]!.notNull && v.nulls !== null) {
        const sel = batch.selection;
        const count = sel === null ? batch.length : sel.length;
        for (let k = 0; k < count; k++) {
          if (v.nulls[sel === null ? k : sel[k]!] !== 0) {
            throw new SqlError(SqlState.NOT_NULL_VIOLATION, `null value in column "${this.table.columns[c]!.name}" violates not-null constraint`, { column: this.table.columns[c]!.name });
          }
        }
      }
    }
    this.buffer.appendRows(batch.columns, batch.length, batch.selection);
    if (this.buffer.length >= this.ctx.segmentRows) await this.flush();
  }

  /** Sorts the buffered rows by the sort key and writes them as one segment. */
  private async flush(): Promise<void> {
    const n = this.buffer.length;
    if (n === 0) return;
    const cols = this.buffer.toVectors();
    const perm = sortPermutation(cols, n, this.table.sortKey, this.table.sortStyle);
    await this.sink.append(cols, n, perm);
    await this.sink.cut();
    this.buffer.clear();
  }

  /** Marks rows of a committed segment as deleted (row ids as in {@link StorageBatch}). */
  delete(segmentId: number, rowIds: ArrayLike<number>): void {
    this.checkOpen();
    let list = this.deleted.get(segmentId);
    if (list === undefined) { list = []; this.deleted.set(segmentId, list); }
    for (let i = 0; i < rowIds.length; i++) list.push(rowIds[i]!);
  }

  /** Scans the committed snapshot and deletes every live row the predicate marks; returns how many. */
  async deleteWhere(opts: DeleteWhereOptions, predicate: DeletePredicate): Promise<number> {
    this.checkOpen();
    let total = 0;
    let matches = new Uint8Array(0);
    for await (const b of this.scanner(this.tableId, { columns: opts.columns, reuseBuffers: true, ...(opts.filters === undefined ? {} : { filters: opts.filters }) })) {
      if (matches.length < b.length) matches = new Uint8Array(b.length);
      matches.fill(0, 0, b.length);
      predicate(b, matches);
      const ids: number[] = [];
      const sel = b.selection;
      const count = sel === null ? b.length : sel.length;
      for (let k = 0; k < count; k++) {
        const i = sel === null ? k : sel[k]!;
        if (matches[i] !== 0) ids.push(b.firstRow + i);
      }
      if (ids.length > 0) { this.delete(b.segmentId, ids); total += ids.length; }
    }
    return total;
  }

  private async writeDeleteFile(seg: SegmentRef, rows: Uint32Array): Promise<PendingDelete> {
    const base = seg.deletes === null ? new Uint32Array(0) : await this.ctx.deletes(this.tableId, seg);
    const merged = mergeRowSets(base, rows);
    const file = join(this.ctx.tableDir(this.tableId), `s${String(seg.id).padStart(8, '0')}.${randomBytes(4).toString('hex')}.del`);
    await writeDeleteVector(this.ctx.path(file), seg.id, merged);
    this.extraFiles.push(file);
    return { rows, base: seg.deletes?.file ?? null, file, count: merged.length };
  }

  /** Writes remaining rows and delete vectors and fsyncs them all, without publishing (two-phase commit, phase one). */
  async prepare(): Promise<void> {
    this.checkOpen();
    try {
      await this.flush();
      const current = this.ctx.table(this.tableId);
      for (const [segId, list] of this.deleted) {
        const seg = current.segments.find((s) => s.id === segId);
        if (seg === undefined) throw serializationFailure(this.tableId, segId);
        const rows = normalizeRows(list);
        for (let i = 0; i < rows.length; i++) {
          if (rows[i]! >= seg.rows) throw internalError(`row ${rows[i]} out of range for segment ${segId} (${seg.rows} rows)`);
        }
        this.pendingDeletes.set(segId, await this.writeDeleteFile(seg, rows));
      }
      for (const s of this.sink.segments) await fsyncFile(this.ctx.path(s.file));
      for (const f of this.extraFiles) await fsyncFile(this.ctx.path(f));
      await fsyncDir(this.ctx.path(this.ctx.tableDir(this.tableId)));
      this.state = 'prepared';
    } catch (err) {
      await this.abort();
      throw err;
    }
  }

  /** Publishes everything appended and deleted, atomically (prepares first if needed). */
  async commit(): Promise<void> {
    if (this.state === 'open') await this.prepare();
    if (this.state !== 'prepared') throw new SqlError(SqlState.INVALID_TRANSACTION_STATE, 'transaction already finished');
    try {
      await this.ctx.commit(async (m) => this.apply(m));
      this.state = 'done';
    } catch (err) {
      // Once the manifest may be on disk, our files may be referenced: leave them for the
      // orphan sweep at the next open instead of deleting them.
      if (this.reachedPublish) this.state = 'done'; else await this.abort();
      throw err;
    }
  }

  /** Builds the manifest with this transaction applied (under the commit lock). */
  private async apply(m: Manifest): Promise<{ manifest: Manifest; obsolete: readonly string[] }> {
    const idx = m.tables.findIndex((t) => t.table.tableId === this.tableId);
    if (idx < 0) throw undefinedTable(`table id ${this.tableId}`);
    const tm = m.tables[idx]!;
    const obsolete: string[] = [];
    let segments: SegmentRef[] = [...tm.segments];
    for (const [segId, pd] of this.pendingDeletes) {
      const at = segments.findIndex((s) => s.id === segId);
      if (at < 0) throw serializationFailure(this.tableId, segId);
      let seg = segments[at]!;
      let final = pd;
      if ((seg.deletes?.file ?? null) !== pd.base) {
        // Another transaction deleted from this segment since we prepared: merge again.
        final = await this.writeDeleteFile(seg, pd.rows);
        await fsyncFile(this.ctx.path(final.file));
        await fsyncDir(this.ctx.path(this.ctx.tableDir(this.tableId)));
      }
      if (seg.deletes !== null) obsolete.push(seg.deletes.file);
      seg = { ...seg, deletes: { file: final.file, count: final.count } };
      segments[at] = seg;
    }
    segments = segments.concat(await this.newSegmentRefs(tm));
    const table: TableManifest = { ...tm, segments };
    const tables = m.tables.slice();
    tables[idx] = table;
    this.reachedPublish = true;
    return { manifest: { ...m, tables }, obsolete };
  }

  /** Refs for the new segments, marking those that extend the table's sorted run. */
  private async newSegmentRefs(tm: TableManifest): Promise<SegmentRef[]> {
    const table = tm.table;
    const out: SegmentRef[] = [];
    const written: SinkSegment[] = this.sink.segments;
    const sortedRun = tm.segments.filter((s) => s.sorted);
    const anyRows = tm.segments.some((s) => s.rows > 0);
    let last = sortedRun.length > 0 ? segmentKeyRange(table, await this.ctx.footer(this.tableId, sortedRun[sortedRun.length - 1]!)) : null;
    let runOpen = table.sortKey.length > 0 && (sortedRun.length > 0 || !anyRows);
    for (const s of written) {
      let sorted = false;
      if (runOpen) {
        const range = segmentKeyRange(table, s.written.footer);
        if (last === null) sorted = table.sortStyle === 'compound' || written.length === 1;
        else sorted = table.sortStyle === 'compound' && range !== null && followsStrictly(table, last, range);
        if (sorted) last = range; else runOpen = false;
      }
      out.push({ id: s.id, file: s.file, rows: s.written.footer.meta.rowCount, bytes: s.written.bytes, deletes: null, sorted });
    }
    return out;
  }

  /** Drops everything written by this transaction. */
  async abort(): Promise<void> {
    if (this.state === 'done') return;
    this.state = 'done';
    await this.sink.abort();
    for (const s of this.sink.segments) await unlinkQuiet(this.ctx.path(s.file));
    for (const f of this.extraFiles) await unlinkQuiet(this.ctx.path(f));
    this.buffer.clear();
  }
}
