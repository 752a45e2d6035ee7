// Statements that would hold more than a process's per-statement budget: joins on the slices run in
// passes and finish; the leader's final aggregation and ORDER BY spill to disk and finish; a join on
// the leader fails with 53200 and a clear message; every process stays up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type LocalCluster } from './local-cluster.ts';

describe('memory of joins, aggregations and sorts', () => {
  let cluster: LocalCluster;

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2, slices: 1, env: { COLONNADE_SLICE_MEMORY_CELLS: '50000', COLONNADE_LEADER_MEMORY_CELLS: '200000' } });
    const c = await cluster.client();
    await c.query('CREATE TABLE big (id int, k int) DISTKEY(id)');
    await c.query('CREATE TABLE side (k int, note text) DISTSTYLE EVEN');
    await c.query(`INSERT INTO big VALUES ${Array.from({ length: 20_000 }, (_v, i) => `(${i}, ${i % 100})`).join(', ')}`);
    await c.query(`INSERT INTO side VALUES ${Array.from({ length: 2000 }, (_v, i) => `(${i % 100}, 'n${i}')`).join(', ')}`);
    await c.query('CREATE TABLE wide (id int, note text) DISTKEY(id)');
    await c.query(`INSERT INTO wide VALUES ${Array.from({ length: 60_000 }, (_v, i) => `(${i}, 'w${i}')`).join(', ')}`);
    await c.end();
  }, 120_000);

  afterAll(async () => {
    await cluster?.destroy();
  });

  it('joins an input that outgrows the budget in passes, each holding part of it', async () => {
    const c = await cluster.client();
    // The co-located input holds ~30,000 rows of 2 values per slice: more than the 50,000 allowed,
    // so each slice builds it in passes (by key hash), probing with the matching rows each time.
    expect((await c.query('SELECT count(*)::int AS n, sum(length(b.note))::int AS len FROM wide a JOIN wide b ON a.id = b.id')).rows[0])
      .toEqual({ n: 60_000, len: 348_890 });
    const plan = (await c.query('EXPLAIN ANALYZE SELECT count(*) FROM wide a LEFT JOIN wide b ON a.id = b.id + 1')).rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
    expect(plan).toMatch(/hash \w+ input 0.* \(pass 2 of \d+\)/);
    // A LEFT JOIN in passes keeps each unmatched row once.
    expect((await c.query('SELECT count(*)::int AS n, count(b.id)::int AS matched FROM wide a LEFT JOIN wide b ON a.id = b.id + 1')).rows[0])
      .toEqual({ n: 60_000, matched: 59_999 });
    expect((await c.query("SELECT count(*)::int AS n FROM stv_nodes WHERE state = 'up'")).rows[0].n).toBe(2);
    await c.end();
  });

  it('streams a join whose output is far bigger than the budget', async () => {
    const c = await cluster.client();
    // Every big row matches 20 side rows: 400,000 joined rows, produced and counted chunk by chunk.
    expect((await c.query('SELECT count(*)::int AS n, count(DISTINCT side.note)::int AS notes FROM big JOIN side ON side.k = big.k')).rows[0])
      .toEqual({ n: 400_000, notes: 2000 });
    await c.end();
  });

  it('spills a final aggregation and a sort that outgrow the leader\'s budget to disk', async () => {
    const c = await cluster.client();
    // 30,000 groups of 4 values and 60,000 sorted rows of 2, where the leader may hold 200,000 values (half of it for either).
    const groups = (await c.query({ text: 'SELECT id % 30000 AS g, count(*)::int AS n, sum(id)::int AS s, count(DISTINCT note)::int AS d FROM wide GROUP BY 1 ORDER BY 1', rowMode: 'array' })).rows as number[][];
    expect(groups.length).toBe(30_000);
    expect(groups.every((r, i) => r[0] === i && r[1] === 2 && r[2] === 2 * i + 30_000 && r[3] === 2)).toBe(true);
    const desc = (await c.query({ text: 'SELECT id, note FROM wide ORDER BY id DESC', rowMode: 'array' })).rows as [number, string][];
    expect(desc.length).toBe(60_000);
    expect(desc.every((r, i) => r[0] === 59_999 - i && r[1] === `w${r[0]}`)).toBe(true);
    expect((await c.query('SELECT note FROM wide ORDER BY note DESC LIMIT 3 OFFSET 2')).rows.map((r: { note: string }) => r.note)).toEqual(['w9997', 'w9996', 'w9995']);
    expect((await c.query('SELECT count(*)::int AS n FROM (SELECT DISTINCT id % 7 FROM wide) x')).rows[0].n).toBe(7);
    await c.end();
  });

  it('refuses a join on the leader that explodes, instead of running out of heap', async () => {
    const c = await cluster.client();
    // 40,000 rows joined to every row of side on the leader: 80 million rows.
    await expect(c.query('SELECT count(*) FROM (SELECT a.k FROM side a JOIN side b ON a.k = b.k) x LEFT JOIN side y ON 1 = 1'))
      .rejects.toMatchObject({ code: '53200', message: expect.stringContaining('leader memory') });
    expect((await c.query('SELECT count(*)::int AS n FROM side')).rows[0].n).toBe(2000);
    await c.end();
  });
});
