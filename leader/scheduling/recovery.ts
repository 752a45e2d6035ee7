// Recovery: brings the slices a node is behind on (NodeDef.behind) up to date from their current
// copies, online. For each behind slice, for each table it missed changes to (NodeDef.behindTables;
// every table when unknown: a new disk, a moved copy), the node fetches the files it lacks from
// a node with a current copy (a first pass while writes go on), then, holding the table against
// writes (TableGate), fetches what changed meanwhile and installs the copy. Writes reach a node
// catching up all along (it is up), so a table it has installed stays current. Tables the catalog
// dropped meanwhile are dropped. The slice is then cleared in the catalog, unless a write marked
// the node behind again meanwhile (behindEpoch), in which case the next round goes over it again.
//
// Reads never use a slice that is behind, so a node serves a slice only once it is current.
import type { Logger } from '../../common/log.ts';
import type { NodeRegistry } from '../../cluster/membership/node-registry.ts';
import type { RpcPeer } from '../../cluster/transport/rpc-peer.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { NodeDef, TableDef } from '../catalog/catalog-types.ts';
import { hostsOf } from '../catalog/placement.ts';
import type { ClusterDispatcher } from './cluster-dispatcher.ts';

/** How long recovery waits for writes to leave a table before it gives way and tries later. */
const HOLD_WAIT_MS = 2_000;
/** How often recovery looks for work besides node state changes. */
const ROUND_MS = 2_000;

/** A node's catch-up in progress (stv_nodes). */
export interface RecoveryProgress {
  /** Table copies done and to do this round. */
  done: number;
  total: number;
  /** Bytes fetched this round. */
  bytes: number;
  readonly startedAt: number;
}

/** A round gave up on a node for now (no source, writes held a table too long, a node failed). */
class Postponed extends Error {}

/** Runs catch-ups in the background, one node at a time. */
export class Recovery {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private readonly progressByNode = new Map<string, RecoveryProgress>();

  constructor(private readonly catalog: Catalog, private readonly registry: NodeRegistry, private readonly dispatcher: ClusterDispatcher,
    private readonly log: Logger) {}

  start(): void {
    this.registry.onChange(() => this.kick());
    this.timer = setInterval(() => this.kick(), ROUND_MS);
    this.timer.unref();
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Progress of the node's catch-up, or undefined when none is running. */
  progress(nodeId: string): RecoveryProgress | undefined {
    return this.progressByNode.get(nodeId);
  }

  /** Starts a round now, or right after the one running. */
  kick(): void {
    if (this.stopped) return;
    if (this.running !== null) { this.again = true; return; }
    if (!this.catalog.nodes.some((n) => (n.behind ?? []).length > 0)) return;
    this.running = (async () => {
      do {
        this.again = false;
        for (const node of this.catalog.nodes) {
          if ((node.behind ?? []).length === 0 || this.registry.peer(node.nodeId) === undefined || this.stopped) continue;
          try {
            await this.recoverNode(node);
          } catch (err) {
            if (err instanceof Postponed) this.log.info({ node: node.index, reason: err.message }, 'catch-up postponed');
            else this.log.warn({ err, node: node.index }, 'catch-up failed; retrying later');
          } finally {
            this.progressByNode.delete(node.nodeId);
          }
        }
      } while (this.again && !this.stopped);
    })().finally(() => { this.running = null; });
  }

  private async recoverNode(node: NodeDef): Promise<void> {
    const epoch = node.behindEpoch ?? 0;
    const slices = [...(node.behind ?? [])];
    // The tables each slice missed changes to (every table, when its marks do not say).
    const work = slices.map((slice) => ({ slice, oids: node.behindTables?.[String(slice)] ?? this.catalog.tables.map((t) => t.oid) }));
    const progress: RecoveryProgress = { done: 0, total: work.reduce((n, w) => n + w.oids.length, 0), bytes: 0, startedAt: Date.now() };
    this.progressByNode.set(node.nodeId, progress);
    this.log.info({ node: node.index, slices, tables: progress.total }, 'catching up');
    const peer = (): RpcPeer => {
      const p = this.registry.peer(node.nodeId);
      if (p === undefined) throw new Postponed(`node ${node.index} went down`);
      return p;
    };
    // Tables the catalog dropped while the node was away.
    const held = await peer().request('listTables', { slices }) as number[];
    for (const oid of held) if (this.catalog.tableByOid(oid) === undefined) await this.dropDropped(peer, slices, oid);
    for (const { slice, oids } of work) {
      for (const oid of oids) {
        const table = this.catalog.tableByOid(oid);
        if (table === undefined) await this.dropDropped(peer, [slice], oid);
        else await this.copyTable(peer, node, slice, table, progress);
        progress.done++;
      }
      // Tables created since the round began were sent to this node as it was up: nothing to fetch.
      await this.catalog.apply({ kind: 'CatchUp', nodeId: node.nodeId, slices: [slice], epoch });
    }
    const seconds = (Date.now() - progress.startedAt) / 1000;
    const caughtUp = (this.catalog.nodeById(node.nodeId)?.behind ?? []).length === 0;
    this.log.info({ node: node.index, slices, bytes: progress.bytes, seconds, mbPerSecond: progress.bytes / 1e6 / Math.max(seconds, 1e-3), caughtUp },
      caughtUp ? 'caught up' : 'catch-up round done; the node was marked behind again meanwhile');
  }

  /** Makes the node's copy of `table` on `slice` the current one: a pass while writes go on, then one holding the table. */
  private async copyTable(peer: () => RpcPeer, node: NodeDef, slice: number, table: TableDef, progress: RecoveryProgress): Promise<void> {
    const params = { slice, tableId: table.oid, source: this.sourceFor(node, slice, table) };
    const first = await peer().request('catchUp', { ...params, final: false }) as { bytes: number };
    progress.bytes += first.bytes;
    const release = await this.dispatcher.gate.exclusive(table.oid, HOLD_WAIT_MS);
    if (release === null) throw new Postponed(`writes held table ${table.name} for over ${HOLD_WAIT_MS} ms`);
    try {
      const last = await peer().request('catchUp', { ...params, final: true }) as { bytes: number };
      progress.bytes += last.bytes;
    } finally {
      release();
    }
  }

  /** Drops a table the catalog no longer has from the node's slices (held, so a CREATE in flight is not taken for one). */
  private async dropDropped(peer: () => RpcPeer, slices: readonly number[], oid: number): Promise<void> {
    const release = await this.dispatcher.gate.exclusive(oid, HOLD_WAIT_MS);
    if (release === null) throw new Postponed(`table ${oid} is being created`);
    try {
      if (this.catalog.tableByOid(oid) === undefined) await peer().request('dropTables', { slices, tableIds: [oid] });
    } finally {
      release();
    }
  }

  /** Where `node` copies `table`'s rows on `slice` from: a live node whose copy is current. */
  private sourceFor(node: NodeDef, slice: number, table: TableDef): { nodeId: string; host: string; port: number; slice: number } {
    const address = (n: NodeDef, sl: number): { nodeId: string; host: string; port: number; slice: number } => {
      const st = this.registry.statuses().find((s) => s.nodeId === n.nodeId)!;
      return { nodeId: n.nodeId, host: st.host, port: st.port, slice: sl };
    };
    const up = (n: NodeDef): boolean => n.nodeId !== node.nodeId && this.registry.peer(n.nodeId) !== undefined;
    if (table.distStyle === 'all' && slice === node.slices[0]) {
      // A DISTSTYLE ALL table lives whole in each node's first slice: copy another node's.
      const from = this.dispatcher.wholeCopies(table).find(up);
      if (from === undefined) throw new Postponed(`no live node has a current copy of table ${table.name}`);
      return address(from, from.slices[0]!);
    }
    const from = hostsOf(this.catalog.nodes, slice).find((h) => h.current && up(h.node));
    if (from === undefined) throw new Postponed(`no live node has a current copy of slice ${slice}`);
    return address(from.node, slice);
  }
}
