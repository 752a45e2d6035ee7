// How a RaftServer reaches its peers: fire-and-forget messages, delivered at most once, maybe reordered or lost.
import type { RaftMessage } from './raft-message.ts';
import type { NodeId, RaftMember } from './raft-types.ts';

/**
 * Carries Raft messages between servers. Delivery is best effort: Raft retries on its own, so
 * a transport may drop messages (peer down, queue full) but must never corrupt them.
 */
export interface RaftTransport {
  /** Sends `message` to server `to`; never throws and never blocks. */
  send(to: NodeId, message: RaftMessage): void;
  /** Registers the one receiver of incoming messages. */
  onMessage(handler: (message: RaftMessage) => void): void;
  /** The servers (and their addresses) this server may need to talk to. */
  updatePeers(members: readonly RaftMember[]): void;
  /** Stops sending and receiving. */
  close(): Promise<void>;
}
