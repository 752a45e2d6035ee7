// Sends work to the compute nodes: DDL to every node, fragments to the slices holding a table,
// and writes in two phases (prepare everywhere, then commit everywhere).
import { randomUUID } from 'node:crypto';
import { SqlError, SqlState } from '../../common/errors/index.ts';
import { AsyncQueue } from '../../common/async-queue.ts';
import { crashPoint } from '../../common/crash-points.ts';
import type { Logger } from '../../common/log.ts';
import { decodeChunk, leaderDecoder, type LeaderChunk } from '../../compute/exchange/fragment-chunks.ts';
import { decodeBatch } from '../../compute/exchange/arrow-batch-codec.ts';
import type { Batch } from '../../compute/batch/batch.ts';
import { batchFromRows } from '../../compute/batch/row-conversion.ts';
import type { SqlType } from '../../sql/types/sql-type.ts';
import type { MergeSpec, WindowSpec } from '../../compute/slices/slice-task.ts';
import type { RemoveSpec } from '../../compute/compute-node.ts';
import { packJoinFragment } from '../../compute/exchange/join-request.ts';
import type { InDoubtOutcome, NodeRegistry } from '../../cluster/membership/node-registry.ts';
import type { RpcPeer } from '../../cluster/transport/rpc-peer.ts';
import type { Fragment } from '../../compute/fragment/fragment.ts';
import type { JoinFragment } from '../../compute/fragment/join-fragment.ts';
import type { FragmentRow } from '../../compute/fragment/run-fragment.ts';
import type { EvalContext } from '../../sql/functions/scalar-functions.ts';
import type { Datum } from '../../sql/types/datum.ts';
import type { StoredTable } from '../../storage/slice-store.ts';
import type { CompressionAdvice } from '../../storage/encoding/analyze-compression.ts';
import type { BlockInfo, TableInfo } from '../../storage/system-views.ts';
import type { VacuumMode, VacuumResult } from '../../storage/vacuum.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { NodeDef, TableDef, TableStats } from '../catalog/catalog-types.ts';
import { hostsOf, isCurrent, replicaSlices } from '../catalog/placement.ts';
import { columnStatsFromTransport, mergeColumnStats } from '../../compute/stats/column-stats.ts';
import { formatDatum } from '../../sql/types/text-io.ts';
import type { LoadErrorRecord } from '../../compute/loading/load-error.ts';
import type { LoadSpec } from '../../compute/loading/load-session.ts';
import { ClusterLoad, type LoadTarget } from './cluster-load.ts';
import type { CommitLog } from './commit-log.ts';
import { TableGate } from './table-gate.ts';

/** A write prepared on some nodes, to be committed or aborted as one. */
export interface PreparedWrite {
  readonly txnId: string;
  /** The table written. */
  readonly tableOid: number;
  readonly nodes: readonly NodeDef[];
  readonly rows: number;
  /**
   * Slices, by node id, that miss this write: their node was down, or is behind and failed its
   * part. They are marked behind before the commit is decided, and recovery catches them up.
   */
  readonly missed?: ReadonlyMap<string, readonly number[]>;
}

/** Where a write goes: every reachable node holding a slice it touches, and what the others miss. */
interface WritePlan {
  readonly targets: { node: NodeDef; peer: RpcPeer; slices: number[] }[];
  readonly missed: Map<string, number[]>;
}

/** The storage view of a catalog table. */
export function storedTable(t: TableDef): StoredTable {
  return {
    tableId: t.oid,
    columns: t.columns.map((c) => ({ name: c.name, type: c.type, notNull: c.notNull, ...(c.encoding !== undefined ? { encoding: c.encoding } : {}) })),
    sortKey: t.sortKey,
    sortStyle: t.sortStyle,
  };
}

/**
 * The slices of `table` a write sends `node`: its own, then its copies of other nodes' slices
 * (K-safety). A DISTSTYLE ALL table is whole on every node already, in the node's first slice.
 */
function writeSlices(table: TableDef | null, node: NodeDef): readonly number[] {
  if (table?.distStyle === 'all') return node.slices.slice(0, 1);
  return [...node.slices, ...replicaSlices(node)];
}

/** Reads or writes need slices no live node holds a current copy of (refused before anything ran). */
export class LostSlicesError extends SqlError {}

/** The error for reads or writes that need slices no live node holds a current copy of. */
function lostSlicesError(nodes: readonly NodeDef[], down: readonly NodeDef[], lost: readonly number[]): SqlError {
  const first = down[0] ?? nodes[0]!;
  return new LostSlicesError(SqlState.CONNECTION_FAILURE, `compute node ${first.index} (${first.nodeId}) is down`, {
    detail: `No live node has a current copy of slice${lost.length > 1 ? 's' : ''} ${lost.join(', ')}${down.length > 1 ? `; nodes ${down.map((n) => n.index).join(', ')} are down` : ''}.`,
    hint: 'Queries resume once the node is back up; see stv_nodes.',
  });
}

/** The leader's handle on the compute nodes. */
export class ClusterDispatcher {
  /** Writes prepared (or being loaded) and not yet committed or aborted: the release of their tables' hold, by transaction id. */
  private readonly active = new Map<string, () => void>();
  /** Writes hold their tables shared; recovery holds one alone while it swaps a node's copy. */
  readonly gate = new TableGate();

  constructor(private readonly catalog: Catalog, private readonly registry: NodeRegistry, private readonly log: Logger,
    private readonly commits: CommitLog) {}

  /** Every node of the cluster with its live connection; fails naming the first node that is down. */
  private liveNodes(): { node: NodeDef; peer: RpcPeer }[] {
    const nodes = this.catalog.nodes;
    if (nodes.length === 0) {
      throw new SqlError(SqlState.CANNOT_CONNECT_NOW, 'no compute nodes have joined the cluster yet');
    }
    return nodes.map((node) => ({ node, peer: this.registry.requirePeer(node.nodeId, node.index) }));
  }

  /**
   * Who reads what: every slice from its own node when that is up, else from a node with a
   * complete copy of it (K-safety); a DISTSTYLE ALL table from one node's full copy. Fails, naming
   * the slices, when some slice has no live copy: never a partial answer.
   */
  private readTargets(table: TableDef | null): { node: NodeDef; peer: RpcPeer; slices: number[] }[] {
    const nodes = this.catalog.nodes;
    if (nodes.length === 0) {
      throw new SqlError(SqlState.CANNOT_CONNECT_NOW, 'no compute nodes have joined the cluster yet');
    }
    const up = nodes.filter((n) => this.registry.peer(n.nodeId) !== undefined);
    if (table?.distStyle === 'all') {
      const node = this.wholeCopies(table).find((n) => up.includes(n));
      if (node === undefined) throw lostSlicesError(nodes, nodes.filter((n) => !up.includes(n)), [nodes[0]!.slices[0]!]);
      return [{ node, peer: this.registry.requirePeer(node.nodeId, node.index), slices: [node.slices[0]!] }];
    }
    if (up.length === nodes.length && nodes.every((n) => (n.behind ?? []).length === 0)) {
      return this.liveNodes().map((l) => ({ ...l, slices: [...l.node.slices] }));
    }
    const bySlice = new Map<string, { node: NodeDef; peer: RpcPeer; slices: number[] }>();
    const lost: number[] = [];
    for (const owner of nodes) {
      for (const slice of owner.slices) {
        const host = hostsOf(nodes, slice).find((h) => h.current && this.registry.peer(h.node.nodeId) !== undefined);
        if (host === undefined) { lost.push(slice); continue; }
        let t = bySlice.get(host.node.nodeId);
        if (t === undefined) bySlice.set(host.node.nodeId, t = { node: host.node, peer: this.registry.peer(host.node.nodeId)!, slices: [] });
        t.slices.push(slice);
      }
    }
    if (lost.length > 0) throw lostSlicesError(nodes, nodes.filter((n) => !up.includes(n)), lost);
    return [...bySlice.values()].sort((a, b) => a.node.index - b.node.index);
  }

  /**
   * The nodes holding a current full copy of a DISTSTYLE ALL table, in index order: those there
   * when it was created (later ones hold none) whose first slice, where the copy lives, is current.
   */
  wholeCopies(table: TableDef): NodeDef[] {
    const placed = table.placedOnSlices ?? Infinity;
    return [...this.catalog.nodes].sort((a, b) => a.index - b.index)
      .filter((n) => n.slices.every((sl) => sl < placed) && isCurrent(n, n.slices[0]!));
  }

  /**
   * Where a write to `table` goes (null: every table, as DDL): each slice in `touched` (null: all)
   * to every reachable node holding it, current or behind; a node that is down misses its slices.
   * Fails, naming them, when some touched slice has no reachable current copy: the write would
   * leave no copy holding every row.
   */
  private writePlan(table: TableDef | null, touched: ReadonlySet<number> | null): WritePlan {
    const nodes = this.catalog.nodes;
    if (nodes.length === 0) throw new SqlError(SqlState.CANNOT_CONNECT_NOW, 'no compute nodes have joined the cluster yet');
    const targets: WritePlan['targets'] = [];
    const missed = new Map<string, number[]>();
    const reachable = new Set<string>();
    for (const node of nodes) {
      const slices = writeSlices(table, node).filter((sl) => touched === null || touched.has(sl));
      if (slices.length === 0) continue;
      const peer = this.registry.connectedPeer(node.nodeId);
      if (peer === undefined) missed.set(node.nodeId, slices);
      else { targets.push({ node, peer, slices }); reachable.add(node.nodeId); }
    }
    const down = nodes.filter((n) => this.registry.connectedPeer(n.nodeId) === undefined);
    if (table?.distStyle === 'all') {
      if (!this.wholeCopies(table).some((n) => reachable.has(n.nodeId))) throw lostSlicesError(nodes, down, [nodes[0]!.slices[0]!]);
      return { targets, missed };
    }
    const lost: number[] = [];
    for (const owner of nodes) {
      for (const slice of owner.slices) {
        if (touched !== null && !touched.has(slice)) continue;
        if (!hostsOf(nodes, slice).some((h) => h.current && reachable.has(h.node.nodeId))) lost.push(slice);
      }
    }
    if (lost.length > 0) throw lostSlicesError(nodes, down, lost);
    return { targets, missed };
  }

  /**
   * Sends phase one of a write to every target of `plan`. A node that is behind on a slice it
   * was sent is only catching up: when its part fails, the write goes on without it (its slices
   * are marked missed). Any other failure aborts the write everywhere and is thrown.
   */
  private async prepareOn<T>(txnId: string, tableOid: number, plan: WritePlan, rows: number, send: (t: WritePlan['targets'][number]) => Promise<T>): Promise<{ write: PreparedWrite; answers: Map<string, T> }> {
    const results = await Promise.allSettled(plan.targets.map(send));
    const answers = new Map<string, T>();
    const missed = new Map(plan.missed);
    let failure: unknown = null;
    const prepared: NodeDef[] = [];
    results.forEach((r, i) => {
      const t = plan.targets[i]!;
      if (r.status === 'fulfilled') { answers.set(t.node.nodeId, r.value); prepared.push(t.node); return; }
      if (t.slices.some((sl) => !isCurrent(t.node, sl))) {
        this.log.warn({ err: r.reason, node: t.node.index, txnId }, 'a node catching up failed its part of a write; it stays behind');
        missed.set(t.node.nodeId, t.slices);
        return;
      }
      failure ??= r.reason;
    });
    // Every node sent anything is asked to drop it on abort, including those that failed.
    const write: PreparedWrite = { txnId, tableOid, nodes: failure === null ? prepared : plan.targets.map((t) => t.node), rows, ...(missed.size > 0 ? { missed } : {}) };
    if (failure !== null) {
      await this.finishWrite(write, false);
      throw failure;
    }
    return { write, answers };
  }

  /** Holds `table` for a write until it is committed or aborted (see {@link TableGate}). */
  private async hold(txnId: string, table: TableDef): Promise<void> {
    this.active.set(txnId, await this.gate.shared(table.oid));
  }

  /** The write is over: its tables' hold goes. */
  private done(txnId: string): void {
    this.active.get(txnId)?.();
    this.active.delete(txnId);
  }

  /**
   * Runs a storage method on every node (DDL of table `tableOid`). A node that is down misses it:
   * every slice it holds is marked behind on that table, and recovery brings it in line when the
   * node is back.
   */
  async broadcast(method: string, params: unknown, tableOid: number): Promise<void> {
    const plan = this.writePlan(null, null);
    if (plan.missed.size > 0) await this.catalog.apply({ kind: 'MarkBehind', slices: Object.fromEntries(plan.missed), tables: [tableOid] });
    await Promise.all(plan.targets.map(({ peer }) => peer.request(method, params)));
  }

  /**
   * Streams the output of `fragment` from every slice holding `table`; a JoinFragment (method
   * 'runJoinFragment') runs over the slices of its probe table.
   */
  runFragment(table: TableDef | null, fragment: Fragment | JoinFragment, evalCtx: EvalContext, signal: AbortSignal,
    method: 'runFragment' | 'runJoinFragment' = 'runFragment', onBytes?: (n: number) => void,
    onResponse?: (value: unknown, node: number) => void): AsyncIterable<LeaderChunk> {
    const decode = leaderDecoder(method === 'runJoinFragment' ? (fragment as JoinFragment).post : fragment as Fragment);
    return this.stream(table, fragment, evalCtx, signal, method, decode, onBytes, onResponse);
  }

  /**
   * Like {@link runFragment} for a projection, but yields column batches as they arrive (no Datum
   * per value): what a broadcast input needs, since it goes out again as Arrow.
   */
  runFragmentBatches(table: TableDef, fragment: Fragment, types: readonly SqlType[], evalCtx: EvalContext, signal: AbortSignal,
    onBytes?: (n: number) => void, onResponse?: (value: unknown, node: number) => void): AsyncIterable<Batch> {
    const decode = (bytes: Uint8Array): Batch => (bytes.length > 0 && bytes[0] === 0xff ? decodeBatch(bytes) : batchFromRows(types, decodeChunk(bytes) as Datum[][]));
    return this.stream(table, fragment, evalCtx, signal, 'runFragment', decode, onBytes, onResponse);
  }

  /**
   * Final rows of an aggregation whose partial rows an exchange redistributed by group key: every
   * slice merges its groups and finishes them (HAVING, projection).
   */
  runMerge(exchange: Fragment, merge: MergeSpec, evalCtx: EvalContext, signal: AbortSignal, onBytes?: (n: number) => void,
    onResponse?: (value: unknown, node: number) => void): AsyncIterable<FragmentRow[]> {
    return this.stream(null, exchange, evalCtx, signal, 'runMerge', decodeChunk, onBytes, onResponse, { merge });
  }

  /** Rows of window functions computed per slice over rows an exchange redistributed by a PARTITION BY key. */
  runWindow(exchange: Fragment, window: WindowSpec, evalCtx: EvalContext, signal: AbortSignal, onBytes?: (n: number) => void,
    onResponse?: (value: unknown, node: number) => void): AsyncIterable<LeaderChunk> {
    return this.stream(null, exchange, evalCtx, signal, 'runWindow', leaderDecoder(window.outer), onBytes, onResponse, { window });
  }

  private stream<T>(table: TableDef | null, fragment: Fragment | JoinFragment, evalCtx: EvalContext, signal: AbortSignal,
    method: 'runFragment' | 'runJoinFragment' | 'runMerge' | 'runWindow', decode: (bytes: Uint8Array) => T, onBytes?: (n: number) => void,
    onResponse?: (value: unknown, node: number) => void, extra: Record<string, unknown> = {}): AsyncIterable<T> {
    // A DISTSTYLE ALL table has a full copy on every node: read one copy only. No table (a join
    // probing redistributed rows): every slice.
    const targets = this.readTargets(table);
    const queue = new AsyncQueue<T>(8);
    // Broadcast inputs travel once encoded, as Arrow batches in the request body.
    const packed = method === 'runJoinFragment' ? packJoinFragment(fragment as JoinFragment) : { fragment, body: undefined };
    const abort = new AbortController();
    const onAbort = (): void => abort.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    let pending = targets.length;
    for (const t of targets) {
      t.peer.request(method, { fragment: packed.fragment, slices: t.slices, ctx: evalCtx, ...extra }, {
        signal: abort.signal,
        ...(packed.body === undefined ? {} : { body: packed.body }),
        onData: (chunk) => {
          onBytes?.(chunk.length);
          queue.push(decode(chunk));
        },
      }).then((value) => {
        onResponse?.(value, t.node.index);
        if (--pending === 0) queue.close();
      }, (err: unknown) => {
        abort.abort(err);
        queue.fail(err);
      });
    }
    const log = this.log;
    return (async function* stream() {
      try {
        yield* queue;
      } finally {
        signal.removeEventListener('abort', onAbort);
        if (pending > 0 && !abort.signal.aborted) {
          log.debug('fragment consumer stopped early; cancelling');
          abort.abort(new SqlError(SqlState.QUERY_CANCELED, 'fragment no longer needed'));
        }
      }
    })();
  }

  /**
   * Redistributes `fragment`'s output rows (a projection over `table`, run on every slice holding
   * it) by the DISTKEY hash of output column `keyIndex` over all the cluster's slices, node to node.
   * Resolves once every row has arrived; the rows stay on the nodes under the returned exchange id
   * until {@link dropExchange}.
   */
  async redistribute(table: TableDef, fragment: Fragment, keyIndex: number, evalCtx: EvalContext, signal: AbortSignal,
    onResponse?: (value: unknown, node: number) => void, groupCount?: number): Promise<{ exchangeId: string; rows: number; bytesSent: number }> {
    const addresses = new Map(this.registry.statuses().map((s) => [s.nodeId, s]));
    // Each slice's rows go to the node that reads that slice now (its own, or a copy's node).
    const routes = this.readTargets(null).flatMap(({ node, slices }) => {
      const st = addresses.get(node.nodeId)!;
      return slices.map((slice) => ({ nodeId: node.nodeId, host: st.host, port: st.port, slice }));
    }).sort((a, b) => a.slice - b.slice);
    const targets = this.readTargets(table);
    const exchangeId = randomUUID();
    let rows = 0;
    let bytesSent = 0;
    try {
      await Promise.all(targets.map(async (t) => {
        const r = await t.peer.request('runExchange', { exchangeId, fragment, keyIndex, groupCount, slices: t.slices, routes, ctx: evalCtx }, { signal }) as { rows: number; bytesSent: number };
        rows += r.rows;
        bytesSent += r.bytesSent;
        onResponse?.(r, t.node.index);
      }));
    } catch (err) {
      this.dropExchange(exchangeId);
      throw err;
    }
    return { exchangeId, rows, bytesSent };
  }

  /** Frees an exchange's rows on every node (best effort: a node that is down has lost them anyway). */
  dropExchange(exchangeId: string): void {
    for (const node of this.catalog.nodes) {
      const peer = this.registry.peer(node.nodeId);
      peer?.request('dropExchange', { exchangeId }).catch(() => undefined);
    }
  }

  /**
   * Phase one of a write: ships each slice its rows and makes them durable, unpublished.
   * `rowsBySlice` maps global slice numbers to rows (in table column order).
   */
  async prepareWrite(table: TableDef, rowsBySlice: Map<number, Datum[][]>, logicalRows?: number): Promise<PreparedWrite> {
    const txnId = randomUUID();
    await this.hold(txnId, table);
    try {
      // Every copy of a slice takes its rows (K-safety): the write is durable on all of them or none.
      const plan = this.writePlan(table, new Set(rowsBySlice.keys()));
      let rows = 0;
      for (const r of rowsBySlice.values()) rows += r.length;
      // A DISTSTYLE ALL table stores each row once per node; the client counts it once.
      if (logicalRows !== undefined) rows = logicalRows;
      const stored = storedTable(table);
      const { write } = await this.prepareOn(txnId, table.oid, plan, rows, ({ peer, slices }) => peer.request('prepareWrite', {
        txnId, table: stored, slices: slices.map((slice) => ({ slice, rows: rowsBySlice.get(slice)! })),
      }));
      return write;
    } catch (err) {
      this.done(txnId);
      throw err;
    }
  }

  /**
   * Phase one of DELETE / UPDATE / TRUNCATE: every node holding the table deletes the rows `remove`
   * selects on each of its slices and appends `rowsBySlice`' new rows, in one prepared write.
   * `deleted` counts the table's rows once (a DISTSTYLE ALL table's copy on one node).
   */
  async prepareModify(table: TableDef, remove: Omit<RemoveSpec, 'ctx'>, rowsBySlice: Map<number, Datum[][]>, evalCtx: EvalContext): Promise<{ write: PreparedWrite; deleted: number; deletedByRow?: number[] }> {
    const txnId = randomUUID();
    await this.hold(txnId, table);
    try {
      const plan = this.writePlan(table, null);
      let rows = 0;
      for (const r of rowsBySlice.values()) rows += r.length;
      const stored = storedTable(table);
      // Each slice's deletions are counted once, by the first current copy of it (as reads go).
      const counter = new Map<number, string>();
      for (const t of plan.targets) for (const sl of t.slices) if (!counter.has(sl) && isCurrent(t.node, sl)) counter.set(sl, t.node.nodeId);
      if (table.distStyle === 'all') {
        const first = this.wholeCopies(table).find((n) => plan.targets.some((t) => t.node === n))!;
        counter.clear();
        counter.set(first.slices[0]!, first.nodeId);
      }
      const { write, answers } = await this.prepareOn(txnId, table.oid, plan, rows, ({ node, peer, slices }) => peer.request('prepareWrite', {
        txnId, table: stored, remove: { ...remove, ctx: evalCtx },
        slices: slices.filter((sl) => rowsBySlice.has(sl)).map((slice) => ({ slice, rows: rowsBySlice.get(slice)! })),
        count: [...counter].filter(([, id]) => id === node.nodeId).map(([sl]) => sl),
      }) as Promise<{ deleted: number; deletedByRow?: number[] } | null>);
      // Counting nodes are current, and only nodes catching up may drop out: every count is here.
      const counted = [...answers.values()];
      const deleted = counted.reduce((n, a) => n + (a?.deleted ?? 0), 0);
      if (remove.rows === undefined) return { write, deleted };
      const deletedByRow = new Array<number>(remove.rows.length).fill(0);
      for (const a of counted) a?.deletedByRow?.forEach((k, i) => { deletedByRow[i]! += k; });
      return { write, deleted, deletedByRow };
    } catch (err) {
      this.done(txnId);
      throw err;
    }
  }

  /**
   * Starts a parallel load into `table` on every reachable node; a node that is down misses its
   * slices (their other copies take the rows).
   */
  async beginLoad(table: TableDef, input: Pick<LoadSpec, 'targets' | 'options' | 'textIo' | 'fill' | 'encodings'>,
    onRejected: (records: readonly LoadErrorRecord[]) => void): Promise<ClusterLoad> {
    const txnId = randomUUID();
    await this.hold(txnId, table);
    try {
      const plan = this.writePlan(table, null);
      const addresses = new Map(this.registry.statuses().map((s) => [s.nodeId, s]));
      const address = (node: NodeDef): LoadTarget['address'] => {
        const st = addresses.get(node.nodeId);
        const replicas = replicaSlices(node);
        return { nodeId: node.nodeId, host: st?.host ?? '', port: st?.port ?? 0, slices: node.slices, ...(replicas.length > 0 ? { replicas } : {}) };
      };
      const targets: LoadTarget[] = plan.targets.map(({ node, peer }) => ({ node, peer, address: address(node) }));
      const down = [...plan.missed.keys()];
      const spec: LoadSpec = {
        txnId, table: storedTable(table), tableName: table.name, ...input,
        distStyle: table.distStyle, distKey: table.distKey ?? null, nodes: this.catalog.nodes.map(address),
        ...(down.length > 0 ? { down } : {}),
      };
      return await ClusterLoad.begin(spec, targets, onRejected, () => this.done(txnId), plan.missed);
    } catch (err) {
      this.done(txnId);
      throw err;
    }
  }

  /** Phase two for one write: see {@link finishWrites}. */
  finishWrite(write: PreparedWrite, commit: boolean): Promise<void> {
    return this.finishWrites([write], commit);
  }

  /**
   * Phase two: publishes (commit) or drops (abort) prepared writes on all their nodes, all of them
   * one decision. A commit is decided once its record is durable in the commit log; a node that is
   * down or fails to answer publishes it when it comes back (it asks, see {@link resolveInDoubt}),
   * so a commit never fails after its decision.
   */
  async finishWrites(writes: readonly PreparedWrite[], commit: boolean): Promise<void> {
    if (writes.length === 0) return;
    if (!commit) {
      await Promise.all(writes.flatMap((w) => w.nodes.map(async (node) => {
        await this.registry.connectedPeer(node.nodeId)?.request('abortWrite', { txnId: w.txnId }).catch((err: unknown) => {
          this.log.warn({ err, node: node.index, txnId: w.txnId }, 'abort not delivered; the node drops the write when it asks');
        });
      })));
      for (const w of writes) this.done(w.txnId);
      return;
    }
    try {
      // The copies a write missed are behind before it counts as committed: never read as current.
      for (const w of writes) {
        if (w.missed !== undefined) await this.catalog.apply({ kind: 'MarkBehind', slices: Object.fromEntries(w.missed), tables: [w.tableOid] });
      }
      await this.commits.decide(writes.map((w) => ({ txnId: w.txnId, nodes: w.nodes.map((n) => n.nodeId) })));
    } catch (err) {
      for (const w of writes) this.done(w.txnId);
      throw err;
    }
    const sends = writes.flatMap((w) => w.nodes.map((node) => ({ w, node })));
    const send = async ({ w, node }: { w: PreparedWrite; node: NodeDef }): Promise<void> => {
      const peer = this.registry.connectedPeer(node.nodeId);
      if (!peer) {
        this.log.warn({ node: node.index, txnId: w.txnId }, 'compute node down at commit; it publishes the write when it is back');
        return;
      }
      try {
        await peer.request('commitWrite', { txnId: w.txnId });
        await this.commits.acknowledge(node.nodeId, [w.txnId]);
      } catch (err) {
        this.log.warn({ err, node: node.index, txnId: w.txnId }, 'commit not acknowledged; the node publishes the write when it asks');
      }
    };
    // The first message alone, then the rest at once: the crash point below can stop the leader
    // with the write published on one node only, the case the commit log exists for.
    try {
      if (sends.length > 0) await send(sends[0]!);
      crashPoint('leader-after-first-commit');
      await Promise.all(sends.slice(1).map(send));
    } finally {
      for (const w of writes) this.done(w.txnId);
    }
  }

  /** The fate of writes a (re)starting compute node holds prepared. */
  resolveInDoubt(nodeId: string, txnIds: readonly string[]): Record<string, InDoubtOutcome> {
    const out: Record<string, InDoubtOutcome> = {};
    for (const id of txnIds) out[id] = this.commits.isCommitted(id, nodeId) ? 'commit' : this.active.has(id) ? 'pending' : 'abort';
    return out;
  }

  /** A node published writes it had asked about. */
  acknowledgeCommits(nodeId: string, txnIds: readonly string[]): Promise<void> {
    return this.commits.acknowledge(nodeId, txnIds);
  }

  /** ANALYZE: every column's statistics, merged over the slices (one copy of a DISTSTYLE ALL table). */
  async analyze(table: TableDef): Promise<TableStats> {
    const targets = this.readTargets(table);
    const parts = await Promise.all(targets.map(({ peer, slices }) => peer.request('analyzeTable', { table: storedTable(table), slices }) as Promise<unknown[]>));
    const columns = table.columns.map((c, i) => {
      const merged = mergeColumnStats(parts.map((p) => columnStatsFromTransport(p[i])));
      const text = (v: Datum): string | null => (v === null ? null : formatDatum(c.type, v));
      // HyperLogLog is within a few percent: a column that close to all-distinct is taken as unique
      // (PostgreSQL's ANALYZE likewise reports a key column as exactly unique).
      const nonNull = Math.round(merged.rows * (1 - merged.nullFrac));
      const distinct = merged.distinct >= 0.95 * nonNull ? nonNull : merged.distinct;
      return { nullFrac: merged.nullFrac, distinct, avgWidth: merged.avgWidth, min: text(merged.min), max: text(merged.max) };
    });
    const rows = parts.reduce((a, p) => a + columnStatsFromTransport(p[0]).rows, 0);
    return { analyzedAt: new Date().toISOString(), rows, columns };
  }

  /** Rows a table holds now (one copy of a DISTSTYLE ALL table). */
  async tableRowCount(table: TableDef): Promise<number> {
    if (table.distStyle === 'all') {
      const { peer, slices } = this.readTargets(table)[0]!;
      const parts = await peer.request('tableRows', { tableId: table.oid, slices }) as { slice: number; rows: number }[];
      return parts.reduce((a, p) => a + p.rows, 0);
    }
    const parts = await this.tableRows(table.oid);
    return parts.reduce((a, p) => a + p.rows, 0);
  }

  /** Live row counts per slice of a table (for system views). */
  async tableRows(tableOid: number): Promise<{ slice: number; rows: number }[]> {
    const targets = this.readTargets(null);
    const parts = await Promise.all(targets.map(({ peer, slices }) => peer.request('tableRows', { tableId: tableOid, slices }) as Promise<{ slice: number; rows: number }[]>));
    return parts.flat();
  }

  /** svv_table_info inputs from every slice, plus the disk capacity of each node. */
  async tableInfo(tableOid?: number): Promise<{ tables: TableInfo[]; diskBytes: number }> {
    const live = this.liveNodes();
    const parts = await Promise.all(live.map(({ peer }) => peer.request('tableInfo', { tableId: tableOid }) as Promise<{ tables: TableInfo[]; diskBytes: number }>));
    return { tables: parts.flatMap((p) => p.tables), diskBytes: parts.reduce((a, p) => a + p.diskBytes, 0) };
  }

  /** stv_blocklist rows from every slice. */
  async blockList(tableOid?: number): Promise<BlockInfo[]> {
    const live = this.liveNodes();
    const parts = await Promise.all(live.map(({ peer }) => peer.request('blockList', { tableId: tableOid }) as Promise<BlockInfo[]>));
    return parts.flat();
  }

  /**
   * Runs VACUUM on every slice of a table, on every node that is up (a node that is down is
   * vacuumed later: VACUUM changes no row). Holds the table against recovery meanwhile.
   */
  async vacuum(tableOid: number, mode: VacuumMode): Promise<VacuumResult[]> {
    const release = await this.gate.shared(tableOid);
    try {
      const nodes = this.catalog.nodes.filter((n) => this.registry.peer(n.nodeId) !== undefined);
      const parts = await Promise.all(nodes.map((n) => this.registry.peer(n.nodeId)!.request('vacuum', { tableId: tableOid, mode }) as Promise<VacuumResult[]>));
      return parts.flat();
    } finally {
      release();
    }
  }

  /** ANALYZE COMPRESSION advice of every slice that holds the table. */
  async analyzeCompression(tableOid: number, sampleRows: number): Promise<CompressionAdvice[][]> {
    const live = this.liveNodes();
    const parts = await Promise.all(live.map(({ peer }) => peer.request('analyzeCompression', { tableId: tableOid, sampleRows }) as Promise<CompressionAdvice[][]>));
    return parts.flat();
  }
}
