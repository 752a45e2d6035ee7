// The Raft core: a deterministic state machine fed ticks, messages and requests, emitting Ready batches.
import { internalError } from '../../common/errors/index.ts';
import { ConfigHistory } from './config-history.ts';
import { newProgress, type Progress } from './progress.ts';
import { majority, majorityIndex } from './quorum.ts';
import type {
  AppendEntries, AppendEntriesReply, InstallSnapshot, InstallSnapshotReply, RaftMessage, RequestVote, RequestVoteReply,
} from './raft-message.ts';
import { RaftLog } from './raft-log.ts';
import type { RaftEvent, RaftResult, ReadState, Ready, SoftState } from './raft-ready.ts';
import {
  EMPTY_CONFIG, EntryType, encodeConfig, isVoter,
  type ClusterConfig, type EntryTypeCode, type HardState, type LogEntry, type NodeId, type RaftMember, type RaftRole,
  type Snapshot, type SnapshotMeta,
} from './raft-types.ts';
import { ReadIndexQueue } from './read-index-queue.ts';
import { SnapshotReceiver } from './snapshot-receiver.ts';

/** Tuning and collaborators of a {@link RaftNode}. Times are in ticks. */
export interface RaftNodeOptions {
  readonly id: NodeId;
  /** Uniform in [0, 1): the only source of randomness (seeded in simulation). */
  readonly random: () => number;
  /** Election timeouts are drawn from [electionTicks, 2 * electionTicks). Default 10. */
  readonly electionTicks?: number;
  /** A leader sends heartbeats this often. Default 2. */
  readonly heartbeatTicks?: number;
  /** Most entries in one AppendEntries. Default 64. */
  readonly maxEntriesPerAppend?: number;
  /** Most unacknowledged entries pipelined to one follower. Default 256. */
  readonly maxInflightEntries?: number;
  /** Snapshot bytes per InstallSnapshot. Default 64 KiB. */
  readonly snapshotChunkBytes?: number;
  /** Run a PreVote round before incrementing the term. Default true. */
  readonly preVote?: boolean;
  /**
   * A leader that has not heard from a majority for electionTicks steps down, and voters that
   * heard from a leader within electionTicks ignore vote requests (except TimeoutNow elections).
   * Default true.
   */
  readonly checkQuorum?: boolean;
  /** A server being added must catch up within this many ticks. Default 20 * electionTicks. */
  readonly catchUpTicks?: number;
}

/** Durable state a node starts from (see StableStore.load). */
export interface RaftInitialState {
  readonly hardState: HardState;
  readonly snapshot: Snapshot | null;
  /** Entries after the snapshot, contiguous. */
  readonly entries: readonly LogEntry[];
}

/** A membership change: add a voter (after it catches up) or remove one. */
export type ConfChange =
  | { readonly kind: 'AddServer'; readonly member: RaftMember }
  | { readonly kind: 'RemoveServer'; readonly id: NodeId };

/** Accepted for asynchronous completion, or refused at once. */
export type RaftAccepted = { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly leaderId: NodeId | null };

interface CatchUp {
  readonly requestId: number;
  readonly member: RaftMember;
  elapsed: number;
}

/** The initial durable state of a founding member: term 1 and the first configuration at index 1. */
export function bootstrapState(voters: readonly RaftMember[]): RaftInitialState {
  const config: ClusterConfig = { voters: voters.map((m) => ({ id: m.id, address: m.address })) };
  return {
    hardState: { term: 1, votedFor: null },
    snapshot: null,
    entries: [{ index: 1, term: 1, type: EntryType.Config, data: encodeConfig(config) }],
  };
}

/**
 * One Raft server's protocol logic with no I/O, timers or clock: call {@link tick} on a timer,
 * {@link step} with each message received, the request methods for clients, then drain
 * {@link takeReady} and carry out the Ready in order. Membership changes are single-server
 * changes, one at a time, each taking effect when appended (Ongaro's thesis, section 4.1), and
 * allowed only after the leader has committed an entry of its own term.
 */
export class RaftNode {
  readonly id: NodeId;
  private readonly random: () => number;
  private readonly electionTicks: number;
  private readonly heartbeatTicks: number;
  private readonly maxEntries: number;
  private readonly maxInflight: number;
  private readonly chunkBytes: number;
  private readonly preVote: boolean;
  private readonly checkQuorum: boolean;
  private readonly catchUpTicks: number;

  private readonly raftLog = new RaftLog();
  private currentTerm = 0;
  private votedFor: NodeId | null = null;
  private roleValue: RaftRole = 'Follower';
  private leader: NodeId | null = null;
  private commit = 0;
  private applied = 0;

  private electionElapsed = 0;
  private randomizedTimeout = 0;
  private heartbeatElapsed = 0;
  private readonly votes = new Map<NodeId, boolean>();
  private readonly progress = new Map<NodeId, Progress>();
  private readonly configs = new ConfigHistory({ index: 0, config: EMPTY_CONFIG });
  private snapshotHeld: Snapshot | null = null;
  private readonly receiver = new SnapshotReceiver();

  private readSeq = 0;
  private readonly pendingReads = new ReadIndexQueue();
  private transferee: NodeId | null = null;
  private transferElapsed = 0;
  private catchUp: CatchUp | null = null;

  // Accumulated output, handed out by takeReady.
  private hardStateDirty = false;
  private unstableFrom = Infinity;
  private snapshotToPersist: Snapshot | null = null;
  private messages: RaftMessage[] = [];
  private readsReady: ReadState[] = [];
  private events: RaftEvent[] = [];
  private lastSoft: SoftState;

  constructor(opts: RaftNodeOptions, initial: RaftInitialState) {
    this.id = opts.id;
    this.random = opts.random;
    this.electionTicks = opts.electionTicks ?? 10;
    this.heartbeatTicks = opts.heartbeatTicks ?? 2;
    this.maxEntries = opts.maxEntriesPerAppend ?? 64;
    this.maxInflight = opts.maxInflightEntries ?? 256;
    this.chunkBytes = opts.snapshotChunkBytes ?? 64 * 1024;
    this.preVote = opts.preVote ?? true;
    this.checkQuorum = opts.checkQuorum ?? true;
    this.catchUpTicks = opts.catchUpTicks ?? 20 * this.electionTicks;

    this.currentTerm = initial.hardState.term;
    this.votedFor = initial.hardState.votedFor;
    const snap = initial.snapshot;
    if (snap) {
      this.raftLog.resetTo(snap.meta.index, snap.meta.term);
      this.snapshotHeld = snap;
    }
    this.raftLog.append(initial.entries);
    this.configs.reset({ index: snap ? snap.meta.index : 0, config: snap ? snap.meta.config : EMPTY_CONFIG }, initial.entries);
    this.commit = this.raftLog.snapshotIndex;
    this.applied = this.raftLog.snapshotIndex;
    // A crash may have kept entries of a term whose hard state write was lost (see docs/raft.md).
    if (this.raftLog.lastTerm > this.currentTerm) {
      this.currentTerm = this.raftLog.lastTerm;
      this.votedFor = null;
      this.hardStateDirty = true;
    }
    this.resetElectionTimer();
    this.lastSoft = this.softState();
  }

  // ---- introspection ----

  get role(): RaftRole {
    return this.roleValue;
  }

  get term(): number {
    return this.currentTerm;
  }

  get leaderId(): NodeId | null {
    return this.leader;
  }

  get commitIndex(): number {
    return this.commit;
  }

  /** Highest index handed out for applying (in a Ready). */
  get appliedIndex(): number {
    return this.applied;
  }

  get lastIndex(): number {
    return this.raftLog.lastIndex;
  }

  get snapshotIndex(): number {
    return this.raftLog.snapshotIndex;
  }

  /** The configuration in force (the latest in the log, committed or not). */
  get config(): ClusterConfig {
    return this.configs.latest;
  }

  /** The vote cast in the current term. */
  get vote(): NodeId | null {
    return this.votedFor;
  }

  /** Term of the entry at `index`, undefined when compacted or absent. */
  termAt(index: number): number | undefined {
    return this.raftLog.termAt(index);
  }

  /** The entry at `index` if held in the log. */
  entryAt(index: number): LogEntry | undefined {
    return this.raftLog.entryAt(index);
  }

  /** The leader currently transferring leadership to this server, or null. */
  get transferTarget(): NodeId | null {
    return this.transferee;
  }

  // ---- inputs ----

  /** Advances logical time by one tick. */
  tick(): void {
    if (this.roleValue === 'Leader') {
      this.tickLeader();
      return;
    }
    this.electionElapsed++;
    if (this.electionElapsed >= this.randomizedTimeout && isVoter(this.config, this.id)) this.campaign(false);
  }

  /** Starts an election now, as if the election timer fired. */
  campaign(transfer: boolean): void {
    if (!isVoter(this.config, this.id) || this.roleValue === 'Leader') return;
    if (this.preVote && !transfer) this.becomePreCandidate();
    else this.becomeCandidate(transfer);
  }

  /** Handles one message from a peer. */
  step(m: RaftMessage): void {
    if (m.to !== this.id || m.from === this.id) return;
    if (m.term > this.currentTerm) {
      if (m.kind === 'RequestVote') {
        if (!m.transfer && this.inLease()) {
          this.send({ kind: 'RequestVoteReply', from: this.id, to: m.from, term: this.currentTerm, granted: false, preVote: m.preVote });
          return;
        }
        if (!m.preVote) this.becomeFollower(m.term, null);
      } else if (m.kind === 'RequestVoteReply' && m.preVote && m.granted) {
        // A granted pre-vote carries the term we asked about, not the voter's.
      } else {
        const fromLeader = m.kind === 'AppendEntries' || m.kind === 'InstallSnapshot' || m.kind === 'TimeoutNow';
        this.becomeFollower(m.term, fromLeader ? m.from : null);
      }
    } else if (m.term < this.currentTerm) {
      this.answerStale(m);
      return;
    }
    switch (m.kind) {
      case 'RequestVote': this.handleRequestVote(m); break;
      case 'RequestVoteReply': this.handleVoteReply(m); break;
      case 'AppendEntries': this.handleAppendEntries(m); break;
      case 'AppendEntriesReply': this.handleAppendReply(m); break;
      case 'InstallSnapshot': this.handleInstallSnapshot(m); break;
      case 'InstallSnapshotReply': this.handleSnapshotReply(m); break;
      case 'TimeoutNow':
        if (this.roleValue !== 'Leader') this.campaign(true);
        break;
    }
  }

  /** Appends a command if this server leads; the result names its (index, term). */
  propose(data: Uint8Array, type: EntryTypeCode = EntryType.Command): RaftResult {
    if (this.roleValue !== 'Leader') return { ok: false, reason: 'not the leader', leaderId: this.leader };
    if (this.transferee !== null) return { ok: false, reason: 'leadership transfer in progress', leaderId: this.id };
    if (type === EntryType.Config) throw internalError('configuration entries go through proposeConfChange');
    const e = this.appendLocal(type, data);
    this.broadcastAppend();
    return { ok: true, index: e.index, term: e.term };
  }

  /**
   * Starts a linearizable read (ReadIndex): once a heartbeat round confirms leadership a Ready
   * carries ReadState{id, index}; the read may be served when the state machine has applied
   * `index`. On loss of leadership a ReadFailed event is emitted instead.
   */
  readIndex(id: number): RaftAccepted {
    if (this.roleValue !== 'Leader') return { ok: false, reason: 'not the leader', leaderId: this.leader };
    this.pendingReads.add(id);
    if (this.committedInTerm()) this.activateReads();
    return { ok: true };
  }

  /**
   * Starts a membership change; a ConfChangeAppended event gives the Config entry's (index,
   * term) once appended (an added server first catches up), or ConfChangeFailed says why not.
   */
  proposeConfChange(change: ConfChange, requestId: number): RaftAccepted {
    if (this.roleValue !== 'Leader') return { ok: false, reason: 'not the leader', leaderId: this.leader };
    const refuse = (reason: string): RaftAccepted => ({ ok: false, reason, leaderId: this.id });
    if (this.transferee !== null) return refuse('leadership transfer in progress');
    // Single-server changes are only safe once the leader has committed an entry of its term.
    if (!this.committedInTerm()) return refuse('the leader has not committed an entry in its term yet');
    if (this.configs.latestIndex > this.commit || this.catchUp) return refuse('another membership change is in progress');
    const voters = this.config.voters;
    if (change.kind === 'AddServer') {
      if (isVoter(this.config, change.member.id)) return refuse(`${change.member.id} is already a member`);
      this.catchUp = { requestId, member: change.member, elapsed: 0 };
      const pr = newProgress(this.raftLog.lastIndex + 1);
      this.progress.set(change.member.id, pr);
      this.sendAppend(change.member.id, pr, true);
      return { ok: true };
    }
    if (!isVoter(this.config, change.id)) return refuse(`${change.id} is not a member`);
    const next: ClusterConfig = { voters: voters.filter((m) => m.id !== change.id) };
    const e = this.appendLocal(EntryType.Config, encodeConfig(next));
    this.events.push({ kind: 'ConfChangeAppended', requestId, index: e.index, term: e.term });
    this.broadcastAppend();
    return { ok: true };
  }

  /** Hands leadership to `to` once its log is up to date (TimeoutNow); proposals pause meanwhile. */
  transferLeadership(to: NodeId): RaftAccepted {
    if (this.roleValue !== 'Leader') return { ok: false, reason: 'not the leader', leaderId: this.leader };
    if (to === this.id) return { ok: true };
    const pr = this.progress.get(to);
    if (!isVoter(this.config, to) || !pr) return { ok: false, reason: `${to} is not a voting member`, leaderId: this.id };
    this.transferee = to;
    this.transferElapsed = 0;
    if (pr.match === this.raftLog.lastIndex) this.send({ kind: 'TimeoutNow', from: this.id, to, term: this.currentTerm });
    else this.sendAppend(to, pr, true);
    return { ok: true };
  }

  /** Metadata for a snapshot of the state machine as of `index`, or null if it cannot be taken. */
  snapshotMetaAt(index: number): SnapshotMeta | null {
    if (index <= this.raftLog.snapshotIndex || index > this.applied) return null;
    const term = this.raftLog.termAt(index);
    if (term === undefined) return null;
    return { index, term, config: this.configs.at(index) };
  }

  /** Drops the log prefix covered by an application snapshot (already persisted by the driver). */
  compact(snapshot: Snapshot): void {
    const { index, term } = snapshot.meta;
    if (index <= this.raftLog.snapshotIndex || index > this.applied || this.raftLog.termAt(index) !== term) return;
    this.raftLog.compactTo(index, term);
    this.configs.compactTo(index);
    this.snapshotHeld = snapshot;
  }

  // ---- output ----

  /** True when takeReady would return something. */
  hasReady(): boolean {
    return this.hardStateDirty || this.unstableFrom !== Infinity || this.snapshotToPersist !== null || this.messages.length > 0
      || this.commit > this.applied || this.readsReady.length > 0 || this.events.length > 0 || this.softChanged();
  }

  /** Everything produced since the last call; see {@link Ready} for the order to carry it out in. */
  takeReady(): Ready {
    const hardState: HardState | null = this.hardStateDirty ? { term: this.currentTerm, votedFor: this.votedFor } : null;
    this.hardStateDirty = false;
    let log: Ready['log'] = null;
    if (this.unstableFrom !== Infinity) {
      const from = Math.max(this.unstableFrom, this.raftLog.snapshotIndex + 1);
      log = { from, entries: from <= this.raftLog.lastIndex ? this.raftLog.slice(from, this.raftLog.lastIndex, Infinity) : [] };
      this.unstableFrom = Infinity;
    }
    const snapshot = this.snapshotToPersist;
    this.snapshotToPersist = null;
    let committed: LogEntry[] = [];
    if (this.commit > this.applied) {
      committed = this.raftLog.slice(this.applied + 1, this.commit, Infinity);
      this.applied = this.commit;
    }
    let softState: SoftState | null = null;
    if (this.softChanged()) {
      softState = this.softState();
      this.lastSoft = softState;
    }
    const ready: Ready = {
      hardState, snapshot, log, messages: this.messages, committed, reads: this.readsReady, events: this.events, softState,
    };
    this.messages = [];
    this.readsReady = [];
    this.events = [];
    return ready;
  }

  // ---- roles ----

  private becomeFollower(term: number, leader: NodeId | null): void {
    const wasLeader = this.roleValue === 'Leader';
    if (term > this.currentTerm) {
      this.currentTerm = term;
      this.votedFor = null;
      this.hardStateDirty = true;
    }
    this.roleValue = 'Follower';
    this.leader = leader;
    this.votes.clear();
    this.resetElectionTimer();
    if (wasLeader) this.stepDownCleanup();
  }

  private stepDownCleanup(): void {
    for (const id of this.pendingReads.clear()) {
      this.events.push({ kind: 'ReadFailed', id, reason: 'leadership lost', leaderId: this.leader });
    }
    if (this.catchUp) this.events.push({ kind: 'ConfChangeFailed', requestId: this.catchUp.requestId, reason: 'leadership lost' });
    this.catchUp = null;
    this.transferee = null;
    this.progress.clear();
  }

  private becomePreCandidate(): void {
    this.roleValue = 'PreCandidate';
    this.leader = null;
    this.votes.clear();
    this.votes.set(this.id, true);
    this.resetElectionTimer();
    if (this.tallyVotes() === 'won') {
      this.becomeCandidate(false);
      return;
    }
    this.requestVotes(this.currentTerm + 1, true, false);
  }

  private becomeCandidate(transfer: boolean): void {
    this.currentTerm++;
    this.votedFor = this.id;
    this.hardStateDirty = true;
    this.roleValue = 'Candidate';
    this.leader = null;
    this.votes.clear();
    this.votes.set(this.id, true);
    this.resetElectionTimer();
    if (this.tallyVotes() === 'won') {
      this.becomeLeader();
      return;
    }
    this.requestVotes(this.currentTerm, false, transfer);
  }

  private requestVotes(term: number, preVote: boolean, transfer: boolean): void {
    const lastLogIndex = this.raftLog.lastIndex;
    const lastLogTerm = this.raftLog.lastTerm;
    for (const m of this.config.voters) {
      if (m.id === this.id) continue;
      this.send({ kind: 'RequestVote', from: this.id, to: m.id, term, lastLogIndex, lastLogTerm, preVote, transfer });
    }
  }

  private becomeLeader(): void {
    this.roleValue = 'Leader';
    this.leader = this.id;
    this.votes.clear();
    this.progress.clear();
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.transferee = null;
    const next = this.raftLog.lastIndex + 1;
    for (const m of this.config.voters) if (m.id !== this.id) this.progress.set(m.id, newProgress(next));
    this.appendLocal(EntryType.Noop, new Uint8Array(0));
    for (const [to, pr] of this.progress) this.sendAppend(to, pr, true);
  }

  private tickLeader(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.electionTicks) {
      this.electionElapsed = 0;
      if (this.checkQuorum) {
        let active = isVoter(this.config, this.id) ? 1 : 0;
        for (const m of this.config.voters) {
          const pr = this.progress.get(m.id);
          if (pr?.recentActive) active++;
        }
        for (const pr of this.progress.values()) pr.recentActive = false;
        if (active < majority(this.config.voters.length)) {
          this.becomeFollower(this.currentTerm, null);
          return;
        }
      }
    }
    if (this.transferee !== null && ++this.transferElapsed >= this.electionTicks) {
      this.events.push({ kind: 'TransferFailed', to: this.transferee, reason: 'the target did not take over in time' });
      this.transferee = null;
    }
    if (this.catchUp && ++this.catchUp.elapsed >= this.catchUpTicks) {
      const id = this.catchUp.member.id;
      this.events.push({ kind: 'ConfChangeFailed', requestId: this.catchUp.requestId, reason: `${id} did not catch up in time` });
      this.catchUp = null;
      if (!isVoter(this.config, id)) this.progress.delete(id);
    }
    if (this.heartbeatElapsed >= this.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      for (const [to, pr] of this.progress) {
        if (pr.state === 'Snapshot') {
          this.sendSnapshotChunk(to, pr);
          continue;
        }
        // Resend from the match point: anything unacknowledged since the last heartbeat is presumed lost.
        if (pr.state === 'Replicate') pr.next = pr.match + 1;
        pr.paused = false;
        this.sendAppend(to, pr, true);
      }
    }
  }

  // ---- elections ----

  private inLease(): boolean {
    return this.checkQuorum && this.leader !== null && this.electionElapsed < this.electionTicks;
  }

  private handleRequestVote(m: RequestVote): void {
    const upToDate = m.lastLogTerm > this.raftLog.lastTerm
      || (m.lastLogTerm === this.raftLog.lastTerm && m.lastLogIndex >= this.raftLog.lastIndex);
    let granted: boolean;
    if (m.preVote) {
      granted = m.term > this.currentTerm && upToDate && (m.transfer || !this.inLease());
    } else {
      granted = upToDate && (this.votedFor === null || this.votedFor === m.from) && this.roleValue !== 'Leader';
      if (granted) {
        if (this.votedFor !== m.from) {
          this.votedFor = m.from;
          this.hardStateDirty = true;
        }
        this.resetElectionTimer();
      }
    }
    const term = m.preVote && granted ? m.term : this.currentTerm;
    this.send({ kind: 'RequestVoteReply', from: this.id, to: m.from, term, granted, preVote: m.preVote });
  }

  private handleVoteReply(m: RequestVoteReply): void {
    if (m.preVote ? this.roleValue !== 'PreCandidate' : this.roleValue !== 'Candidate') return;
    this.votes.set(m.from, m.granted);
    const outcome = this.tallyVotes();
    if (outcome === 'won') {
      if (this.roleValue === 'PreCandidate') this.becomeCandidate(false);
      else this.becomeLeader();
    } else if (outcome === 'lost') {
      this.becomeFollower(this.currentTerm, null);
    }
  }

  private tallyVotes(): 'won' | 'lost' | 'pending' {
    const voters = this.config.voters;
    let yes = 0;
    let no = 0;
    for (const m of voters) {
      const v = this.votes.get(m.id);
      if (v === true) yes++;
      else if (v === false) no++;
    }
    const need = majority(voters.length);
    if (voters.length > 0 && yes >= need) return 'won';
    if (no >= need || voters.length === 0) return 'lost';
    return 'pending';
  }

  // ---- replication: follower side ----

  private acceptLeader(from: NodeId): void {
    if (this.roleValue !== 'Follower') this.becomeFollower(this.currentTerm, from);
    this.leader = from;
    this.electionElapsed = 0;
  }

  private handleAppendEntries(m: AppendEntries): void {
    this.acceptLeader(m.from);
    let prevIndex = m.prevLogIndex;
    let entries = m.entries;
    const reject = (conflictTerm: number, conflictIndex: number): void => {
      this.send({
        kind: 'AppendEntriesReply', from: this.id, to: m.from, term: this.currentTerm, success: false, matchIndex: 0,
        rejectIndex: m.prevLogIndex, conflictTerm, conflictIndex, readSeq: m.readSeq,
      });
    };
    if (prevIndex < this.commit) {
      // Entries up to our commit index are committed, hence identical to the leader's: skip them.
      let skip = 0;
      while (skip < entries.length && entries[skip]!.index <= this.commit) skip++;
      if (skip > 0) entries = entries.slice(skip);
      prevIndex = this.commit;
    } else {
      const t = this.raftLog.termAt(prevIndex);
      if (t === undefined) {
        reject(0, this.raftLog.lastIndex + 1);
        return;
      }
      if (t !== m.prevLogTerm) {
        reject(t, this.raftLog.firstIndexOfTermAt(prevIndex, this.commit + 1));
        return;
      }
    }
    for (let k = 0; k < entries.length; k++) {
      const e = entries[k]!;
      const have = this.raftLog.termAt(e.index);
      if (have === e.term) continue;
      if (have !== undefined) {
        if (e.index <= this.commit) throw internalError(`conflict at committed index ${e.index}`);
        this.truncateFrom(e.index);
      }
      this.appendFromLeader(k === 0 ? entries : entries.slice(k));
      break;
    }
    const match = prevIndex + entries.length;
    const newCommit = Math.min(m.leaderCommit, match);
    if (newCommit > this.commit) this.commit = newCommit;
    this.send({
      kind: 'AppendEntriesReply', from: this.id, to: m.from, term: this.currentTerm, success: true, matchIndex: match,
      rejectIndex: 0, conflictTerm: 0, conflictIndex: 0, readSeq: m.readSeq,
    });
  }

  private handleInstallSnapshot(m: InstallSnapshot): void {
    this.acceptLeader(m.from);
    const reply = (done: boolean, nextOffset: number): void => {
      this.send({
        kind: 'InstallSnapshotReply', from: this.id, to: m.from, term: this.currentTerm, lastIndex: m.lastIndex,
        nextOffset, done, readSeq: m.readSeq,
      });
    };
    if (m.lastIndex <= this.commit) {
      this.receiver.reset();
      reply(true, 0);
      return;
    }
    const r = this.receiver.accept(m);
    if (r.data === null) {
      reply(false, r.nextOffset);
      return;
    }
    this.installSnapshot({ meta: { index: m.lastIndex, term: m.lastTerm, config: m.config }, data: r.data });
    reply(true, 0);
  }

  private installSnapshot(snap: Snapshot): void {
    const { index, term } = snap.meta;
    if (this.raftLog.termAt(index) === term) this.raftLog.compactTo(index, term);
    else this.raftLog.resetTo(index, term);
    this.configs.reset({ index, config: snap.meta.config }, this.heldEntries());
    this.snapshotHeld = snap;
    this.snapshotToPersist = snap;
    this.commit = index;
    this.applied = index;
    this.unstableFrom = Math.min(this.unstableFrom, index + 1);
  }

  // ---- replication: leader side ----

  private handleAppendReply(m: AppendEntriesReply): void {
    if (this.roleValue !== 'Leader') return;
    const pr = this.progress.get(m.from);
    if (!pr) return;
    pr.recentActive = true;
    this.noteReadAck(pr, m.readSeq);
    if (m.success) {
      if (m.matchIndex > pr.match) pr.match = m.matchIndex;
      if (pr.next < pr.match + 1) pr.next = pr.match + 1;
      if (pr.state === 'Probe') {
        pr.paused = false;
        if (pr.match >= pr.next - 1) pr.state = 'Replicate';
      }
      this.afterProgress(m.from, pr);
      return;
    }
    if (pr.state === 'Snapshot') return;
    // A rejection is stale when we already know the log matches there, or when we probe elsewhere.
    if (m.rejectIndex <= pr.match) return;
    if (pr.state === 'Probe' && m.rejectIndex !== pr.next - 1) return;
    let next: number;
    if (m.conflictTerm > 0) {
      const last = this.raftLog.lastIndexOfTerm(m.conflictTerm, m.rejectIndex);
      next = last > 0 ? last + 1 : m.conflictIndex;
    } else {
      next = m.conflictIndex;
    }
    pr.next = Math.max(pr.match + 1, Math.min(next, m.rejectIndex));
    pr.state = 'Probe';
    pr.paused = false;
    this.sendAppend(m.from, pr, true);
  }

  private handleSnapshotReply(m: InstallSnapshotReply): void {
    if (this.roleValue !== 'Leader') return;
    const pr = this.progress.get(m.from);
    if (!pr) return;
    pr.recentActive = true;
    this.noteReadAck(pr, m.readSeq);
    if (m.done) {
      if (m.lastIndex > pr.match) pr.match = m.lastIndex;
      if (pr.state === 'Snapshot' || pr.next < pr.match + 1) {
        pr.next = pr.match + 1;
        pr.state = 'Replicate';
        pr.paused = false;
      }
      this.afterProgress(m.from, pr);
      return;
    }
    if (pr.state !== 'Snapshot' || m.lastIndex !== pr.snapshotIndex) return;
    pr.snapshotOffset = m.nextOffset;
    this.sendSnapshotChunk(m.from, pr);
  }

  /** After a follower's match point moved: commit, transfer, catch-up, and keep the pipe full. */
  private afterProgress(from: NodeId, pr: Progress): void {
    this.maybeCommit();
    if (this.roleValue !== 'Leader') return;
    if (this.transferee === from && pr.match === this.raftLog.lastIndex) {
      this.send({ kind: 'TimeoutNow', from: this.id, to: from, term: this.currentTerm });
    }
    if (this.catchUp && this.catchUp.member.id === from && pr.match >= this.commit) this.finishCatchUp();
    if (pr.next <= this.raftLog.lastIndex) this.sendAppend(from, pr, false);
  }

  private finishCatchUp(): void {
    const c = this.catchUp!;
    this.catchUp = null;
    const next: ClusterConfig = { voters: [...this.config.voters, c.member] };
    const e = this.appendLocal(EntryType.Config, encodeConfig(next));
    this.events.push({ kind: 'ConfChangeAppended', requestId: c.requestId, index: e.index, term: e.term });
    this.broadcastAppend();
  }

  private broadcastAppend(): void {
    for (const [to, pr] of this.progress) this.sendAppend(to, pr, false);
  }

  private sendAppend(to: NodeId, pr: Progress, allowEmpty: boolean): void {
    if (pr.state === 'Snapshot' || (pr.state === 'Probe' && pr.paused)) return;
    const last = this.raftLog.lastIndex;
    if (pr.next > last + 1) pr.next = last + 1;
    const prevIndex = pr.next - 1;
    const prevTerm = this.raftLog.termAt(prevIndex);
    if (prevTerm === undefined) {
      this.startSnapshot(to, pr);
      return;
    }
    if (pr.state === 'Replicate' && pr.next - 1 - pr.match >= this.maxInflight) return;
    const entries = pr.next <= last ? this.raftLog.slice(pr.next, last, this.maxEntries) : [];
    if (entries.length === 0 && !allowEmpty) return;
    this.send({
      kind: 'AppendEntries', from: this.id, to, term: this.currentTerm, prevLogIndex: prevIndex, prevLogTerm: prevTerm,
      entries, leaderCommit: this.commit, readSeq: this.readSeq,
    });
    if (pr.state === 'Replicate' && entries.length > 0) pr.next = entries[entries.length - 1]!.index + 1;
    if (pr.state === 'Probe') pr.paused = true;
  }

  private startSnapshot(to: NodeId, pr: Progress): void {
    if (!this.snapshotHeld) throw internalError('log compacted without a snapshot to send');
    pr.state = 'Snapshot';
    pr.snapshotIndex = this.snapshotHeld.meta.index;
    pr.snapshotOffset = 0;
    this.sendSnapshotChunk(to, pr);
  }

  private sendSnapshotChunk(to: NodeId, pr: Progress): void {
    const snap = this.snapshotHeld!;
    if (pr.snapshotIndex !== snap.meta.index) {
      // We compacted again meanwhile: start over with the newer snapshot.
      pr.snapshotIndex = snap.meta.index;
      pr.snapshotOffset = 0;
    }
    const total = snap.data.length;
    const offset = Math.min(pr.snapshotOffset, total);
    const data = snap.data.subarray(offset, Math.min(total, offset + this.chunkBytes));
    this.send({
      kind: 'InstallSnapshot', from: this.id, to, term: this.currentTerm, lastIndex: snap.meta.index, lastTerm: snap.meta.term,
      config: snap.meta.config, offset, totalBytes: total, data, done: offset + data.length >= total, readSeq: this.readSeq,
    });
  }

  private maybeCommit(): void {
    if (this.roleValue !== 'Leader') return;
    const voters = this.config.voters;
    if (voters.length === 0) return;
    const matches: number[] = [];
    for (const m of voters) matches.push(m.id === this.id ? this.raftLog.lastIndex : (this.progress.get(m.id)?.match ?? 0));
    const n = majorityIndex(matches);
    // Only entries of the current term are committed by counting replicas (Raft paper, 5.4.2).
    if (n <= this.commit || this.raftLog.termAt(n) !== this.currentTerm) return;
    this.commit = n;
    if (this.pendingReads.hasUnassigned()) this.activateReads();
    if (this.configs.latestIndex <= this.commit && !isVoter(this.configs.latest, this.id)) {
      // Our own removal is committed: stop leading (thesis 4.2.2).
      this.becomeFollower(this.currentTerm, null);
    }
  }

  // ---- reads ----

  private committedInTerm(): boolean {
    return this.raftLog.termAt(this.commit) === this.currentTerm;
  }

  private activateReads(): void {
    const seq = ++this.readSeq;
    this.pendingReads.assign(this.commit, seq);
    this.checkReads();
    if (this.pendingReads.size === 0) return;
    // A heartbeat round at each follower's match point: it confirms leadership without disturbing replication.
    for (const [to, pr] of this.progress) {
      if (!isVoter(this.config, to)) continue;
      const prevTerm = this.raftLog.termAt(pr.match);
      if (pr.state === 'Snapshot' || prevTerm === undefined) {
        if (pr.state === 'Snapshot') this.sendSnapshotChunk(to, pr);
        else this.sendAppend(to, pr, true);
        continue;
      }
      this.send({
        kind: 'AppendEntries', from: this.id, to, term: this.currentTerm, prevLogIndex: pr.match, prevLogTerm: prevTerm,
        entries: [], leaderCommit: this.commit, readSeq: seq,
      });
    }
  }

  private noteReadAck(pr: Progress, seq: number): void {
    if (seq <= pr.readAck) return;
    pr.readAck = seq;
    this.checkReads();
  }

  private checkReads(): void {
    if (this.pendingReads.size === 0) return;
    const voters = this.config.voters;
    const need = majority(voters.length);
    const selfVotes = isVoter(this.config, this.id) ? 1 : 0;
    const confirmed = (seq: number): boolean => {
      let acks = selfVotes;
      for (const m of voters) {
        if (m.id !== this.id && (this.progress.get(m.id)?.readAck ?? 0) >= seq) acks++;
      }
      return acks >= need;
    };
    for (const r of this.pendingReads.confirm(confirmed)) this.readsReady.push(r);
  }

  // ---- log and configuration bookkeeping ----

  private appendLocal(type: EntryTypeCode, data: Uint8Array): LogEntry {
    const e: LogEntry = { index: this.raftLog.lastIndex + 1, term: this.currentTerm, type, data };
    this.raftLog.append([e]);
    if (e.index < this.unstableFrom) this.unstableFrom = e.index;
    if (type === EntryType.Config) this.pushConfig(e);
    this.maybeCommit();
    return e;
  }

  private appendFromLeader(entries: readonly LogEntry[]): void {
    this.raftLog.append(entries);
    if (entries[0]!.index < this.unstableFrom) this.unstableFrom = entries[0]!.index;
    for (const e of entries) if (e.type === EntryType.Config) this.pushConfig(e);
  }

  private truncateFrom(index: number): void {
    this.raftLog.truncateFrom(index);
    if (index < this.unstableFrom) this.unstableFrom = index;
    this.configs.truncateFrom(index);
  }

  private pushConfig(e: LogEntry): void {
    this.configs.push(e);
    if (this.roleValue !== 'Leader') return;
    // The new configuration is in force at once: replicate to its voters only.
    const config = this.config;
    for (const m of config.voters) {
      if (m.id !== this.id && !this.progress.has(m.id)) this.progress.set(m.id, newProgress(this.raftLog.lastIndex));
    }
    for (const id of [...this.progress.keys()]) {
      if (!isVoter(config, id) && this.catchUp?.member.id !== id) this.progress.delete(id);
    }
  }

  private *heldEntries(): Generator<LogEntry> {
    for (let i = this.raftLog.firstIndex; i <= this.raftLog.lastIndex; i++) yield this.raftLog.entryAt(i)!;
  }

  // ---- plumbing ----

  /** Answers a message from an older term so a stale leader or candidate learns the new term. */
  private answerStale(m: RaftMessage): void {
    if (m.kind === 'AppendEntries') {
      this.send({
        kind: 'AppendEntriesReply', from: this.id, to: m.from, term: this.currentTerm, success: false, matchIndex: 0,
        rejectIndex: m.prevLogIndex, conflictTerm: 0, conflictIndex: 0, readSeq: 0,
      });
    } else if (m.kind === 'InstallSnapshot') {
      this.send({
        kind: 'InstallSnapshotReply', from: this.id, to: m.from, term: this.currentTerm, lastIndex: m.lastIndex,
        nextOffset: 0, done: false, readSeq: 0,
      });
    } else if (m.kind === 'RequestVote') {
      this.send({ kind: 'RequestVoteReply', from: this.id, to: m.from, term: this.currentTerm, granted: false, preVote: m.preVote });
    }
  }

  private send(m: RaftMessage): void {
    this.messages.push(m);
  }

  private resetElectionTimer(): void {
    this.electionElapsed = 0;
    this.randomizedTimeout = this.electionTicks + Math.floor(this.random() * this.electionTicks);
  }

  private softState(): SoftState {
    return { role: this.roleValue, term: this.currentTerm, leaderId: this.leader };
  }

  private softChanged(): boolean {
    const s = this.lastSoft;
    return s.role !== this.roleValue || s.term !== this.currentTerm || s.leaderId !== this.leader;
  }
}
