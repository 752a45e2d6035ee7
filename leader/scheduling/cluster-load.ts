// The leader's side of a parallel load: spreads record-aligned input chunks over the compute nodes
// (which parse them and route rows to their slices among themselves), keeps a bounded number of
// chunks in flight per node, enforces MAXERROR across nodes, and prepares the load for commit.
import { SqlError, SqlState } from '../../common/errors/index.ts';
import type { RpcPeer } from '../../cluster/transport/rpc-peer.ts';
import { budgetExceededError, type LoadErrorRecord } from '../../compute/loading/load-error.ts';
import type { ChunkMeta, ChunkResult, LoadNode, LoadSpec } from '../../compute/loading/load-session.ts';
import type { NodeDef } from '../catalog/catalog-types.ts';
import type { PreparedWrite } from './cluster-dispatcher.ts';

/** Chunks a node may be parsing or holding at once: one running, one queued behind it. */
const IN_FLIGHT_PER_NODE = 2;

/** A live node taking part in a load. */
export interface LoadTarget {
  readonly node: NodeDef;
  readonly peer: RpcPeer;
  readonly address: LoadNode;
}

/** One load in progress across the cluster. */
export class ClusterLoad {
  private readonly inFlight: number[];
  private readonly running = new Set<Promise<void>>();
  private failure: unknown = null;
  private skipped = 0;
  /** Rows parsed and stored (or checked, under NOLOAD) so far. */
  rows = 0;
  /** Rows that crossed the interconnect between compute nodes. */
  shipped = 0;
  private readonly abortCtl = new AbortController();

  private constructor(private readonly spec: LoadSpec, private readonly targets: readonly LoadTarget[],
    private readonly onRejected: (records: readonly LoadErrorRecord[]) => void, private readonly release: () => void,
    private readonly missed: ReadonlyMap<string, readonly number[]>) {
    this.inFlight = targets.map(() => 0);
  }

  /** Opens the load on every target node; `missed`: the slices of nodes that are down, marked behind at commit. */
  static async begin(spec: LoadSpec, targets: readonly LoadTarget[], onRejected: (records: readonly LoadErrorRecord[]) => void,
    release: () => void, missed: ReadonlyMap<string, readonly number[]> = new Map()): Promise<ClusterLoad> {
    const load = new ClusterLoad(spec, targets, onRejected, release, missed);
    const begun = await Promise.allSettled(targets.map((t) => t.peer.request('loadBegin', { spec })));
    const failed = begun.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await load.abort();
      throw failed.reason;
    }
    return load;
  }

  get txnId(): string {
    return this.spec.txnId;
  }

  /** Hands a chunk to the least busy node; waits while every node has its fill. */
  async send(meta: ChunkMeta, bytes: Uint8Array): Promise<void> {
    this.throwIfFailed();
    while (this.inFlight.every((n) => n >= IN_FLIGHT_PER_NODE)) {
      await Promise.race(this.running);
      this.throwIfFailed();
    }
    let best = 0;
    for (let i = 1; i < this.inFlight.length; i++) if (this.inFlight[i]! < this.inFlight[best]!) best = i;
    const target = this.targets[best]!;
    this.inFlight[best]!++;
    const done = target.peer.request('loadChunk', { txnId: this.spec.txnId, meta }, { body: bytes, signal: this.abortCtl.signal })
      .then((r) => this.accept(r as ChunkResult), (err: unknown) => { this.failure ??= err; })
      .finally(() => {
        this.inFlight[best]!--;
        this.running.delete(done);
      });
    this.running.add(done);
  }

  private accept(r: ChunkResult): void {
    this.rows += r.rows;
    this.shipped += r.shipped;
    if (r.rejected.length === 0) return;
    this.onRejected(r.rejected);
    const before = this.skipped;
    this.skipped += r.rejected.length;
    const max = this.spec.options.maxErrors;
    if (this.skipped > max && this.failure === null) {
      // Each node allows MAXERROR on its own; together they may not.
      this.failure = budgetExceededError(this.spec.tableName, max, this.spec.options.errorScope === 'conversion' ? 'conversion' : 'all', r.rejected[max - before]!);
    }
  }

  private throwIfFailed(): void {
    if (this.failure !== null) throw this.failure;
  }

  /** Bad rows skipped so far, on all nodes. */
  get rejected(): number {
    return this.skipped;
  }

  /** Waits for every chunk; then phase one of the commit on every node. */
  async prepare(): Promise<PreparedWrite> {
    while (this.running.size > 0) await Promise.all([...this.running]);
    this.throwIfFailed();
    await Promise.all(this.targets.map((t) => t.peer.request('loadPrepare', { txnId: this.spec.txnId })));
    return { txnId: this.spec.txnId, tableOid: this.spec.table.tableId, nodes: this.targets.map((t) => t.node), rows: this.rows, ...(this.missed.size > 0 ? { missed: this.missed } : {}) };
  }

  /** Stops the chunks in flight and drops what every node holds for the load. */
  async abort(): Promise<void> {
    this.failure ??= new SqlError(SqlState.QUERY_CANCELED, 'load aborted');
    this.abortCtl.abort(this.failure);
    while (this.running.size > 0) await Promise.all([...this.running]);
    // A node that already prepared holds the rows as a prepared write: drop that too.
    await Promise.all(this.targets.map(async (t) => {
      await t.peer.request('loadAbort', { txnId: this.spec.txnId }).catch(() => undefined);
      await t.peer.request('abortWrite', { txnId: this.spec.txnId }).catch(() => undefined);
    }));
    this.release();
  }
}
