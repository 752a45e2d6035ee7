// A simulated disk: writes are volatile until synced, and a crash keeps only a random prefix of them.
import { applyLogUpdateTo, applyPersistUpdate, emptyDurableState, toInitialState, type DurableState } from '../memory-stable-store.ts';
import type { Prng } from '../prng.ts';
import type { RaftInitialState } from '../raft-node.ts';
import type { PersistUpdate } from '../stable-store.ts';

/**
 * What one server's disk holds. Writes queue in order; `sync(upTo)` makes a prefix durable.
 * A crash applies a random prefix of the unsynced writes, the last one possibly torn (a log
 * append keeps only some of its entries), as a real disk may have flushed part of the page cache.
 */
export class SimDisk {
  private durable: DurableState = emptyDurableState();
  private pending: PersistUpdate[] = [];
  /** Sequence number of the first pending write. */
  private pendingBase = 0;

  /** Queues a write; returns its sequence number for {@link sync}. */
  write(u: PersistUpdate): number {
    this.pending.push(u);
    return this.pendingBase + this.pending.length - 1;
  }

  /** Makes every write up to and including `seq` durable. */
  sync(seq: number): void {
    while (this.pending.length > 0 && this.pendingBase <= seq) {
      applyPersistUpdate(this.durable, this.pending.shift()!);
      this.pendingBase++;
    }
  }

  /** Loses power: a random prefix of the unsynced writes survives, the last maybe torn. Returns how many were lost. */
  crash(rng: Prng): number {
    const n = this.pending.length;
    const keep = rng.int(n + 1);
    for (let i = 0; i < keep; i++) applyPersistUpdate(this.durable, this.pending[i]!);
    if (keep < n) {
      const torn = this.pending[keep]!;
      // Hard state and snapshot are replaced atomically (rename); a log append can be torn.
      if (torn.log && rng.chance(0.5)) {
        if (torn.hardState) this.durable.hardState = torn.hardState;
        const entries = torn.log.entries.slice(0, rng.int(torn.log.entries.length + 1));
        if (!torn.snapshot) applyLogUpdateTo(this.durable, torn.log.from, entries);
      }
    }
    this.pendingBase += n;
    this.pending = [];
    return n - keep;
  }

  /** What a restarted server reads back. */
  load(): RaftInitialState {
    return toInitialState(this.durable);
  }

  /** Durable state, for checkers. */
  get state(): DurableState {
    return this.durable;
  }

  get unsyncedWrites(): number {
    return this.pending.length;
  }
}
