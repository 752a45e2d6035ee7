// RaftTransport over TCP: one RpcPeer connection per peer, each message one `raft.message` request.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { SqlError, SqlState } from '../../common/errors/index.ts';
import type { Logger } from '../../common/log.ts';
import { RpcPeer, type RpcHandler } from '../transport/rpc-peer.ts';
import { decodeMessage, encodeMessage } from './message-codec.ts';
import type { RaftMessage } from './raft-message.ts';
import type { RaftTransport } from './raft-transport.ts';
import type { NodeId, RaftMember } from './raft-types.ts';

/** The RPC method carrying one Raft message; its response is empty. */
export const RAFT_MESSAGE_METHOD = 'raft.message';

/** Messages kept for a peer while its connection is being (re)established. */
const MAX_QUEUED = 64;
/** After a failed connect, wait this long before dialling again. */
const RECONNECT_BACKOFF_MS = 200;

/** Options for {@link TcpTransport.listen}. */
export interface TcpTransportOptions {
  readonly id: NodeId;
  /** Interface to listen on. Default 127.0.0.1. */
  readonly host?: string;
  /** Port to listen on; 0 picks a free one (see {@link TcpTransport.address}). */
  readonly port: number;
  /** The address peers should dial to reach this server. Default: the bound host:port. */
  readonly advertise?: string;
  readonly log: Logger;
  readonly peers?: readonly RaftMember[];
}

interface Link {
  address: string;
  peer: RpcPeer | null;
  connecting: boolean;
  retryAt: number;
  queue: RaftMessage[];
}

/** Splits "host:port". */
export function parseAddress(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  const port = Number(address.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `invalid raft peer address "${address}" (expected host:port)`);
  }
  return { host: address.slice(0, i), port };
}

/**
 * Each server dials its peers for the messages it sends and accepts their connections for the
 * messages it receives. A message is a `raft.message` request over cluster/transport/rpc-peer,
 * params `{replyTo: sender address, message}`; the reply carries nothing (Raft replies are
 * messages of their own). An unknown sender is added as a peer at its `replyTo` address. Messages to a peer that
 * is unreachable are queued briefly, then dropped: Raft retransmits.
 */
export class TcpTransport implements RaftTransport {
  private readonly links = new Map<NodeId, Link>();
  private readonly incoming = new Set<RpcPeer>();
  private handler: ((m: RaftMessage) => void) | null = null;
  private closed = false;
  private readonly log: Logger;

  private constructor(private readonly id: NodeId, private readonly server: Server, log: Logger, readonly address: string) {
    this.log = log;
  }

  /** Starts listening; resolves once the port is bound. */
  static async listen(opts: TcpTransportOptions): Promise<TcpTransport> {
    const log = opts.log.child({ component: 'cluster.raft.transport', raftId: opts.id });
    const host = opts.host ?? '127.0.0.1';
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address();
    const port = typeof addr === 'object' && addr !== null ? addr.port : opts.port;
    const t = new TcpTransport(opts.id, server, log, opts.advertise ?? `${host}:${port}`);
    server.on('connection', (socket: Socket) => t.accept(socket));
    if (opts.peers) t.updatePeers(opts.peers);
    return t;
  }

  send(to: NodeId, message: RaftMessage): void {
    if (this.closed) return;
    const link = this.links.get(to);
    if (!link) return;
    if (link.peer && !link.peer.closed) {
      this.request(link.peer, message);
      return;
    }
    link.queue.push(message);
    if (link.queue.length > MAX_QUEUED) link.queue.shift();
    this.dial(to, link);
  }

  onMessage(handler: (message: RaftMessage) => void): void {
    this.handler = handler;
  }

  updatePeers(members: readonly RaftMember[]): void {
    for (const m of members) {
      if (m.id === this.id || m.address === '') continue;
      const link = this.links.get(m.id);
      if (!link) {
        this.links.set(m.id, { address: m.address, peer: null, connecting: false, retryAt: 0, queue: [] });
      } else if (link.address !== m.address) {
        link.address = m.address;
        link.peer?.close();
        link.peer = null;
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const link of this.links.values()) link.peer?.close();
    for (const p of this.incoming) p.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private request(peer: RpcPeer, message: RaftMessage): void {
    // The sender's address rides along so a server that has not learned its peers yet (one
    // being added to the cluster) can answer the leader.
    peer.request(RAFT_MESSAGE_METHOD, { replyTo: this.address, message: encodeMessage(message) }).catch(() => undefined);
  }

  private dial(to: NodeId, link: Link): void {
    if (link.connecting || Date.now() < link.retryAt) return;
    let target: { host: string; port: number };
    try {
      target = parseAddress(link.address);
    } catch (err) {
      this.log.warn({ err, peer: to }, 'cannot dial raft peer');
      link.retryAt = Date.now() + RECONNECT_BACKOFF_MS;
      return;
    }
    link.connecting = true;
    const socket = connect(target);
    const fail = (): void => {
      link.connecting = false;
      link.retryAt = Date.now() + RECONNECT_BACKOFF_MS;
      socket.destroy();
    };
    socket.once('error', fail);
    socket.once('connect', () => {
      socket.off('error', fail);
      link.connecting = false;
      if (this.closed) {
        socket.destroy();
        return;
      }
      const peer = new RpcPeer(socket, null, this.log, true, `raft peer ${to}`);
      link.peer = peer;
      peer.onClose(() => {
        if (link.peer === peer) link.peer = null;
      });
      const queued = link.queue;
      link.queue = [];
      for (const m of queued) this.request(peer, m);
    });
  }

  private accept(socket: Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    const handler: RpcHandler = async (method, params) => {
      if (method !== RAFT_MESSAGE_METHOD) throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `unknown raft method ${method}`);
      if (typeof params !== 'object' || params === null) throw new SqlError(SqlState.PROTOCOL_VIOLATION, 'malformed raft envelope');
      const { replyTo, message } = params as { replyTo?: unknown; message?: unknown };
      const m = decodeMessage(message);
      if (m.to !== this.id) throw new SqlError(SqlState.PROTOCOL_VIOLATION, `raft message for ${m.to} reached ${this.id}`);
      if (typeof replyTo === 'string' && replyTo !== '' && !this.links.has(m.from)) this.updatePeers([{ id: m.from, address: replyTo }]);
      this.handler?.(m);
      return null;
    };
    const peer = new RpcPeer(socket, handler, this.log, false, 'raft peer');
    this.incoming.add(peer);
    peer.onClose(() => this.incoming.delete(peer));
  }
}
