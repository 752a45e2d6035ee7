// An in-memory StableStore (tests, simulation) and the reference semantics of a PersistUpdate.
import { internalError } from '../../common/errors/index.ts';
import type { RaftInitialState } from './raft-node.ts';
import type { LogEntry, HardState, Snapshot } from './raft-types.ts';
import type { PersistUpdate, StableStore } from './stable-store.ts';

/** A mutable copy of what a store holds. */
export interface DurableState {
  hardState: HardState;
  snapshot: Snapshot | null;
  /** Entries after the snapshot, contiguous. */
  entries: LogEntry[];
}

/** An empty durable state. */
export function emptyDurableState(): DurableState {
  return { hardState: { term: 0, votedFor: null }, snapshot: null, entries: [] };
}

/** Applies a snapshot: keeps the stored suffix only when the entry at its index matches. */
export function applySnapshotTo(state: DurableState, snap: Snapshot): void {
  const base = state.snapshot ? state.snapshot.meta.index : 0;
  if (state.snapshot && snap.meta.index <= base) return;
  const pos = snap.meta.index - base - 1;
  const e = pos >= 0 && pos < state.entries.length ? state.entries[pos]! : undefined;
  state.entries = e && e.term === snap.meta.term ? state.entries.slice(pos + 1) : [];
  state.snapshot = snap;
}

/** Applies the log part of an update: entries at or after `from` are replaced by `entries`. */
export function applyLogUpdateTo(state: DurableState, from: number, entries: readonly LogEntry[]): void {
  const base = state.snapshot ? state.snapshot.meta.index : 0;
  const last = base + state.entries.length;
  if (from > last + 1) throw internalError(`log update from ${from} leaves a gap after ${last}`);
  let skip = 0;
  if (from <= base) skip = base + 1 - from;
  state.entries.length = Math.max(0, from + skip - base - 1);
  for (let i = skip; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.index !== base + state.entries.length + 1) throw internalError(`log update entry ${e.index} is out of order`);
    state.entries.push(e);
  }
}

/** Applies a whole {@link PersistUpdate} in its documented order. */
export function applyPersistUpdate(state: DurableState, u: PersistUpdate): void {
  if (u.hardState) state.hardState = u.hardState;
  if (u.snapshot) applySnapshotTo(state, u.snapshot);
  if (u.log) applyLogUpdateTo(state, u.log.from, u.log.entries);
}

/** Copies a durable state into what a RaftNode starts from. */
export function toInitialState(state: DurableState): RaftInitialState {
  return { hardState: state.hardState, snapshot: state.snapshot, entries: state.entries.slice() };
}

/** A StableStore in memory: durable only as long as the object lives (for tests). */
export class MemoryStableStore implements StableStore {
  readonly state: DurableState = emptyDurableState();

  load(): Promise<RaftInitialState> {
    return Promise.resolve(toInitialState(this.state));
  }

  save(update: PersistUpdate): Promise<void> {
    applyPersistUpdate(this.state, update);
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
