// A load cut short — client disconnect, cancel, or a compute node killed mid-way — leaves no rows,
// and the cluster keeps loading afterwards. Several trials of each.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import type { ChildProcess } from 'node:child_process';
import { from as copyFrom } from 'pg-copy-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendCancelRequest, startCluster, startComputeNode, type LocalCluster } from './local-cluster.ts';

/** An endless-enough stream of rows, slowed so the load is still running when we interrupt it. */
function rows(total: number): Readable {
  let i = 0;
  return new Readable({
    read() {
      if (i >= total) return void this.push(null);
      const lines: string[] = [];
      for (let k = 0; k < 2000 && i < total; k++, i++) lines.push(`${i}|row ${i}\n`);
      setTimeout(() => this.push(lines.join('')), 5);
    },
  });
}

describe('COPY atomicity', () => {
  let cluster: LocalCluster;
  const restarted: ChildProcess[] = [];

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2, slices: 1 });
    const c = await cluster.client();
    await c.query('CREATE TABLE loads (id int, note text) DISTKEY(id)');
    await c.end();
  }, 120_000);

  afterAll(async () => {
    for (const p of restarted) p.kill('SIGKILL');
    await cluster?.destroy();
  });

  const count = async (): Promise<number> => {
    const c = await cluster.client();
    const n = (await c.query('SELECT count(*)::int AS n FROM loads')).rows[0].n as number;
    await c.end();
    return n;
  };

  it('leaves nothing after a client disconnect or a cancel, many times over', async () => {
    for (let trial = 0; trial < 3; trial++) {
      const c = await cluster.client();
      const load = pipeline(rows(400_000), c.query(copyFrom("COPY loads FROM STDIN WITH (DELIMITER '|')"))).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 400 + trial * 200));
      // The running load shows in stv_load_state.
      const watcher = await cluster.client();
      const pid = (c as unknown as { processID: number }).processID;
      const state = await watcher.query('SELECT table_name, bytes_loaded::int8 AS bytes FROM stv_load_state WHERE pid = $1', [pid]);
      await watcher.end();
      expect(state.rows).toHaveLength(1);
      expect(state.rows[0].table_name).toBe('loads');
      expect(Number(state.rows[0].bytes)).toBeGreaterThan(0);
      // Drop the connection in the middle of the load.
      (c as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
      await load;
      expect(await count()).toBe(0);
    }
    for (let trial = 0; trial < 3; trial++) {
      const c = await cluster.client();
      const load = pipeline(rows(400_000), c.query(copyFrom("COPY loads FROM STDIN WITH (DELIMITER '|')")));
      await new Promise((r) => setTimeout(r, 400 + trial * 200));
      const keys = c as unknown as { processID: number; secretKey: number };
      await sendCancelRequest(cluster.port, keys.processID, keys.secretKey);
      await expect(load).rejects.toMatchObject({ code: '57014' });
      await c.end().catch(() => undefined);
      expect(await count()).toBe(0);
    }
    // Every interrupted load has been cleaned up by now.
    const w = await cluster.client();
    for (let i = 0; i < 50 && (await w.query('SELECT count(*)::int AS n FROM stv_load_state')).rows[0].n > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await w.query('SELECT count(*)::int AS n FROM stv_load_state')).rows[0].n).toBe(0);
    await w.end();
    // And a load that runs to the end lands whole.
    const c = await cluster.client();
    await pipeline(rows(10_000), c.query(copyFrom("COPY loads FROM STDIN WITH (DELIMITER '|')")));
    await c.end();
    expect(await count()).toBe(10_000);
  });

  it('leaves nothing when a compute node is killed mid-load, and loads again once it is back, many times over', async () => {
    const c = await cluster.client();
    const before = (await c.query('SELECT count(*)::int AS n FROM loads')).rows[0].n as number;
    const dirs = new Map<string, string>();
    for (const d of ['compute-0', 'compute-1']) {
      const id = (JSON.parse(await readFile(join(cluster.dataDir, d, 'node.json'), 'utf8')) as { nodeId: string }).nodeId;
      dirs.set(id, join(cluster.dataDir, d));
    }
    for (let trial = 0; trial < 3; trial++) {
      const nodes = await c.query('SELECT node_id, pid FROM stv_nodes ORDER BY node');
      const victim = nodes.rows[trial % 2] as { node_id: string; pid: number };
      const loader = await cluster.client();
      const load = pipeline(rows(400_000), loader.query(copyFrom("COPY loads FROM STDIN WITH (DELIMITER '|')")));
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 600));
      process.kill(victim.pid, 'SIGKILL');
      await expect(load).rejects.toBeDefined();
      await loader.end().catch(() => undefined);
      restarted.push(startComputeNode(cluster.clusterPort, dirs.get(victim.node_id)!));
      const t0 = Date.now();
      while ((await c.query('SELECT count(*)::int AS n FROM stv_nodes WHERE state = $1', ['up'])).rows[0].n !== 2) {
        if (Date.now() - t0 > 30_000) throw new Error('node did not come back');
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await c.query('SELECT count(*)::int AS n FROM loads')).rows[0].n).toBe(before);
    }
    await pipeline(rows(1000), (await cluster.client()).query(copyFrom("COPY loads FROM STDIN WITH (DELIMITER '|')")));
    expect((await c.query('SELECT count(*)::int AS n FROM loads')).rows[0].n).toBe(before + 1000);
    await c.end();
  });
});
