// The error a Raft request gets on a server that is not the leader, naming the leader when known.
import { SqlError, SqlState } from '../../common/errors/index.ts';
import type { NodeId } from './raft-types.ts';

/**
 * "not leader, leader is X". Carries the leader's id and address so a caller can redirect;
 * across the wire they survive in the hint. Uses 57P03 (cannot connect now), which clients
 * treat as "try another server".
 */
export class NotLeaderError extends SqlError {
  constructor(
    readonly serverId: NodeId,
    readonly leaderId: NodeId | null,
    readonly leaderAddress: string | null,
    reason = 'not the leader',
  ) {
    const where = leaderId === null ? 'the leader is unknown' : `the leader is ${leaderId}${leaderAddress ? ` at ${leaderAddress}` : ''}`;
    super(SqlState.CANNOT_CONNECT_NOW, `raft server ${serverId}: ${reason}; ${where}`, {
      hint: leaderId === null ? 'Retry after a leader is elected.' : `Send the request to ${leaderId}${leaderAddress ? ` (${leaderAddress})` : ''}.`,
    });
    this.name = 'NotLeaderError';
  }
}
