// The output of the Raft core: what to persist, send and apply, collected since the last call.
import type { RaftMessage } from './raft-message.ts';
import type { HardState, LogEntry, NodeId, RaftRole, Snapshot } from './raft-types.ts';

/** Log change to persist: drop stored entries with index >= `from`, then append `entries`. */
export interface LogUpdate {
  readonly from: number;
  readonly entries: readonly LogEntry[];
}

/** Role, term and known leader; reported when any of them changes. */
export interface SoftState {
  readonly role: RaftRole;
  readonly term: number;
  readonly leaderId: NodeId | null;
}

/** A confirmed ReadIndex: the read `id` may be served once the state machine has applied `index`. */
export interface ReadState {
  readonly id: number;
  readonly index: number;
}

/** Outcomes of requests that finish asynchronously inside the core. */
export type RaftEvent =
  | { readonly kind: 'ReadFailed'; readonly id: number; readonly reason: string; readonly leaderId: NodeId | null }
  | { readonly kind: 'ConfChangeAppended'; readonly requestId: number; readonly index: number; readonly term: number }
  | { readonly kind: 'ConfChangeFailed'; readonly requestId: number; readonly reason: string }
  | { readonly kind: 'TransferFailed'; readonly to: NodeId; readonly reason: string };

/**
 * One batch of work for the driver, to be carried out in this order:
 * 1. persist `hardState`, then `snapshot` (which compacts the stored log it covers), then `log`,
 *    durably (fsync);
 * 2. send `messages` (they may acknowledge what step 1 persisted);
 * 3. restore the state machine from `snapshot` if present, then apply `committed` in order;
 * 4. serve `reads` once the state machine has applied their index; report `events`.
 */
export interface Ready {
  readonly hardState: HardState | null;
  readonly snapshot: Snapshot | null;
  readonly log: LogUpdate | null;
  readonly messages: readonly RaftMessage[];
  readonly committed: readonly LogEntry[];
  readonly reads: readonly ReadState[];
  readonly events: readonly RaftEvent[];
  readonly softState: SoftState | null;
}

/** Result of a request the core answers at once. */
export type RaftResult =
  | { readonly ok: true; readonly index: number; readonly term: number }
  | { readonly ok: false; readonly reason: string; readonly leaderId: NodeId | null };
