// A compute node that joins a cluster holding tables adds slices, so a DISTSTYLE KEY table loaded
// before has its rows hashed over the old slice count: plans must stop treating it as distributed on
// its key (no co-located join, no one-phase GROUP BY on it), or joins with tables created since would
// miss rows; the new node gets every table (empty), and a DISTSTYLE ALL table's rows are read from a
// node holding a whole copy. Answers stay exact.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type LocalCluster } from './local-cluster.ts';

const ENTRY = fileURLToPath(new URL('../../bin/colonnade.mjs', import.meta.url));
const ROWS = 3000;

describe('a node joining a cluster with tables', () => {
  let cluster: LocalCluster;
  let extra: ChildProcess | null = null;
  let extraDir = '';

  beforeAll(async () => {
    // Every join goes to the slices, whatever the tables' size.
    cluster = await startCluster({ nodes: 1, slices: 1, env: { COLONNADE_MIN_PROBE_ROWS: '0' } });
    const c = await cluster.client();
    await c.query('CREATE TABLE before_join (id int, v int) DISTKEY(id)');
    await c.query(`INSERT INTO before_join VALUES ${Array.from({ length: ROWS }, (_v, i) => `(${i}, ${i % 7})`).join(', ')}`);
    await c.query('CREATE TABLE dim_all (v int, label text) DISTSTYLE ALL');
    await c.query(`INSERT INTO dim_all VALUES ${Array.from({ length: 7 }, (_v, i) => `(${i}, 'l${i}')`).join(', ')}`);
    extraDir = await mkdtemp(join(tmpdir(), 'colonnade-extra-'));
    extra = spawn(process.execPath, [ENTRY, 'compute', '--join', `127.0.0.1:${cluster.clusterPort}`, '--data-dir', extraDir, '--slices', '1'],
      { stdio: 'ignore', env: { ...process.env, COLONNADE_LOG_LEVEL: 'warn', COLONNADE_MIN_PROBE_ROWS: '0' } });
    for (let i = 0; i < 100; i++) {
      const up = (await c.query("SELECT count(*)::int AS n FROM stv_nodes WHERE state = 'up'")).rows[0].n as number;
      if (up === 2) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await c.query('CREATE TABLE after_join (id int, w int) DISTKEY(id)');
    await c.query(`INSERT INTO after_join VALUES ${Array.from({ length: ROWS }, (_v, i) => `(${i}, ${i % 5})`).join(', ')}`);
    await c.end();
  }, 120_000);

  afterAll(async () => {
    extra?.kill('SIGTERM');
    await cluster?.destroy();
    if (extraDir) await rm(extraDir, { recursive: true, force: true });
  });

  it('joins and groups a table placed over the old slice count exactly', async () => {
    const c = await cluster.client();
    expect((await c.query("SELECT count(*)::int AS n FROM stv_nodes WHERE state = 'up'")).rows[0].n).toBe(2);
    expect((await c.query('SELECT count(*)::int AS n, sum(b.w)::int AS s FROM before_join a JOIN after_join b ON a.id = b.id')).rows[0])
      .toEqual({ n: ROWS, s: Array.from({ length: ROWS }, (_v, i) => i % 5).reduce((x, y) => x + y, 0) });
    // Rows added after the join land by the new count: the table is mixed now, still exact.
    await c.query(`INSERT INTO before_join VALUES ${Array.from({ length: 500 }, (_v, i) => `(${i}, 100)`).join(', ')}`);
    expect((await c.query('SELECT count(*)::int AS n FROM before_join a JOIN after_join b ON a.id = b.id')).rows[0].n).toBe(ROWS + 500);
    expect((await c.query('SELECT count(*)::int AS n FROM (SELECT id, count(*) FROM before_join GROUP BY id HAVING count(*) = 2) x')).rows[0].n).toBe(500);
    const plan = (await c.query('EXPLAIN SELECT count(*) FROM before_join a JOIN after_join b ON a.id = b.id')).rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
    expect(plan).not.toContain('DS_DIST_NONE');
    // The new node has the ALL table, but no copy of its rows: joins read the first node's copy.
    expect((await c.query("SELECT count(*)::int AS n FROM after_join b JOIN dim_all d ON d.v = b.w WHERE d.label <> 'l0'")).rows[0].n)
      .toBe(Array.from({ length: ROWS }, (_v, i) => i % 5).filter((w) => w !== 0).length);
    expect((await c.query('SELECT count(*)::int AS n FROM dim_all')).rows[0].n).toBe(7);
    // A table created with the node there is still planned on its key.
    expect((await c.query('EXPLAIN SELECT count(*) FROM after_join a JOIN after_join b ON a.id = b.id')).rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n'))
      .toContain('DS_DIST_NONE');
    await c.end();
  });
});
