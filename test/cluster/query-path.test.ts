// End to end through the real architecture: DDL with Redshift attributes, INSERT routed to slices,
// distributed SELECTs checked against PostgreSQL (PGlite), and a cluster restart that keeps the rows.
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type LocalCluster } from './local-cluster.ts';

const SETUP = [
  `CREATE TABLE sales (id int NOT NULL, region varchar(20), amount numeric(12,2), sold date, qty bigint, price float8, note text)`,
  `INSERT INTO sales VALUES
    (1, 'east', 10.50, '2024-01-01', 3, 1.5, 'a'), (2, 'west', 20.25, '2024-01-02', 5, 2.25, NULL),
    (3, 'east', 5.00, '2024-01-03', NULL, -0.5, 'ümlaut'), (4, NULL, NULL, NULL, 7, NULL, ''),
    (5, 'north', 99999.99, '2023-12-31', 9223372036854775807, 1e10, 'x'), (6, 'east', -1.01, '2024-02-29', -9223372036854775807, 0.1, 'y'),
    (7, 'west', 0.01, '2024-03-01', 0, 3.14159, 'z'), (8, 'south', 7.77, '1999-12-31', 42, 2.5, 'w')`,
];

const QUERIES = [
  'SELECT id, region, amount, sold, qty, price, note FROM sales',
  'SELECT region, count(*), sum(amount), avg(amount), min(sold), max(sold) FROM sales GROUP BY region',
  'SELECT region, count(*) AS n FROM sales WHERE amount > 1 GROUP BY region HAVING count(*) > 1 ORDER BY n DESC, region',
  'SELECT id, amount * 2 + 1 AS x, upper(region), length(note) FROM sales WHERE id BETWEEN 2 AND 6 ORDER BY id',
  'SELECT count(*), count(region), count(DISTINCT region), sum(qty::numeric), avg(id), sum(price) FROM sales',
  'SELECT id FROM sales WHERE region IN (\'east\', \'west\') AND (qty IS NULL OR qty > 3) ORDER BY id',
  'SELECT id, CASE WHEN amount > 10 THEN \'big\' WHEN amount > 1 THEN \'mid\' ELSE \'small\' END FROM sales ORDER BY 1',
  'SELECT region FROM sales ORDER BY region NULLS FIRST, id LIMIT 3 OFFSET 1',
  'SELECT DISTINCT region FROM sales ORDER BY region',
  'SELECT id, sold + 30, sold - date \'2024-01-01\', extract(month from sold) FROM sales WHERE sold IS NOT NULL ORDER BY id',
  'SELECT amount / 3, round(amount, 1), amount % 2 FROM sales WHERE amount IS NOT NULL ORDER BY id',
  'SELECT note LIKE \'%a%\', coalesce(region, \'none\'), nullif(region, \'east\') FROM sales ORDER BY id',
  'SELECT max(amount) - min(amount), sum(id) / count(*) FROM sales',
  'SELECT s.id, t.id FROM sales s JOIN sales t ON s.qty = t.id ORDER BY 1',
  'SELECT s.region, count(*) FROM sales s LEFT JOIN sales t ON s.id = t.id + 1 GROUP BY s.region ORDER BY 1',
  'SELECT sub.r, sub.total FROM (SELECT region AS r, sum(amount) AS total FROM sales GROUP BY region) sub WHERE sub.total > 10 ORDER BY 1',
];

/** Rows as text, sorted unless the query orders them: the comparison is exact. */
function normalise(rows: unknown[][], ordered: boolean): string[] {
  const lines = rows.map((r) => JSON.stringify(r));
  return ordered ? lines : lines.sort();
}

describe('the first query path', () => {
  let cluster: LocalCluster;
  let pglite: PGlite;

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2, slices: 2 });
    pglite = new PGlite();
    const c = await cluster.client();
    await c.query(`${SETUP[0]} DISTKEY(id) COMPOUND SORTKEY(sold)`);
    await c.query(SETUP[1]!);
    await c.end();
    for (const s of SETUP) await pglite.exec(s);
  });

  afterAll(async () => {
    await cluster?.destroy();
    await pglite?.close();
  });

  it.each(QUERIES)('gives PostgreSQL\'s answer: %s', async (sql) => {
    const c = await cluster.client();
    try {
      const ours = await c.query({ text: sql, rowMode: 'array', types: { getTypeParser: () => (v: string) => v } });
      const theirs = await pglite.query<unknown[]>(sql, [], { rowMode: 'array', parsers: textParsers() });
      const ordered = /order by/i.test(sql);
      expect(normalise(ours.rows as unknown[][], ordered)).toEqual(normalise(theirs.rows, ordered));
      expect(ours.fields.map((f) => f.name)).toEqual(theirs.fields.map((f) => f.name));
      expect(ours.fields.map((f) => f.dataTypeID)).toEqual(theirs.fields.map((f) => f.dataTypeID));
    } finally {
      await c.end();
    }
  });

  it('spreads rows over the slices by the DISTKEY', async () => {
    const c = await cluster.client();
    const slices = await c.query('SELECT count(*) AS n FROM stv_slices');
    expect(Number(slices.rows[0].n)).toBe(4);
    const t = await c.query("SELECT diststyle, sortkey1 FROM svv_tables WHERE \"table\" = 'sales'");
    expect(t.rows[0]).toEqual({ diststyle: 'KEY(id)', sortkey1: 'sold' });
    await c.end();
  });

  it('keeps tables, rows and views across a restart', async () => {
    const c = await cluster.client();
    await c.query('CREATE VIEW east AS SELECT id, amount FROM sales WHERE region = \'east\'');
    const before = await c.query('SELECT * FROM east ORDER BY id');
    await c.end();
    await cluster.stop();
    cluster = await startCluster({ nodes: 2, slices: 2, dataDir: cluster.dataDir });
    const c2 = await cluster.client();
    const after = await c2.query('SELECT * FROM east ORDER BY id');
    expect(after.rows).toEqual(before.rows);
    const count = await c2.query('SELECT count(*)::int AS n FROM sales');
    expect(count.rows[0].n).toBe(8);
    await c2.end();
  });

  it('rolls back an explicit transaction and commits another', async () => {
    const c = await cluster.client();
    await c.query('BEGIN');
    await c.query("INSERT INTO sales VALUES (100, 'gone', 1, NULL, NULL, NULL, NULL)");
    await c.query('ROLLBACK');
    await c.query('BEGIN');
    await c.query("INSERT INTO sales VALUES (101, 'kept', 1, NULL, NULL, NULL, NULL)");
    await c.query('COMMIT');
    const r = await c.query('SELECT id FROM sales WHERE id >= 100');
    expect(r.rows).toEqual([{ id: 101 }]);
    await c.query('DELETE FROM sales WHERE id = 101').catch(() => undefined);
    await c.end();
  });

  it('reports constraint and type errors with their SQLSTATE', async () => {
    const c = await cluster.client();
    const code = async (sql: string): Promise<string | undefined> => {
      try {
        await c.query(sql);
        return undefined;
      } catch (err) {
        return (err as { code?: string }).code;
      }
    };
    expect(await code("INSERT INTO sales (region) VALUES ('x')")).toBe('23502');
    expect(await code("INSERT INTO sales (id, region) VALUES (1, 'this is far too long for twenty')")).toBe('22001');
    expect(await code("INSERT INTO sales (id, amount) VALUES (1, 12345678901)")).toBe('22003');
    expect(await code("INSERT INTO sales (id, sold) VALUES (1, '2024-02-30')")).toBe('22008');
    expect(await code("INSERT INTO sales (id) VALUES ('abc')")).toBe('22P02');
    expect(await code('SELECT 1 / 0')).toBe('22012');
    expect(await code('SELECT 2147483647 + 1')).toBe('22003');
    expect(await code('CREATE TABLE sales (x int)')).toBe('42P07');
    expect(await code('SELECT region, count(*) FROM sales')).toBe('42803');
    await c.end();
  });

  it('lists recent statements in stl_query with rows, bytes moved and failures', async () => {
    const c = await cluster.client();
    const marker = `stl_query check ${Date.now()}`;
    await c.query(`SELECT count(*) AS "${marker}" FROM sales`);
    await c.query(`SELECT 1 / 0 AS "${marker}"`).catch(() => undefined);
    const rows = (await c.query('SELECT querytxt, rows::int AS rows, bytes::int AS bytes, aborted, sqlstate, endtime IS NOT NULL AS ended FROM stl_query WHERE querytxt LIKE $1 AND querytxt NOT LIKE $2 ORDER BY query',
      [`%${marker}%`, '%stl_query WHERE%'])).rows;
    expect(rows.map((r) => [r.rows, r.aborted, r.sqlstate, r.ended])).toEqual([[1, 0, null, true], [0, 1, '22012', true]]);
    expect(rows[0].bytes).toBeGreaterThan(0);
    await c.end();
  });
});

/** PGlite parsers that return PostgreSQL's text for every type, as the wire does. */
function textParsers(): Record<number, (v: string) => string> {
  const identity = (v: string): string => v;
  const out: Record<number, (v: string) => string> = {};
  for (const oid of [16, 20, 21, 23, 25, 700, 701, 1043, 1082, 1114, 1184, 1700, 1042, 26]) out[oid] = identity;
  return out;
}
