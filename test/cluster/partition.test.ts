// A network partition between the leader and a compute node (a fault proxy that holds every byte,
// closing nothing): the leader declares the node down when its heartbeats stop, queries and writes
// go on with the copies of its slices, and when the network heals the node registers again and
// catches up on what it missed before it serves.
import { afterAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { FaultProxy } from '../faults/fault-proxy.ts';
import { startCluster, startComputeNode, type LocalCluster } from './local-cluster.ts';

describe('network partition between the leader and a compute node', () => {
  let cluster: LocalCluster;
  let proxy: FaultProxy | null = null;
  let node: ChildProcess | null = null;

  afterAll(async () => {
    node?.kill('SIGKILL');
    await proxy?.close();
    await cluster?.destroy();
  });

  it('goes on without the node while cut off, and takes it back current once healed', async () => {
    // Two nodes of the cluster's own, and a third that reaches the leader through the proxy.
    cluster = await startCluster({ nodes: 2, slices: 1 });
    proxy = await FaultProxy.start('127.0.0.1', cluster.clusterPort);
    node = startComputeNode(proxy.port, join(cluster.dataDir, 'compute-behind-proxy'));
    const c = await cluster.client();
    const state = async (): Promise<string> => ((await c.query('SELECT state FROM stv_nodes WHERE node = 2')).rows[0] as { state: string } | undefined)?.state ?? 'none';
    const until = async (want: string): Promise<void> => {
      for (let i = 0; (await state()) !== want; i++) {
        if (i > 300) throw new Error(`node 2 is ${await state()}, not ${want}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await until('up');
    await c.query('CREATE TABLE t (k int, v int) DISTKEY(k)');
    await c.query('INSERT INTO t SELECT i, i FROM generate_series(1, 3000) AS s(i)');
    const count = 'SELECT count(*)::int AS n, sum(v)::int AS s FROM t';
    expect((await c.query(count)).rows[0]).toEqual({ n: 3000, s: 4501500 });

    proxy.cut();
    await until('down');
    // Its slice is read from its copy; writes go on and mark it behind.
    expect((await c.query(count)).rows[0]).toEqual({ n: 3000, s: 4501500 });
    await c.query('INSERT INTO t SELECT i, i FROM generate_series(3001, 4000) AS s(i)');
    await c.query('DELETE FROM t WHERE k <= 500');
    const after = (await c.query(count)).rows[0];
    expect(after).toEqual({ n: 3500, s: 8002000 - 125250 });
    expect(((await c.query('SELECT behind_slices FROM stv_nodes WHERE node = 2')).rows[0] as { behind_slices: string }).behind_slices).not.toBe('');

    proxy.heal();
    await until('up');
    expect(((await c.query('SELECT behind_slices FROM stv_nodes WHERE node = 2')).rows[0] as { behind_slices: string }).behind_slices).toBe('');
    // Current again, its own slice is read from it: it holds what it missed.
    expect((await c.query(count)).rows[0]).toEqual(after);
    await c.end();
  }, 120_000);
});
