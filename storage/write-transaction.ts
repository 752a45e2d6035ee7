// An open write on one table: buffers appended rows, sorts and spills them as segment files,
// collects deleted row ids, and publishes everything with one manifest swap at commit. Under a
// distributed transaction id its prepared state is also kept on disk (prepared-record.ts).
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Batch } from '../compute/batch/batch.ts';
import type { StoredTable, WriteTransaction, ZoneFilter } from './slice-store.ts';
import type { StoreContext, CommitPlan } from './store-context.ts';
import type { SegmentRef, TableManifest, Manifest } from './manifest.ts';
import type { SegmentFooter } from './segment/segment-format.ts';
import type { StorageBatch } from './scan-types.ts';
import { SqlError, SqlState, undefinedTable, internalError, dataCorrupted } from '../common/errors/index.ts';
import { layoutOf, type ColumnLayout } from './column-kind.ts';
import { RowBuffer } from './row-buffer.ts';
import { SegmentSink } from './segment/segment-sink.ts';
import { sortPermutation } from './sort/sort-permutation.ts';
import { writeDeleteVector, readDeleteVector, mergeRowSets, normalizeRows } from './delete-vector.ts';
import { fsyncFile, fsyncDir, unlinkQuiet } from './io/fs-durable.ts';
import { segmentKeyRange, followsStrictly } from './key-range.ts';
import { writePreparedRecord, removePreparedRecord, type PreparedRecord, type PreparedSegment } from './prepared-record.ts';

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

/** A transaction's distributed id and its tie to the store's registry of durable prepared transactions. */
export interface DurableTxn {
  readonly txnId: string;
  /** Called once the transaction is finished and its record is gone (or left for recovery). */
  readonly onFinish: () => void;
}

/** A segment this transaction wrote; `footer` is null for one restored from a prepared record. */
interface WrittenSegmentRef extends PreparedSegment {
  readonly footer: SegmentFooter | null;
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
  /** Rows appended and not yet written; swapped for `spare` while a full buffer is written. */
  private buffer: RowBuffer;
  private spare: RowBuffer | null = null;
  /** Segment writes in order: one buffer at a time goes through the sink. */
  private flushing: Promise<void> = Promise.resolve();
  /** A segment write that failed: the transaction can only abort. */
  private flushFailure: unknown = null;
  private readonly sink: SegmentSink;
  private readonly deleted = new Map<number, number[]>();
  private readonly pendingDeletes = new Map<number, PendingDelete>();
  private readonly extraFiles: string[] = [];
  /** Set once apply() has produced the manifest: after that, a failure may have published it. */
  private reachedPublish = false;
  /** Segments named by the prepared record this transaction was restored from (else the sink's). */
  private restored: readonly PreparedSegment[] | null = null;

  /** `durable` (with a txnId) makes prepare() write a prepared record that commit / abort remove. */
  constructor(private readonly ctx: StoreContext, private readonly scanner: Scanner, table: StoredTable, private readonly durable: DurableTxn | null = null,
    encodings?: readonly (string | null)[]) {
    this.table = table;
    this.layouts = table.columns.map((c) => layoutOf(c.type));
    this.buffer = new RowBuffer(this.layouts, 4096);
    // Encodings only change how this write's blocks are written, not the table.
    const written: StoredTable = encodings === undefined ? table : {
      ...table,
      columns: table.columns.map((c, i) => {
        const { encoding: _declared, ...rest } = c;
        const e = encodings[i];
        return e === null || e === undefined ? rest : { ...rest, encoding: e };
      }),
    };
    this.sink = new SegmentSink(ctx, written);
  }

  /**
   * A transaction in the 'prepared' state rebuilt from its record after a restart. `table` is the
   * table's current schema, or any stand-in with its id when it was dropped (commit then fails 42P01).
   */
  static restore(ctx: StoreContext, scanner: Scanner, table: StoredTable, record: PreparedRecord, durable: DurableTxn): SegmentWriteTransaction {
    const tx = new SegmentWriteTransaction(ctx, scanner, table, durable);
    tx.restored = record.segments;
    for (const d of record.deletes) tx.pendingDeletes.set(d.segmentId, { rows: Uint32Array.from(d.rows), base: d.base, file: d.file, count: d.count });
    tx.extraFiles.push(...record.files);
    tx.state = 'prepared';
    return tx;
  }

  get tableId(): number { return this.table.tableId; }
  /** The distributed transaction id, or null for a slice-local transaction. */
  get txnId(): string | null { return this.durable?.txnId ?? null; }
  /** Prepared and awaiting commit or abort. */
  get isPrepared(): boolean { return this.state === 'prepared'; }
  /** Committed segments whose rows this prepared transaction will delete. */
  get deleteTargets(): Iterable<number> { return this.pendingDeletes.keys(); }

  private written(): WrittenSegmentRef[] {
    if (this.restored !== null) return this.restored.map((s) => ({ ...s, footer: null }));
    return this.sink.segments.map((s) => ({ id: s.id, file: s.file, rows: s.written.footer.meta.rowCount, bytes: s.written.bytes, footer: s.written.footer }));
  }

  /** The prepared record: every file written and everything apply() needs. */
  private record(txnId: string): PreparedRecord {
    return {
      txnId,
      tableId: this.tableId,
      segments: this.written().map((s) => ({ id: s.id, file: s.file, rows: s.rows, bytes: s.bytes })),
      deletes: [...this.pendingDeletes].map(([segmentId, d]) => ({ segmentId, file: d.file, base: d.base, count: d.count, rows: Array.from(d.rows) })),
      files: [...this.extraFiles],
    };
  }

  private checkOpen(): void {
    if (this.flushFailure !== null) throw this.flushFailure;
    if (this.state !== 'open') throw new SqlError(SqlState.INVALID_TRANSACTION_STATE, `write transaction on table ${this.tableId} is ${this.state === 'prepared' ? 'prepared' : 'finished'}`);
  }

  /**
   * Adds rows (columns in table order; the selection is honoured). NOT NULL columns reject NULLs
   * (23502). The rows are copied before this returns, so the caller may reuse the batch's memory
   * at once; the promise settles when a segment write the append started (if any) has finished.
   */
  append(batch: Batch): Promise<void> {
    try {
      this.copyIn(batch);
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.buffer.length < this.ctx.segmentRows) return Promise.resolve();
    return this.flush();
  }

  private copyIn(batch: Batch): void {
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
  }

  /**
   * Sorts the buffered rows by the sort key and writes them as one segment. Appends made while
   * it runs go to the other buffer (so a load keeps parsing while a segment is encoded).
   */
  private flush(): Promise<void> {
    const full = this.buffer;
    if (full.length === 0) return this.flushing;
    this.buffer = this.spare ?? new RowBuffer(this.layouts, 4096);
    this.spare = null;
    const run = this.flushing.then(async () => {
      const n = full.length;
      const cols = full.toVectors();
      const perm = sortPermutation(cols, n, this.table.sortKey, this.table.sortStyle);
      await this.sink.append(cols, n, perm);
      await this.sink.cut();
      full.clear();
      this.spare = full;
    });
    this.flushing = run.catch((err: unknown) => { this.flushFailure ??= err; });
    return run;
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
      if (this.flushFailure !== null) throw this.flushFailure;
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
      if (this.durable !== null) {
        await writePreparedRecord(this.ctx.dir, this.record(this.durable.txnId));
        // A DROP TABLE that finished meanwhile did not see us prepared: fail (42P01) and clean up.
        this.ctx.table(this.tableId);
      }
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
      this.finish();
    } catch (err) {
      // Once the manifest may be on disk, our files may be referenced: leave them (and our
      // prepared record) for the next open to settle instead of deleting them.
      if (this.reachedPublish) this.finish(); else await this.abort();
      throw err;
    }
  }

  private finish(): void {
    this.state = 'done';
    this.durable?.onFinish();
  }

  /** Builds the manifest with this transaction applied (under the commit lock). */
  private async apply(m: Manifest): Promise<CommitPlan> {
    const idx = m.tables.findIndex((t) => t.table.tableId === this.tableId);
    if (idx < 0) throw undefinedTable(`table id ${this.tableId}`);
    const tm = m.tables[idx]!;
    const obsolete: string[] = [];
    let segments: SegmentRef[] = [...tm.segments];
    let remerged = false;
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
        this.pendingDeletes.set(segId, final);
        obsolete.push(pd.file); // the file prepare() wrote is superseded before anyone read it
        remerged = true;
      } else if (this.restored !== null) {
        await this.checkRestoredDeletes(seg, pd);
      }
      if (seg.deletes !== null) obsolete.push(seg.deletes.file);
      seg = { ...seg, deletes: { file: final.file, count: final.count } };
      segments[at] = seg;
    }
    segments = segments.concat(await this.newSegmentRefs(tm));
    const table: TableManifest = { ...tm, segments };
    const tables = m.tables.slice();
    tables[idx] = table;
    const durable = this.durable;
    // The record must name the delete files the manifest will, so recovery can tell it committed.
    if (durable !== null && remerged) await writePreparedRecord(this.ctx.dir, this.record(durable.txnId));
    this.reachedPublish = true;
    if (durable === null) return { manifest: { ...m, tables }, obsolete };
    return { manifest: { ...m, tables }, obsolete, afterPublish: () => removePreparedRecord(this.ctx.dir, durable.txnId, this.tableId) };
  }

  /** A delete vector written before a restart must still be there, intact, before it is published. */
  private async checkRestoredDeletes(seg: SegmentRef, pd: PendingDelete): Promise<void> {
    let rows: Uint32Array;
    try {
      rows = await readDeleteVector(this.ctx.path(pd.file), seg.id, seg.rows);
    } catch (err) {
      throw dataCorrupted(`prepared delete vector ${pd.file} of table ${this.tableId} is unreadable: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (rows.length !== pd.count) throw dataCorrupted(`prepared delete vector ${pd.file} of table ${this.tableId} does not match its record`);
  }

  /** Refs for the new segments, marking those that extend the table's sorted run. */
  private async newSegmentRefs(tm: TableManifest): Promise<SegmentRef[]> {
    const table = tm.table;
    const out: SegmentRef[] = [];
    const written = this.written();
    const sortedRun = tm.segments.filter((s) => s.sorted);
    const anyRows = tm.segments.some((s) => s.rows > 0);
    let last = sortedRun.length > 0 ? segmentKeyRange(table, await this.ctx.footer(this.tableId, sortedRun[sortedRun.length - 1]!)) : null;
    let runOpen = table.sortKey.length > 0 && (sortedRun.length > 0 || !anyRows);
    for (const s of written) {
      // A segment written before a restart is checked against its record before it is published.
      const footer = s.footer ?? await this.ctx.footer(this.tableId, { id: s.id, file: s.file, rows: s.rows, bytes: s.bytes, deletes: null, sorted: false });
      let sorted = false;
      if (runOpen) {
        const range = segmentKeyRange(table, footer);
        if (last === null) sorted = table.sortStyle === 'compound' || written.length === 1;
        else sorted = table.sortStyle === 'compound' && range !== null && followsStrictly(table, last, range);
        if (sorted) last = range; else runOpen = false;
      }
      out.push({ id: s.id, file: s.file, rows: s.rows, bytes: s.bytes, deletes: null, sorted });
    }
    return out;
  }

  /** Drops everything written by this transaction, then its prepared record. */
  async abort(): Promise<void> {
    if (this.state === 'done') return;
    this.state = 'done';
    await this.flushing;
    try {
      await this.sink.abort();
      for (const s of this.written()) await unlinkQuiet(this.ctx.path(s.file));
      for (const f of this.extraFiles) await unlinkQuiet(this.ctx.path(f));
      this.buffer.clear();
      if (this.durable !== null) await removePreparedRecord(this.ctx.dir, this.durable.txnId, this.tableId);
    } finally {
      this.durable?.onFinish();
    }
  }
}
