// One-line renderings of Raft messages for traces and debug logs.
import type { RaftMessage } from './raft-message.ts';
import type { LogEntry } from './raft-types.ts';

function entries(es: readonly LogEntry[]): string {
  if (es.length === 0) return '[]';
  if (es.length <= 3) return `[${es.map((e) => `${e.index}/${e.term}`).join(',')}]`;
  return `[${es[0]!.index}/${es[0]!.term}..${es[es.length - 1]!.index}/${es[es.length - 1]!.term}]`;
}

/** E.g. `AE n1>n2 t3 prev=4/2 [5/3] c=4 r=0`. */
export function describeMessage(m: RaftMessage): string {
  const head = `${m.from}>${m.to} t${m.term}`;
  switch (m.kind) {
    case 'RequestVote':
      return `${m.preVote ? 'PreVote' : 'Vote'} ${head} last=${m.lastLogIndex}/${m.lastLogTerm}${m.transfer ? ' transfer' : ''}`;
    case 'RequestVoteReply':
      return `${m.preVote ? 'PreVoteReply' : 'VoteReply'} ${head} ${m.granted ? 'granted' : 'refused'}`;
    case 'AppendEntries':
      return `AE ${head} prev=${m.prevLogIndex}/${m.prevLogTerm} ${entries(m.entries)} c=${m.leaderCommit} r=${m.readSeq}`;
    case 'AppendEntriesReply':
      return m.success
        ? `AEok ${head} match=${m.matchIndex} r=${m.readSeq}`
        : `AEno ${head} at=${m.rejectIndex} conflict=${m.conflictIndex}/${m.conflictTerm} r=${m.readSeq}`;
    case 'InstallSnapshot':
      return `Snap ${head} last=${m.lastIndex}/${m.lastTerm} off=${m.offset}+${m.data.length}/${m.totalBytes}${m.done ? ' done' : ''}`;
    case 'InstallSnapshotReply':
      return `SnapReply ${head} last=${m.lastIndex} ${m.done ? 'done' : `next=${m.nextOffset}`}`;
    case 'TimeoutNow':
      return `TimeoutNow ${head}`;
  }
}
