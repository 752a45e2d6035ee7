// Reassembles a snapshot a follower receives in InstallSnapshot chunks.
import type { InstallSnapshot } from './raft-message.ts';

/** What a chunk achieved: the whole snapshot, or the offset the follower wants next. */
export type ChunkResult = { readonly data: Uint8Array } | { readonly data: null; readonly nextOffset: number };

/**
 * Accepts chunks in order for one snapshot (identified by its last index and term). A chunk at
 * offset 0 starts over; any other out-of-order chunk is refused with the offset expected, so
 * a lost or duplicated chunk costs a resend, never a corrupt snapshot.
 */
export class SnapshotReceiver {
  private index = -1;
  private term = -1;
  private chunks: Uint8Array[] = [];
  private received = 0;

  /** Feeds one chunk. */
  accept(m: InstallSnapshot): ChunkResult {
    const same = m.lastIndex === this.index && m.lastTerm === this.term;
    if (m.offset === 0) {
      this.index = m.lastIndex;
      this.term = m.lastTerm;
      this.chunks = [];
      this.received = 0;
    } else if (!same || m.offset !== this.received) {
      return { data: null, nextOffset: same ? this.received : 0 };
    }
    if (m.data.length > 0) this.chunks.push(m.data);
    this.received += m.data.length;
    if (!m.done) return { data: null, nextOffset: this.received };
    if (this.received !== m.totalBytes) {
      this.reset();
      return { data: null, nextOffset: 0 };
    }
    const out = new Uint8Array(this.received);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    this.reset();
    return { data: out };
  }

  /** Forgets any partial snapshot. */
  reset(): void {
    this.index = -1;
    this.term = -1;
    this.chunks = [];
    this.received = 0;
  }
}
