// A compute node: owns the storage of its slices, registers with the leader, and serves DDL,
// two-phase writes and fragment execution over the cluster transport.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, statfs, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { crashPoint } from '../common/crash-points.ts';
import { SqlError, SqlState } from '../common/errors/index.ts';
import type { Logger } from '../common/log.ts';
import { LeaderLink } from '../cluster/membership/leader-link.ts';
import { PeerPool } from '../cluster/transport/peer-pool.ts';
import type { InDoubtOutcome, RegisterReply } from '../cluster/membership/node-registry.ts';
import type { RpcContext } from '../cluster/transport/rpc-peer.ts';
import type { Datum } from '../sql/types/datum.ts';
import type { EvalContext } from '../sql/functions/scalar-functions.ts';
import type { StoredTable, WriteTransaction } from '../storage/slice-store.ts';
import { batchFromRows, datumAt } from './batch/row-conversion.ts';
import { datumKey } from '../sql/expr/compare.ts';
import { decodeBatch } from './exchange/arrow-batch-codec.ts';
import { LoadSession, type ChunkMeta, type LoadNode, type LoadSpec } from './loading/load-session.ts';
import { ColumnStatsCollector, columnStatsToTransport, type ColumnStatsTransport } from './stats/column-stats.ts';
import type { Fragment } from './fragment/fragment.ts';
import type { JoinFragment } from './fragment/join-fragment.ts';
import type { OperatorStats } from './fragment/operator-stats.ts';
import { SlicePool, type ChunkSink } from './slices/slice-pool.ts';
import type { MergeSpec, WindowSpec, SliceTable, SliceTask, SliceTaskResult, TaskSpec } from './slices/slice-task.ts';
import { ExchangeBuffers } from './exchange/exchange-buffers.ts';
import type { PeerAddress } from '../cluster/transport/peer-pool.ts';
import { SegmentStore, type PinnedSnapshot } from '../storage/segment-store.ts';
import { toTaggedJson } from '../common/tagged-json.ts';
import type { VacuumMode } from '../storage/vacuum.ts';
import type { DeletePredicate } from '../storage/write-transaction.ts';
import type { ZoneFilter } from '../storage/slice-store.ts';
import type { Expr } from '../sql/expr/expr.ts';
import type { SqlType } from '../sql/types/sql-type.ts';
import { compileFilter } from './codegen/compile-filter.ts';
import { selected } from './fragment/run-fragment-batches.ts';
import { Fingerprints, fetchTable, sendTable } from './recovery/table-copy.ts';

/** Options for {@link ComputeNode.start}. */
export interface ComputeNodeOptions {
  dataDir: string;
  leaderHost: string;
  leaderPort: number;
  /** Interface and port for the interconnect listener (port 0 = any free port). */
  host: string;
  port: number;
  /** The name peers reach this node by (default: host). */
  advertiseHost?: string;
  /** Slices this node runs (default: one per core). */
  slices: number;
  /** Run each slice on a worker thread (default true; false runs them one after another on the main thread). */
  sliceThreads?: boolean;
  /** Heap cap per slice worker in MiB (default: V8's); a slice that exhausts it fails its query with 53200. */
  sliceHeapMiB?: number;
  /**
   * With an empty data directory: take the identity (and slices) of this node id, a dead node this
   * one replaces; it catches up from the copies of its slices before it serves them.
   */
  replaceNodeId?: string;
  log: Logger;
}

/** A `runExchange` request: redistribute a fragment's output by one of its columns. */
export interface ExchangeRequest {
  readonly exchangeId: string;
  /** A projection; its output rows are what is redistributed. */
  readonly fragment: Fragment;
  /** The output column whose DISTKEY hash picks the target (a projection). */
  readonly keyIndex: number;
  /** For a partial aggregation: the leading group columns whose values pick the target. */
  readonly groupCount?: number;
  /** This node's slices to run the fragment on. */
  readonly slices: readonly number[];
  /** Every slice of the cluster in slice order, with the node that holds it. */
  readonly routes: readonly (PeerAddress & { readonly slice: number })[];
  readonly ctx: EvalContext;
}

/** Rows for one slice of a write. */
interface SliceRows {
  readonly slice: number;
  readonly rows: Datum[][];
}

/**
 * Rows a write deletes before it appends (DELETE, UPDATE, TRUNCATE): on every slice of the node
 * that holds the table, the live rows of the committed snapshot that `filter` (over `columns`,
 * typed `types`) keeps; every live row when it is null.
 */
export interface RemoveSpec {
  readonly filter: Expr | null;
  /**
   * Instead of a filter: the rows to delete by value (every column, table order), each live row
   * equal to one of them in every column is deleted (rows equal in every column are alike to any
   * condition, so this deletes exactly what a join-based WHERE selected).
   */
  readonly rows?: readonly (readonly Datum[])[];
  readonly columns: readonly number[];
  readonly types: readonly SqlType[];
  readonly zoneFilters: readonly ZoneFilter[];
  readonly ctx: EvalContext;
}

/** One compute node process's worth of state. */
export class ComputeNode {
  private readonly stores = new Map<number, SegmentStore>();
  private readonly txns = new Map<string, WriteTransaction[]>();
  /** Loads in progress on this node, by transaction id. */
  private readonly loads = new Map<string, LoadSession>();
  private readonly peers: PeerPool;
  private readonly pool: SlicePool;
  private readonly exchanges = new ExchangeBuffers();
  /** Content hashes of segment files, for recovery's table copies. */
  private readonly fingerprints = new Fingerprints();
  private link: LeaderLink | null = null;
  private server: Server | null = null;
  private slices: readonly number[] = [];
  /** This node's position in the cluster, once registered. */
  private index = -1;
  /** Resolves once the slices the leader assigned are open; requests wait for it. */
  private readonly ready: Promise<void>;
  private markReady: () => void = () => undefined;

  private constructor(private readonly opts: ComputeNodeOptions, readonly nodeId: string) {
    this.ready = new Promise<void>((resolve) => { this.markReady = resolve; });
    this.pool = new SlicePool({
      log: opts.log.child({ component: 'compute.slices' }),
      ...(opts.sliceThreads === undefined ? {} : { threads: opts.sliceThreads }),
      ...(opts.sliceHeapMiB === undefined ? {} : { heapMiB: opts.sliceHeapMiB }),
    });
    this.peers = new PeerPool((method, params, ctx) => this.handle(method, params, ctx), opts.log.child({ component: 'compute.interconnect' }));
  }

  /** Opens the data directory and starts registering with the leader. */
  static async start(opts: ComputeNodeOptions): Promise<ComputeNode> {
    await mkdir(opts.dataDir, { recursive: true });
    await lockDataDir(opts.dataDir);
    const idFile = join(opts.dataDir, 'node.json');
    let nodeId: string;
    // An empty data directory: a new node, or the replacement of a dead one (catches up first).
    let fresh = false;
    try {
      nodeId = (JSON.parse(await readFile(idFile, 'utf8')) as { nodeId: string }).nodeId;
      if (opts.replaceNodeId !== undefined && opts.replaceNodeId !== nodeId) {
        throw new Error(`--replace ${opts.replaceNodeId}: the data directory already belongs to node ${nodeId}`);
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && !(err instanceof SyntaxError)) throw err;
      nodeId = opts.replaceNodeId ?? randomUUID();
      fresh = true;
      await writeFile(idFile, JSON.stringify({ nodeId }));
    }
    const node = new ComputeNode(opts, nodeId);
    const port = await node.listen();
    node.link = new LeaderLink({
      leaderHost: opts.leaderHost,
      leaderPort: opts.leaderPort,
      register: { nodeId, host: opts.advertiseHost ?? opts.host, port, sliceCount: opts.slices, pid: process.pid, ...(fresh ? { fresh } : {}) },
      handler: (method, params, ctx) => node.handle(method, params, ctx),
      log: opts.log,
      onRegistered: (reply) => node.openSlices(reply),
    });
    node.link.start();
    return node;
  }

  /** The interconnect listener: other compute nodes connect here for exchanges and loads. */
  private async listen(): Promise<number> {
    const server = createServer((s) => this.peers.accept(s));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => resolve());
    });
    const addr = server.address();
    return typeof addr === 'object' && addr !== null ? addr.port : this.opts.port;
  }

  private async openSlices(reply: RegisterReply): Promise<void> {
    this.slices = reply.slices;
    this.index = reply.index;
    await this.openStores([...reply.slices, ...(reply.replicas ?? [])]);
    await this.createTables(reply.tables ?? []);
    // A (re)registration means the leader lost track of any load in progress here.
    for (const l of this.loads.values()) await l.abort();
    this.loads.clear();
    await this.resolveInDoubt();
    this.pool.warm(this.slices);
    this.markReady();
  }

  /**
   * Opens the stores of these slices: this node's own, and its copies of other nodes' slices
   * (K-safety), which take every write their slice takes and serve reads when its node is down.
   */
  private async openStores(slices: readonly number[]): Promise<void> {
    for (const slice of slices) {
      if (!this.stores.has(slice)) {
        const store = await SegmentStore.open({ dir: join(this.opts.dataDir, `slice-${slice}`), log: this.opts.log, sliceId: slice, ...blockRowsSetting() });
        // Files an interrupted recovery fetched: the next one starts over.
        await rm(join(store.dir, 'incoming'), { recursive: true, force: true });
        this.stores.set(slice, store);
        // Writes prepared before a restart, waiting for the leader's decision.
        for (const p of store.preparedTransactions()) {
          const list = this.txns.get(p.txnId) ?? [];
          if (!list.includes(p.tx)) list.push(p.tx);
          this.txns.set(p.txnId, list);
        }
      }
    }
  }

  /** Tables created before this node joined (or while it was away) exist here too, empty. */
  private async createTables(tables: readonly StoredTable[]): Promise<void> {
    for (const table of tables) {
      for (const store of this.stores.values()) if (!store.hasTable(table.tableId)) await store.createTable(table);
    }
  }

  /** This node's own slices' stores (what statistics and system views count: one copy of each). */
  private ownStores(): SegmentStore[] {
    const out: SegmentStore[] = [];
    for (const slice of this.slices) { const s = this.stores.get(slice); if (s !== undefined) out.push(s); }
    return out;
  }

  /** Asks the leader what became of every prepared write held here, and applies the answers. */
  private async resolveInDoubt(): Promise<void> {
    const txnIds = [...this.txns.keys()];
    if (txnIds.length === 0 || !this.link) return;
    const outcomes = (await this.link.request('resolveInDoubt', { txnIds })) as Record<string, InDoubtOutcome>;
    const committed: string[] = [];
    for (const id of txnIds) {
      const outcome = outcomes[id];
      if (outcome === 'pending') continue;
      try {
        await this.finishWrite(id, outcome === 'commit');
      } catch (err) {
        // E.g. the table was dropped meanwhile: nothing is left to publish.
        this.opts.log.warn({ err, txnId: id, outcome }, 'could not apply the outcome of a write in doubt');
      }
      if (outcome === 'commit') committed.push(id);
    }
    this.opts.log.info({ committed: committed.length, aborted: txnIds.filter((id) => outcomes[id] === 'abort').length }, 'resolved writes in doubt');
    if (committed.length > 0) await this.link.request('acknowledgeCommits', { txnIds: committed });
  }

  async stop(): Promise<void> {
    this.link?.stop();
    for (const l of this.loads.values()) await l.abort();
    this.loads.clear();
    await this.peers.close();
    await this.pool.close();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    for (const s of this.stores.values()) await s.close();
  }

  private store(slice: number): SegmentStore {
    const s = this.stores.get(slice);
    if (!s) throw new SqlError(SqlState.INTERNAL_ERROR, `slice ${slice} is not on this node`);
    return s;
  }

  private async handle(method: string, params: unknown, ctx: RpcContext): Promise<unknown> {
    // The leader may send work right behind its registration reply: wait until the slices are open.
    await this.ready;
    const p = params as Record<string, unknown>;
    switch (method) {
      case 'createTable': {
        const table = p.table as StoredTable;
        for (const s of this.stores.values()) await s.createTable(table);
        return null;
      }
      case 'alterTable': {
        const table = p.table as StoredTable;
        for (const s of this.stores.values()) await s.alterTable(table);
        return null;
      }
      case 'dropTable': {
        for (const s of this.stores.values()) await s.dropTable(p.tableId as number);
        return null;
      }
      case 'prepareWrite': return this.prepareWrite(p.txnId as string, p.table as StoredTable, p.slices as SliceRows[], (p.remove as RemoveSpec | undefined) ?? null,
        Array.isArray(p.count) ? p.count as number[] : this.slices);
      case 'loadBegin': return this.loadBegin(p.spec as LoadSpec);
      case 'loadChunk': return this.load(p.txnId as string).loadChunk(p.meta as ChunkMeta, ctx.body);
      case 'loadRows': await this.load(p.txnId as string).acceptRows(p.slice as number, decodeBatch(ctx.body)); return null;
      case 'loadPrepare': {
        const txnId = p.txnId as string;
        const txs = await this.load(txnId).prepare();
        this.loads.delete(txnId);
        this.txns.set(txnId, txs);
        return null;
      }
      case 'loadAbort': {
        const l = this.loads.get(p.txnId as string);
        this.loads.delete(p.txnId as string);
        await l?.abort();
        return null;
      }
      case 'commitWrite':
        crashPoint(`compute-${this.index}-before-commit`);
        return this.finishWrite(p.txnId as string, true);
      case 'abortWrite': return this.finishWrite(p.txnId as string, false);
      case 'runFragment': return this.runFragment(p.fragment as Fragment, p.slices as number[], p.ctx as EvalContext, ctx);
      case 'runJoinFragment': return this.runJoinFragment(p.fragment as JoinFragment, p.slices as number[], p.ctx as EvalContext, ctx);
      case 'runExchange': return this.runExchange(p as unknown as ExchangeRequest, ctx);
      case 'exchangeRows': this.exchanges.add(p.exchangeId as string, p.slice as number, ctx.body.slice()); return null;
      case 'runMerge': {
        // The final aggregation of partial rows redistributed by group key, on every slice here.
        const source = p.fragment as Fragment;
        return this.runOnSlices('merge', { fragment: source, evalCtx: p.ctx as EvalContext, merge: p.merge as MergeSpec }, p.slices as number[], ctx,
          (bytes) => ctx.sendData(bytes), source, [], []);
      }
      case 'runWindow': {
        // Window functions over rows redistributed by a PARTITION BY key, on every slice here.
        const source = p.fragment as Fragment;
        return this.runOnSlices('window', { fragment: source, evalCtx: p.ctx as EvalContext, window: p.window as WindowSpec }, p.slices as number[], ctx,
          (bytes) => ctx.sendData(bytes), source, [], []);
      }
      case 'dropExchange': this.exchanges.drop(p.exchangeId as string); return null;
      case 'openReplicas': {
        // The ring of copies moved (a node joined): open the new copies, with every table.
        await this.openStores(p.replicas as number[]);
        await this.createTables(p.tables as StoredTable[]);
        return null;
      }
      case 'tableInfo': {
        const out = [];
        for (const store of this.ownStores()) out.push(...await store.tableInfo(p.tableId as number | undefined));
        const fs = await statfs(this.opts.dataDir);
        return { tables: out, diskBytes: fs.blocks * fs.bsize, freeBytes: fs.bavail * fs.bsize };
      }
      case 'blockList': {
        const out = [];
        for (const store of this.ownStores()) out.push(...await store.blockList(p.tableId as number | undefined));
        return out;
      }
      case 'vacuum': {
        const results = [];
        // Copies of other nodes' slices are vacuumed too; the results count one copy of each slice.
        for (const [slice, store] of this.stores) {
          if (!store.hasTable(p.tableId as number)) continue;
          const r = await store.vacuum(p.tableId as number, p.mode as VacuumMode);
          if (this.slices.includes(slice)) results.push(r);
        }
        return results;
      }
      case 'analyzeCompression': {
        const bySlice = [];
        for (const store of this.ownStores()) {
          if (store.hasTable(p.tableId as number)) bySlice.push(await store.analyzeCompression(p.tableId as number, p.sampleRows as number));
        }
        return bySlice;
      }
      case 'analyzeTable': return this.analyzeTable(p.table as StoredTable, Array.isArray(p.slices) ? p.slices as number[] : this.slices, ctx);
      case 'sendTableFiles': {
        // Recovery: another node catches up on a table of a slice held here.
        const have = new Set(Array.isArray(p.have) ? p.have as string[] : []);
        return sendTable(this.store(p.slice as number), p.tableId as number, have, this.fingerprints, ctx);
      }
      case 'catchUp': {
        // Recovery: fetch a table of one of our slices from a current copy (and install it, on the final pass).
        const source = p.source as PeerAddress & { slice: number };
        const slice = p.slice as number;
        const store = this.store(slice);
        return fetchTable({
          store, tableId: p.tableId as number, source: await this.peers.get(source), sourceSlice: source.slice,
          stagingDir: join(store.dir, 'incoming', `t${p.tableId as number}`), fps: this.fingerprints, final: p.final === true, signal: ctx.signal,
        });
      }
      case 'listTables': {
        const ids = new Set<number>();
        for (const slice of p.slices as number[]) for (const id of this.store(slice).tableIds()) ids.add(id);
        return [...ids];
      }
      case 'dropTables': {
        // Recovery: tables dropped while this node was away.
        for (const slice of p.slices as number[]) {
          const store = this.store(slice);
          for (const id of p.tableIds as number[]) if (store.hasTable(id)) await store.dropTable(id);
        }
        return null;
      }
      case 'tableRows': {
        const tableId = p.tableId as number;
        // The slices the leader reads here (a copy's when its node is down); this node's own by default.
        const slices = Array.isArray(p.slices) ? p.slices as number[] : this.slices;
        return slices.map((slice) => ({ slice, rows: this.stores.get(slice)?.rowCount(tableId) ?? 0 }));
      }
      default:
        throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `unknown compute method ${method}`);
    }
  }

  /** ANALYZE: per column statistics over these slices of a table (the leader reads each slice once), one partial per column. */
  private async analyzeTable(table: StoredTable, slices: readonly number[], ctx: RpcContext): Promise<ColumnStatsTransport[]> {
    const collectors = table.columns.map((c) => new ColumnStatsCollector(c.type));
    const columns = table.columns.map((_c, i) => i);
    for (const slice of slices) {
      const store = this.store(slice);
      if (!store.hasTable(table.tableId)) continue;
      for await (const b of store.scan(table.tableId, { columns, signal: ctx.signal })) {
        for (let c = 0; c < collectors.length; c++) collectors[c]!.add(b.columns[c]!, b.selection);
      }
    }
    return collectors.map((c) => columnStatsToTransport(c.result()));
  }

  private async loadBegin(spec: LoadSpec): Promise<null> {
    if (this.loads.has(spec.txnId)) throw new SqlError(SqlState.INTERNAL_ERROR, `load ${spec.txnId} already begun`);
    const session = new LoadSession(spec, {
      nodeId: this.nodeId,
      beginWrite: async (slice, table, txnId, encodings) => {
        const store = this.store(slice);
        if (!store.hasTable(table.tableId)) await store.createTable(table);
        return store.beginWrite(table.tableId, { txnId, ...(encodings === undefined ? {} : { encodings }) });
      },
      sendRows: async (node: LoadNode, txnId, slice, body) => {
        const peer = await this.peers.get(node);
        await peer.request('loadRows', { txnId, slice }, { body });
      },
    });
    this.loads.set(spec.txnId, session);
    try {
      await session.open();
    } catch (err) {
      this.loads.delete(spec.txnId);
      await session.abort(err);
      throw err;
    }
    return null;
  }

  private load(txnId: string): LoadSession {
    const l = this.loads.get(txnId);
    if (!l) throw new SqlError(SqlState.QUERY_CANCELED, `load ${txnId} is not active on this node (aborted or never begun)`);
    return l;
  }

  /**
   * Phase one of a write on this node's slices: deletes what `remove` selects (on every slice
   * holding the table), appends `slices`' rows, and prepares. Returns how many rows it deleted
   * on the slices of `count` (the leader counts each slice once, on one of its copies).
   */
  private async prepareWrite(txnId: string, table: StoredTable, slices: SliceRows[], remove: RemoveSpec | null, count: readonly number[]): Promise<{ deleted: number; deletedByRow?: number[] }> {
    const types = table.columns.map((c) => c.type);
    const opened: WriteTransaction[] = [];
    let deleted = 0;
    const targets = new Map<number, Datum[][]>(slices.map((s) => [s.slice, s.rows]));
    if (remove !== null) for (const [slice, store] of this.stores) if (store.hasTable(table.tableId) && !targets.has(slice)) targets.set(slice, []);
    // Deleting by value: how many rows equal each given row were deleted here.
    const byRow = remove?.rows !== undefined ? new Array<number>(remove.rows.length).fill(0) : undefined;
    const predicate = remove === null ? null : removePredicate(remove, byRow);
    // The other copies of a slice delete the same rows, counted where the leader asked.
    const onCopy = remove === null ? null : removePredicate(remove);
    try {
      for (const [slice, rows] of targets) {
        const store = this.store(slice);
        if (!store.hasTable(table.tableId)) await store.createTable(table);
        const w = store.beginWrite(table.tableId, { txnId });
        opened.push(w);
        const counted = count.includes(slice);
        if (remove !== null) {
          const n = await w.deleteWhere({ columns: remove.columns, filters: remove.zoneFilters }, (counted ? predicate : onCopy)!);
          if (counted) deleted += n;
        }
        if (rows.length > 0) await w.append(batchFromRows(types, rows));
        await w.prepare();
      }
    } catch (err) {
      for (const w of opened) await w.abort().catch(() => undefined);
      throw err;
    }
    this.txns.set(txnId, opened);
    return byRow === undefined ? { deleted } : { deleted, deletedByRow: byRow };
  }

  private async finishWrite(txnId: string, commit: boolean): Promise<null> {
    const ws = this.txns.get(txnId);
    if (!ws) return null;
    this.txns.delete(txnId);
    for (const w of ws) {
      if (commit) await w.commit();
      else await w.abort();
    }
    return null;
  }

  /**
   * Runs a task over the given slices, each on its worker thread, passing every chunk to `sink` as
   * it comes. A slice reads `probe` and `scans` on its own slice (a table's pinned snapshot, or the
   * rows an exchange sent it) and the `nodeCopies` (DISTSTYLE ALL tables) on whichever slice holds
   * the node's copy; a slice that does not hold the probe's table has nothing to do.
   */
  private async runOnSlices(kind: SliceTask['kind'], spec: TaskSpec, slices: readonly number[], ctx: RpcContext, sink: ChunkSink,
    probe: Fragment, scans: readonly Fragment[], nodeCopies: readonly Fragment[]): Promise<SliceTaskResult> {
    const encoded = toTaggedJson(spec);
    const pins: PinnedSnapshot[] = [];
    const release = (): void => { for (const p of pins.splice(0)) p.release(); };
    const pin = (slice: number, tableId: number, into: SliceTable[]): boolean => {
      // A self-join of a DISTSTYLE ALL table names it twice: one snapshot serves both.
      if (into.some((t) => t.slice === slice && t.tableId === tableId)) return true;
      const p = this.stores.get(slice)?.pin(tableId) ?? null;
      if (p === null) return false;
      pins.push(p);
      into.push({ slice, tableId, snapshot: p.snapshot });
      return true;
    };
    const tasks: SliceTask[] = [];
    try {
      for (const slice of slices) {
        const tables: SliceTable[] = [];
        const exchanges: Record<string, readonly Uint8Array[]> = {};
        let hasProbe = true;
        for (const f of [probe, ...scans]) {
          if (f.exchange !== undefined) exchanges[f.exchange] = this.exchanges.batches(f.exchange, slice);
          else if (!pin(slice, f.tableOid, tables) && f === probe) hasProbe = false;
        }
        if (!hasProbe) continue;
        for (const f of nodeCopies) for (const s of this.slices) pin(s, f.tableOid, tables);
        tasks.push({ kind, slice, spec: encoded, tables, body: ctx.body, exchanges });
      }
    } catch (err) {
      release();
      throw err;
    }
    // One slice failing cancels the others (the answer is an error now); the snapshots stay pinned
    // until every task has stopped reading them.
    const abort = new AbortController();
    const onAbort = (): void => abort.abort(ctx.signal.reason);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const runs = tasks.map((t) => this.pool.run(t, abort.signal, sink));
    const settled = Promise.allSettled(runs).then(() => {
      ctx.signal.removeEventListener('abort', onAbort);
      release();
    });
    let results: SliceTaskResult[];
    try {
      results = await Promise.all(runs);
    } catch (err) {
      abort.abort(err);
      throw err;
    }
    await settled;
    const matched = new Set<number>();
    for (const r of results) for (const m of r.matched) matched.add(m);
    return { rows: results.reduce((n, r) => n + r.rows, 0), matched: [...matched], stats: results.flatMap((r) => r.stats) };
  }

  private async runFragment(f: Fragment, slices: number[], evalCtx: EvalContext, ctx: RpcContext): Promise<{ rows: number; stats: OperatorStats[] }> {
    const { rows, stats } = await this.runOnSlices('fragment', { fragment: f, evalCtx }, slices, ctx, (bytes) => ctx.sendData(bytes), f, [], []);
    return { rows, stats };
  }

  /**
   * A join on the slices: the probe table's rows from these slices joined with the other inputs.
   * The response lists the broadcast input rows that found a match, when a step tracks them.
   */
  private runJoinFragment(jf: JoinFragment, slices: number[], evalCtx: EvalContext, ctx: RpcContext): Promise<SliceTaskResult> {
    const scans: Fragment[] = [];
    const nodeCopies: Fragment[] = [];
    for (const input of jf.inputs) {
      if (input.kind === 'colocated') scans.push(input.fragment);
      if (input.kind === 'replicated') nodeCopies.push(input.fragment);
    }
    return this.runOnSlices('join', { fragment: jf, evalCtx }, slices, ctx, (bytes) => ctx.sendData(bytes), jf.probe, scans, nodeCopies);
  }

  /**
   * Runs a fragment on these slices and sends each output row to the slice its key column hashes
   * to (`routes[i]` owns slice index i): kept here for this node's slices, sent to the peer
   * otherwise. Returns once every row is where it belongs.
   */
  private async runExchange(p: ExchangeRequest, ctx: RpcContext): Promise<SliceTaskResult & { bytesSent: number; bytesKept: number }> {
    let bytesSent = 0;
    let bytesKept = 0;
    const sink = async (bytes: Uint8Array, target: number): Promise<void> => {
      const route = p.routes[target];
      if (route === undefined) throw new SqlError(SqlState.INTERNAL_ERROR, `exchange target ${target} has no route`);
      if (route.nodeId === this.nodeId) {
        this.exchanges.add(p.exchangeId, route.slice, bytes);
        bytesKept += bytes.length;
        return;
      }
      const peer = await this.peers.get(route);
      await peer.request('exchangeRows', { exchangeId: p.exchangeId, slice: route.slice }, { body: bytes, signal: ctx.signal });
      bytesSent += bytes.length;
    };
    const spec: TaskSpec = {
      fragment: p.fragment, evalCtx: p.ctx, keyIndex: p.keyIndex, sliceCount: p.routes.length,
      ...(p.groupCount === undefined ? {} : { groupCount: p.groupCount }),
    };
    const started = performance.now();
    const r = await this.runOnSlices('exchange', spec, p.slices, ctx, sink, p.fragment, [], []);
    r.stats.push({ slice: -1, op: `redistribute: ${bytesSent} bytes sent to other nodes, ${bytesKept} kept here`, rowsIn: r.rows, rows: r.rows, ms: performance.now() - started });
    return { ...r, bytesSent, bytesKept };
  }
}

/**
 * One process per data directory: a second compute node on the same one (the same node id twice)
 * would write the same slices and take the first one's place at the leader. `LOCK` holds the pid
 * of the owner; a lock whose process is gone (killed) is taken over.
 */
async function lockDataDir(dir: string): Promise<void> {
  const path = join(dir, 'LOCK');
  try {
    await writeFile(path, String(process.pid), { flag: 'wx' });
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
  if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && processAlive(owner)) {
    throw new SqlError(SqlState.OBJECT_IN_USE, `data directory ${dir} is in use by compute node process ${owner}`);
  }
  await writeFile(path, String(process.pid));
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * COLONNADE_BLOCK_ROWS: rows per row group of segments written from now on (default 65,536).
 * Small values make many row groups of small tables (tests of what spans row groups).
 */
function blockRowsSetting(): { blockRows?: number } {
  const v = process.env['COLONNADE_BLOCK_ROWS'];
  if (v === undefined) return {};
  const n = Number(v);
  if (!Number.isInteger(n) || n < 16 || n > 1 << 20) throw new Error(`COLONNADE_BLOCK_ROWS must be an integer from 16 to 1048576, not ${v}`);
  return { blockRows: n };
}

/** The rows of each scanned batch that a write's delete filter keeps (every live row without one). */
function removePredicate(remove: RemoveSpec, byRow?: number[]): DeletePredicate {
  if (remove.rows !== undefined) {
    const wanted = new Map(remove.rows.map((r, i) => [rowKey(r), i]));
    const cols = remove.columns.length;
    const row: Datum[] = new Array<Datum>(cols);
    return (batch, matches) => {
      const sel = batch.selection;
      const count = sel === null ? batch.length : sel.length;
      for (let k = 0; k < count; k++) {
        const i = sel === null ? k : sel[k]!;
        for (let c = 0; c < cols; c++) row[c] = datumAt(batch.columns[c]!, i);
        const at = wanted.get(rowKey(row));
        if (at === undefined) continue;
        matches[i] = 1;
        if (byRow !== undefined) byRow[at]!++;
      }
    };
  }
  const kernel = remove.filter === null ? null : compileFilter(remove.filter, remove.types, remove.ctx);
  let buf = new Uint32Array(4096);
  return (batch, matches) => {
    if (buf.length < batch.length) buf = new Uint32Array(batch.length);
    const [n, sel] = selected(batch, kernel, buf);
    if (sel === null) matches.fill(1, 0, n);
    else for (let k = 0; k < n; k++) matches[sel[k]!] = 1;
  };
}

function rowKey(r: readonly Datum[]): string {
  let k = '';
  for (const v of r) k += `${datumKey(v)}\u0001`;
  return k;
}
