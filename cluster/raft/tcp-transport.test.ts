// Three RaftServers talking over real TCP connections (RpcPeer), including a peer restart.
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/log.ts';
import { MemoryStableStore } from './memory-stable-store.ts';
import type { RaftMessage } from './raft-message.ts';
import { RaftServer, type AppliedCommand, type RaftStateMachine } from './raft-server.ts';
import type { RaftMember } from './raft-types.ts';
import { TcpTransport, parseAddress } from './tcp-transport.ts';

class Collect implements RaftStateMachine {
  values: unknown[] = [];
  apply(c: AppliedCommand): unknown {
    this.values.push(c.value);
    return null;
  }
  snapshot(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify(this.values));
  }
  restore(data: Uint8Array): void {
    this.values = JSON.parse(new TextDecoder().decode(data)) as unknown[];
  }
}

async function waitFor<T>(what: string, probe: () => T | null | undefined | false, ms = 8000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('TcpTransport', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('delivers messages between two transports and drops those for unknown peers', async () => {
    const a = await TcpTransport.listen({ id: 'a', port: 0, log: silentLogger() });
    const b = await TcpTransport.listen({ id: 'b', port: 0, log: silentLogger() });
    cleanup.push(() => a.close(), () => b.close());
    a.updatePeers([{ id: 'b', address: b.address }]);
    const got: RaftMessage[] = [];
    b.onMessage((m) => got.push(m));
    a.send('nobody', { kind: 'TimeoutNow', from: 'a', to: 'nobody', term: 1 });
    for (let i = 0; i < 5; i++) {
      a.send('b', {
        kind: 'AppendEntries', from: 'a', to: 'b', term: 2, prevLogIndex: i, prevLogTerm: 1,
        entries: [{ index: i + 1, term: 2, type: 2, data: new Uint8Array([i, 255]) }], leaderCommit: i, readSeq: 0,
      });
    }
    await waitFor('5 messages', () => got.length === 5);
    // Queued while connecting, then sent in order on one connection.
    expect(got.map((m) => (m.kind === 'AppendEntries' ? m.prevLogIndex : -1))).toEqual([0, 1, 2, 3, 4]);
    const first = got[0]!;
    expect(first.kind === 'AppendEntries' && Array.from(first.entries[0]!.data)).toEqual([0, 255]);
  });

  it('rejects malformed addresses', () => {
    expect(() => parseAddress('nohost')).toThrow(/host:port/);
    expect(parseAddress('10.0.0.1:7000')).toEqual({ host: '10.0.0.1', port: 7000 });
  });

  it('runs a three-server cluster over TCP and survives a follower restart', async () => {
    const transports = await Promise.all(['t1', 't2', 't3'].map((id) => TcpTransport.listen({ id, port: 0, log: silentLogger() })));
    const members: RaftMember[] = transports.map((t, i) => ({ id: `t${i + 1}`, address: t.address }));
    const stores = members.map(() => new MemoryStableStore());
    const sms = members.map(() => new Collect());
    const servers: RaftServer[] = [];
    for (let i = 0; i < 3; i++) {
      servers.push(await RaftServer.start({
        id: members[i]!.id, store: stores[i]!, transport: transports[i]!, stateMachine: sms[i]!, log: silentLogger(),
        bootstrap: members, tickMs: 10, snapshotEvery: 0,
      }));
    }
    cleanup.push(async () => {
      for (const s of servers) await s.stop();
    });
    const leader = await waitFor('a leader', () => servers.find((s) => s.status().role === 'Leader'));
    expect(leader.status().leaderAddress).toBe(members.find((m) => m.id === leader.id)!.address);
    for (let i = 0; i < 10; i++) await leader.propose({ n: i, big: 10n ** 20n });
    await waitFor('replicated', () => sms.every((s) => s.values.length === 10));
    expect(sms[0]!.values[3]).toEqual({ n: 3, big: 10n ** 20n });

    // Restart one follower on the same port with its store: it reconnects and catches up.
    const fi = servers.findIndex((s) => s !== leader);
    const fid = members[fi]!.id;
    await servers[fi]!.stop();
    await leader.propose('while down');
    const port = parseAddress(members[fi]!.address).port;
    const transport = await TcpTransport.listen({ id: fid, port, log: silentLogger() });
    sms[fi] = new Collect();
    servers[fi] = await RaftServer.start({
      id: fid, store: stores[fi]!, transport, stateMachine: sms[fi]!, log: silentLogger(), bootstrap: members, tickMs: 10, snapshotEvery: 0,
    });
    await leader.propose('after restart');
    await waitFor('restarted follower caught up', () => sms[fi]!.values.length === 12);
    expect(sms[fi]!.values.slice(10)).toEqual(['while down', 'after restart']);

    // A fourth server knows nobody: it learns the leader's address from its first message.
    const t4 = await TcpTransport.listen({ id: 't4', port: 0, log: silentLogger() });
    const sm4 = new Collect();
    servers.push(await RaftServer.start({ id: 't4', store: new MemoryStableStore(), transport: t4, stateMachine: sm4, log: silentLogger(), tickMs: 10 }));
    await leader.addServer({ id: 't4', address: t4.address });
    await waitFor('joiner caught up', () => sm4.values.length === 12);
    expect(servers[3]!.status().voters.map((v) => v.id)).toEqual(['t1', 't2', 't3', 't4']);
  });
});
