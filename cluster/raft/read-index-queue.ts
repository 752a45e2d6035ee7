// A leader's pending ReadIndex requests, each waiting for a heartbeat round to confirm leadership.
import type { ReadState } from './raft-ready.ts';

interface PendingRead {
  readonly id: number;
  /** Commit index when the read was assigned; -1 until the leader commits an entry of its term. */
  index: number;
  /** The heartbeat round whose acknowledgement by a majority confirms this read. */
  seq: number;
}

/**
 * Reads in arrival order. Rounds are numbered increasingly, so once a read is confirmed every
 * earlier one is too, and unassigned reads (index -1) only ever sit at the tail.
 */
export class ReadIndexQueue {
  private pending: PendingRead[] = [];

  get size(): number {
    return this.pending.length;
  }

  /** Queues a read until {@link assign}. */
  add(id: number): void {
    this.pending.push({ id, index: -1, seq: 0 });
  }

  /** True when some read still waits for the leader's first commit in its term. */
  hasUnassigned(): boolean {
    return this.pending.length > 0 && this.pending[this.pending.length - 1]!.index < 0;
  }

  /** Gives every waiting read the current commit index and heartbeat round. */
  assign(commitIndex: number, seq: number): void {
    for (const r of this.pending) {
      if (r.index < 0) {
        r.index = commitIndex;
        r.seq = seq;
      }
    }
  }

  /** Removes and returns the reads whose round `confirmed(seq)` says a majority acknowledged. */
  confirm(confirmed: (seq: number) => boolean): ReadState[] {
    let done = 0;
    const out: ReadState[] = [];
    for (const r of this.pending) {
      if (r.index < 0 || !confirmed(r.seq)) break;
      out.push({ id: r.id, index: r.index });
      done++;
    }
    if (done > 0) this.pending = this.pending.slice(done);
    return out;
  }

  /** Removes every read (leadership lost) and returns their ids. */
  clear(): number[] {
    const ids = this.pending.map((r) => r.id);
    this.pending = [];
    return ids;
  }
}
