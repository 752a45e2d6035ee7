// A compute node runs its slices on worker threads: one node with two slices gives the same answers
// as the data says (scans, aggregates, co-located, broadcast and replicated joins, ALL self-joins),
// each slice reports its own operators, and a slice that runs out of heap fails its query with
// 53200 while the node, its other slice and the next queries carry on.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type LocalCluster } from './local-cluster.ts';

const ROWS = 300_000;

describe('slices on worker threads', () => {
  let cluster: LocalCluster;

  beforeAll(async () => {
    // A small heap per slice, and a per-statement budget too big to stop anything first.
    cluster = await startCluster({ nodes: 1, slices: 2, env: { COLONNADE_SLICE_HEAP_MB: '64', COLONNADE_SLICE_MEMORY_CELLS: '1000000000' } });
    const c = await cluster.client();
    await c.query('CREATE TABLE w (id int, grp int, note text) DISTKEY(id)');
    await c.query('CREATE TABLE dim (grp int, label text) DISTSTYLE ALL');
    await c.query('CREATE TABLE other (grp int, extra int) DISTSTYLE EVEN');
    const lines = function* (): Generator<string> {
      for (let i = 0; i < ROWS; i++) yield `${i}\t${i % 100}\t${createHash('md5').update(String(i)).digest('hex').repeat(4)}\n`;
    };
    await pipeline(Readable.from(lines()), c.query(copyFrom('COPY w FROM STDIN')));
    await c.query(`INSERT INTO dim VALUES ${Array.from({ length: 100 }, (_v, i) => `(${i}, 'g${i}')`).join(', ')}`);
    await c.query(`INSERT INTO other VALUES ${Array.from({ length: 50 }, (_v, i) => `(${i * 2}, ${i})`).join(', ')}`);
    await c.end();
  }, 120_000);

  afterAll(async () => {
    await cluster?.destroy();
  });

  it('gives the answers the data implies on one node with two slices', async () => {
    const c = await cluster.client();
    const one = async (sql: string): Promise<unknown> => (await c.query(sql)).rows[0];
    expect(await one('SELECT count(*)::int AS n, sum(id)::bigint AS s FROM w')).toEqual({ n: ROWS, s: String((ROWS * (ROWS - 1)) / 2) });
    expect(await one('SELECT count(*)::int AS n FROM (SELECT grp, count(*) FROM w GROUP BY grp) x')).toEqual({ n: 100 });
    // Co-located self-join on the DISTKEY, a broadcast EVEN table, the node's copy of an ALL table.
    expect(await one('SELECT count(*)::int AS n FROM w a JOIN w b ON a.id = b.id WHERE a.grp < 10')).toEqual({ n: ROWS / 10 });
    expect(await one('SELECT count(*)::int AS n, sum(o.extra)::int AS s FROM w JOIN other o ON o.grp = w.grp')).toEqual({ n: ROWS / 2, s: 1225 * (ROWS / 100) });
    expect(await one("SELECT count(*)::int AS n FROM w JOIN dim d ON d.grp = w.grp WHERE d.label LIKE 'g1%'")).toEqual({ n: 11 * (ROWS / 100) });
    expect(await one('SELECT count(*)::int AS n FROM dim a JOIN dim b ON a.grp = b.grp')).toEqual({ n: 100 });
    // Both slices report their scan.
    const plan = (await c.query('EXPLAIN ANALYZE SELECT count(*) FROM w WHERE grp = 7')).rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
    expect(plan).toMatch(/slice 0: scan/);
    expect(plan).toMatch(/slice 1: scan/);
    await c.end();
  });

  it('fails a query whose slice runs out of heap with 53200, and keeps serving', async () => {
    const c = await cluster.client();
    // Every distinct note of a slice held twice in per-group sets of strings (two DISTINCT
    // arguments: not the typed pairs one argument gets): far more than 64 MiB.
    await expect(c.query("SELECT count(*) FROM (SELECT id % 1000, count(DISTINCT note), count(DISTINCT note || 'x') FROM w GROUP BY id % 1000) x"))
      .rejects.toMatchObject({ code: '53200', message: expect.stringMatching(/out of memory on slice \d/) });
    expect((await c.query("SELECT count(*)::int AS n FROM stv_nodes WHERE state = 'up'")).rows[0].n).toBe(1);
    // The slice is back for the next query.
    expect((await c.query('SELECT count(*)::int AS n, count(DISTINCT grp)::int AS g FROM w')).rows[0]).toEqual({ n: ROWS, g: 100 });
    await c.end();
  });
});
