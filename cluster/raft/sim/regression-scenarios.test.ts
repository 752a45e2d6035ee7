// Hand-written simulator scenarios for Raft's classic hazards: Figure 8, partitions, divergence, snapshots, membership.
import { describe, expect, it } from 'vitest';
import type { RaftMessage } from '../raft-message.ts';
import type { RaftNodeOptions } from '../raft-node.ts';
import type { NodeId } from '../raft-types.ts';
import { isVoter } from '../raft-types.ts';
import { SimCluster, type OpOutcome } from './sim-cluster.ts';

interface QuietOptions {
  readonly voters: number;
  readonly spare?: number;
  readonly raft?: Omit<RaftNodeOptions, 'id' | 'random'>;
  readonly snapshotEvery?: number;
  readonly seed?: number;
}

/** A cluster with a lossless, fast network and instant fsync, so scripts control every fault. */
function quietCluster(o: QuietOptions): SimCluster {
  const ids: NodeId[] = [];
  for (let i = 1; i <= o.voters + (o.spare ?? 0); i++) ids.push(`n${i}`);
  return new SimCluster({
    seed: o.seed ?? 7,
    nodeIds: ids,
    initialVoters: ids.slice(0, o.voters),
    tickMs: 10,
    raft: { electionTicks: 10, heartbeatTicks: 2, ...o.raft },
    snapshotEvery: o.snapshotEvery ?? 0,
    net: { minDelay: 1, maxDelay: 3, dropRate: 0, dupRate: 0 },
    fsyncMaxMs: 0,
    trace: false,
  });
}

function waitLeader(sim: SimCluster, among: readonly NodeId[] = sim.ids, ms = 3000): NodeId {
  let found: NodeId | null = null;
  const ok = sim.runUntilTrue(() => {
    found = among.find((id) => sim.node(id)?.role === 'Leader') ?? null;
    return found !== null;
  }, sim.now + ms);
  if (!ok || found === null) throw new Error(`no leader among ${among.join(',')}\n${sim.describe()}`);
  return found;
}

/** Writes through `id` and runs until the outcome is known. */
function writeAndWait(sim: SimCluster, id: NodeId, key: number, value: number, ms = 2000): OpOutcome {
  let out: OpOutcome | null = null;
  sim.write(id, key, value, (o) => {
    out = o;
  });
  sim.runUntilTrue(() => out !== null, sim.now + ms);
  if (out === null) throw new Error(`write through ${id} did not finish\n${sim.describe()}`);
  return out;
}

function runUntil(sim: SimCluster, what: string, done: () => boolean, ms = 3000): void {
  if (!sim.runUntilTrue(done, sim.now + ms)) throw new Error(`timed out: ${what}\n${sim.describe()}`);
}

function allApplied(sim: SimCluster, ids: readonly NodeId[], index: number): boolean {
  return ids.every((id) => sim.node(id) !== null && sim.stateMachine(id).appliedIndex >= index);
}

describe('regression scenarios', () => {
  it('Figure 8: an old-term entry copied to a majority is not committed until the leader commits in its own term', () => {
    const sim = quietCluster({ voters: 5, raft: { maxEntriesPerAppend: 1 } });
    const l1 = waitLeader(sim);
    const w0 = writeAndWait(sim, l1, 1, 1);
    expect(w0.status).toBe('ok');
    runUntil(sim, 'w0 everywhere', () => allApplied(sim, sim.ids, w0.status === 'ok' ? w0.index : 0));
    const others = sim.ids.filter((id) => id !== l1);
    const f2 = others[0]!;

    // (a) l1 and f2 are cut off; l1 appends X, which reaches f2 only.
    sim.net.partition([[l1, f2]]);
    let x: OpOutcome | null = null;
    sim.write(l1, 2, 2, (o) => {
      x = o;
    });
    const xIndex = sim.node(l1)!.lastIndex;
    const t1 = sim.node(l1)!.term;
    runUntil(sim, 'X reaches f2', () => sim.node(f2)!.termAt(xIndex) === t1);
    sim.crash(l1);

    // (b) The majority side elects l2, which appends its own entry at X's index and dies before sending it.
    const majority = others.slice(1);
    const l2 = waitLeader(sim, majority);
    sim.net.partition([[l2], [f2]]);
    sim.runUntil(sim.now + 5);
    const t2 = sim.node(l2)!.term;
    expect(sim.node(l2)!.termAt(xIndex)).toBe(t2);
    sim.crash(l2);
    const [fa, fb] = majority.filter((id) => id !== l2) as [NodeId, NodeId];

    // (c) l1 returns; a server holding X leads term t3 and copies X to fa: X now sits on a majority.
    sim.restart(l1);
    sim.net.partition([[l1, f2, fa], [fb]]);
    const l3 = waitLeader(sim, [l1, f2, fa]);
    expect([l1, f2]).toContain(l3);
    let faAckedX = false;
    sim.onSend = (m: RaftMessage) => {
      if (m.kind === 'AppendEntriesReply' && m.from === fa && m.to === l3 && m.success && m.matchIndex >= xIndex) faAckedX = true;
    };
    runUntil(sim, 'X reaches fa', () => sim.node(fa)!.termAt(xIndex) === t1);
    sim.net.cut(l3, fa);
    runUntil(sim, 'fa acknowledges X', () => faAckedX);
    sim.runUntil(sim.now + 10);
    const holders = [l1, f2, fa].filter((id) => sim.node(id)?.termAt(xIndex) === t1);
    expect(holders.length).toBe(3);
    // The rule of section 5.4.2: X is on a majority but is not committed by counting replicas.
    expect(sim.node(l3)!.commitIndex).toBeLessThan(xIndex);
    sim.onSend = null;
    sim.crash(l3);

    // (d) l2 returns with the only copy of its term-t2 entry and overwrites X everywhere.
    const helper = l3 === l1 ? f2 : l1;
    sim.restart(l2);
    sim.net.partition([[helper]]);
    const l4 = waitLeader(sim, [l2]);
    runUntil(sim, 'X overwritten on fa', () => sim.node(fa)!.termAt(xIndex) === t2 && sim.node(fa)!.commitIndex >= xIndex);

    // Everyone converges on l2's entry; X was never applied anywhere (the checkers ran throughout).
    sim.net.heal();
    for (const id of sim.ids) sim.restart(id);
    const final = writeAndWait(sim, l4, 3, 3);
    expect(final.status).toBe('ok');
    runUntil(sim, 'convergence', () => allApplied(sim, sim.ids, final.status === 'ok' ? final.index : 0));
    for (const id of sim.ids) expect(sim.node(id)!.termAt(xIndex) ?? t2).toBe(t2);
    expect(sim.stateMachine(l4).read(2)).toBe(0);
    expect(x === null || (x as OpOutcome).status !== 'ok').toBe(true);
  });

  it('a partitioned leader cannot commit or serve reads; its writes are discarded when it rejoins', () => {
    const sim = quietCluster({ voters: 5 });
    const old = waitLeader(sim);
    const w = writeAndWait(sim, old, 1, 10);
    expect(w.status).toBe('ok');
    const buddy = sim.ids.find((id) => id !== old)!;
    sim.net.partition([[old, buddy]]);
    const lost: OpOutcome[] = [];
    for (let i = 0; i < 5; i++) sim.write(old, 1, 100 + i, (o) => lost.push(o));
    let read: OpOutcome | null = null;
    sim.read(old, 1, (o) => {
      read = o;
    });
    const rest = sim.ids.filter((id) => id !== old && id !== buddy);
    const fresh = waitLeader(sim, rest);
    expect(writeAndWait(sim, fresh, 1, 20).status).toBe('ok');
    sim.runUntil(sim.now + 300);
    // CheckQuorum deposed the old leader; its read was refused rather than answered with 10.
    expect(sim.node(old)!.role).not.toBe('Leader');
    expect(read).not.toBeNull();
    expect((read as OpOutcome | null)?.status).toBe('fail');
    sim.net.heal();
    const last = writeAndWait(sim, fresh, 1, 30);
    expect(last.status).toBe('ok');
    runUntil(sim, 'convergence', () => allApplied(sim, sim.ids, last.status === 'ok' ? last.index : 0));
    expect(lost.every((o) => o.status !== 'ok')).toBe(true);
    for (const id of sim.ids) expect(sim.stateMachine(id).read(1)).toBe(30);
  });

  it('repairs a long divergent tail with a few probes (conflict-term backtracking)', () => {
    const sim = quietCluster({ voters: 3 });
    const old = waitLeader(sim);
    expect(writeAndWait(sim, old, 1, 1).status).toBe('ok');
    sim.net.partition([[old]]);
    for (let i = 0; i < 60; i++) sim.write(old, 2, 1000 + i, () => undefined);
    const rest = sim.ids.filter((id) => id !== old);
    const fresh = waitLeader(sim, rest);
    for (let i = 0; i < 20; i++) expect(writeAndWait(sim, fresh, 3, i + 1).status).toBe('ok');
    expect(sim.node(old)!.lastIndex).toBeGreaterThan(sim.node(fresh)!.lastIndex);
    let rejections = 0;
    sim.onSend = (m) => {
      if (m.kind === 'AppendEntriesReply' && m.from === old && !m.success && m.term === sim.node(fresh)!.term) rejections++;
    };
    sim.net.heal();
    const done = writeAndWait(sim, fresh, 3, 99);
    expect(done.status).toBe('ok');
    runUntil(sim, 'old leader repaired', () => allApplied(sim, sim.ids, done.status === 'ok' ? done.index : 0));
    expect(sim.node(old)!.lastIndex).toBe(sim.node(fresh)!.lastIndex);
    // One decrement per entry would need about 60 rejections; one per term needs at most a couple.
    expect(rejections).toBeLessThanOrEqual(3);
    expect(sim.stateMachine(old).read(2)).toBe(0);
  });

  it('sends a chunked snapshot to a follower that fell behind the compacted log', () => {
    const sim = quietCluster({ voters: 3, snapshotEvery: 5, raft: { snapshotChunkBytes: 8 } });
    const leader = waitLeader(sim);
    const lagger = sim.ids.find((id) => id !== leader)!;
    sim.crash(lagger);
    let last = 0;
    for (let i = 0; i < 40; i++) {
      const o = writeAndWait(sim, leader, i % 10, i + 1);
      expect(o.status).toBe('ok');
      if (o.status === 'ok') last = o.index;
    }
    expect(sim.node(leader)!.snapshotIndex).toBeGreaterThan(sim.disk(lagger).state.entries.length);
    let chunks = 0;
    sim.onSend = (m) => {
      if (m.kind === 'InstallSnapshot' && m.to === lagger) chunks++;
    };
    sim.restart(lagger);
    runUntil(sim, 'lagger caught up', () => allApplied(sim, [lagger], last));
    expect(chunks).toBeGreaterThan(1);
    expect(sim.node(lagger)!.snapshotIndex).toBeGreaterThan(0);
    for (let k = 0; k < 10; k++) expect(sim.stateMachine(lagger).read(k)).toBe(sim.stateMachine(leader).read(k));
  });

  it('changes membership while a voter is down, and the removed voter does not disrupt the cluster', () => {
    const sim = quietCluster({ voters: 3, spare: 1, raft: { preVote: true, checkQuorum: true } });
    const leader = waitLeader(sim, ['n1', 'n2', 'n3']);
    const down = ['n1', 'n2', 'n3'].find((id) => id !== leader)!;
    // Right after election the leader refuses: it has not committed an entry of its term yet.
    expect(sim.confChange(leader, { kind: 'AddServer', member: { id: 'n4', address: '' } }, 0)).toMatchObject({ ok: false });
    expect(writeAndWait(sim, leader, 1, 0).status).toBe('ok');
    sim.crash(down);
    expect(sim.confChange(leader, { kind: 'AddServer', member: { id: 'n4', address: '' } }, 1).ok).toBe(true);
    runUntil(sim, 'n4 added and committed', () => {
      const n = sim.node(leader)!;
      return isVoter(n.config, 'n4') && sim.stateMachine('n4').appliedIndex >= n.lastIndex && n.commitIndex >= n.lastIndex;
    });
    // Four voters, one down: commits need three of them, n4 included.
    expect(writeAndWait(sim, leader, 1, 1).status).toBe('ok');
    expect(sim.confChange(leader, { kind: 'RemoveServer', id: down }, 2).ok).toBe(true);
    runUntil(sim, 'removal committed', () => !isVoter(sim.node(leader)!.config, down) && sim.node(leader)!.commitIndex >= sim.node(leader)!.lastIndex);
    const term = sim.node(leader)!.term;
    sim.restart(down);
    sim.runUntil(sim.now + 3000);
    expect(sim.leader()).toBe(leader);
    expect(sim.node(leader)!.term).toBe(term);
    const w = writeAndWait(sim, leader, 1, 2);
    expect(w.status).toBe('ok');
    runUntil(sim, 'members applied', () => allApplied(sim, [leader, 'n4'], w.status === 'ok' ? w.index : 0));
    expect(sim.node(down)!.role).not.toBe('Leader');
  });

  it('PreVote keeps an isolated follower from inflating its term and deposing the leader on return', () => {
    for (const preVote of [true, false]) {
      const sim = quietCluster({ voters: 3, raft: { preVote, checkQuorum: false } });
      const leader = waitLeader(sim);
      const term = sim.node(leader)!.term;
      const f = sim.ids.find((id) => id !== leader)!;
      sim.net.partition([[f]]);
      sim.runUntil(sim.now + 2000);
      if (preVote) expect(sim.node(f)!.term).toBe(term);
      else expect(sim.node(f)!.term).toBeGreaterThan(term + 3);
      sim.net.heal();
      sim.runUntil(sim.now + 1000);
      if (preVote) {
        expect(sim.leader()).toBe(leader);
        expect(sim.node(leader)!.term).toBe(term);
      } else {
        expect(sim.node(sim.leader() ?? leader)!.term).toBeGreaterThan(term);
      }
    }
  });

  it('transfers leadership to a lagging follower once it has caught up', () => {
    const sim = quietCluster({ voters: 3 });
    const leader = waitLeader(sim);
    const target = sim.ids.find((id) => id !== leader)!;
    sim.net.cut(leader, target);
    for (let i = 0; i < 10; i++) expect(writeAndWait(sim, leader, 1, i + 1).status).toBe('ok');
    expect(sim.transfer(leader, target).ok).toBe(true);
    let refused: OpOutcome | null = null;
    sim.write(leader, 1, 99, (o) => {
      refused = o;
    });
    expect((refused as OpOutcome | null)?.status).toBe('fail');
    sim.net.heal();
    runUntil(sim, 'target leads with every write applied', () => sim.node(target)!.role === 'Leader' && sim.stateMachine(target).read(1) === 10);
    expect(writeAndWait(sim, target, 1, 11).status).toBe('ok');
  });
});
