// RaftServer with real timers over the in-memory transport: election, proposals, reads, failover, membership, snapshots.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqlError, SqlState } from '../../common/errors/index.ts';
import { silentLogger } from '../../common/log.ts';
import { FileStableStore } from './file-stable-store.ts';
import { MemoryStableStore } from './memory-stable-store.ts';
import { MemoryNetwork } from './memory-transport.ts';
import { NotLeaderError } from './not-leader-error.ts';
import { RaftServer, type AppliedCommand, type RaftStateMachine } from './raft-server.ts';
import type { StableStore } from './stable-store.ts';

/** A list of applied JSON values; commands `{fail: true}` are refused deterministically. */
class ListMachine implements RaftStateMachine {
  items: unknown[] = [];
  restored = 0;

  apply(c: AppliedCommand): unknown {
    const v = c.value as { fail?: boolean } | null;
    if (v && typeof v === 'object' && v.fail) throw new SqlError(SqlState.DUPLICATE_TABLE, 'refused by the state machine');
    this.items.push(c.value);
    return this.items.length;
  }

  snapshot(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify(this.items));
  }

  restore(data: Uint8Array): void {
    this.items = JSON.parse(new TextDecoder().decode(data)) as unknown[];
    this.restored++;
  }
}

interface Member {
  id: string;
  server: RaftServer;
  sm: ListMachine;
  store: StableStore;
}

const TICK_MS = 5;

async function waitFor<T>(what: string, probe: () => T | null | undefined | false, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('RaftServer over MemoryNetwork', () => {
  let net: MemoryNetwork;
  let members: Member[] = [];
  const dirs: string[] = [];

  afterEach(async () => {
    for (const m of members) await m.server.stop();
    members = [];
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });

  async function startMember(id: string, bootstrap: string[] | null, store: StableStore = new MemoryStableStore(), snapshotEvery = 0): Promise<Member> {
    const sm = new ListMachine();
    const server = await RaftServer.start({
      id, store, transport: net.transport(id), stateMachine: sm, log: silentLogger(), tickMs: TICK_MS, snapshotEvery,
      requestTimeoutMs: 3000,
      ...(bootstrap ? { bootstrap: bootstrap.map((x) => ({ id: x, address: '' })) } : {}),
    });
    const m = { id, server, sm, store };
    members.push(m);
    return m;
  }

  async function startCluster(n: number, snapshotEvery = 0): Promise<Member[]> {
    net = new MemoryNetwork();
    const ids = Array.from({ length: n }, (_, i) => `s${i + 1}`);
    const out: Member[] = [];
    for (const id of ids) out.push(await startMember(id, ids, new MemoryStableStore(), snapshotEvery));
    return out;
  }

  function leaderOf(ms: Member[]): Member | null {
    const leaders = ms.filter((m) => m.server.status().role === 'Leader');
    if (leaders.length === 0) return null;
    return leaders.sort((a, b) => b.server.status().term - a.server.status().term)[0]!;
  }

  it('elects a leader, replicates proposals to every state machine in order, and refuses on followers', async () => {
    const ms = await startCluster(3);
    const leader = await waitFor('a leader', () => leaderOf(ms));
    const changes: string[] = [];
    leader.server.onLeaderChange((l) => changes.push(String(l.leaderId)));
    for (let i = 0; i < 20; i++) {
      const r = await leader.server.propose({ op: 'put', i });
      expect(r.result).toBe(i + 1);
    }
    const bytes = await leader.server.propose(new Uint8Array([1, 2, 3]));
    expect(bytes.index).toBeGreaterThan(20);
    for (const m of ms) await waitFor(`${m.id} applied`, () => m.sm.items.length === 21);
    for (const m of ms) expect(m.sm.items.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => ({ op: 'put', i })));
    expect(ms[0]!.sm.items[20]).toEqual(new Uint8Array([1, 2, 3]));

    const follower = ms.find((m) => m !== leader)!;
    const err = await follower.server.propose({ op: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotLeaderError);
    expect((err as NotLeaderError).leaderId).toBe(leader.id);
    expect((err as NotLeaderError).message).toContain(`the leader is ${leader.id}`);
    await expect(follower.server.readIndex()).rejects.toBeInstanceOf(NotLeaderError);
  });

  it('propagates a state machine refusal to the proposer and applies nothing for it anywhere', async () => {
    const ms = await startCluster(3);
    const leader = await waitFor('a leader', () => leaderOf(ms));
    await expect(leader.server.propose({ fail: true })).rejects.toMatchObject({ code: SqlState.DUPLICATE_TABLE });
    await leader.server.propose('after');
    for (const m of ms) await waitFor(`${m.id} applied`, () => m.sm.items.length === 1);
    for (const m of ms) expect(m.sm.items).toEqual(['after']);
  });

  it('serves ReadIndex after every acknowledged write is applied locally', async () => {
    const ms = await startCluster(3);
    const leader = await waitFor('a leader', () => leaderOf(ms));
    const w = await leader.server.propose('x');
    const idx = await leader.server.readIndex();
    expect(idx).toBeGreaterThanOrEqual(w.index);
    expect(leader.server.status().appliedIndex).toBeGreaterThanOrEqual(idx);
  });

  it('fails over when the leader is cut off, and the old leader rejoins as a follower', async () => {
    const ms = await startCluster(3);
    const first = await waitFor('a leader', () => leaderOf(ms));
    await first.server.propose('before');
    net.isolate(first.id);
    const rest = ms.filter((m) => m !== first);
    const second = await waitFor('a new leader', () => leaderOf(rest));
    expect(second.id).not.toBe(first.id);
    await second.server.propose('during');
    // The isolated old leader cannot confirm reads: CheckQuorum deposes it or the read fails.
    await expect(first.server.readIndex()).rejects.toBeInstanceOf(SqlError);
    net.heal();
    await waitFor('old leader follows', () => first.server.status().leaderId === second.id || first.server.status().leaderId === leaderOf(ms)?.id);
    for (const m of ms) await waitFor(`${m.id} applied`, () => m.sm.items.includes('during'));
    for (const m of ms) expect(m.sm.items).toEqual(['before', 'during']);
  });

  it('transfers leadership to a chosen follower', async () => {
    const ms = await startCluster(3);
    const leader = await waitFor('a leader', () => leaderOf(ms));
    const target = ms.find((m) => m !== leader)!;
    await leader.server.transferLeadership(target.id);
    await waitFor('target leads', () => target.server.status().role === 'Leader');
    await target.server.propose('from new leader');
  });

  it('adds a server that catches up through a snapshot, then removes the old leader', async () => {
    const ms = await startCluster(3, 5);
    const leader = await waitFor('a leader', () => leaderOf(ms));
    for (let i = 0; i < 30; i++) await leader.server.propose(i);
    await waitFor('log compacted', () => leader.server.status().snapshotIndex > 0);
    const joiner = await startMember('s4', null);
    const added = await leader.server.addServer({ id: 's4', address: '' });
    expect(added.index).toBeGreaterThan(30);
    await waitFor('joiner caught up', () => joiner.sm.items.length === 30);
    expect(joiner.sm.restored).toBeGreaterThan(0);
    expect(joiner.sm.items).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(joiner.server.status().voters.map((v) => v.id).sort()).toEqual(['s1', 's2', 's3', 's4']);

    await leader.server.removeServer(leader.id);
    const others = members.filter((m) => m !== leader);
    const next = await waitFor('a leader among the rest', () => leaderOf(others));
    await next.server.propose('after removal');
    for (const m of others) await waitFor(`${m.id} applied`, () => m.sm.items.includes('after removal'));
    expect(leader.server.isVoter).toBe(false);
  });

  it('restarts from its on-disk store with its log and snapshot', async () => {
    net = new MemoryNetwork();
    const dir = await mkdtemp(join(tmpdir(), 'raft-server-'));
    dirs.push(dir);
    const open = (): Promise<FileStableStore> => FileStableStore.open({ dir, log: silentLogger() });
    const solo = await startMember('solo', ['solo'], await open(), 4);
    await waitFor('solo leads', () => solo.server.status().role === 'Leader');
    for (let i = 0; i < 10; i++) await solo.server.propose(i);
    const before = solo.server.status();
    expect(before.snapshotIndex).toBeGreaterThan(0);
    await solo.server.stop();
    members = [];
    const again = await startMember('solo', ['solo'], await open(), 4);
    expect(again.sm.restored).toBe(1);
    await waitFor('solo leads again', () => again.server.status().role === 'Leader');
    await again.server.propose('more');
    await waitFor('all applied', () => again.sm.items.length === 11);
    expect(again.sm.items).toEqual([...Array.from({ length: 10 }, (_, i) => i), 'more']);
    expect(again.server.status().term).toBeGreaterThan(before.term);
  });
});
