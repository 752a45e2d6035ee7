// The analyst's walk-through (Spark-style): a purchases table loaded with COPY, then cumulative
// spend per customer, moving averages over the last n purchases, weekly and monthly spend with
// trailing averages, top purchases per customer, and a roll-up. Every answer equals PostgreSQL's
// (PGlite, loaded with the same rows), as text.
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { from as copyFrom } from 'pg-copy-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPgRunner, createPgliteRunner, type SqlRunner } from '../harness/index.ts';
import { startCluster, type LocalCluster } from './local-cluster.ts';

const CATEGORIES = ['books', 'games', 'garden', 'music', 'toys'];

/** Deterministic purchases: id, customer, timestamp in 2024, amount, category (some NULL amounts). */
function purchases(n: number): string[] {
  let x = 12345;
  const next = (): number => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 2 ** 32;
  };
  const start = Date.UTC(2024, 0, 1);
  return Array.from({ length: n }, (_v, i) => {
    const ts = new Date(start + Math.floor(next() * 365 * 86_400) * 1000).toISOString().replace('T', ' ').slice(0, 19);
    const amount = next() < 0.03 ? '\\N' : (Math.floor(next() * 50_000) / 100).toFixed(2);
    return `${i + 1}\t${1 + Math.floor(next() * 40)}\t${ts}\t${amount}\t${CATEGORIES[Math.floor(next() * CATEGORIES.length)]}\n`;
  });
}

const QUERIES: Record<string, string> = {
  'cumulative spend per customer': `
    SELECT customer_id, purchase_id, sum(amount) OVER (PARTITION BY customer_id ORDER BY purchased_at, purchase_id ROWS UNBOUNDED PRECEDING) AS spent
    FROM purchases ORDER BY customer_id, purchase_id`,
  'moving average over the last 3 purchases': `
    SELECT customer_id, purchase_id, avg(amount) OVER (PARTITION BY customer_id ORDER BY purchased_at, purchase_id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS ma3,
      count(amount) OVER (PARTITION BY customer_id ORDER BY purchased_at, purchase_id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS n
    FROM purchases ORDER BY customer_id, purchase_id`,
  'weekly spend with a trailing 4-week average': `
    WITH weekly AS (SELECT date_trunc('week', purchased_at) AS week, sum(amount) AS spend, count(*) AS purchases FROM purchases GROUP BY 1)
    SELECT week, spend, purchases, avg(spend) OVER (ORDER BY week ROWS BETWEEN 3 PRECEDING AND CURRENT ROW) AS trailing_4w,
      spend - lag(spend) OVER (ORDER BY week) AS change
    FROM weekly ORDER BY week`,
  'monthly spend per category with a trailing 3-month average': `
    SELECT date_trunc('month', purchased_at) AS month, category, sum(amount) AS spend,
      avg(sum(amount)) OVER (PARTITION BY category ORDER BY date_trunc('month', purchased_at) RANGE BETWEEN INTERVAL '2 months' PRECEDING AND CURRENT ROW) AS trailing_3m,
      rank() OVER (PARTITION BY date_trunc('month', purchased_at) ORDER BY sum(amount) DESC NULLS LAST, category) AS rank_in_month
    FROM purchases GROUP BY 1, 2 ORDER BY 1, 2`,
  'top 3 purchases per customer': `
    SELECT customer_id, purchase_id, amount FROM (
      SELECT customer_id, purchase_id, amount, row_number() OVER (PARTITION BY customer_id ORDER BY amount DESC NULLS LAST, purchase_id) AS rn FROM purchases
    ) AS ranked WHERE rn <= 3 ORDER BY customer_id, rn`,
  'share of each customer in their month': `
    SELECT customer_id, extract(month FROM purchased_at) AS month, sum(amount) AS spend,
      round(100.0 * sum(amount) / sum(sum(amount)) OVER (PARTITION BY extract(month FROM purchased_at)), 2) AS pct,
      ntile(4) OVER (PARTITION BY extract(month FROM purchased_at) ORDER BY sum(amount) NULLS FIRST, customer_id) AS quartile
    FROM purchases GROUP BY 1, 2 ORDER BY 2, 1`,
  'roll-up by quarter and category': `
    SELECT extract(quarter FROM purchased_at) AS quarter, category, count(*) AS purchases, sum(amount) AS spend, grouping(category) AS all_categories
    FROM purchases GROUP BY ROLLUP (1, 2) ORDER BY 1 NULLS LAST, 2 NULLS LAST`,
};

describe('analyst walk-through', () => {
  let cluster: LocalCluster;
  let colonnade: SqlRunner;
  let postgres: SqlRunner;

  beforeAll(async () => {
    const rows = purchases(3000);
    const ddl = 'CREATE TABLE purchases (purchase_id int NOT NULL, customer_id int NOT NULL, purchased_at timestamp NOT NULL, amount numeric(10,2), category varchar(16))';
    cluster = await startCluster({ nodes: 2, slices: 1 });
    const c = await cluster.client();
    await c.query(`${ddl} DISTKEY(customer_id) SORTKEY(purchased_at)`);
    await pipeline(Readable.from(rows), c.query(copyFrom('COPY purchases FROM STDIN')));
    await c.end();
    colonnade = await connectPgRunner(`postgres://colonnade@127.0.0.1:${cluster.port}/dev`, 'colonnade');
    postgres = await createPgliteRunner('postgres');
    await postgres.query(ddl);
    for (let i = 0; i < rows.length; i += 500) {
      const values = rows.slice(i, i + 500).map((line) => {
        const [id, cust, ts, amount, cat] = line.trimEnd().split('\t');
        return `(${id}, ${cust}, '${ts}', ${amount === '\\N' ? 'NULL' : amount}, '${cat}')`;
      });
      await postgres.query(`INSERT INTO purchases VALUES ${values.join(', ')}`);
    }
  }, 120_000);

  afterAll(async () => {
    await colonnade?.close?.();
    await postgres?.close?.();
    await cluster?.destroy();
  });

  it('loads every row with COPY', async () => {
    expect((await colonnade.query('SELECT count(*), count(amount), sum(amount) FROM purchases')).rows)
      .toEqual((await postgres.query('SELECT count(*), count(amount), sum(amount) FROM purchases')).rows);
  });

  for (const [name, sql] of Object.entries(QUERIES)) {
    it(name, async () => {
      const expected = await postgres.query(sql);
      expect(expected.rows.length).toBeGreaterThan(0);
      expect((await colonnade.query(sql)).rows).toEqual(expected.rows);
    }, 60_000);
  }
});
