// Crashes during a load's commit: the leader killed between its commit messages, a compute node
// killed before it publishes, and the leader killed at random moments of a load. After restarts a
// load is either wholly there or wholly absent, never on some slices only.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { readFile, rm, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { from as copyFrom } from 'pg-copy-streams';
import { afterAll, describe, expect, it } from 'vitest';
import { startCluster, startComputeNode, type LocalCluster } from './local-cluster.ts';

function rows(from: number, total: number, delayMs = 0): Readable {
  let i = from;
  const end = from + total;
  return new Readable({
    read() {
      if (i >= end) return void this.push(null);
      const lines: string[] = [];
      for (let k = 0; k < 2000 && i < end; k++, i++) lines.push(`${i}|row ${i}\n`);
      if (delayMs === 0) this.push(lines.join(''));
      else setTimeout(() => this.push(lines.join('')), delayMs);
    },
  });
}

async function gone(pids: readonly number[]): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const alive = pids.filter((pid) => { try { process.kill(pid, 0); return true; } catch { return false; } });
    if (alive.length === 0) return;
    if (Date.now() - t0 > 15_000) throw new Error(`processes ${alive.join(', ')} did not exit`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function waitUp(cluster: LocalCluster, n: number): Promise<void> {
  const c = await cluster.client();
  const t0 = Date.now();
  while ((await c.query("SELECT count(*)::int AS n FROM stv_nodes WHERE state = 'up'")).rows[0].n !== n) {
    if (Date.now() - t0 > 30_000) throw new Error('nodes did not come up');
    await new Promise((r) => setTimeout(r, 100));
  }
  await c.end();
}

async function nodePids(cluster: LocalCluster): Promise<number[]> {
  const c = await cluster.client();
  const pids = (await c.query('SELECT pid FROM stv_nodes ORDER BY node')).rows.map((r) => r.pid as number);
  await c.end();
  return pids;
}

async function count(cluster: LocalCluster): Promise<number> {
  const c = await cluster.client();
  const n = (await c.query('SELECT count(*)::int AS n FROM loads')).rows[0].n as number;
  await c.end();
  return n;
}

describe('COPY across crashes', () => {
  const dirs: string[] = [];
  const procs: ChildProcess[] = [];
  const clusters: LocalCluster[] = [];

  afterAll(async () => {
    for (const p of procs) p.kill('SIGKILL');
    for (const c of clusters) await c.stop();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  async function fresh(env?: Record<string, string>): Promise<{ cluster: LocalCluster; dataDir: string }> {
    const dataDir = await mkdtemp(join(tmpdir(), 'colonnade-crash-'));
    dirs.push(dataDir);
    const cluster = await startCluster({ nodes: 2, slices: 1, dataDir, ...(env ? { env } : {}) });
    clusters.push(cluster);
    const c = await cluster.client();
    await c.query('CREATE TABLE loads (id int, note text) DISTKEY(id)');
    await c.end();
    return { cluster, dataDir };
  }

  async function restart(dataDir: string): Promise<LocalCluster> {
    const cluster = await startCluster({ nodes: 2, slices: 1, dataDir });
    clusters.push(cluster);
    await waitUp(cluster, 2);
    return cluster;
  }

  it('finishes a commit whose leader died between its commit messages', async () => {
    const { cluster, dataDir } = await fresh({ COLONNADE_CRASH_AT: 'leader-after-first-commit' });
    const pids = await nodePids(cluster);
    const c = await cluster.client();
    await expect(pipeline(rows(0, 5000), c.query(copyFrom("COPY loads FROM STDIN WITH (DELIMITER '|')")))).rejects.toBeDefined();
    await gone([cluster.process.pid!, ...pids]);
    const again = await restart(dataDir);
    // The decision was durable before the first commit message: every slice publishes the load.
    expect(await count(again)).toBe(5000);
    await again.stop();
  }, 120_000);

  it('publishes on a compute node that died before its commit once it is back', async () => {
    const { cluster, dataDir } = await fresh({ COLONNADE_CRASH_AT: 'compute-1-before-commit' });
    const c = await cluster.client();
    const node1 = (await c.query('SELECT node_id FROM stv_nodes WHERE node = 1')).rows[0].node_id as string;
    await pipeline(rows(0, 5000), c.query(copyFrom("COPY loads FROM STDIN WITH (DELIMITER '|')")));
    // The load committed: node 1 holds it prepared on disk and is down.
    await expect(c.query('SELECT count(*) FROM loads')).rejects.toMatchObject({ code: '08006' });
    let dir = '';
    for (const d of ['compute-0', 'compute-1']) {
      const id = (JSON.parse(await readFile(join(dataDir, d, 'node.json'), 'utf8')) as { nodeId: string }).nodeId;
      if (id === node1) dir = join(dataDir, d);
    }
    procs.push(startComputeNode(cluster.clusterPort, dir));
    await waitUp(cluster, 2);
    expect(await count(cluster)).toBe(5000);
    await c.end();
    await cluster.stop();
  }, 120_000);

  it('leaves each load whole or absent when the leader is killed at random moments', async () => {
    let { cluster } = await fresh();
    const { dataDir } = { dataDir: cluster.dataDir };
    let expected = 0;
    const N = 60_000;
    for (let trial = 0; trial < 4; trial++) {
      const pids = await nodePids(cluster);
      const c = await cluster.client();
      const load = pipeline(rows(trial * N, N, 2), c.query(copyFrom("COPY loads FROM STDIN WITH (DELIMITER '|')"))).then(() => true, () => false);
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 700));
      cluster.process.kill('SIGKILL');
      const acknowledged = await load;
      await gone([cluster.process.pid!, ...pids]);
      cluster = await restart(dataDir);
      const n = await count(cluster);
      // A load the client saw succeed is there; one it did not see may or may not be — but whole.
      if (acknowledged) expect(n).toBe(expected + N);
      else expect([expected, expected + N]).toContain(n);
      expected = n;
    }
    // The cluster loads normally afterwards.
    const c = await cluster.client();
    await pipeline(rows(10 * N, 1000), c.query(copyFrom("COPY loads FROM STDIN WITH (DELIMITER '|')")));
    await c.end();
    expect(await count(cluster)).toBe(expected + 1000);
    await cluster.stop();
  }, 240_000);
});
