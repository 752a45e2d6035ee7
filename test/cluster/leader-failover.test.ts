// Leader failover: three leader processes keep the catalog and the commit decisions in Raft. When
// the active one is SIGKILLed, a standby wins the election, binds the same client and cluster
// ports, the compute nodes register with it, and clients that reconnect find every committed
// table and row; a COPY the death interrupted left nothing, and DDL and writes go on.
import { afterAll, describe, expect, it } from 'vitest';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type pg from 'pg';
import { freePort } from '../../bench/tpch/runner/free-port.ts';
import { slowCopyInput, startCluster, type LocalCluster } from './local-cluster.ts';

/** The pid of the leader process that took over last, from its "active" line. */
function activeLeader(cluster: LocalCluster): { id: string; pid: number } {
  const all = [...cluster.output().matchAll(/Colonnade leader (\S+) active on .*, pid (\d+)/g)];
  const last = all.at(-1);
  if (last === undefined) throw new Error(`no active leader yet:\n${cluster.output()}`);
  return { id: last[1]!, pid: Number(last[2]) };
}

async function reconnect(cluster: LocalCluster, limitMs: number): Promise<pg.Client> {
  const since = Date.now();
  for (;;) {
    try {
      const c = await cluster.client();
      await c.query('SELECT 1');
      return c;
    } catch (err) {
      if (Date.now() - since > limitMs) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('leader failover (three leaders, catalog on Raft)', () => {
  let cluster: LocalCluster;

  afterAll(async () => {
    // The leader processes are children of `start`: they go with it.
    await cluster?.destroy();
  });

  it('a standby takes over the ports when the active leader is killed, with every committed change', async () => {
    cluster = await startCluster({ nodes: 3, slices: 1, port: await freePort(), extraArgs: ['--leaders', '3'] });
    const c = await cluster.client();
    await c.query('CREATE TABLE facts (k int, v int) DISTKEY(k)');
    await c.query('INSERT INTO facts SELECT i, i * 2 FROM generate_series(1, 2000) AS s(i)');
    await c.query('CREATE TABLE loaded (k int, t text)');
    const before = activeLeader(cluster);

    // A COPY is streaming when the leader dies.
    const copier = await cluster.client();
    const copying = pipeline(slowCopyInput(100_000, 1000), copier.query(copyFrom('COPY loaded FROM STDIN')));
    copying.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    const killedAt = Date.now();
    process.kill(before.pid, 'SIGKILL');
    await expect(copying).rejects.toBeDefined();
    await c.end().catch(() => undefined);

    // A client that reconnects reaches the new leader on the same port.
    const d = await reconnect(cluster, 20_000);
    const unavailableMs = Date.now() - killedAt;
    expect(unavailableMs).toBeLessThan(20_000);
    // It says so once the compute nodes are with it.
    for (let i = 0; i < 200 && activeLeader(cluster).id === before.id; i++) await new Promise((r) => setTimeout(r, 100));
    expect(activeLeader(cluster).id).not.toBe(before.id);
    expect((await d.query('SELECT count(*)::int AS n, sum(v)::int AS s FROM facts')).rows[0]).toEqual({ n: 2000, s: 2000 * 2001 });
    // The interrupted COPY left nothing on any node.
    expect((await d.query('SELECT count(*)::int AS n FROM loaded')).rows[0]).toEqual({ n: 0 });
    // DDL and writes go on under the new leader, and the compute nodes are all with it.
    await d.query('CREATE TABLE later (a int)');
    await d.query('INSERT INTO later SELECT i FROM generate_series(1, 300) AS s(i)');
    await d.query('INSERT INTO facts VALUES (5000, 1)');
    expect((await d.query('SELECT count(*)::int AS n FROM later')).rows[0]).toEqual({ n: 300 });
    expect((await d.query('SELECT count(*)::int AS n FROM facts')).rows[0]).toEqual({ n: 2001 });
    expect((await d.query("SELECT count(*)::int AS n FROM stv_nodes WHERE state = 'up'")).rows[0]).toEqual({ n: 3 });
    await d.end();
  }, 120_000);
});
