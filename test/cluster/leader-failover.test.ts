// Leader failover: three leader processes keep the catalog and the commit decisions in Raft. When
// the active one is SIGKILLed, a standby wins the election, binds the same client and cluster
// ports, the compute nodes register with it, and clients that reconnect find every committed
// table and row; a COPY the death interrupted left nothing, and DDL and writes go on. A leader
// that hangs (SIGSTOP) is replaced the same way and stands down when it wakes.
import { afterAll, describe, expect, it } from 'vitest';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import pg from 'pg';
import { freePort } from '../../bench/tpch/runner/free-port.ts';
import { slowCopyInput, startCluster, type LocalCluster } from './local-cluster.ts';

/** The pid of the leader process that took over last, from its "active" line. */
function activeLeader(cluster: LocalCluster): { id: string; pid: number } {
  const all = [...cluster.output().matchAll(/Colonnade leader (\S+) active on .*, pid (\d+)/g)];
  const last = all.at(-1);
  if (last === undefined) throw new Error(`no active leader yet:\n${cluster.output()}`);
  return { id: last[1]!, pid: Number(last[2]) };
}

/** A new connection that answers, tried until `limitMs` (a hung leader accepts and never answers: each try gives up after 3 s). */
async function reconnect(cluster: LocalCluster, limitMs: number): Promise<pg.Client> {
  const since = Date.now();
  for (;;) {
    const c = new pg.Client({ host: '127.0.0.1', port: cluster.port, user: 'colonnade', database: 'dev', connectionTimeoutMillis: 3000, query_timeout: 10_000 });
    c.on('error', () => undefined);
    try {
      await c.connect();
      await c.query('SELECT 1');
      return c;
    } catch (err) {
      await c.end().catch(() => undefined);
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

  it('a standby takes over when the active leader is killed or hangs, with every committed change', async () => {
    cluster = await startCluster({ nodes: 3, slices: 1, port: await freePort(), extraArgs: ['--leaders', '3'] });
    const c = await cluster.client();
    await c.query('CREATE TABLE facts (k int, v int) DISTKEY(k)');
    await c.query('INSERT INTO facts SELECT i, i * 2 FROM generate_series(1, 2000) AS s(i)');
    await c.query('CREATE TABLE loaded (k int, t text)');
    await c.end();

    // The leader hangs (SIGSTOP): it holds its ports but answers nothing. The remaining two
    // elect one of them; the front forwards new connections to it, and the compute nodes, whose
    // heartbeats go unanswered, register with it.
    const hung = activeLeader(cluster);
    process.kill(hung.pid, 'SIGSTOP');
    try {
      const e = await reconnect(cluster, 30_000);
      for (let i = 0; i < 300 && activeLeader(cluster).id === hung.id; i++) await new Promise((r) => setTimeout(r, 100));
      expect(activeLeader(cluster).id).not.toBe(hung.id);
      expect((await e.query('SELECT count(*)::int AS n, sum(v)::int AS s FROM facts')).rows[0]).toEqual({ n: 2000, s: 2000 * 2001 });
      await e.query('INSERT INTO facts VALUES (4000, 0)');
      await e.end();
    } finally {
      process.kill(hung.pid, 'SIGCONT');
    }
    // Awake, it finds a newer term and stands down; the cluster goes on with every change.
    await new Promise((r) => setTimeout(r, 1000));
    const f = await reconnect(cluster, 20_000);
    expect((await f.query('SELECT count(*)::int AS n FROM facts')).rows[0]).toEqual({ n: 2001 });
    await f.end();

    // Now the serving leader is killed (SIGKILL) while a COPY streams; the one that hung before
    // is a standby again.
    const before = activeLeader(cluster);
    const copier = await reconnect(cluster, 20_000);
    const copying = pipeline(slowCopyInput(100_000, 1000), copier.query(copyFrom('COPY loaded FROM STDIN')));
    copying.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    const killedAt = Date.now();
    process.kill(before.pid, 'SIGKILL');
    await expect(copying).rejects.toBeDefined();

    // A client that reconnects reaches the new leader on the same port.
    const d = await reconnect(cluster, 20_000);
    const unavailableMs = Date.now() - killedAt;
    expect(unavailableMs).toBeLessThan(20_000);
    // It says so once the compute nodes are with it.
    for (let i = 0; i < 200 && activeLeader(cluster).id === before.id; i++) await new Promise((r) => setTimeout(r, 100));
    expect(activeLeader(cluster).id).not.toBe(before.id);
    expect((await d.query('SELECT count(*)::int AS n, sum(v)::int AS s FROM facts')).rows[0]).toEqual({ n: 2001, s: 2000 * 2001 });
    // The interrupted COPY left nothing on any node.
    expect((await d.query('SELECT count(*)::int AS n FROM loaded')).rows[0]).toEqual({ n: 0 });
    // DDL and writes go on under the new leader, and the compute nodes are all with it.
    await d.query('CREATE TABLE later (a int)');
    await d.query('INSERT INTO later SELECT i FROM generate_series(1, 300) AS s(i)');
    await d.query('INSERT INTO facts VALUES (5000, 1)');
    expect((await d.query('SELECT count(*)::int AS n FROM later')).rows[0]).toEqual({ n: 300 });
    expect((await d.query('SELECT count(*)::int AS n FROM facts')).rows[0]).toEqual({ n: 2002 });
    expect((await d.query("SELECT count(*)::int AS n FROM stv_nodes WHERE state = 'up'")).rows[0]).toEqual({ n: 3 });
    await d.end();
  }, 180_000);
});
