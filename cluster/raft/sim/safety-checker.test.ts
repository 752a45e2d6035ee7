// The safety checkers must fire on each property they guard (a checker that cannot fail proves nothing).
import { describe, expect, it } from 'vitest';
import { RaftNode } from '../raft-node.ts';
import { EntryType, type LogEntry } from '../raft-types.ts';
import { SafetyChecker, SafetyViolation } from './safety-checker.ts';

const e = (index: number, term: number, byte = 0): LogEntry => ({ index, term, type: EntryType.Command, data: new Uint8Array([byte]) });

function nodeWith(id: string, entries: LogEntry[], term = 5): RaftNode {
  return new RaftNode({ id, random: () => 0 }, { hardState: { term, votedFor: null }, snapshot: null, entries });
}

describe('SafetyChecker', () => {
  it('flags two leaders in one term', () => {
    const c = new SafetyChecker();
    c.onLeader('a', 3, nodeWith('a', []));
    c.onLeader('a', 3, nodeWith('a', []));
    expect(() => c.onLeader('b', 3, nodeWith('b', []))).toThrow(SafetyViolation);
  });

  it('flags a server applying a different entry at an index', () => {
    const c = new SafetyChecker();
    c.onApply('a', e(1, 1, 7), 100);
    c.onApply('b', e(1, 1, 7), 100);
    expect(() => c.onApply('c', e(1, 2, 7), 100)).toThrow(/State Machine Safety/);
    expect(() => c.onApply('c', e(1, 1, 8), 100)).toThrow(/State Machine Safety/);
    expect(() => c.onRestore('d', 1, 101)).toThrow(/State Machine Safety/);
  });

  it('flags a leader that lacks an entry committed in an earlier term', () => {
    const c = new SafetyChecker();
    c.onCommitted([e(1, 1), e(2, 2)], 2, []);
    c.onLeader('a', 3, nodeWith('a', [e(1, 1), e(2, 2)]));
    expect(() => c.onLeader('b', 4, nodeWith('b', [e(1, 1), e(2, 3)]))).toThrow(/Leader Completeness/);
    // Entries committed after a leader of a later term exists must already be in its log.
    // An entry seen committed in term 3 must already be in the log of the leader of term 4.
    const leader = leaderNode('a', [e(2, 2)]);
    expect(leader.term).toBe(4);
    expect(() => c.onCommitted([e(3, 3)], 3, [{ id: 'a', node: leader }])).toThrow(/Leader Completeness/);
  });

  it('flags logs that agree on an entry but differ before it', () => {
    const c = new SafetyChecker();
    const a = nodeWith('a', [e(1, 1), e(2, 1, 1), e(3, 2)]);
    const b = nodeWith('b', [e(1, 1), e(2, 1, 2), e(3, 2)]);
    const ok = nodeWith('c', [e(1, 1), e(2, 1, 1), e(3, 3)]);
    expect(() => c.checkLogMatching([{ id: 'a', node: a }, { id: 'c', node: ok }])).not.toThrow();
    expect(() => c.checkLogMatching([{ id: 'a', node: a }, { id: 'b', node: b }])).toThrow(/Log Matching/);
  });
});

/** A single-voter node elected leader (term 4) over `entries`, which follow its configuration entry at index 1. */
function leaderNode(id: string, entries: LogEntry[]): RaftNode {
  const config: LogEntry = { index: 1, term: 1, type: EntryType.Config, data: new TextEncoder().encode(JSON.stringify({ voters: [{ id, address: '' }] })) };
  const n = new RaftNode({ id, random: () => 0, preVote: false }, { hardState: { term: 3, votedFor: null }, snapshot: null, entries: [config, ...entries] });
  for (let i = 0; i < 30 && n.role !== 'Leader'; i++) n.tick();
  expect(n.role).toBe('Leader');
  return n;
}
