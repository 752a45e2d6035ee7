// A join on the slices that would hold more than the compute node's per-statement budget fails
// with 53200 and a clear message; the nodes stay up and the next query works.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type LocalCluster } from './local-cluster.ts';

describe('memory of joins on the slices', () => {
  let cluster: LocalCluster;

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2, slices: 1, env: { COLONNADE_SLICE_MEMORY_CELLS: '50000' } });
    const c = await cluster.client();
    await c.query('CREATE TABLE big (id int, k int) DISTKEY(id)');
    await c.query('CREATE TABLE side (k int, note text) DISTSTYLE EVEN');
    await c.query(`INSERT INTO big VALUES ${Array.from({ length: 20_000 }, (_v, i) => `(${i}, ${i % 100})`).join(', ')}`);
    await c.query(`INSERT INTO side VALUES ${Array.from({ length: 2000 }, (_v, i) => `(${i % 100}, 'n${i}')`).join(', ')}`);
    await c.end();
  }, 120_000);

  afterAll(async () => {
    await cluster?.destroy();
  });

  it('refuses a join that would outgrow the budget, and keeps serving', async () => {
    const c = await cluster.client();
    // Every big row matches 20 side rows: a chunk of 2,048 probe rows joins to 40,960 rows of 4 values.
    await expect(c.query('SELECT count(*) FROM big JOIN side ON side.k = big.k')).rejects.toMatchObject({
      code: '53200', message: expect.stringContaining('compute node memory'),
    });
    expect((await c.query("SELECT count(*)::int AS n FROM stv_nodes WHERE state = 'up'")).rows[0].n).toBe(2);
    expect((await c.query('SELECT count(*)::int AS n FROM big JOIN side ON side.k = big.k WHERE big.id < 100')).rows[0].n).toBe(2000);
    await c.end();
  });
});
