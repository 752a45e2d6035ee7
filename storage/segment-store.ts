// SegmentStore: the SliceStore of one slice — tables as immutable, compressed, zone-mapped
// segment files plus delete vectors, published by atomic manifest swaps in one directory.
//
//   <dir>/MANIFEST                     committed state (manifest.ts)
//   <dir>/t<tableId>/s<segment>.seg    segment files (segment/segment-format.ts)
//   <dir>/t<tableId>/s<segment>.<n>.del delete vectors (delete-vector.ts)
//   <dir>/prepared/<txnId>.t<tableId>.json  prepared distributed writes (prepared-record.ts)
import { link, mkdir, readdir, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import './io/endian.ts'; // the format assumes little-endian typed arrays; refuse other hosts at load
import { join } from 'node:path';
import type { Logger } from '../common/log.ts';
import type { SliceStore, StoredTable, BeginWriteOptions } from './slice-store.ts';
import type { Batch } from '../compute/batch/batch.ts';
import { SqlError, SqlState, internalError, undefinedTable } from '../common/errors/index.ts';
import { readManifest, writeManifest, filesOf, MANIFEST_FILE, type Manifest, type SegmentRef, type TableManifest } from './manifest.ts';
import type { StoreContext, CommitPlan } from './store-context.ts';
import { corruptionIn, verifySegmentFile } from './segment/segment-reader.ts';
import { SegmentFileCache } from './segment-file-cache.ts';
import { FileRefs } from './file-refs.ts';
import { fsyncDir, unlinkQuiet, TEMP_SUFFIX } from './io/fs-durable.ts';
import { validateTable, validateAlter } from './table-schema.ts';
import { SegmentWriteTransaction, type DurableTxn } from './write-transaction.ts';
import { readPreparedRecords, removePreparedRecord, recordPublishedIn, recordFiles, preparedRecordName } from './prepared-record.ts';
import { scanTable, type TableSnapshot } from './table-scan.ts';
import type { SegmentScanOptions, StorageBatch } from './scan-types.ts';
import { vacuumTable, type VacuumMode, type VacuumResult } from './vacuum.ts';
import { tableInfo, blockList, type TableInfo, type BlockInfo } from './system-views.ts';
import { analyzeCompression, type CompressionAdvice } from './encoding/analyze-compression.ts';

/** Options of {@link SegmentStore}. */
export interface SegmentStoreOptions {
  /** The slice's directory (created if missing). */
  readonly dir: string;
  readonly log: Logger;
  /** Rows per block / row group (default 65536). */
  readonly blockRows?: number;
  /** Rows buffered before a segment is cut, and rows per segment written by VACUUM (default 1,048,576). */
  readonly segmentRows?: number;
  /** Slice number reported in svv_table_info (default 0). */
  readonly sliceId?: number;
}

/** A table snapshot another thread reads (see {@link SegmentStore.pin}). */
export interface PinnedSnapshot {
  readonly snapshot: TableSnapshot;
  release(): void;
}

/** A durable prepared transaction awaiting its coordinator's commit or abort. */
export interface PreparedTransaction {
  readonly txnId: string;
  readonly tableId: number;
  readonly tx: SegmentWriteTransaction;
}

/** Default rows per block. */
export const DEFAULT_BLOCK_ROWS = 65536;
/** Default rows per segment. */
export const DEFAULT_SEGMENT_ROWS = 1 << 20;

/**
 * The storage engine of one slice. Call `open()` (or use `SegmentStore.open`) before anything else.
 * Beyond {@link SliceStore}: `beginWrite` returns a {@link SegmentWriteTransaction} (with
 * delete / deleteWhere), `scan` takes {@link SegmentScanOptions} and yields {@link StorageBatch}es,
 * and `vacuum`, `tableInfo`, `blockList`, `analyzeCompression`, `verify` serve maintenance and
 * system views.
 */
export class SegmentStore implements SliceStore {
  readonly dir: string;
  readonly sliceId: number;
  private readonly log: Logger;
  private readonly blockRows: number;
  private readonly segmentRows: number;
  private manifest: Manifest | null = null;
  private readonly tables = new Map<number, TableManifest>();
  private readonly nextIds = new Map<number, number>();
  private readonly files: SegmentFileCache;
  private readonly refs: FileRefs;
  private readonly ctx: StoreContext;
  private readonly scanner = (tableId: number, o: SegmentScanOptions): AsyncIterable<StorageBatch> => this.scan(tableId, o);
  /** Transactions begun with a txnId (or restored from records) and not finished, by record name. */
  private readonly durable = new Map<string, SegmentWriteTransaction>();
  private lock: Promise<unknown> = Promise.resolve();
  private readonly ready: Promise<void>;
  private broken: unknown = null;
  private closed = false;

  constructor(opts: SegmentStoreOptions) {
    this.dir = opts.dir;
    this.sliceId = opts.sliceId ?? 0;
    this.log = opts.log.child({ component: 'storage.segment-store' });
    this.blockRows = opts.blockRows ?? DEFAULT_BLOCK_ROWS;
    this.segmentRows = opts.segmentRows ?? DEFAULT_SEGMENT_ROWS;
    if (this.blockRows < 1 || this.blockRows > 1 << 20 || this.segmentRows < 1) throw internalError('bad blockRows / segmentRows');
    this.files = new SegmentFileCache(this.dir);
    this.refs = new FileRefs(this.log, (f) => join(this.dir, f), (f) => this.files.evict(f));
    this.ctx = this.makeContext();
    this.ready = this.init();
    this.ready.catch(() => undefined); // reported by open() and every async call
  }

  /** Creates a store and waits until it has loaded its manifest and swept orphan files. */
  static async open(opts: SegmentStoreOptions): Promise<SegmentStore> {
    const s = new SegmentStore(opts);
    await s.open();
    return s;
  }

  /** Resolves once the store is ready (idempotent). */
  open(): Promise<void> {
    return this.ready;
  }

  private async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const m = await readManifest(this.dir);
    this.install(m);
    await this.sweepOrphans(m, await this.recoverPrepared());
    this.log.debug({ dir: this.dir, tables: m.tables.length, generation: m.generation }, 'slice store opened');
  }

  /**
   * Restores the transactions of prepared records (before the orphan sweep, which must keep their
   * files); a record whose changes the manifest already holds committed and is removed.
   * Returns the files the restored transactions hold.
   */
  private async recoverPrepared(): Promise<Set<string>> {
    const keep = new Set<string>();
    for (const r of await readPreparedRecords(this.dir, this.log)) {
      const tm = this.tables.get(r.tableId);
      if (tm !== undefined && recordPublishedIn(tm, r)) {
        // Crashed after the commit's manifest swap, before the record was removed.
        await removePreparedRecord(this.dir, r.txnId, r.tableId);
        continue;
      }
      for (const f of recordFiles(r)) keep.add(f);
      for (const seg of r.segments) this.nextIds.set(r.tableId, Math.max(this.nextIds.get(r.tableId) ?? 1, seg.id + 1));
      // A dropped table's files go with its directory; the stand-in schema only lets commit fail 42P01.
      const table: StoredTable = tm?.table ?? { tableId: r.tableId, columns: [], sortKey: [], sortStyle: 'compound' };
      const key = preparedRecordName(r.txnId, r.tableId);
      this.durable.set(key, SegmentWriteTransaction.restore(this.ctx, this.scanner, table, r, this.durableTxn(r.txnId, key)));
    }
    if (this.durable.size > 0) this.log.info({ prepared: this.durable.size }, 'restored prepared transactions awaiting commit or abort');
    return keep;
  }

  private durableTxn(txnId: string, key: string): DurableTxn {
    return { txnId, onFinish: () => { this.durable.delete(key); } };
  }

  /** Deletes temp files, unreferenced segment / delete files (except `keep`) and directories of dropped tables. */
  private async sweepOrphans(m: Manifest, keep: ReadonlySet<string>): Promise<void> {
    const live = new Set<string>(keep);
    const tableDirs = new Set<string>();
    for (const t of m.tables) {
      tableDirs.add(this.ctx.tableDir(t.table.tableId));
      for (const f of filesOf(t)) live.add(f);
      await mkdir(join(this.dir, this.ctx.tableDir(t.table.tableId)), { recursive: true });
    }
    let removed = 0;
    for (const e of await readdir(this.dir, { withFileTypes: true })) {
      if (e.isFile() && e.name.endsWith(TEMP_SUFFIX)) { await unlinkQuiet(join(this.dir, e.name)); removed++; continue; }
      if (!e.isDirectory() || !/^t\d+$/.test(e.name)) continue;
      if (!tableDirs.has(e.name)) { await rm(join(this.dir, e.name), { recursive: true, force: true }); removed++; continue; }
      for (const f of await readdir(join(this.dir, e.name))) {
        const rel = join(e.name, f);
        if (!live.has(rel)) { await unlinkQuiet(join(this.dir, rel)); removed++; }
      }
    }
    if (removed > 0) {
      await fsyncDir(this.dir);
      this.log.info({ removed }, 'removed orphan files left by an interrupted write');
    }
  }

  private install(m: Manifest): void {
    this.manifest = m;
    this.tables.clear();
    for (const t of m.tables) {
      this.tables.set(t.table.tableId, t);
      this.nextIds.set(t.table.tableId, Math.max(this.nextIds.get(t.table.tableId) ?? 0, t.nextSegmentId));
    }
  }

  private assertOpen(): void {
    if (this.closed) throw internalError('slice store is closed');
    if (this.broken !== null) throw internalError(`slice store needs a restart after a failed commit: ${String(this.broken)}`);
    if (this.manifest === null) throw internalError('slice store used before open() finished');
  }

  private makeContext(): StoreContext {
    const self = this;
    const files = this.files;
    return {
      dir: this.dir,
      log: this.log,
      blockRows: this.blockRows,
      segmentRows: this.segmentRows,
      refs: this.refs,
      table(tableId: number): TableManifest {
        const t = self.tables.get(tableId);
        if (t === undefined) throw undefinedTable(`table id ${tableId}`);
        return t;
      },
      allocateSegmentId(tableId: number): number {
        const id = self.nextIds.get(tableId) ?? 1;
        self.nextIds.set(tableId, id + 1);
        return id;
      },
      tableDir: (tableId: number) => `t${tableId}`,
      path: (relative: string) => files.path(relative),
      footer: (tableId: number, seg: SegmentRef) => files.footer(tableId, seg),
      deletes: (tableId: number, seg: SegmentRef) => files.deletes(tableId, seg),
      preparedDeletes(tableId: number): ReadonlySet<number> {
        const out = new Set<number>();
        for (const tx of self.durable.values()) if (tx.tableId === tableId && tx.isPrepared) for (const id of tx.deleteTargets) out.add(id);
        return out;
      },
      commit: (mutate) => this.commit(mutate),
    };
  }

  /** Serialized manifest update: mutate → write (temp, fsync, rename, fsync dir) → install → retire files → afterPublish. */
  private commit(mutate: (m: Manifest) => Promise<CommitPlan>): Promise<void> {
    const run = async (): Promise<void> => {
      await this.ready;
      this.assertOpen();
      const { manifest, obsolete, afterPublish } = await mutate(this.manifest!);
      const next: Manifest = {
        ...manifest,
        generation: this.manifest!.generation + 1,
        tables: manifest.tables.map((t) => ({ ...t, nextSegmentId: Math.max(t.nextSegmentId, this.nextIds.get(t.table.tableId) ?? 1) })),
      };
      try {
        await writeManifest(this.dir, next);
      } catch (err) {
        // The rename may or may not have happened: only a reopen can tell which state is committed.
        this.broken = err;
        this.log.error({ err }, 'manifest write failed; store needs a restart');
        throw err;
      }
      this.install(next);
      this.refs.retire(obsolete);
      if (afterPublish !== undefined) {
        try {
          await afterPublish();
        } catch (err) {
          // The commit stands. A leftover prepared record is recognised as committed at the next
          // open only while no later manifest exists, so take no more commits until then.
          this.broken = err;
          this.log.error({ err }, 'cleanup after a commit failed; store needs a restart');
        }
      }
    };
    const p = this.lock.then(run, run);
    this.lock = p.catch(() => undefined);
    return p;
  }

  async createTable(table: StoredTable): Promise<void> {
    await this.ready;
    validateTable(table);
    await this.commit(async (m) => {
      if (m.tables.some((t) => t.table.tableId === table.tableId)) {
        throw new SqlError(SqlState.DUPLICATE_TABLE, `table id ${table.tableId} already exists`);
      }
      const dir = join(this.dir, this.ctx.tableDir(table.tableId));
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir);
      await fsyncDir(this.dir);
      this.nextIds.set(table.tableId, 1);
      return { manifest: { ...m, tables: [...m.tables, { table, nextSegmentId: 1, segments: [] }] }, obsolete: [] };
    });
  }

  async dropTable(tableId: number): Promise<void> {
    await this.ready;
    let files: string[] = [];
    await this.commit(async (m) => {
      const t = m.tables.find((x) => x.table.tableId === tableId);
      if (t === undefined) throw undefinedTable(`table id ${tableId}`);
      files = filesOf(t);
      return { manifest: { ...m, tables: m.tables.filter((x) => x !== t) }, obsolete: files };
    });
    this.nextIds.delete(tableId);
    // Prepared writes to a dropped table can never commit: drop their files and records.
    for (const tx of [...this.durable.values()]) if (tx.tableId === tableId && tx.isPrepared) await tx.abort();
  }

  async alterTable(table: StoredTable): Promise<void> {
    await this.ready;
    validateTable(table);
    await this.commit(async (m) => {
      const idx = m.tables.findIndex((x) => x.table.tableId === table.tableId);
      if (idx < 0) throw undefinedTable(`table id ${table.tableId}`);
      const old = m.tables[idx]!;
      validateAlter(old.table, table);
      const sameKey = JSON.stringify(old.table.sortKey.map((k) => old.table.columns[k]!.name)) === JSON.stringify(table.sortKey.map((k) => table.columns[k]!.name))
        && old.table.sortStyle === table.sortStyle;
      const segments = sameKey ? old.segments : old.segments.map((s) => ({ ...s, sorted: false }));
      const tables = m.tables.slice();
      tables[idx] = { ...old, table, segments };
      return { manifest: { ...m, tables }, obsolete: [] };
    });
  }

  hasTable(tableId: number): boolean {
    this.assertOpen();
    return this.tables.has(tableId);
  }

  /** Ids of the tables this slice holds. */
  tableIds(): number[] {
    this.assertOpen();
    return [...this.tables.keys()];
  }

  /**
   * Makes a table exactly `source`, another slice's committed state of it (recovery): its schema,
   * segments (their ids kept: footers name them) and delete vectors. `place` says where each file
   * `source` names is here: a live file of this table with the same content (`keep`), or a file
   * to hard-link in under a new name (`from`, same file system). The table is created if missing.
   * Fails (55006) while a prepared write on the table awaits its outcome: it was made against the
   * state this replaces.
   */
  async installTable(source: TableManifest, place: (file: string) => { keep: string } | { from: string }): Promise<void> {
    await this.ready;
    validateTable(source.table);
    const tableId = source.table.tableId;
    await this.commit(async (m) => {
      for (const tx of this.durable.values()) {
        if (tx.tableId === tableId) throw new SqlError(SqlState.OBJECT_IN_USE, `table id ${tableId} has a write awaiting its outcome in slice ${this.sliceId}`);
      }
      const dir = this.ctx.tableDir(tableId);
      await mkdir(join(this.dir, dir), { recursive: true });
      const fresh = async (f: string, suffix: string): Promise<string> => {
        const where = place(f);
        if ('keep' in where) return where.keep;
        const name = join(dir, `r${randomBytes(6).toString('hex')}${suffix}`);
        await link(where.from, join(this.dir, name));
        return name;
      };
      const segments: SegmentRef[] = [];
      for (const seg of source.segments) {
        const file = await fresh(seg.file, '.seg');
        const deletes = seg.deletes === null ? null : { file: await fresh(seg.deletes.file, '.del'), count: seg.deletes.count };
        segments.push({ ...seg, file, deletes });
      }
      await fsyncDir(join(this.dir, dir));
      await fsyncDir(this.dir);
      let next = source.nextSegmentId;
      for (const seg of segments) next = Math.max(next, seg.id + 1);
      this.nextIds.set(tableId, Math.max(this.nextIds.get(tableId) ?? 1, next));
      const table: TableManifest = { table: source.table, nextSegmentId: this.nextIds.get(tableId)!, segments };
      const old = m.tables.find((t) => t.table.tableId === tableId);
      const kept = new Set(filesOf(table));
      const obsolete = old === undefined ? [] : filesOf(old).filter((f) => !kept.has(f));
      const tables = old === undefined ? [...m.tables, table] : m.tables.map((t) => (t === old ? table : t));
      return { manifest: { ...m, tables }, obsolete };
    });
  }

  /**
   * Starts a write on a table (its schema as of now). With `opts.txnId` the transaction is
   * durable-prepared: prepare() also writes a prepared record, so after a restart it is listed
   * by {@link preparedTransactions} until committed or aborted. Throws XX000 for a malformed
   * txnId or a second unfinished write of the same txnId on the same table.
   */
  beginWrite(tableId: number, opts: BeginWriteOptions = {}): SegmentWriteTransaction {
    this.assertOpen();
    const t = this.ctx.table(tableId);
    if (opts.txnId === undefined) return new SegmentWriteTransaction(this.ctx, this.scanner, t.table, null, opts.encodings);
    const key = preparedRecordName(opts.txnId, tableId);
    if (this.durable.has(key)) throw internalError(`transaction ${opts.txnId} already has an unfinished write on table ${tableId} in slice ${this.sliceId}`);
    const tx = new SegmentWriteTransaction(this.ctx, this.scanner, t.table, this.durableTxn(opts.txnId, key), opts.encodings);
    this.durable.set(key, tx);
    return tx;
  }

  /**
   * Durable transactions in the 'prepared' state: those restored from prepared records at open and
   * those prepared since by this process. The caller (the coordinator's decision) must commit or
   * abort each; a finished one leaves the list.
   */
  preparedTransactions(): readonly PreparedTransaction[] {
    this.assertOpen();
    const out: PreparedTransaction[] = [];
    for (const tx of this.durable.values()) if (tx.isPrepared) out.push({ txnId: tx.txnId!, tableId: tx.tableId, tx });
    return out;
  }

  /** The prepared transaction of `txnId` on a table, or undefined if there is none (never prepared, or already finished); XX000 for a malformed txnId. */
  preparedTransaction(txnId: string, tableId: number): SegmentWriteTransaction | undefined {
    this.assertOpen();
    const tx = this.durable.get(preparedRecordName(txnId, tableId));
    return tx?.isPrepared === true ? tx : undefined;
  }

  /**
   * Streams the committed rows as of this call (the snapshot is taken now; its files stay until
   * the iteration ends). Iterate it once, to the end or until break.
   */
  scan(tableId: number, opts: SegmentScanOptions): AsyncIterable<StorageBatch> {
    this.assertOpen();
    const snapshot = this.ctx.table(tableId);
    const files = filesOf(snapshot);
    this.refs.acquire(files);
    const ctx = this.ctx;
    const refs = this.refs;
    let used = false;
    async function* guarded(): AsyncGenerator<StorageBatch> {
      try {
        yield* scanTable(ctx, snapshot, opts);
      } finally {
        refs.release(files);
      }
    }
    return {
      [Symbol.asyncIterator](): AsyncIterator<StorageBatch> {
        if (used) throw internalError('a scan can be iterated only once');
        used = true;
        return guarded();
      },
    };
  }

  /**
   * The table's committed state as of now, for a reader outside this store (a slice worker
   * thread): its files stay on disk until `release` is called. Null when the table is not here.
   */
  pin(tableId: number): PinnedSnapshot | null {
    this.assertOpen();
    const manifest = this.tables.get(tableId);
    if (manifest === undefined) return null;
    const files = filesOf(manifest);
    this.refs.acquire(files);
    let released = false;
    return {
      snapshot: { dir: this.dir, manifest },
      release: () => {
        if (released) return;
        released = true;
        this.refs.release(files);
      },
    };
  }

  /** Committed live row count. */
  rowCount(tableId: number): number {
    this.assertOpen();
    let n = 0;
    for (const s of this.ctx.table(tableId).segments) n += s.rows - (s.deletes?.count ?? 0);
    return n;
  }

  /** Merges, re-sorts and compacts a table online (see vacuum.ts). */
  async vacuum(tableId: number, mode: VacuumMode = 'full'): Promise<VacuumResult> {
    await this.ready;
    this.assertOpen();
    return vacuumTable(this.ctx, tableId, mode);
  }

  /** svv_table_info rows for every table (or one). */
  async tableInfo(tableId?: number): Promise<TableInfo[]> {
    await this.ready;
    this.assertOpen();
    const ts = tableId === undefined ? [...this.tables.values()] : [this.ctx.table(tableId)];
    return Promise.all(ts.map((t) => tableInfo(this.ctx, t, this.sliceId)));
  }

  /** stv_blocklist rows for one table (or all). */
  async blockList(tableId?: number): Promise<BlockInfo[]> {
    await this.ready;
    this.assertOpen();
    const ts = tableId === undefined ? [...this.tables.values()] : [this.ctx.table(tableId)];
    const out: BlockInfo[] = [];
    for (const t of ts) out.push(...await blockList(this.ctx, t, this.sliceId));
    return out;
  }

  /** ANALYZE COMPRESSION: samples up to `sampleRows` committed rows and reports the encoding each column would get. */
  async analyzeCompression(tableId: number, sampleRows = 100_000): Promise<CompressionAdvice[]> {
    await this.ready;
    this.assertOpen();
    const t = this.ctx.table(tableId).table;
    const samples: Batch[] = [];
    let rows = 0;
    for await (const b of this.scan(tableId, { columns: t.columns.map((_, i) => i) })) {
      samples.push(b);
      rows += b.selection === null ? b.length : b.selection.length;
      if (rows >= sampleRows) break;
    }
    return analyzeCompression(t, samples);
  }

  /** Reads and checksums every block of a table's segments; throws XX001 naming the first bad file. */
  async verify(tableId: number): Promise<{ segments: number; blocks: number }> {
    await this.ready;
    this.assertOpen();
    const t = this.ctx.table(tableId);
    const files = filesOf(t);
    this.refs.acquire(files);
    try {
      let blocks = 0;
      for (const s of t.segments) {
        const f = await verifySegmentFile(join(this.dir, s.file)).catch((err: unknown) => { throw corruptionIn(err, tableId, s.file); });
        blocks += f.blocks.length;
        await this.ctx.deletes(tableId, s);
      }
      return { segments: t.segments.length, blocks };
    } finally {
      this.refs.release(files);
    }
  }

  /** Waits for in-flight commits and stops accepting work. */
  async close(): Promise<void> {
    await this.ready.catch(() => undefined);
    await this.lock;
    this.closed = true;
  }

  /** The manifest file name (for tools and tests). */
  static readonly MANIFEST_FILE = MANIFEST_FILE;
}
