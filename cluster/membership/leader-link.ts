// A compute node's connection to the leader: register, heartbeat, reconnect, and serve its requests.
import { connect } from 'node:net';
import type { Logger } from '../../common/log.ts';
import { SqlError, SqlState } from '../../common/errors/index.ts';
import { RpcPeer, type RpcHandler } from '../transport/rpc-peer.ts';
import type { RegisterReply, RegisterRequest } from './node-registry.ts';

/** Options for {@link LeaderLink}. */
export interface LeaderLinkOptions {
  leaderHost: string;
  leaderPort: number;
  register: RegisterRequest;
  handler: RpcHandler;
  log: Logger;
  /** A leader silent this long (no answer to registration or heartbeats) is left (default 5 s). */
  leaderTimeoutMs?: number;
  /** Called after each successful registration (first and after reconnects). */
  onRegistered: (reply: RegisterReply) => Promise<void>;
  heartbeatMs?: number;
}

/** How long a compute node waits for an answer from the leader before it connects again. */
const LEADER_TIMEOUT_MS = 5_000;

/** Keeps a compute node registered with the leader for as long as it runs. */
export class LeaderLink {
  private peer: RpcPeer | null = null;
  private stopped = false;
  private heartbeat: NodeJS.Timeout | null = null;
  private registration: RegisterRequest;

  constructor(private readonly opts: LeaderLinkOptions) {
    this.registration = opts.register;
  }

  /** Starts connecting in the background (retrying until the leader answers). */
  start(): void {
    void this.connectLoop();
  }

  /** Sends a request to the leader over the registered connection. */
  request(method: string, params: unknown): Promise<unknown> {
    if (!this.peer || this.peer.closed) return Promise.reject(new SqlError(SqlState.CONNECTION_FAILURE, 'not connected to the leader'));
    return this.peer.request(method, params);
  }

  stop(): void {
    this.stopped = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.peer?.close();
  }

  private async connectLoop(): Promise<void> {
    const log = this.opts.log;
    let logged = false;
    while (!this.stopped) {
      try {
        await this.connectOnce();
        return;
      } catch (err) {
        if (!logged) log.info({ err: (err as Error).message, leader: `${this.opts.leaderHost}:${this.opts.leaderPort}` }, 'waiting for leader');
        logged = true;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private async connectOnce(): Promise<void> {
    const socket = connect({ host: this.opts.leaderHost, port: this.opts.leaderPort });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    const peer = new RpcPeer(socket, this.opts.handler, this.opts.log, true, 'leader');
    this.peer = peer;
    // A leader that accepts but never answers (hung, or stood down mid-way) is given up on.
    const silence = this.opts.leaderTimeoutMs ?? LEADER_TIMEOUT_MS;
    const hung = setTimeout(() => peer.close(), silence);
    let reply: RegisterReply;
    try {
      reply = (await peer.request('register', this.registration)) as RegisterReply;
    } finally {
      clearTimeout(hung);
    }
    // An empty data directory is news once: later registrations (a reconnect, a new leader) are of a node with data.
    if (this.registration.fresh === true) this.registration = { ...this.registration, fresh: false };
    await this.opts.onRegistered(reply);
    this.opts.log.info({ index: reply.index, slices: reply.slices }, 'registered with leader');
    // The first heartbeat, right away, tells the leader this node's slices are open: it is up.
    // Heartbeats unanswered for a while mean the leader hangs or is cut off: connect again (to
    // whichever leader now serves the cluster port).
    let answered = Date.now();
    const beatOnce = (): void => {
      if (Date.now() - answered > silence) {
        this.opts.log.warn({ silentMs: Date.now() - answered }, 'the leader stopped answering heartbeats');
        peer.close();
        return;
      }
      peer.request('heartbeat', null).then(() => { answered = Date.now(); }, () => undefined);
    };
    beatOnce();
    const beat = setInterval(beatOnce, this.opts.heartbeatMs ?? 1000);
    this.heartbeat = beat;
    peer.onClose(() => {
      clearInterval(beat);
      if (this.stopped) return;
      this.opts.log.warn('lost the leader; reconnecting');
      void this.connectLoop();
    });
  }
}
