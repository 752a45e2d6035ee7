// The leader's view of the compute nodes: registration, heartbeats, and up/down state.
import { createServer, type Server, type Socket } from 'node:net';
import { SqlError, SqlState } from '../../common/errors/index.ts';
import type { Logger } from '../../common/log.ts';
import { RpcPeer } from '../transport/rpc-peer.ts';
import type { StoredTable } from '../../storage/slice-store.ts';

/** What a compute node says about itself when it registers. */
export interface RegisterRequest {
  readonly nodeId: string;
  /** Host and port where peers reach its interconnect listener. */
  readonly host: string;
  readonly port: number;
  readonly sliceCount: number;
  readonly pid: number;
  /**
   * Its data directory was empty when it started: a known node id (a node whose disk was
   * replaced, or `--replace`) then holds nothing, and every slice it keeps is caught up again.
   */
  readonly fresh?: boolean;
}

/** What the leader answers: the node's place in the cluster. */
export interface RegisterReply {
  readonly index: number;
  readonly slices: readonly number[];
  /**
   * Every table the catalog holds (storage view): a node that joined after they were created
   * creates them empty, so queries over them find the table on every slice.
   */
  readonly tables?: readonly StoredTable[];
  /** Other nodes' slices this node keeps a copy of (K-safety). */
  readonly replicas?: readonly number[];
}

/** What the leader tells a compute node about a write it holds prepared (`resolveInDoubt`). */
export type InDoubtOutcome = 'commit' | 'abort' | 'pending';

/** Decides which slices a registering node owns (persisting new nodes in the catalog). */
export type SliceAssigner = (req: RegisterRequest) => Promise<RegisterReply>;

/** A node as the registry sees it right now. */
export interface NodeStatus {
  readonly nodeId: string;
  readonly index: number;
  readonly slices: readonly number[];
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  /** 'joining' from registration until the node's first heartbeat: it is opening its slices. */
  readonly state: 'up' | 'joining' | 'down';
  readonly lastHeartbeat: Date;
}

interface Entry {
  status: NodeStatus;
  peer: RpcPeer | null;
}

/** Options for {@link NodeRegistry}. */
export interface NodeRegistryOptions {
  host: string;
  port: number;
  assign: SliceAssigner;
  log: Logger;
  /** A node without a heartbeat for this long is down. */
  downAfterMs?: number;
  /** Serves the other requests a registered node sends (e.g. resolving writes in doubt). */
  serve?: (nodeId: string, method: string, params: unknown) => Promise<unknown>;
}

/** Accepts compute nodes on the cluster port and tracks whether each is alive. */
export class NodeRegistry {
  private readonly entries = new Map<string, Entry>();
  private server: Server | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly downAfterMs: number;
  private readonly listeners: (() => void)[] = [];
  private lastSweep = Date.now();

  constructor(private readonly opts: NodeRegistryOptions) {
    this.downAfterMs = opts.downAfterMs ?? 3000;
  }

  /** Starts listening; resolves with the bound port. */
  async start(): Promise<number> {
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => resolve());
    });
    this.timer = setInterval(() => this.sweep(), 250);
    this.timer.unref();
    const addr = server.address();
    return typeof addr === 'object' && addr !== null ? addr.port : this.opts.port;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const e of this.entries.values()) e.peer?.close();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Every node ever seen this run, in index order. */
  statuses(): NodeStatus[] {
    return [...this.entries.values()].map((e) => e.status).sort((a, b) => a.index - b.index);
  }

  /** The connection to an up node, or undefined when it is down or unknown. */
  peer(nodeId: string): RpcPeer | undefined {
    const e = this.entries.get(nodeId);
    return e && e.status.state === 'up' && e.peer && !e.peer.closed ? e.peer : undefined;
  }

  /** The connection to a node that is up or still joining (opening its slices), if any. */
  connectedPeer(nodeId: string): RpcPeer | undefined {
    const e = this.entries.get(nodeId);
    return e && e.status.state !== 'down' && e.peer && !e.peer.closed ? e.peer : undefined;
  }

  /** The connection to a node, or a clear error naming it when it is down. */
  requirePeer(nodeId: string, index: number): RpcPeer {
    const p = this.peer(nodeId);
    if (!p) {
      throw new SqlError(SqlState.CONNECTION_FAILURE, `compute node ${index} (${nodeId}) is down`, {
        hint: 'Queries resume once the node is back up; see stv_nodes.',
      });
    }
    return p;
  }

  /** Calls `cb` whenever a node changes state. */
  onChange(cb: () => void): void {
    this.listeners.push(cb);
  }

  /** Resolves when at least `count` nodes are up, or rejects after `timeoutMs`. */
  waitForUp(count: number, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => this.statuses().filter((s) => s.state === 'up').length >= count;
      if (check()) return resolve();
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${count} compute nodes`)), timeoutMs);
      this.onChange(() => {
        if (check()) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }

  private accept(socket: Socket): void {
    const log = this.opts.log;
    let nodeId: string | null = null;
    const peer = new RpcPeer(socket, async (method, params) => {
      if (method === 'register') {
        const req = parseRegister(params);
        const reply = await this.opts.assign(req);
        nodeId = req.nodeId;
        const old = this.entries.get(req.nodeId);
        if (old?.peer && old.peer !== peer) old.peer.close();
        this.entries.set(req.nodeId, {
          peer,
          // Up once its first heartbeat says its slices are open (reads go elsewhere until then).
          status: { ...req, index: reply.index, slices: reply.slices, state: 'joining', lastHeartbeat: new Date() },
        });
        log.info({ nodeId: req.nodeId, index: reply.index, slices: reply.slices, pid: req.pid }, 'compute node joining');
        this.changed();
        return reply;
      }
      if (method === 'heartbeat') {
        const e = nodeId === null ? undefined : this.entries.get(nodeId);
        if (e && e.peer === peer) {
          const wasUp = e.status.state === 'up';
          e.status = { ...e.status, lastHeartbeat: new Date(), state: 'up' };
          if (!wasUp) {
            log.info({ nodeId, index: e.status.index }, 'compute node up');
            this.changed();
          }
        }
        return null;
      }
      if (nodeId !== null && this.opts.serve) return this.opts.serve(nodeId, method, params);
      throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `unknown cluster method ${method}`);
    }, log, false, 'compute node');
    peer.onClose(() => {
      if (nodeId === null) return;
      const e = this.entries.get(nodeId);
      if (e && e.peer === peer) {
        e.peer = null;
        this.markDown(e, 'connection closed');
      }
    });
  }

  private sweep(): void {
    const now = Date.now();
    const late = now - this.lastSweep > 1000;
    this.lastSweep = now;
    // When this process itself was too busy to run the sweep on time, the heartbeats that arrived
    // meanwhile are still queued: judge the nodes on the next round, not now.
    if (late) return;
    for (const e of this.entries.values()) {
      if (e.status.state === 'up' && now - e.status.lastHeartbeat.getTime() > this.downAfterMs) {
        // A node that stopped answering (hung, SIGSTOP, cut off) fails its requests in flight now,
        // so their queries can run again on the copies of its slices; it registers again if it wakes.
        const peer = e.peer;
        e.peer = null;
        this.markDown(e, 'heartbeat missed');
        peer?.close();
      }
    }
  }

  private markDown(e: Entry, reason: string): void {
    if (e.status.state === 'down') return;
    e.status = { ...e.status, state: 'down' };
    this.opts.log.warn({ nodeId: e.status.nodeId, index: e.status.index, reason }, 'compute node down');
    this.changed();
  }

  private changed(): void {
    for (const cb of this.listeners) cb();
  }
}

function parseRegister(params: unknown): RegisterRequest {
  const p = params as Partial<RegisterRequest> | null;
  if (!p || typeof p.nodeId !== 'string' || typeof p.host !== 'string' || typeof p.port !== 'number'
    || typeof p.sliceCount !== 'number' || p.sliceCount < 1 || typeof p.pid !== 'number') {
    throw new SqlError(SqlState.PROTOCOL_VIOLATION, 'malformed register request');
  }
  return { nodeId: p.nodeId, host: p.host, port: p.port, sliceCount: p.sliceCount, pid: p.pid, ...(p.fresh === true ? { fresh: true } : {}) };
}
