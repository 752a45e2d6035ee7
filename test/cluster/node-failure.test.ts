// A compute node killed with SIGKILL shows as down within 5 s; queries then fail clearly instead of
// hanging, and work again once the node is back. A second process on a node's data directory is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeNodeDir, startCluster, startComputeNode, type LocalCluster } from './local-cluster.ts';
import type { ChildProcess } from 'node:child_process';

describe('node failure', () => {
  let cluster: LocalCluster;
  let restarted: ChildProcess | null = null;

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2, slices: 1 });
    const c = await cluster.client();
    await c.query('CREATE TABLE f (k int, v int) DISTKEY(k)');
    await c.query(`INSERT INTO f VALUES ${Array.from({ length: 50 }, (_x, i) => `(${i}, ${i * 2})`).join(', ')}`);
    await c.end();
  }, 120_000);

  afterAll(async () => {
    restarted?.kill('SIGKILL');
    await cluster?.destroy();
  });

  it('marks a killed node down, fails queries promptly, and recovers when it returns', async () => {
    const c = await cluster.client();
    const nodes = await c.query('SELECT node, node_id, pid, state FROM stv_nodes ORDER BY node');
    expect(nodes.rows.map((r) => r.state)).toEqual(['up', 'up']);
    const victim = nodes.rows[1] as { node: number; node_id: string; pid: number };
    // Each compute node keeps its identity in its data directory.
    const victimDir = await computeNodeDir(cluster, victim.node_id);
    process.kill(victim.pid, 'SIGKILL');
    const killedAt = Date.now();
    let state = 'up';
    while (state !== 'down' && Date.now() - killedAt < 5000) {
      await new Promise((r) => setTimeout(r, 100));
      state = (await c.query('SELECT state FROM stv_nodes WHERE node = $1', [victim.node])).rows[0].state as string;
    }
    expect(state).toBe('down');
    expect(Date.now() - killedAt).toBeLessThan(5000);

    const started = Date.now();
    await expect(c.query('SELECT sum(v) FROM f')).rejects.toMatchObject({ code: '08006', message: expect.stringMatching(/compute node \d .* is down/) });
    expect(Date.now() - started).toBeLessThan(2000);

    // The same data directory comes back as the same node with the same slices and rows.
    restarted = startComputeNode(cluster.clusterPort, victimDir);
    const back = Date.now();
    while ((await c.query('SELECT state FROM stv_nodes WHERE node = $1', [victim.node])).rows[0].state !== 'up') {
      if (Date.now() - back > 30_000) throw new Error('node did not come back');
      await new Promise((r) => setTimeout(r, 100));
    }
    const sum = await c.query('SELECT sum(v)::int AS s, count(*)::int AS n FROM f');
    expect(sum.rows[0]).toEqual({ s: 2450, n: 50 });
    await c.end();
  });

  it('refuses a second compute node process on a data directory in use', async () => {
    const c = await cluster.client();
    const live = (await c.query("SELECT node_id FROM stv_nodes WHERE node = 0")).rows[0] as { node_id: string };
    const second = startComputeNode(cluster.clusterPort, await computeNodeDir(cluster, live.node_id));
    const code = await new Promise<number | null>((resolve) => second.once('exit', (c2) => resolve(c2)));
    expect(code).not.toBe(0);
    // The node that holds it is untouched.
    expect((await c.query('SELECT sum(v)::int AS s, count(*)::int AS n FROM f')).rows[0]).toEqual({ s: 2450, n: 50 });
    await c.end();
  }, 60_000);
});
