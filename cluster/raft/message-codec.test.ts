// Wire encoding of Raft messages: round trips and refusal of malformed input.
import { describe, expect, it } from 'vitest';
import { SqlState } from '../../common/errors/index.ts';
import { fromTaggedJson, toTaggedJson } from '../../common/tagged-json.ts';
import { decodeMessage, encodeMessage } from './message-codec.ts';
import type { RaftMessage } from './raft-message.ts';

const samples: RaftMessage[] = [
  { kind: 'RequestVote', from: 'a', to: 'b', term: 3, lastLogIndex: 10, lastLogTerm: 2, preVote: true, transfer: false },
  { kind: 'RequestVoteReply', from: 'b', to: 'a', term: 3, granted: true, preVote: true },
  {
    kind: 'AppendEntries', from: 'a', to: 'b', term: 3, prevLogIndex: 4, prevLogTerm: 2, leaderCommit: 4, readSeq: 7,
    entries: [{ index: 5, term: 3, type: 0, data: new Uint8Array(0) }, { index: 6, term: 3, type: 2, data: new Uint8Array([0, 1, 254]) }],
  },
  { kind: 'AppendEntriesReply', from: 'b', to: 'a', term: 3, success: false, matchIndex: 0, rejectIndex: 4, conflictTerm: 1, conflictIndex: 2, readSeq: 7 },
  {
    kind: 'InstallSnapshot', from: 'a', to: 'b', term: 3, lastIndex: 9, lastTerm: 3, config: { voters: [{ id: 'a', address: 'x:1' }] },
    offset: 4, totalBytes: 8, data: new Uint8Array([9, 8, 7, 6]), done: true, readSeq: 0,
  },
  { kind: 'InstallSnapshotReply', from: 'b', to: 'a', term: 3, lastIndex: 9, nextOffset: 0, done: true, readSeq: 0 },
  { kind: 'TimeoutNow', from: 'a', to: 'b', term: 3 },
];

describe('message codec', () => {
  it('round-trips every message kind through tagged JSON', () => {
    for (const m of samples) expect(decodeMessage(fromTaggedJson(toTaggedJson(encodeMessage(m))))).toEqual(m);
  });

  it('refuses malformed messages with a protocol violation', () => {
    const bad: unknown[] = [
      null,
      { kind: 'Nope', from: 'a', to: 'b', term: 1 },
      { kind: 'TimeoutNow', from: 'a', to: 'b', term: -1 },
      { kind: 'TimeoutNow', from: 1, to: 'b', term: 1 },
      { ...encodeMessage(samples[2]!), entries: [{ i: 9, t: 3, y: 2, d: '' }] },
      { ...encodeMessage(samples[2]!), entries: [{ i: 5, t: 3, y: 9, d: '' }] },
      { ...encodeMessage(samples[4]!), config: { voters: [{ id: 1 }] } },
    ];
    for (const b of bad) expect(() => decodeMessage(b)).toThrow(expect.objectContaining({ code: SqlState.PROTOCOL_VIOLATION }));
  });
});
