// The contract of Raft's durable storage: hard state, log entries and the latest snapshot.
import type { RaftInitialState } from './raft-node.ts';
import type { LogUpdate } from './raft-ready.ts';
import type { HardState, Snapshot } from './raft-types.ts';

/**
 * One durable change, applied in this order: the hard state; then the snapshot, which drops
 * the stored entries it covers (and the whole stored log when the entry at its index is
 * missing or has another term); then the log update (drop entries >= from, append).
 */
export interface PersistUpdate {
  readonly hardState?: HardState | null;
  readonly snapshot?: Snapshot | null;
  readonly log?: LogUpdate | null;
}

/**
 * Where a Raft server keeps what must survive a crash. `save` resolves only once the change is
 * durable (fsynced): the server sends no message depending on it before then. Calls are never
 * concurrent: the driver waits for each before the next.
 */
export interface StableStore {
  /** Reads everything back; an empty store gives term 0, no vote, no snapshot, no entries. */
  load(): Promise<RaftInitialState>;
  save(update: PersistUpdate): Promise<void>;
  close(): Promise<void>;
}
