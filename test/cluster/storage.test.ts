// The storage engine seen through SQL: svv_table_info, stv_blocklist, VACUUM, ANALYZE COMPRESSION,
// zone maps skipping blocks, and a corrupted block failing the query with XX001 (node stays up).
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type LocalCluster } from './local-cluster.ts';

describe('storage through SQL', () => {
  let cluster: LocalCluster;

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 1, slices: 1 });
    const c = await cluster.client();
    await c.query('CREATE TABLE ev (id int, day date ENCODE delta, kind varchar(10) ENCODE bytedict, amount numeric(12,2)) DISTSTYLE EVEN SORTKEY(day)');
    for (let batch = 0; batch < 4; batch++) {
      const values = Array.from({ length: 500 }, (_x, i) => {
        const n = batch * 500 + i;
        return `(${n}, date '2024-01-01' + ${(n * 7) % 365}, '${['a', 'b', 'c'][n % 3]}', ${(n % 1000) / 4})`;
      });
      await c.query(`INSERT INTO ev VALUES ${values.join(', ')}`);
    }
    await c.end();
  }, 120_000);

  afterAll(async () => {
    await cluster?.destroy();
  });

  it('reports tables and blocks, and VACUUM sorts the table', async () => {
    const c = await cluster.client();
    const before = await c.query("SELECT \"table\", encoded, diststyle, sortkey1, tbl_rows::int AS n, unsorted::float8 AS unsorted FROM svv_table_info WHERE \"table\" = 'ev'");
    expect(before.rows[0]).toMatchObject({ table: 'ev', encoded: 'Y', diststyle: 'EVEN', sortkey1: 'day', n: 2000 });
    expect(before.rows[0].unsorted).toBeGreaterThan(0);
    await c.query('VACUUM SORT ONLY ev');
    const after = await c.query("SELECT unsorted::float8 AS unsorted FROM svv_table_info WHERE \"table\" = 'ev'");
    expect(after.rows[0].unsorted).toBe(0);
    const blocks = await c.query("SELECT column_name, encoding, num_values FROM stv_blocklist WHERE column_name = 'kind'");
    expect(blocks.rows.length).toBeGreaterThan(0);
    expect(blocks.rows.reduce((a, r) => a + Number(r.num_values), 0)).toBe(2000);
    const advice = await c.query('ANALYZE COMPRESSION ev');
    expect(advice.rows.map((r) => r.Column)).toEqual(['id', 'day', 'kind', 'amount']);
    expect((await c.query("SELECT count(*)::int AS n FROM ev WHERE day BETWEEN '2024-03-01' AND '2024-03-07'")).rows[0].n).toBeGreaterThan(0);
    await c.end();
  });

  it('fails a query on a corrupted block with XX001 naming the table and segment, and keeps serving', async () => {
    const sliceDir = join(cluster.dataDir, 'compute-0', 'slice-0');
    const files: string[] = [];
    const walk = async (d: string): Promise<void> => {
      for (const e of await readdir(d, { withFileTypes: true })) {
        if (e.isDirectory()) await walk(join(d, e.name));
        else if (/seg/.test(e.name)) files.push(join(d, e.name));
      }
    };
    await walk(sliceDir);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const bytes = await readFile(f);
      for (let i = 64; i < bytes.length - 64; i += 97) bytes[i] = bytes[i]! ^ 0xff;
      await writeFile(f, bytes);
    }
    const c = await cluster.client();
    const err = await c.query('SELECT sum(amount) FROM ev').then(() => null, (e: { code?: string; message?: string }) => e);
    expect(err?.code).toBe('XX001');
    expect(err?.message).toMatch(/table|segment/i);
    expect((await c.query('SELECT 1 AS one')).rows[0].one).toBe(1);
    expect((await c.query('SELECT state FROM stv_nodes')).rows[0].state).toBe('up');
    await c.end();
  });
});
