// K-safety: with three compute nodes every slice also lives on the next node (K = 1 by default).
// Writes of every kind (INSERT, COPY, UPDATE, DELETE, DDL) reach every live copy, so with any one
// node killed every query still gives the answer it gave before and writes go on; the node catches
// up when it is back. A COPY a node's death interrupts leaves nothing behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { from as copyFrom } from 'pg-copy-streams';
import type pg from 'pg';
import { computeNodeDir, slowCopyInput, startCluster, startComputeNode, type LocalCluster } from './local-cluster.ts';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const QUERIES = [
  'SELECT count(*)::int AS n, sum(v)::int AS s FROM facts',
  'SELECT g, count(*)::int AS n, sum(v)::int AS s FROM facts GROUP BY g ORDER BY g',
  'SELECT d.name, count(*)::int AS n FROM facts f JOIN dims d ON f.g = d.g GROUP BY d.name ORDER BY d.name',
  'SELECT e.k, e.w FROM evens e WHERE e.k % 97 = 0 ORDER BY e.k',
  'SELECT count(*)::int AS n FROM facts f JOIN evens e ON f.k = e.k',
  'SELECT k, v FROM facts ORDER BY v DESC, k LIMIT 5',
];

async function answers(c: pg.Client): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const q of QUERIES) out.push((await c.query(q)).rows);
  return out;
}

async function waitForState(c: pg.Client, node: number, state: string): Promise<void> {
  const since = Date.now();
  while ((await c.query('SELECT state FROM stv_nodes WHERE node = $1', [node])).rows[0].state !== state) {
    if (Date.now() - since > 30_000) throw new Error(`node ${node} did not become ${state}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A three-node cluster (K = 1 by default) with `rows` rows in facts (k, g, v); a client on it. */
async function threeNodes(rows: number): Promise<{ cluster: LocalCluster; c: pg.Client }> {
  const cluster = await startCluster({ nodes: 3, slices: 1 });
  const c = await cluster.client();
  await c.query('CREATE TABLE facts (k int, g int, v int) DISTKEY(k)');
  await c.query(`INSERT INTO facts SELECT i, i % 7, i * 3 FROM generate_series(1, ${rows}) AS s(i)`);
  return { cluster, c };
}

describe('K-safety (K = 1 on three nodes)', () => {
  let cluster: LocalCluster;
  const restarted: ChildProcess[] = [];

  beforeAll(async () => {
    let c: pg.Client;
    ({ cluster, c } = await threeNodes(3000));
    await c.query('CREATE TABLE evens (k int, w text) DISTSTYLE EVEN');
    await c.query('CREATE TABLE dims (g int, name text) DISTSTYLE ALL');
    await c.query(`INSERT INTO dims VALUES ${Array.from({ length: 7 }, (_x, g) => `(${g}, 'group ${g % 3}')`).join(', ')}`);
    const lines = Array.from({ length: 5000 }, (_x, i) => `${i * 2}\tw${i}\n`).join('');
    await pipeline(Readable.from([lines]), c.query(copyFrom('COPY evens FROM STDIN')));
    await c.query('UPDATE facts SET v = v + 1 WHERE g = 3');
    await c.query('DELETE FROM facts WHERE k % 10 = 0');
    await c.query('CREATE TABLE gone (x int)');
    await c.query('INSERT INTO gone VALUES (1), (2)');
    await c.end();
  }, 120_000);

  afterAll(async () => {
    for (const p of restarted) p.kill('SIGKILL');
    await cluster?.destroy();
  });

  it('answers the same with any one node down, takes every kind of write meanwhile, and the node catches up when back', async () => {
    const c = await cluster.client();
    const kSafety = async (): Promise<unknown> => (await c.query('SELECT k_safety, nodes, nodes_down, can_lose, lost_slices FROM svv_k_safety')).rows[0];
    expect(await kSafety()).toEqual({ k_safety: 1, nodes: 3, nodes_down: 0, can_lose: 1, lost_slices: '' });
    const copies = (await c.query('SELECT slice, node, role, is_current FROM stv_slice_copies')).rows;
    expect(copies).toEqual([
      { slice: 0, node: 0, role: 'owner', is_current: true }, { slice: 0, node: 1, role: 'copy', is_current: true },
      { slice: 1, node: 1, role: 'owner', is_current: true }, { slice: 1, node: 2, role: 'copy', is_current: true },
      { slice: 2, node: 0, role: 'copy', is_current: true }, { slice: 2, node: 2, role: 'owner', is_current: true },
    ]);
    const before = await answers(c);
    expect((before[0] as { n: number }[])[0]!.n).toBe(2700);
    const nodes = (await c.query('SELECT node, node_id, pid FROM stv_nodes ORDER BY node')).rows as { node: number; node_id: string; pid: number }[];
    expect(nodes).toHaveLength(3);
    const victim = nodes[1]!;
    const victimDir = await computeNodeDir(cluster, victim.node_id);
    process.kill(victim.pid, 'SIGKILL');
    await waitForState(c, victim.node, 'down');

    // Every slice is read from a live copy: the same answers.
    expect(await kSafety()).toEqual({ k_safety: 1, nodes: 3, nodes_down: 1, can_lose: 0, lost_slices: '' });
    expect(await answers(c)).toEqual(before);

    // Every slice still has a live copy: writes of every kind go on, and count right.
    expect((await c.query('DELETE FROM facts WHERE k BETWEEN 1 AND 100')).rowCount).toBe(90);
    expect((await c.query('UPDATE facts SET v = -v WHERE g = 5')).rowCount).toBe(372);
    await c.query(`INSERT INTO facts SELECT i, i % 7, i FROM generate_series(5001, 5600) AS s(i)`);
    const lines = Array.from({ length: 700 }, (_x, i) => `${20001 + i * 2}\tnew${i}\n`).join('');
    await pipeline(Readable.from([lines]), c.query(copyFrom('COPY evens FROM STDIN')));
    await c.query(`INSERT INTO dims VALUES (7, 'group 7')`);
    await c.query('CREATE TABLE later (a int, b text)');
    await c.query(`INSERT INTO later SELECT i, 'b' || i FROM generate_series(1, 500) AS s(i)`);
    await c.query('DROP TABLE gone');
    const down = (await c.query('SELECT state, behind_slices FROM stv_nodes WHERE node = 1')).rows[0];
    expect(down).toEqual({ state: 'down', behind_slices: '0,1' });
    const LATER = 'SELECT count(*)::int AS n, sum(a)::int AS s, max(b) AS m FROM later';
    const mid = [...await answers(c), (await c.query(LATER)).rows];
    expect(mid).not.toEqual([...before, []]);

    // Back: it catches up from the copies (recovering), then serves its slices again.
    restarted.push(startComputeNode(cluster.clusterPort, victimDir));
    await waitForState(c, victim.node, 'up');
    expect((await c.query('SELECT behind_slices FROM stv_nodes WHERE node = 1')).rows[0]).toEqual({ behind_slices: '' });
    expect([...await answers(c), (await c.query(LATER)).rows]).toEqual(mid);

    // Node 0 down: slice 0 now comes from node 1's copy and slice 1 from node 1 itself, both
    // caught up; the DISTSTYLE ALL table from node 1's copy.
    process.kill(nodes[0]!.pid, 'SIGKILL');
    await waitForState(c, nodes[0]!.node, 'down');
    expect([...await answers(c), (await c.query(LATER)).rows]).toEqual(mid);

    // Two of three down: slice 0 (node 0's, copied on node 1) is still there, slice 2 is not:
    // reads and writes that need it are refused, naming it.
    process.kill(nodes[2]!.pid, 'SIGKILL');
    await waitForState(c, nodes[2]!.node, 'down');
    expect(await kSafety()).toEqual({ k_safety: 1, nodes: 3, nodes_down: 2, can_lose: -1, lost_slices: '2' });
    await expect(c.query(QUERIES[0]!)).rejects.toMatchObject({ code: '08006', detail: expect.stringMatching(/slice 2\b/) });
    await expect(c.query('INSERT INTO facts SELECT i, 1, 1 FROM generate_series(1, 30) AS s(i)')).rejects.toMatchObject({ code: '08006', detail: expect.stringMatching(/slice 2\b/) });

    // Both back: the cluster heals by itself, with nothing lost.
    restarted.push(startComputeNode(cluster.clusterPort, await computeNodeDir(cluster, nodes[0]!.node_id)));
    restarted.push(startComputeNode(cluster.clusterPort, await computeNodeDir(cluster, nodes[2]!.node_id)));
    await waitForState(c, nodes[0]!.node, 'up');
    await waitForState(c, nodes[2]!.node, 'up');
    expect(await kSafety()).toEqual({ k_safety: 1, nodes: 3, nodes_down: 0, can_lose: 1, lost_slices: '' });
    expect([...await answers(c), (await c.query(LATER)).rows]).toEqual(mid);
    await c.end();
  }, 180_000);
});

describe('K-safety: queries in flight when a node fails', () => {
  let cluster: LocalCluster;
  const restarted: ChildProcess[] = [];

  beforeAll(async () => {
    let c: pg.Client;
    ({ cluster, c } = await threeNodes(1200));
    // About 2 ms a row on each slice: a query that is still running when the node is stopped.
    await c.query(`CREATE FUNCTION slow(x int) RETURNS int LANGUAGE javascript AS $$ const t = Date.now(); while (Date.now() - t < 2) {} return x; $$`);
    await c.end();
  }, 120_000);

  afterAll(async () => {
    for (const p of restarted) p.kill('SIGKILL');
    await cluster?.destroy();
  });

  const SLOW = 'SELECT count(*)::int AS n, sum(v)::int AS s FROM facts WHERE slow(k) > 0';
  const ANSWER = { n: 1200, s: 3 * 600 * 1201 };

  it('runs a query again on the copies when a node is killed under it, before any row went out', async () => {
    const c = await cluster.client();
    const nodes = (await c.query('SELECT node, pid FROM stv_nodes ORDER BY node')).rows as { node: number; pid: number }[];
    const running = c.query(SLOW);
    await new Promise((r) => setTimeout(r, 300));
    process.kill(nodes[2]!.pid, 'SIGKILL');
    expect((await running).rows[0]).toEqual(ANSWER);
    // It was in flight: the leader ran it again.
    expect(cluster.output()).toMatch(/running it again/);
    await c.end();
  }, 60_000);

  it('runs it again when a node hangs (SIGSTOP): its heartbeats stop and its requests are failed', async () => {
    const c = await cluster.client();
    // Node 2 (killed above) comes back first, with its data directory.
    const dead = (await c.query("SELECT node, node_id FROM stv_nodes WHERE state = 'down'")).rows as { node: number; node_id: string }[];
    expect(dead).toHaveLength(1);
    restarted.push(startComputeNode(cluster.clusterPort, await computeNodeDir(cluster, dead[0]!.node_id)));
    await waitForState(c, dead[0]!.node, 'up');
    const hung = (await c.query('SELECT node, pid FROM stv_nodes WHERE node = 0')).rows[0] as { node: number; pid: number };
    const started = Date.now();
    const running = c.query(SLOW);
    await new Promise((r) => setTimeout(r, 300));
    process.kill(hung.pid, 'SIGSTOP');
    try {
      // Declared down after 3 s without heartbeats; its slice is then read from node 1's copy.
      expect((await running).rows[0]).toEqual(ANSWER);
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(cluster.output()).toMatch(/heartbeat missed/);
    } finally {
      process.kill(hung.pid, 'SIGCONT');
    }
    // Awake again, node 0 registers anew and serves.
    await waitForState(c, hung.node, 'up');
    expect((await c.query(SLOW)).rows[0]).toEqual(ANSWER);
    await c.end();
  }, 60_000);

  it('loses a COPY whole when a node is killed during it, and the copies keep answering', async () => {
    const c = await cluster.client();
    await c.query('CREATE TABLE loaded (k int, t text) DISTKEY(k)');
    const victim = (await c.query('SELECT node, pid FROM stv_nodes WHERE node = 1')).rows[0] as { node: number; pid: number };
    // 100 chunks of 2,000 rows, 20 ms apart: still streaming when the node dies.
    const copying = pipeline(slowCopyInput(200_000, 2000), c.query(copyFrom('COPY loaded FROM STDIN')));
    await new Promise((r) => setTimeout(r, 400));
    process.kill(victim.pid, 'SIGKILL');
    await expect(copying).rejects.toMatchObject({ code: '08006' });
    await waitForState(c, victim.node, 'down');
    // Nothing of it on any slice (read from the copies of node 1's slice), and the rest intact.
    expect((await c.query('SELECT count(*)::int AS n FROM loaded')).rows[0]).toEqual({ n: 0 });
    expect((await c.query('SELECT count(*)::int AS n, sum(v)::int AS s FROM facts')).rows[0]).toEqual(ANSWER);
    await c.end();
  }, 60_000);

  it('takes a new empty node in place of the dead one (--replace); it catches up while writes go on', async () => {
    const c = await cluster.client();
    const dead = (await c.query("SELECT node, node_id FROM stv_nodes WHERE state = 'down'")).rows[0] as { node: number; node_id: string };
    expect(dead.node).toBe(1);
    // Loads go on with the node down.
    const lines = Array.from({ length: 20_000 }, (_x, i) => `${i}\trow ${i}\n`).join('');
    await pipeline(Readable.from([lines]), c.query(copyFrom('COPY loaded FROM STDIN')));
    restarted.push(startComputeNode(cluster.clusterPort, join(cluster.dataDir, 'compute-replacement'), 1, ['--replace', dead.node_id]));
    // Writes all along while it joins and catches up.
    const writer = await cluster.client();
    let acknowledged = 0;
    let state = '';
    const seen = new Set<string>();
    for (let i = 0; state !== 'up'; i++) {
      await writer.query('INSERT INTO loaded VALUES ($1, $2)', [1_000_000 + i, `late ${i}`]);
      acknowledged++;
      state = ((await c.query('SELECT state FROM stv_nodes WHERE node = $1', [dead.node])).rows[0] as { state: string }).state;
      seen.add(state);
      if (i > 5000) throw new Error('the replacement never caught up');
    }
    expect(seen).toContain('recovering');
    await writer.end();
    // Node 0 down: slices 0 and 1 are read from the replacement alone.
    const n0 = (await c.query('SELECT pid FROM stv_nodes WHERE node = 0')).rows[0] as { pid: number };
    process.kill(n0.pid, 'SIGKILL');
    await waitForState(c, 0, 'down');
    expect((await c.query('SELECT count(*)::int AS n FROM loaded')).rows[0]).toEqual({ n: 20_000 + acknowledged });
    expect((await c.query('SELECT count(*)::int AS n FROM loaded WHERE k >= 1000000')).rows[0]).toEqual({ n: acknowledged });
    expect((await c.query('SELECT count(*)::int AS n, sum(v)::int AS s FROM facts')).rows[0]).toEqual(ANSWER);
    await c.end();
  }, 120_000);
});
