// The messages Raft servers exchange; every reply is a message of its own (no RPC coupling).
import type { ClusterConfig, LogEntry, NodeId } from './raft-types.ts';

/**
 * Asks for a vote. With `preVote` it only asks "would you vote for me in `term`?" and changes
 * nobody's term; `transfer` marks an election started by TimeoutNow, which voters must not
 * ignore on the grounds that they heard from a leader recently.
 */
export interface RequestVote {
  readonly kind: 'RequestVote';
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
  readonly preVote: boolean;
  readonly transfer: boolean;
}

/** Answer to {@link RequestVote}. A granted pre-vote carries the requested (future) term. */
export interface RequestVoteReply {
  readonly kind: 'RequestVoteReply';
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
  readonly granted: boolean;
  readonly preVote: boolean;
}

/**
 * Replicates entries after (prevLogIndex, prevLogTerm); with no entries it is a heartbeat.
 * `readSeq` is the leader's latest ReadIndex round, echoed back to confirm leadership.
 */
export interface AppendEntries {
  readonly kind: 'AppendEntries';
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
  readonly prevLogIndex: number;
  readonly prevLogTerm: number;
  readonly entries: readonly LogEntry[];
  readonly leaderCommit: number;
  readonly readSeq: number;
}

/**
 * Answer to {@link AppendEntries}. On success `matchIndex` is the last index known to match the
 * leader. On rejection `rejectIndex` echoes the prevLogIndex that failed and (conflictTerm,
 * conflictIndex) let the leader skip a whole term at a time: conflictTerm 0 means the
 * follower's log ends before rejectIndex and conflictIndex is its lastIndex + 1.
 */
export interface AppendEntriesReply {
  readonly kind: 'AppendEntriesReply';
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
  readonly success: boolean;
  readonly matchIndex: number;
  readonly rejectIndex: number;
  readonly conflictTerm: number;
  readonly conflictIndex: number;
  readonly readSeq: number;
}

/** One chunk of the leader's snapshot, starting at byte `offset` of `totalBytes`. */
export interface InstallSnapshot {
  readonly kind: 'InstallSnapshot';
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
  readonly lastIndex: number;
  readonly lastTerm: number;
  readonly config: ClusterConfig;
  readonly offset: number;
  readonly totalBytes: number;
  readonly data: Uint8Array;
  readonly done: boolean;
  readonly readSeq: number;
}

/**
 * Answer to {@link InstallSnapshot}: `done` once the snapshot (lastIndex) is installed or was
 * already covered; otherwise `nextOffset` is the byte the follower expects next.
 */
export interface InstallSnapshotReply {
  readonly kind: 'InstallSnapshotReply';
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
  readonly lastIndex: number;
  readonly nextOffset: number;
  readonly done: boolean;
  readonly readSeq: number;
}

/** Leadership transfer: the leader tells an up-to-date follower to start an election now. */
export interface TimeoutNow {
  readonly kind: 'TimeoutNow';
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
}

/** Every message a Raft server sends or receives. */
export type RaftMessage =
  | RequestVote
  | RequestVoteReply
  | AppendEntries
  | AppendEntriesReply
  | InstallSnapshot
  | InstallSnapshotReply
  | TimeoutNow;

/** The `kind` strings, for codecs and traces. */
export type RaftMessageKind = RaftMessage['kind'];
