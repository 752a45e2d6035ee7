// What a leader knows about one follower's log: how far it matches and what to send next.

/**
 * Probe: one AppendEntries at a time until the follower's match point is found.
 * Replicate: entries are pipelined; `next` advances when they are sent.
 * Snapshot: the follower needs entries the leader compacted; snapshot chunks are being sent.
 */
export type ProgressState = 'Probe' | 'Replicate' | 'Snapshot';

/** A leader's view of one follower (or of a server catching up before it joins). */
export interface Progress {
  /** Highest index known to match the leader's log. */
  match: number;
  /** Next index to send. Always > match. */
  next: number;
  state: ProgressState;
  /** In Probe: an AppendEntries is outstanding; wait for its reply or the next heartbeat. */
  paused: boolean;
  /** Heard from this follower since the last CheckQuorum round. */
  recentActive: boolean;
  /** Highest ReadIndex round the follower has acknowledged in the current term. */
  readAck: number;
  /** In Snapshot: index of the snapshot being sent and the next byte to send. */
  snapshotIndex: number;
  snapshotOffset: number;
}

/** A fresh progress that probes from `next`. */
export function newProgress(next: number): Progress {
  return { match: 0, next, state: 'Probe', paused: false, recentActive: true, readAck: 0, snapshotIndex: 0, snapshotOffset: 0 };
}
