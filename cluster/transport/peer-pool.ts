// Connections between compute nodes: accepts peers dialling in and dials out on demand, one
// RpcPeer per remote node, reused across queries and loads (the interconnect for exchanges).
import { connect, type Socket } from 'node:net';
import { SqlError, SqlState } from '../../common/errors/index.ts';
import type { Logger } from '../../common/log.ts';
import { RpcPeer, type RpcHandler } from './rpc-peer.ts';

/** Where a peer listens. */
export interface PeerAddress {
  readonly nodeId: string;
  readonly host: string;
  readonly port: number;
}

/** How long dialling a peer may take before the caller's operation fails. */
const CONNECT_TIMEOUT_MS = 5_000;

/** The interconnect connections of one node. */
export class PeerPool {
  private readonly outbound = new Map<string, Promise<RpcPeer>>();
  private readonly inbound = new Set<RpcPeer>();
  private closed = false;

  constructor(private readonly handler: RpcHandler, private readonly log: Logger) {}

  /** Serves requests arriving on a socket a peer opened to us. */
  accept(socket: Socket): void {
    if (this.closed) { socket.destroy(); return; }
    const peer = new RpcPeer(socket, this.handler, this.log, false, `peer ${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`);
    this.inbound.add(peer);
    peer.onClose(() => this.inbound.delete(peer));
  }

  /** The connection to `addr`, dialled on first use and again after it drops. */
  get(addr: PeerAddress): Promise<RpcPeer> {
    if (this.closed) return Promise.reject(new SqlError(SqlState.CONNECTION_FAILURE, 'interconnect is shut down'));
    const key = `${addr.nodeId}@${addr.host}:${addr.port}`;
    const existing = this.outbound.get(key);
    if (existing) return existing;
    const dialled = this.dial(addr);
    this.outbound.set(key, dialled);
    dialled.then((peer) => peer.onClose(() => {
      if (this.outbound.get(key) === dialled) this.outbound.delete(key);
    }), () => {
      if (this.outbound.get(key) === dialled) this.outbound.delete(key);
    });
    return dialled;
  }

  private dial(addr: PeerAddress): Promise<RpcPeer> {
    return new Promise<RpcPeer>((resolve, reject) => {
      const socket = connect({ host: addr.host, port: addr.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new SqlError(SqlState.CONNECTION_FAILURE, `could not reach compute node ${addr.nodeId} at ${addr.host}:${addr.port}: timed out`));
      }, CONNECT_TIMEOUT_MS);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new RpcPeer(socket, this.handler, this.log, true, `node ${addr.nodeId}`));
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(new SqlError(SqlState.CONNECTION_FAILURE, `could not reach compute node ${addr.nodeId} at ${addr.host}:${addr.port}: ${err.message}`));
      });
    });
  }

  /** Closes every connection. */
  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.inbound) p.close();
    for (const d of this.outbound.values()) {
      try { (await d).close(); } catch { /* never connected */ }
    }
    this.outbound.clear();
  }
}
