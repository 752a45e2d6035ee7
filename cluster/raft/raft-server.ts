// Runs a RaftNode for real: timers, a StableStore, a RaftTransport, a state machine and a promise-based client API.
import { SqlError, SqlState } from '../../common/errors/index.ts';
import type { Logger } from '../../common/log.ts';
import { fromTaggedJson, toTaggedJson } from '../../common/tagged-json.ts';
import { NotLeaderError } from './not-leader-error.ts';
import { RaftNode, bootstrapState, type RaftAccepted, type RaftNodeOptions } from './raft-node.ts';
import type { Ready } from './raft-ready.ts';
import type { RaftTransport } from './raft-transport.ts';
import {
  EntryType, isVoter, type ClusterConfig, type LogEntry, type NodeId, type RaftMember, type RaftRole, type SnapshotMeta,
} from './raft-types.ts';
import type { StableStore } from './stable-store.ts';

/** A committed command as the state machine sees it. */
export interface AppliedCommand {
  readonly index: number;
  readonly term: number;
  /** The raw entry bytes. */
  readonly data: Uint8Array;
  /** The proposed value: the JSON value for `propose(json)`, the bytes for `propose(Uint8Array)`. */
  readonly value: unknown;
}

/**
 * The replicated state machine. `apply` must be deterministic: every server applies the same
 * commands in the same order and must reach the same state. An error thrown by `apply` is that
 * command's outcome (it must leave the state unchanged); the proposer's promise rejects with it.
 */
export interface RaftStateMachine {
  apply(command: AppliedCommand): unknown;
  /** The state as of the last applied command. */
  snapshot(): Uint8Array | Promise<Uint8Array>;
  /** Replaces the state with a snapshot's (on start and when the leader sends one). */
  restore(data: Uint8Array, meta: SnapshotMeta): void | Promise<void>;
}

/** Options for {@link RaftServer.start}. */
export interface RaftServerOptions {
  readonly id: NodeId;
  readonly store: StableStore;
  readonly transport: RaftTransport;
  readonly stateMachine: RaftStateMachine;
  readonly log: Logger;
  /**
   * Founding members (this server included), used only when the store is empty. Leave out on a
   * server that will join an existing cluster through addServer.
   */
  readonly bootstrap?: readonly RaftMember[];
  /** Milliseconds per tick. Default 50. Election timeouts are electionTicks..2*electionTicks ticks. */
  readonly tickMs?: number;
  /** Snapshot and compact the log every this many applied entries (0: never). Default 1000. */
  readonly snapshotEvery?: number;
  /** A proposal, read or membership change gives up after this long. Default 10 s. */
  readonly requestTimeoutMs?: number;
  /** Core tuning (election/heartbeat ticks, batch sizes, PreVote, CheckQuorum). */
  readonly raft?: Omit<RaftNodeOptions, 'id' | 'random'>;
  /** Randomness for election timeouts. Default Math.random. */
  readonly random?: () => number;
}

/** Leadership as this server sees it. */
export interface LeaderInfo {
  readonly leaderId: NodeId | null;
  readonly term: number;
  readonly isLeader: boolean;
}

/** A snapshot of the server's Raft state, for monitoring. */
export interface RaftStatus {
  readonly id: NodeId;
  readonly role: RaftRole;
  readonly term: number;
  readonly leaderId: NodeId | null;
  readonly leaderAddress: string | null;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly lastIndex: number;
  readonly snapshotIndex: number;
  readonly voters: readonly RaftMember[];
}

/** Where a committed entry ended up. `result` is what the state machine's apply returned. */
export interface CommitResult {
  readonly index: number;
  readonly term: number;
  readonly result: unknown;
}

interface Waiter<T> {
  resolve(v: T): void;
  reject(e: unknown): void;
  timer: NodeJS.Timeout;
}

interface PendingProposal extends Waiter<CommitResult> {
  readonly term: number;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * One Raft server in a real process. Every Ready from the core is handled in order: persisted
 * (fsync), then its messages sent, then its committed entries applied, so nothing leaves the
 * server before the state it depends on is durable. A storage failure stops the server.
 */
export class RaftServer {
  readonly id: NodeId;
  private readonly node: RaftNode;
  private readonly log: Logger;
  private readonly timer: NodeJS.Timeout;
  private readonly proposals = new Map<number, PendingProposal>();
  private readonly reads = new Map<number, Waiter<number>>();
  private readyReads: { id: number; index: number }[] = [];
  private readonly confChanges = new Map<number, Waiter<CommitResult>>();
  private readonly transfers: { to: NodeId; waiter: Waiter<void> }[] = [];
  private readonly applyListeners: ((c: AppliedCommand) => void)[] = [];
  private readonly leaderListeners: ((l: LeaderInfo) => void)[] = [];
  private applied: number;
  private nextRequestId = 1;
  private draining = false;
  private stopped = false;
  private failure: SqlError | null = null;
  private peersFor: ClusterConfig | null = null;
  private readonly extraPeers = new Map<NodeId, RaftMember>();

  private constructor(private readonly opts: RaftServerOptions, node: RaftNode, applied: number) {
    this.id = opts.id;
    this.node = node;
    this.applied = applied;
    this.log = opts.log.child({ component: 'cluster.raft', raftId: opts.id });
    opts.transport.onMessage((m) => {
      if (this.stopped) return;
      this.node.step(m);
      this.kick();
    });
    this.timer = setInterval(() => {
      if (this.stopped) return;
      this.node.tick();
      this.kick();
    }, opts.tickMs ?? 50);
    this.timer.unref();
    this.syncPeers();
  }

  /** Loads the store (bootstrapping a founding member), restores the state machine and starts ticking. */
  static async start(opts: RaftServerOptions): Promise<RaftServer> {
    let initial = await opts.store.load();
    const empty = initial.hardState.term === 0 && initial.snapshot === null && initial.entries.length === 0;
    if (empty && opts.bootstrap) {
      if (!opts.bootstrap.some((m) => m.id === opts.id)) {
        throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `raft bootstrap members do not include this server (${opts.id})`);
      }
      initial = bootstrapState(opts.bootstrap);
      await opts.store.save({ hardState: initial.hardState, log: { from: 1, entries: initial.entries } });
    }
    if (initial.snapshot) await opts.stateMachine.restore(initial.snapshot.data, initial.snapshot.meta);
    const random = opts.random ?? Math.random;
    const node = new RaftNode({ ...opts.raft, id: opts.id, random }, initial);
    const server = new RaftServer(opts, node, initial.snapshot ? initial.snapshot.meta.index : 0);
    server.log.info({ term: node.term, lastIndex: node.lastIndex, snapshotIndex: node.snapshotIndex }, 'raft server started');
    server.kick();
    return server;
  }

  // ---- client API ----

  /**
   * Replicates a command; resolves once it is committed and applied here, with the state
   * machine's result. `command` is bytes, or any value tagged JSON can carry. Rejects with
   * {@link NotLeaderError} on a follower, with the state machine's error if apply threw, and
   * with "not committed" if a new leader replaced the entry (safe to retry).
   */
  propose(command: unknown): Promise<CommitResult> {
    const down = this.checkUp();
    if (down) return Promise.reject(down);
    const isBytes = command instanceof Uint8Array;
    const text = isBytes ? '' : (toTaggedJson(command) as string | undefined);
    if (!isBytes && text === undefined) {
      return Promise.reject(new SqlError(SqlState.INVALID_PARAMETER_VALUE, 'a raft command must be bytes or a JSON value'));
    }
    const data = isBytes ? command : enc.encode(text);
    const r = this.node.propose(data, isBytes ? EntryType.Command : EntryType.JsonCommand);
    if (!r.ok) return Promise.reject(this.notLeader(r.reason, r.leaderId));
    const p = new Promise<CommitResult>((resolve, reject) => {
      const timer = this.timeout(() => {
        this.proposals.delete(r.index);
        reject(new SqlError(SqlState.CONNECTION_EXCEPTION, `raft proposal at index ${r.index} timed out; its outcome is unknown`));
      });
      this.trackProposal(r.index, { term: r.term, resolve, reject, timer });
    });
    this.kick();
    return p;
  }

  /**
   * Linearizable read barrier (ReadIndex): resolves with an index once this server has
   * confirmed it still leads and has applied everything committed before the call, so a
   * read of the local state machine now reflects every write acknowledged before it.
   */
  readIndex(): Promise<number> {
    const down = this.checkUp();
    if (down) return Promise.reject(down);
    const id = this.nextRequestId++;
    const r = this.node.readIndex(id);
    if (!r.ok) return Promise.reject(this.notLeader(r.reason, r.leaderId));
    const p = new Promise<number>((resolve, reject) => {
      const timer = this.timeout(() => {
        this.reads.delete(id);
        reject(new SqlError(SqlState.CONNECTION_EXCEPTION, 'raft read barrier timed out'));
      });
      this.reads.set(id, { resolve, reject, timer });
    });
    this.kick();
    return p;
  }

  /** Adds a voter (it first catches up as a non-voter); resolves when the change is applied here. */
  addServer(member: RaftMember): Promise<CommitResult> {
    this.extraPeers.set(member.id, member);
    this.opts.transport.updatePeers([member]);
    return this.confChange((rid) => this.node.proposeConfChange({ kind: 'AddServer', member }, rid));
  }

  /** Removes a voter; resolves when the change is applied here. A removed leader steps down. */
  removeServer(id: NodeId): Promise<CommitResult> {
    return this.confChange((rid) => this.node.proposeConfChange({ kind: 'RemoveServer', id }, rid));
  }

  /** Hands leadership to `to`; resolves when this server sees `to` lead. */
  transferLeadership(to: NodeId): Promise<void> {
    const down = this.checkUp();
    if (down) return Promise.reject(down);
    const r = this.node.transferLeadership(to);
    if (!r.ok) return Promise.reject(this.refusal(r));
    if (to === this.id) return Promise.resolve();
    const p = new Promise<void>((resolve, reject) => {
      const waiter: Waiter<void> = {
        resolve, reject,
        timer: this.timeout(() => this.finishTransfer(to, new SqlError(SqlState.CONNECTION_EXCEPTION, `leadership transfer to ${to} timed out`))),
      };
      this.transfers.push({ to, waiter });
    });
    this.kick();
    return p;
  }

  /** Calls `cb` after each command is applied (on every server). Returns an unsubscribe function. */
  onApply(cb: (c: AppliedCommand) => void): () => void {
    this.applyListeners.push(cb);
    return () => {
      const i = this.applyListeners.indexOf(cb);
      if (i >= 0) this.applyListeners.splice(i, 1);
    };
  }

  /** Calls `cb` whenever the known leader or term changes. Returns an unsubscribe function. */
  onLeaderChange(cb: (l: LeaderInfo) => void): () => void {
    this.leaderListeners.push(cb);
    return () => {
      const i = this.leaderListeners.indexOf(cb);
      if (i >= 0) this.leaderListeners.splice(i, 1);
    };
  }

  status(): RaftStatus {
    const n = this.node;
    return {
      id: this.id, role: n.role, term: n.term, leaderId: n.leaderId, leaderAddress: this.addressOf(n.leaderId),
      commitIndex: n.commitIndex, appliedIndex: this.applied, lastIndex: n.lastIndex, snapshotIndex: n.snapshotIndex,
      voters: n.config.voters,
    };
  }

  /** Stops timers, fails pending requests, closes the transport and the store. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    this.failAll(new SqlError(SqlState.ADMIN_SHUTDOWN, `raft server ${this.id} is shutting down`));
    await this.opts.transport.close();
    await this.opts.store.close();
  }

  // ---- the Ready loop ----

  private kick(): void {
    if (this.draining || this.stopped) return;
    this.draining = true;
    this.drain().then(
      () => {
        this.draining = false;
      },
      (err: unknown) => {
        this.draining = false;
        this.fatal(err);
      },
    );
  }

  private async drain(): Promise<void> {
    while (!this.stopped && this.node.hasReady()) {
      const ready = this.node.takeReady();
      if (ready.hardState || ready.snapshot || ready.log) {
        await this.opts.store.save({ hardState: ready.hardState, snapshot: ready.snapshot, log: ready.log });
      }
      for (const m of ready.messages) this.opts.transport.send(m.to, m);
      await this.applyReady(ready);
      await this.maybeSnapshot();
    }
  }

  private async applyReady(ready: Ready): Promise<void> {
    if (ready.snapshot) {
      const meta = ready.snapshot.meta;
      await this.opts.stateMachine.restore(ready.snapshot.data, meta);
      this.applied = meta.index;
      for (const [index, p] of this.proposals) {
        if (index > meta.index) continue;
        this.proposals.delete(index);
        clearTimeout(p.timer);
        p.reject(new SqlError(SqlState.CONNECTION_EXCEPTION, `raft proposal at index ${index} was overtaken by a snapshot; its outcome is unknown`));
      }
      this.log.info({ index: meta.index, term: meta.term }, 'installed snapshot from leader');
    }
    for (const e of ready.committed) await this.applyEntry(e);
    if (ready.committed.length > 0 || ready.snapshot) this.syncPeers();
    for (const r of ready.reads) this.readyReads.push(r);
    this.serveReads();
    for (const ev of ready.events) {
      switch (ev.kind) {
        case 'ReadFailed': {
          const w = this.reads.get(ev.id);
          if (w) {
            this.reads.delete(ev.id);
            clearTimeout(w.timer);
            w.reject(this.notLeader(ev.reason, ev.leaderId));
          }
          break;
        }
        case 'ConfChangeAppended': {
          const w = this.confChanges.get(ev.requestId);
          if (w) {
            this.confChanges.delete(ev.requestId);
            this.trackProposal(ev.index, { term: ev.term, resolve: w.resolve, reject: w.reject, timer: w.timer });
          }
          break;
        }
        case 'ConfChangeFailed': {
          const w = this.confChanges.get(ev.requestId);
          if (w) {
            this.confChanges.delete(ev.requestId);
            clearTimeout(w.timer);
            w.reject(new SqlError(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE, `membership change failed: ${ev.reason}`));
          }
          break;
        }
        case 'TransferFailed':
          this.finishTransfer(ev.to, new SqlError(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE, `leadership transfer to ${ev.to} failed: ${ev.reason}`));
          break;
      }
    }
    if (ready.softState) {
      const s = ready.softState;
      this.log.info({ role: s.role, term: s.term, leader: s.leaderId }, 'raft role changed');
      const info: LeaderInfo = { leaderId: s.leaderId, term: s.term, isLeader: s.role === 'Leader' };
      for (const cb of this.leaderListeners) this.notify(() => cb(info));
      if (s.leaderId !== null) this.finishTransfer(s.leaderId, null);
    }
    this.syncPeers();
  }

  private async applyEntry(e: LogEntry): Promise<void> {
    let result: unknown = undefined;
    let error: unknown = null;
    if (e.type === EntryType.Command || e.type === EntryType.JsonCommand) {
      let cmd: AppliedCommand | null = null;
      try {
        const value = e.type === EntryType.JsonCommand ? fromTaggedJson(dec.decode(e.data)) : e.data;
        cmd = { index: e.index, term: e.term, data: e.data, value };
        result = await this.opts.stateMachine.apply(cmd);
      } catch (err) {
        error = err;
        if (!(err instanceof SqlError)) this.log.error({ err, index: e.index }, 'state machine apply failed');
      }
      if (cmd) for (const cb of this.applyListeners) this.notify(() => cb(cmd));
    }
    this.applied = e.index;
    const p = this.proposals.get(e.index);
    if (!p) return;
    this.proposals.delete(e.index);
    clearTimeout(p.timer);
    if (e.term !== p.term) {
      p.reject(new SqlError(SqlState.CONNECTION_EXCEPTION, `raft proposal at index ${e.index} was not committed (leadership changed); it was not applied`));
    } else if (error !== null) {
      p.reject(error);
    } else {
      p.resolve({ index: e.index, term: e.term, result });
    }
  }

  private serveReads(): void {
    if (this.readyReads.length === 0) return;
    const waiting: { id: number; index: number }[] = [];
    for (const r of this.readyReads) {
      if (r.index > this.applied) {
        waiting.push(r);
        continue;
      }
      const w = this.reads.get(r.id);
      if (!w) continue;
      this.reads.delete(r.id);
      clearTimeout(w.timer);
      w.resolve(r.index);
    }
    this.readyReads = waiting;
  }

  private async maybeSnapshot(): Promise<void> {
    const every = this.opts.snapshotEvery ?? 1000;
    if (every <= 0 || this.applied - this.node.snapshotIndex < every) return;
    const meta = this.node.snapshotMetaAt(this.applied);
    if (!meta) return;
    const data = await this.opts.stateMachine.snapshot();
    const snap = { meta, data };
    await this.opts.store.save({ snapshot: snap });
    this.node.compact(snap);
    this.log.info({ index: meta.index, bytes: data.length }, 'raft log compacted');
  }

  // ---- helpers ----

  /** Runs a listener; a throwing listener is logged, never allowed to stop the Ready loop. */
  private notify(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err }, 'raft listener failed');
    }
  }

  private trackProposal(index: number, p: PendingProposal): void {
    const old = this.proposals.get(index);
    if (old) {
      // Cannot happen while the log only grows past a replaced entry; settle the old one anyway.
      clearTimeout(old.timer);
      old.reject(new SqlError(SqlState.CONNECTION_EXCEPTION, `raft proposal at index ${index} was replaced; its outcome is unknown`));
    }
    this.proposals.set(index, p);
  }

  private confChange(start: (requestId: number) => RaftAccepted): Promise<CommitResult> {
    const down = this.checkUp();
    if (down) return Promise.reject(down);
    const requestId = this.nextRequestId++;
    const r = start(requestId);
    if (!r.ok) return Promise.reject(this.refusal(r));
    const p = new Promise<CommitResult>((resolve, reject) => {
      const timer = this.timeout(() => {
        this.confChanges.delete(requestId);
        for (const [index, w] of this.proposals) if (w.reject === reject) this.proposals.delete(index);
        reject(new SqlError(SqlState.CONNECTION_EXCEPTION, 'raft membership change timed out; its outcome is unknown'));
      });
      this.confChanges.set(requestId, { resolve, reject, timer });
    });
    this.kick();
    return p;
  }

  private finishTransfer(leader: NodeId, err: SqlError | null): void {
    for (let i = this.transfers.length - 1; i >= 0; i--) {
      const t = this.transfers[i]!;
      if (t.to !== leader) continue;
      this.transfers.splice(i, 1);
      clearTimeout(t.waiter.timer);
      if (err) t.waiter.reject(err);
      else t.waiter.resolve();
    }
  }

  private syncPeers(): void {
    const config = this.node.config;
    if (config === this.peersFor) return;
    this.peersFor = config;
    this.opts.transport.updatePeers([...config.voters, ...this.extraPeers.values()]);
  }

  private addressOf(id: NodeId | null): string | null {
    if (id === null) return null;
    const m = this.node.config.voters.find((v) => v.id === id) ?? this.extraPeers.get(id);
    return m && m.address !== '' ? m.address : null;
  }

  private notLeader(reason: string, leaderId: NodeId | null): NotLeaderError {
    return new NotLeaderError(this.id, leaderId, this.addressOf(leaderId), reason);
  }

  private refusal(r: RaftAccepted): SqlError {
    if (r.ok) return new SqlError(SqlState.INTERNAL_ERROR, 'not a refusal');
    if (this.node.role !== 'Leader') return this.notLeader(r.reason, r.leaderId);
    return new SqlError(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE, r.reason);
  }

  private timeout(fn: () => void): NodeJS.Timeout {
    const t = setTimeout(fn, this.opts.requestTimeoutMs ?? 10_000);
    t.unref();
    return t;
  }

  private checkUp(): SqlError | null {
    if (this.failure) return this.failure;
    if (this.stopped) return new SqlError(SqlState.ADMIN_SHUTDOWN, `raft server ${this.id} is stopped`);
    return null;
  }

  /** A storage or state-machine failure in the Ready loop: stop rather than risk acting on lost state. */
  private fatal(err: unknown): void {
    this.log.error({ err }, 'raft server failed; stopping');
    this.failure = new SqlError(SqlState.IO_ERROR, `raft server ${this.id} failed: ${err instanceof Error ? err.message : String(err)}`);
    this.stopped = true;
    clearInterval(this.timer);
    this.failAll(this.failure);
    void this.opts.transport.close();
  }

  private failAll(err: SqlError): void {
    for (const p of this.proposals.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.proposals.clear();
    for (const w of this.reads.values()) {
      clearTimeout(w.timer);
      w.reject(err);
    }
    this.reads.clear();
    for (const w of this.confChanges.values()) {
      clearTimeout(w.timer);
      w.reject(err);
    }
    this.confChanges.clear();
    for (const t of this.transfers.splice(0)) {
      clearTimeout(t.waiter.timer);
      t.waiter.reject(err);
    }
  }

  /** True when this server is a voter in its latest configuration. */
  get isVoter(): boolean {
    return isVoter(this.node.config, this.id);
  }
}
