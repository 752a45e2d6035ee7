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
import { hostsOf, replicaSlices } from '../catalog/placement.ts';
import { columnStatsFromTransport, mergeColumnStats } from '../../compute/stats/column-stats.ts';
import { formatDatum } from '../../sql/types/text-io.ts';
import type { LoadErrorRecord } from '../../compute/loading/load-error.ts';
import type { LoadSpec } from '../../compute/loading/load-session.ts';
import { ClusterLoad, type LoadTarget } from './cluster-load.ts';
import type { CommitLog } from './commit-log.ts';

/** A write prepared on some nodes, to be committed or aborted as one. */
export interface PreparedWrite {
  readonly txnId: string;
  readonly nodes: readonly NodeDef[];
  readonly rows: number;
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
 * (K-safety). A DISTSTYLE ALL table is whole on every node already: its own slices only.
 */
function writeSlices(table: TableDef, node: NodeDef): readonly number[] {
  return table.distStyle === 'all' ? node.slices : [...node.slices, ...replicaSlices(node)];
}

/** The leader's handle on the compute nodes. */
export class ClusterDispatcher {
  /** Writes prepared (or being loaded) and not yet committed or aborted, by transaction id. */
  private readonly active = new Set<string>();

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
      // Any node there when the table was created holds a full copy (later ones do not).
      const placed = table.placedOnSlices ?? Infinity;
      const whole = [...nodes].sort((a, b) => a.index - b.index).filter((n) => n.slices.every((sl) => sl < placed));
      const node = whole.find((n) => up.includes(n)) ?? whole[0] ?? nodes[0]!;
      return [{ node, peer: this.registry.requirePeer(node.nodeId, node.index), slices: [node.slices[0]!] }];
    }
    if (up.length === nodes.length) return this.liveNodes().map((l) => ({ ...l, slices: [...l.node.slices] }));
    const bySlice = new Map<string, { node: NodeDef; peer: RpcPeer; slices: number[] }>();
    const lost: number[] = [];
    for (const owner of nodes) {
      for (const slice of owner.slices) {
        const host = hostsOf(nodes, slice).find((h) => h.complete && this.registry.peer(h.node.nodeId) !== undefined);
        if (host === undefined) { lost.push(slice); continue; }
        let t = bySlice.get(host.node.nodeId);
        if (t === undefined) bySlice.set(host.node.nodeId, t = { node: host.node, peer: this.registry.peer(host.node.nodeId)!, slices: [] });
        t.slices.push(slice);
      }
    }
    if (lost.length > 0) {
      const down = nodes.filter((n) => !up.includes(n));
      throw new SqlError(SqlState.CONNECTION_FAILURE, `compute node ${down[0]!.index} (${down[0]!.nodeId}) is down`, {
        detail: `No live node has a copy of slice${lost.length > 1 ? 's' : ''} ${lost.join(', ')}${down.length > 1 ? `; nodes ${down.map((n) => n.index).join(', ')} are down` : ''}.`,
        hint: 'Queries resume once the node is back up; see stv_nodes.',
      });
    }
    return [...bySlice.values()].sort((a, b) => a.node.index - b.node.index);
  }

  /** Runs a storage method on every node (DDL); all nodes must be up. */
  async broadcast(method: string, params: unknown): Promise<void> {
    const live = this.liveNodes();
    await Promise.all(live.map(({ peer }) => peer.request(method, params)));
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
    const live = this.liveNodes();
    const txnId = randomUUID();
    this.active.add(txnId);
    // Every copy of a slice takes its rows (K-safety): the write is durable on all of them or none.
    const involved = live.filter(({ node }) => writeSlices(table, node).some((s) => rowsBySlice.has(s)));
    let rows = 0;
    for (const r of rowsBySlice.values()) rows += r.length;
    // A DISTSTYLE ALL table stores each row once per node; the client counts it once.
    if (logicalRows !== undefined) rows = logicalRows;
    const stored = storedTable(table);
    const results = await Promise.allSettled(involved.map(({ node, peer }) => peer.request('prepareWrite', {
      txnId, table: stored,
      slices: writeSlices(table, node).filter((s) => rowsBySlice.has(s)).map((slice) => ({ slice, rows: rowsBySlice.get(slice)! })),
    })));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    const write: PreparedWrite = { txnId, nodes: involved.map((l) => l.node), rows };
    if (failed) {
      await this.finishWrite(write, false);
      throw failed.reason;
    }
    return write;
  }

  /**
   * Phase one of DELETE / UPDATE / TRUNCATE: every node holding the table deletes the rows `remove`
   * selects on each of its slices and appends `rowsBySlice`' new rows, in one prepared write.
   * `deleted` counts the table's rows once (a DISTSTYLE ALL table's copy on one node).
   */
  async prepareModify(table: TableDef, remove: Omit<RemoveSpec, 'ctx'>, rowsBySlice: Map<number, Datum[][]>, evalCtx: EvalContext): Promise<{ write: PreparedWrite; deleted: number; deletedByRow?: number[] }> {
    const live = this.liveNodes();
    const txnId = randomUUID();
    this.active.add(txnId);
    let rows = 0;
    for (const r of rowsBySlice.values()) rows += r.length;
    const stored = storedTable(table);
    const results = await Promise.allSettled(live.map(({ node, peer }) => peer.request('prepareWrite', {
      txnId, table: stored, remove: { ...remove, ctx: evalCtx },
      slices: writeSlices(table, node).filter((s) => rowsBySlice.has(s)).map((slice) => ({ slice, rows: rowsBySlice.get(slice)! })),
    })));
    const write: PreparedWrite = { txnId, nodes: live.map((l) => l.node), rows };
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await this.finishWrite(write, false);
      throw failed.reason;
    }
    const answers = results.map((r) => (r as PromiseFulfilledResult<{ deleted: number; deletedByRow?: number[] } | null>).value);
    const counted = table.distStyle === 'all' ? answers.slice(0, 1) : answers;
    const deleted = counted.reduce((n, a) => n + (a?.deleted ?? 0), 0);
    if (remove.rows === undefined) return { write, deleted };
    const deletedByRow = new Array<number>(remove.rows.length).fill(0);
    for (const a of counted) a?.deletedByRow?.forEach((k, i) => { deletedByRow[i]! += k; });
    return { write, deleted, deletedByRow };
  }

  /** Starts a parallel load into `table` on every node (all must be up). */
  beginLoad(table: TableDef, input: Pick<LoadSpec, 'targets' | 'options' | 'textIo' | 'fill' | 'encodings'>,
    onRejected: (records: readonly LoadErrorRecord[]) => void): Promise<ClusterLoad> {
    const live = this.liveNodes();
    const addresses = new Map(this.registry.statuses().map((s) => [s.nodeId, s]));
    const targets: LoadTarget[] = live.map(({ node, peer }) => {
      const st = addresses.get(node.nodeId)!;
      const replicas = replicaSlices(node);
      return { node, peer, address: { nodeId: node.nodeId, host: st.host, port: st.port, slices: node.slices, ...(replicas.length > 0 ? { replicas } : {}) } };
    });
    const spec: LoadSpec = {
      txnId: randomUUID(), table: storedTable(table), tableName: table.name, ...input,
      distStyle: table.distStyle, distKey: table.distKey ?? null, nodes: targets.map((t) => t.address),
    };
    this.active.add(spec.txnId);
    return ClusterLoad.begin(spec, targets, onRejected, () => this.active.delete(spec.txnId));
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
        await this.registry.peer(node.nodeId)?.request('abortWrite', { txnId: w.txnId }).catch((err: unknown) => {
          this.log.warn({ err, node: node.index, txnId: w.txnId }, 'abort not delivered; the node drops the write when it asks');
        });
      })));
      for (const w of writes) this.active.delete(w.txnId);
      return;
    }
    await this.commits.decide(writes.map((w) => ({ txnId: w.txnId, nodes: w.nodes.map((n) => n.nodeId) })));
    for (const w of writes) this.active.delete(w.txnId);
    const sends = writes.flatMap((w) => w.nodes.map((node) => ({ w, node })));
    const send = async ({ w, node }: { w: PreparedWrite; node: NodeDef }): Promise<void> => {
      const peer = this.registry.peer(node.nodeId);
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
    await send(sends[0]!);
    crashPoint('leader-after-first-commit');
    await Promise.all(sends.slice(1).map(send));
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
    const live = this.liveNodes();
    const targets = table.distStyle === 'all' ? live.slice(0, 1) : live;
    const parts = await Promise.all(targets.map(({ peer }) => peer.request('analyzeTable', { table: storedTable(table) }) as Promise<unknown[]>));
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
    const parts = await this.tableRows(table.oid);
    const total = parts.reduce((a, p) => a + p.rows, 0);
    return table.distStyle === 'all' ? total / Math.max(1, this.catalog.nodes.length) : total;
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

  /** Runs VACUUM on every slice of a table. */
  async vacuum(tableOid: number, mode: VacuumMode): Promise<VacuumResult[]> {
    const live = this.liveNodes();
    const parts = await Promise.all(live.map(({ peer }) => peer.request('vacuum', { tableId: tableOid, mode }) as Promise<VacuumResult[]>));
    return parts.flat();
  }

  /** ANALYZE COMPRESSION advice of every slice that holds the table. */
  async analyzeCompression(tableOid: number, sampleRows: number): Promise<CompressionAdvice[][]> {
    const live = this.liveNodes();
    const parts = await Promise.all(live.map(({ peer }) => peer.request('analyzeCompression', { tableId: tableOid, sampleRows }) as Promise<CompressionAdvice[][]>));
    return parts.flat();
  }
}
