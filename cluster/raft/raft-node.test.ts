// Unit tests of the Raft core's rules, driven message by message without a simulator.
import { describe, expect, it } from 'vitest';
import { RaftNode, bootstrapState, type RaftInitialState } from './raft-node.ts';
import type { AppendEntries, AppendEntriesReply, RaftMessage, RequestVoteReply } from './raft-message.ts';
import { EntryType, type LogEntry } from './raft-types.ts';

const cmd = (index: number, term: number, byte = index): LogEntry => ({ index, term, type: EntryType.Command, data: new Uint8Array([byte]) });

function founders(ids: string[]): RaftInitialState {
  return bootstrapState(ids.map((id) => ({ id, address: '' })));
}

/** Takes the messages a node produced (discarding the rest of its Ready). */
function drain(n: RaftNode): RaftMessage[] {
  const out: RaftMessage[] = [];
  while (n.hasReady()) out.push(...n.takeReady().messages);
  return out;
}

/** Delivers messages among `nodes` until none are left (a perfect network). */
function settle(nodes: Map<string, RaftNode>): void {
  let queue: RaftMessage[] = [];
  for (const n of nodes.values()) queue.push(...drain(n));
  while (queue.length > 0) {
    const next: RaftMessage[] = [];
    for (const m of queue) {
      const to = nodes.get(m.to);
      if (!to) continue;
      to.step(m);
      next.push(...drain(to));
    }
    queue = next;
  }
}

function cluster(ids: string[], opts: { preVote?: boolean } = {}): Map<string, RaftNode> {
  const m = new Map<string, RaftNode>();
  ids.forEach((id, i) => m.set(id, new RaftNode({ id, random: () => i / ids.length, ...opts }, founders(ids))));
  return m;
}

function elect(nodes: Map<string, RaftNode>, id: string): RaftNode {
  const n = nodes.get(id)!;
  n.campaign(false);
  settle(nodes);
  expect(n.role).toBe('Leader');
  return n;
}

function follower(entries: LogEntry[], term: number, commit = 0): RaftNode {
  const boot = founders(['l', 'f', 'g']);
  const n = new RaftNode({ id: 'f', random: () => 0 }, { hardState: { term, votedFor: null }, snapshot: null, entries: [...boot.entries, ...entries] });
  if (commit > 0) {
    n.step(ae({ term, prevLogIndex: 0, prevLogTerm: 0, entries: [], leaderCommit: commit }));
    drain(n);
  }
  return n;
}

function ae(p: Partial<AppendEntries>): AppendEntries {
  return { kind: 'AppendEntries', from: 'l', to: 'f', term: 1, prevLogIndex: 0, prevLogTerm: 0, entries: [], leaderCommit: 0, readSeq: 0, ...p };
}

function replyOf(n: RaftNode): AppendEntriesReply {
  const r = drain(n).find((m): m is AppendEntriesReply => m.kind === 'AppendEntriesReply');
  if (!r) throw new Error('no AppendEntriesReply');
  return r;
}

describe('RaftNode', () => {
  it('a single founder elects itself and commits proposals at once', () => {
    const n = new RaftNode({ id: 'a', random: () => 0 }, founders(['a']));
    for (let i = 0; i < 20 && n.role !== 'Leader'; i++) n.tick();
    expect(n.role).toBe('Leader');
    const r = n.propose(new Uint8Array([42]));
    expect(r).toMatchObject({ ok: true, index: 3 });
    const ready = n.takeReady();
    expect(ready.committed.map((e) => e.index)).toEqual([1, 2, 3]);
    expect(ready.log?.entries.map((e) => e.index)).toEqual([1, 2, 3].filter((i) => i >= ready.log!.from));
    expect(ready.hardState).toMatchObject({ votedFor: 'a' });
  });

  it('replicates and commits through a majority, and followers refuse proposals with a leader hint', () => {
    const nodes = cluster(['a', 'b', 'c']);
    const a = elect(nodes, 'a');
    expect(a.propose(new Uint8Array([1]))).toMatchObject({ ok: true });
    settle(nodes);
    for (const n of nodes.values()) expect(n.lastIndex).toBe(3);
    expect(a.commitIndex).toBe(3);
    expect(nodes.get('b')!.propose(new Uint8Array([2]))).toEqual({ ok: false, reason: 'not the leader', leaderId: 'a' });
  });

  it('rejects an AppendEntries whose previous entry is missing or differs, with conflict hints', () => {
    const short = follower([cmd(2, 1)], 2);
    short.step(ae({ term: 2, prevLogIndex: 5, prevLogTerm: 2 }));
    expect(replyOf(short)).toMatchObject({ success: false, rejectIndex: 5, conflictTerm: 0, conflictIndex: 3 });

    const diverged = follower([cmd(2, 1), cmd(3, 2), cmd(4, 2), cmd(5, 2)], 3);
    diverged.step(ae({ term: 3, prevLogIndex: 5, prevLogTerm: 3 }));
    // The whole term-2 run can be skipped: it starts at index 3.
    expect(replyOf(diverged)).toMatchObject({ success: false, conflictTerm: 2, conflictIndex: 3 });
  });

  it('replaces a conflicting suffix but never truncates on a stale or duplicated AppendEntries', () => {
    const n = follower([cmd(2, 1), cmd(3, 1), cmd(4, 1), cmd(5, 1)], 1);
    n.step(ae({ prevLogIndex: 1, prevLogTerm: 1, entries: [cmd(2, 1)] }));
    expect(replyOf(n)).toMatchObject({ success: true, matchIndex: 2 });
    expect(n.lastIndex).toBe(5);
    n.step(ae({ term: 2, prevLogIndex: 3, prevLogTerm: 1, entries: [cmd(4, 2, 99)] }));
    expect(replyOf(n)).toMatchObject({ success: true, matchIndex: 4 });
    expect(n.lastIndex).toBe(4);
    expect(n.termAt(4)).toBe(2);
  });

  it('advances the follower commit index only over entries it has verified', () => {
    const n = follower([cmd(2, 1), cmd(3, 1), cmd(4, 1)], 1);
    n.step(ae({ prevLogIndex: 1, prevLogTerm: 1, entries: [cmd(2, 1)], leaderCommit: 10 }));
    drain(n);
    expect(n.commitIndex).toBe(2);
  });

  it('grants one vote per term, only to candidates whose log is at least as up to date', () => {
    const n = follower([cmd(2, 1), cmd(3, 2)], 2);
    const vote = (from: string, term: number, lastLogIndex: number, lastLogTerm: number): RequestVoteReply => {
      n.step({ kind: 'RequestVote', from, to: 'f', term, lastLogIndex, lastLogTerm, preVote: false, transfer: false });
      return drain(n).find((m): m is RequestVoteReply => m.kind === 'RequestVoteReply')!;
    };
    expect(vote('g', 3, 10, 1).granted).toBe(false);
    expect(vote('g', 3, 3, 2).granted).toBe(true);
    expect(vote('l', 3, 9, 3).granted).toBe(false);
    expect(vote('g', 3, 3, 2).granted).toBe(true);
    expect(n.vote).toBe('g');
  });

  it('answers a pre-vote without changing its term', () => {
    const n = follower([], 4);
    n.step({ kind: 'RequestVote', from: 'g', to: 'f', term: 9, lastLogIndex: 1, lastLogTerm: 1, preVote: true, transfer: false });
    const r = drain(n).find((m): m is RequestVoteReply => m.kind === 'RequestVoteReply')!;
    expect(r).toMatchObject({ granted: true, term: 9, preVote: true });
    expect(n.term).toBe(4);
    expect(n.vote).toBeNull();
  });

  it('confirms a ReadIndex only after a majority answers a heartbeat in the current term', () => {
    const nodes = cluster(['a', 'b', 'c']);
    const a = elect(nodes, 'a');
    expect(a.readIndex(7)).toEqual({ ok: true });
    const out = drain(a);
    expect(out.filter((m) => m.kind === 'AppendEntries').length).toBe(2);
    // Nothing confirmed until a follower answers.
    expect(a.takeReady().reads).toEqual([]);
    const b = nodes.get('b')!;
    b.step(out.find((m) => m.to === 'b')!);
    for (const m of drain(b)) a.step(m);
    expect(a.takeReady().reads).toEqual([{ id: 7, index: a.commitIndex }]);
    expect(nodes.get('b')!.readIndex(8)).toMatchObject({ ok: false, leaderId: 'a' });
  });

  it('does not count replicas of an entry from an earlier term toward commitment', () => {
    // Leader of term 3 holding an uncommitted term-2 entry at index 2.
    const boot = founders(['l', 'f', 'g']);
    const l = new RaftNode({ id: 'l', random: () => 0, preVote: false, maxEntriesPerAppend: 1 }, {
      hardState: { term: 2, votedFor: null }, snapshot: null, entries: [...boot.entries, cmd(2, 2)],
    });
    l.campaign(false);
    const votes = drain(l).filter((m) => m.kind === 'RequestVote');
    l.step({ kind: 'RequestVoteReply', from: votes[0]!.to, to: 'l', term: 3, granted: true, preVote: false });
    expect(l.role).toBe('Leader');
    drain(l);
    // A follower acknowledges index 2 (the term-2 entry) but not yet the term-3 no-op at 3.
    l.step({ kind: 'AppendEntriesReply', from: 'f', to: 'l', term: 3, success: true, matchIndex: 2, rejectIndex: 0, conflictTerm: 0, conflictIndex: 0, readSeq: 0 });
    expect(l.commitIndex).toBeLessThan(2);
    l.step({ kind: 'AppendEntriesReply', from: 'f', to: 'l', term: 3, success: true, matchIndex: 3, rejectIndex: 0, conflictTerm: 0, conflictIndex: 0, readSeq: 0 });
    expect(l.commitIndex).toBe(3);
  });

  it('installs a chunked snapshot, keeping a matching suffix of its log', () => {
    const n = follower([cmd(2, 1), cmd(3, 1), cmd(4, 1)], 1);
    const data = new Uint8Array([1, 2, 3, 4, 5]);
    const config = { voters: [{ id: 'l', address: '' }, { id: 'f', address: '' }, { id: 'g', address: '' }] };
    const chunk = (offset: number, len: number) => ({
      kind: 'InstallSnapshot' as const, from: 'l', to: 'f', term: 1, lastIndex: 3, lastTerm: 1, config, offset, totalBytes: 5,
      data: data.subarray(offset, offset + len), done: offset + len >= 5, readSeq: 0,
    });
    n.step(chunk(0, 2));
    expect(drain(n)[0]).toMatchObject({ kind: 'InstallSnapshotReply', done: false, nextOffset: 2 });
    n.step(chunk(3, 2)); // out of order: refused with the offset expected
    expect(drain(n)[0]).toMatchObject({ done: false, nextOffset: 2 });
    n.step(chunk(2, 3));
    const ready = n.takeReady();
    expect(ready.messages[0]).toMatchObject({ kind: 'InstallSnapshotReply', done: true, lastIndex: 3 });
    expect(Array.from(ready.snapshot!.data)).toEqual([1, 2, 3, 4, 5]);
    expect(n.snapshotIndex).toBe(3);
    expect(n.lastIndex).toBe(4);
    expect(n.commitIndex).toBe(3);
  });
});
