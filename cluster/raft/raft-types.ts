// The values a Raft log is made of: entries, cluster configurations, hard state and snapshots.
import { dataCorrupted } from '../../common/errors/index.ts';

/** A server's stable identity (also its name in the cluster configuration). */
export type NodeId = string;

/** What a log entry carries; only Config entries are interpreted by Raft itself. */
export const EntryType = {
  /** Appended by every new leader so it can commit entries of earlier terms. */
  Noop: 0,
  /** A {@link ClusterConfig}, JSON in `data`; takes effect as soon as it is appended. */
  Config: 1,
  /** Opaque bytes for the state machine. */
  Command: 2,
  /** UTF-8 tagged JSON for the state machine (what `propose(json)` writes). */
  JsonCommand: 3,
} as const;
export type EntryTypeCode = (typeof EntryType)[keyof typeof EntryType];

/** One log entry. `index` starts at 1; `term` is the leader's term when it was appended. */
export interface LogEntry {
  readonly index: number;
  readonly term: number;
  readonly type: EntryTypeCode;
  readonly data: Uint8Array;
}

/** A voting member: its id and the address transports reach it at ('' when there is none). */
export interface RaftMember {
  readonly id: NodeId;
  readonly address: string;
}

/** The voting members. Changed one server at a time (single-server membership changes). */
export interface ClusterConfig {
  readonly voters: readonly RaftMember[];
}

/** What must survive a crash before a vote or an acknowledgement leaves the server. */
export interface HardState {
  readonly term: number;
  readonly votedFor: NodeId | null;
}

/** Describes the log prefix a snapshot replaces. */
export interface SnapshotMeta {
  /** Index of the last entry the snapshot covers. */
  readonly index: number;
  /** Term of that entry. */
  readonly term: number;
  /** The configuration in force at `index`. */
  readonly config: ClusterConfig;
}

/** A state-machine snapshot: metadata plus the application's bytes. */
export interface Snapshot {
  readonly meta: SnapshotMeta;
  readonly data: Uint8Array;
}

/** A server's role. PreCandidate runs the PreVote round before a real election. */
export type RaftRole = 'Follower' | 'PreCandidate' | 'Candidate' | 'Leader';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Encodes a configuration for a Config entry or a snapshot header. */
export function encodeConfig(config: ClusterConfig): Uint8Array {
  return enc.encode(JSON.stringify({ voters: config.voters.map((m) => ({ id: m.id, address: m.address })) }));
}

/** Decodes {@link encodeConfig}'s bytes, checking the shape. */
export function decodeConfig(bytes: Uint8Array): ClusterConfig {
  return parseConfig(JSON.parse(dec.decode(bytes)));
}

/** Narrows an untrusted value to a {@link ClusterConfig}; throws XX001 on a bad shape. */
export function parseConfig(v: unknown): ClusterConfig {
  if (typeof v !== 'object' || v === null || !Array.isArray((v as { voters?: unknown }).voters)) {
    throw dataCorrupted('malformed cluster configuration');
  }
  const voters: RaftMember[] = [];
  for (const m of (v as { voters: unknown[] }).voters) {
    if (typeof m !== 'object' || m === null) throw dataCorrupted('malformed cluster member');
    const { id, address } = m as { id?: unknown; address?: unknown };
    if (typeof id !== 'string' || typeof address !== 'string') throw dataCorrupted('malformed cluster member');
    voters.push({ id, address });
  }
  return { voters };
}

/** True when `id` votes in `config`. */
export function isVoter(config: ClusterConfig, id: NodeId): boolean {
  for (const m of config.voters) if (m.id === id) return true;
  return false;
}

/** The empty configuration of a server that has not joined a cluster yet. */
export const EMPTY_CONFIG: ClusterConfig = { voters: [] };
