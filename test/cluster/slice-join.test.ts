// Joins that run on the slices (co-located, DISTSTYLE ALL, broadcast and redistributed inputs, the
// probe redistributed too; inner, left, semi, anti and NOT IN steps) give exactly PostgreSQL's
// answers (PGlite), NULL keys included.
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type LocalCluster } from './local-cluster.ts';

const BIG = 30_000;
/** PGlite returns every value as PostgreSQL's text output, as node-postgres does with no parsers. */
const TEXT_PARSERS = Object.fromEntries([16, 20, 21, 23, 700, 701, 1082, 1114, 1184, 1700].map((oid) => [oid, (v: string) => v]));

describe('joins on the slices', () => {
  let cluster: LocalCluster;
  let db: PGlite;

  beforeAll(async () => {
    // Tables of 4,000 rows and more are redistributed rather than broadcast (ev and kk; side stays small).
    // A GROUP BY of 500 groups or more (by ANALYZE) is finished on the slices after redistribution (grp).
    // Row groups of 256 rows: scans recycle their buffers across row groups, so a join input that
    // kept a scan's arrays (a dictionary's string entries passed through) would read overwritten ones.
    cluster = await startCluster({ nodes: 2, slices: 2, env: { COLONNADE_REDISTRIBUTE_MIN_ROWS: '4000', COLONNADE_REDISTRIBUTE_MIN_GROUPS: '500', COLONNADE_BLOCK_ROWS: '256' } });
    db = await PGlite.create();
    const big = Array.from({ length: BIG }, (_v, i) => `(${i}, ${i % 97 === 0 ? 'NULL' : i % 1000}, ${i % 7}, ${(i % 50) * 1.5})`);
    const side = Array.from({ length: 1000 }, (_v, i) => `(${i}, 'k${i % 10}', ${i % 3 === 0 ? 'NULL' : i % 7})`);
    const dims = Array.from({ length: 7 }, (_v, i) => `(${i}, 'd${i}')`);
    const ddl: [string, string, string][] = [
      ['big', 'id int, k int, d int, v numeric(10,2)', 'DISTKEY(id)'],
      ['colo', 'id int, tag text, d int', 'DISTKEY(id)'],
      ['side', 'k int, tag text, d int', 'DISTSTYLE EVEN'],
      ['dim', 'd int, name text', 'DISTSTYLE ALL'],
      ['nulls', 'k int', 'DISTSTYLE EVEN'],
      ['ev', 'id int, k int, w int', 'DISTSTYLE EVEN'],
      ['kk', 'k int, note text', 'DISTKEY(k)'],
      ['grp', 'id int, g int, s text, v numeric(10,2)', 'DISTSTYLE EVEN'],
      ['dup', 'id int, k int', 'DISTKEY(id)'],
    ];
    const c = await cluster.client();
    for (const [name, cols, dist] of ddl) {
      await c.query(`CREATE TABLE ${name} (${cols}) ${dist}`);
      await db.query(`CREATE TABLE ${name} (${cols})`);
    }
    const load = async (sql: string): Promise<void> => { await c.query(sql); await db.query(sql); };
    for (let i = 0; i < big.length; i += 5000) await load(`INSERT INTO big VALUES ${big.slice(i, i + 5000).join(', ')}`);
    await load(`INSERT INTO colo VALUES ${Array.from({ length: 5000 }, (_v, i) => `(${i * 3}, 't${i % 5}', ${i % 7})`).join(', ')}`);
    await load(`INSERT INTO side VALUES ${side.join(', ')}`);
    await load(`INSERT INTO dim VALUES ${dims.join(', ')}`);
    await load('INSERT INTO nulls VALUES (1), (NULL), (2)');
    await load(`INSERT INTO ev VALUES ${Array.from({ length: 10_000 }, (_v, i) => `(${i * 2}, ${i % 101 === 0 ? 'NULL' : i % 1200}, ${i % 11})`).join(', ')}`);
    await load(`INSERT INTO kk VALUES ${Array.from({ length: 6000 }, (_v, i) => `(${i}, 'n${i % 13}')`).join(', ')}`);
    await load(`INSERT INTO grp VALUES ${Array.from({ length: 8000 }, (_v, i) => `(${i}, ${i % 11 === 0 ? 'NULL' : i % 2000}, ${i % 17 === 0 ? 'NULL' : `'s${i % 300}'`}, ${(i % 97) / 4})`).join(', ')}`);
    await load(`INSERT INTO dup VALUES ${Array.from({ length: 12_000 }, (_v, i) => `(${i % 500}, ${(i * 7) % 1300})`).join(', ')}`);
    await c.query('ANALYZE grp');
    await c.end();
  }, 180_000);

  afterAll(async () => {
    await cluster?.destroy();
    await db?.close();
  });

  const queries = [
    // co-located (DISTKEY = DISTKEY), ALL and broadcast inputs in one inner join, then aggregation
    'SELECT dim.name, count(*), sum(big.v) FROM big JOIN colo ON big.id = colo.id JOIN dim ON dim.d = big.d JOIN side ON side.k = big.k GROUP BY dim.name',
    'SELECT colo.tag, count(*) FROM big, colo WHERE big.id = colo.id AND big.v > 10 GROUP BY colo.tag',
    'SELECT big.k, big.id FROM big JOIN side ON side.k = big.k AND side.d < big.d WHERE big.id < 3000',
    // outer, semi and anti steps after the inner joins
    'SELECT count(*), count(side.tag) FROM big LEFT JOIN side ON side.k = big.k AND side.d = 1',
    'SELECT big.d, count(*) FROM big WHERE EXISTS (SELECT 1 FROM side WHERE side.k = big.k AND side.d = big.d) GROUP BY big.d',
    'SELECT count(*) FROM big WHERE NOT EXISTS (SELECT 1 FROM side WHERE side.k = big.k)',
    'SELECT count(*) FROM big WHERE big.k IN (SELECT k FROM side WHERE tag = \'k3\')',
    'SELECT count(*) FROM big WHERE big.k NOT IN (SELECT k FROM side WHERE d = 2)',
    // NOT IN with a NULL in the subquery: no row qualifies
    'SELECT count(*) FROM big WHERE big.k NOT IN (SELECT k FROM nulls)',
    'SELECT count(*) FROM big JOIN dim ON dim.d = big.d WHERE big.id NOT IN (SELECT id FROM colo)',
    'SELECT count(*) FROM big WHERE EXISTS (SELECT 1 FROM colo WHERE colo.id = big.id AND colo.d <> big.d)',
    // a small preserved side LEFT JOIN a big table: the big side probes, unmatched rows added on the leader
    'SELECT side.tag, count(big.id), count(*) FROM side LEFT JOIN big ON big.k = side.k AND big.d = 1 GROUP BY side.tag',
    'SELECT c, count(*) FROM (SELECT side.k, count(big.id) AS c FROM side LEFT JOIN big ON big.k = side.k AND big.v > 60 GROUP BY side.k) x GROUP BY c',
    'SELECT side.k, big.id FROM side LEFT JOIN big ON big.k = side.k AND big.id < 500 WHERE side.k < 20',
    // a small side semi / anti joined with a big table: the big side probes, the nodes report matches
    'SELECT side.tag, count(*) FROM side WHERE EXISTS (SELECT 1 FROM big WHERE big.k = side.k AND big.d = 2) GROUP BY side.tag',
    'SELECT side.tag, count(*), sum(side.k) FROM side WHERE NOT EXISTS (SELECT 1 FROM big WHERE big.k = side.k AND big.v > 70) GROUP BY side.tag',
    'SELECT side.k, side.d FROM side WHERE side.d IN (SELECT big.d FROM big WHERE big.k = side.k AND big.v < 3)',
    // a residual reading a small-side column besides the key (the nodes get the columns a semi or anti join reads)
    'SELECT side.tag, count(*), sum(side.d) FROM side WHERE EXISTS (SELECT 1 FROM big WHERE big.k = side.k AND big.v > side.d * 20) GROUP BY side.tag',
    'SELECT side.tag, count(*), sum(side.d) FROM side WHERE NOT EXISTS (SELECT 1 FROM big WHERE big.k = side.k AND big.v > side.d * 20) GROUP BY side.tag',
    // GROUP BY the DISTKEY (or over an ALL table): finished on the slices in one phase
    'SELECT id, count(*), sum(v), count(DISTINCT k) FROM big WHERE id < 5000 GROUP BY id HAVING count(*) = 1 AND sum(v) > 10',
    'SELECT name, count(*), min(d) FROM dim GROUP BY name HAVING count(*) > 0',
    'SELECT count(*) FROM big WHERE id IN (SELECT id FROM big GROUP BY id HAVING sum(v) > 70)',
    // an OR over two inputs implies a filter on each (TPC-H Q19); never pushed into the NULL side of a LEFT JOIN
    'SELECT count(*), sum(big.v) FROM big JOIN side ON side.k = big.k WHERE (side.tag = \'k1\' AND big.d = 2) OR (side.tag = \'k2\' AND big.v > 60)',
    'SELECT count(*), count(side.tag) FROM big LEFT JOIN side ON side.k = big.k AND side.d = 2 WHERE (side.tag = \'k1\' AND big.d = 2) OR (side.tag IS NULL AND big.v > 70)',
    // a filtered table in a semi join computed first: its keys restrict the decorrelated aggregate (TPC-H Q20's shape)
    'SELECT count(*), sum(big.v) FROM big WHERE big.id < 3000 AND big.id IN (SELECT id FROM colo WHERE tag = \'t1\') AND big.d >= (SELECT count(*) FROM colo c2 WHERE c2.id = big.id AND c2.d < 4)',
    // a filtered inner table computed first: its keys filter the probe and, through a join inside
    // it, the decorrelated aggregate joined to it (TPC-H Q2's shape)
    'SELECT big.id, big.v FROM big JOIN colo ON colo.id = big.id WHERE colo.tag = \'t1\' AND colo.id < 600 AND big.v = (SELECT min(b2.v) FROM big b2 JOIN side ON side.k = b2.k WHERE b2.id = colo.id)',
    // runtime key filters carried through an inner equality: the IN list restricts colo (its key is
    // the semi join's) and, through big.id = colo.id, the probe (TPC-H Q18's shape)
    'SELECT colo.tag, count(*), sum(big.v) FROM big JOIN colo ON big.id = colo.id JOIN side ON side.k = big.k WHERE colo.id IN (SELECT id FROM big WHERE v > 70 AND d = 2) GROUP BY colo.tag',
    'SELECT count(*), count(side.tag) FROM big JOIN colo ON big.id = colo.id LEFT JOIN side ON side.k = colo.d WHERE colo.id IN (SELECT k FROM side WHERE d = 3)',
    // a correlated scalar subquery (decorrelated into a left join with an aggregate); PostgreSQL runs
    // it per row, so the outer rows are kept few for PGlite's sake
    'SELECT dim.name, count(*) FROM big JOIN dim ON dim.d = big.d WHERE big.id < 4000 AND big.v > (SELECT avg(d) * 3 FROM side WHERE side.k = big.k) GROUP BY dim.name',
    // redistribution: an EVEN table joined on the probe's DISTKEY moves to the probe's slices
    // (DS_DIST_INNER); joined on another column, both move (DS_DIST_BOTH), or only the probe when
    // the input is distributed on that column (DS_DIST_OUTER); NULL keys never match
    'SELECT big.d, count(*), sum(ev.w), sum(big.v) FROM big JOIN ev ON ev.id = big.id GROUP BY big.d',
    'SELECT big.d, count(*), sum(ev.w) FROM big JOIN ev ON ev.k = big.k GROUP BY big.d',
    'SELECT kk.note, count(*), sum(big.v) FROM big JOIN kk ON kk.k = big.k GROUP BY kk.note',
    'SELECT count(*), sum(ev.w) FROM big JOIN ev ON ev.k = big.k JOIN dim ON dim.d = big.d JOIN side ON side.k = big.k WHERE dim.name <> \'d3\'',
    'SELECT count(*), count(ev.w) FROM big LEFT JOIN ev ON ev.id = big.id AND ev.w > 4',
    'SELECT count(*) FROM big WHERE big.id IN (SELECT id FROM ev)',
    'SELECT count(*) FROM big WHERE NOT EXISTS (SELECT 1 FROM ev WHERE ev.id = big.id)',
    'SELECT ev.w, count(*) FROM ev JOIN kk ON kk.k = ev.k GROUP BY ev.w',
    // a join grouped by the probe's DISTKEY (or a column joined to it): the slices finish in one
    // phase; not when the probe moves (grouped by big.id after moving big by k)
    'SELECT big.id, count(*), sum(colo.d), max(big.v) FROM big JOIN colo ON big.id = colo.id GROUP BY big.id HAVING sum(colo.d) > 2',
    'SELECT colo.id, big.d, count(*), sum(big.v) FROM big JOIN colo ON big.id = colo.id JOIN side ON side.k = big.k GROUP BY colo.id, big.d',
    'SELECT big.id, count(side.tag), sum(big.v) FROM big LEFT JOIN side ON side.k = big.k AND side.d = 1 WHERE big.id < 2000 GROUP BY big.id HAVING count(*) >= 1',
    'SELECT big.id, count(*) FROM big WHERE big.k IN (SELECT k FROM side WHERE d = 2) GROUP BY big.id',
    'SELECT big.id, count(*), sum(ev.w) FROM big JOIN ev ON ev.k = big.k GROUP BY big.id HAVING count(*) > 5',
    'SELECT dup.id, count(*), sum(ev.w) FROM dup JOIN ev ON ev.k = dup.k GROUP BY dup.id',
    // many groups: partial aggregates redistributed by group key and finished per slice (NULL groups too)
    'SELECT g, count(*), sum(v), avg(v), min(s), max(v), count(DISTINCT s) FROM grp GROUP BY g HAVING count(*) > 3',
    'SELECT g, s, count(*), sum(v) FROM grp WHERE id > 100 GROUP BY g, s',
  ];

  it('EXPLAIN shows where each input of a join comes from', async () => {
    const c = await cluster.client();
    const plan = async (sql: string): Promise<string> => (await c.query(`EXPLAIN ${sql}`)).rows.map((r) => r['QUERY PLAN'] as string).join('\n');
    const text = await plan(queries[0]!);
    expect(text).toContain('XN Seq Scan on public.big (probe, stays on its slices)');
    expect(text).toMatch(/XN Hash DS_DIST_NONE\s+->  XN Seq Scan on public\.colo/);
    // dim is DISTSTYLE ALL, but with side computed on the leader it is too (its keys may filter side).
    expect(text).toMatch(/XN Hash DS_BCAST_INNER .*\s+->  XN Seq Scan on public\.dim/);
    expect(await plan('SELECT dim.name, count(*) FROM big JOIN colo ON big.id = colo.id JOIN dim ON dim.d = big.d GROUP BY dim.name'))
      .toMatch(/XN Hash DS_DIST_ALL_NONE\s+->  XN Seq Scan on public\.dim/);
    expect(text).toMatch(/XN Hash DS_BCAST_INNER .*\s+->  XN Seq Scan on public\.side/);
    expect(text).toContain('XN HashAggregate (partial, per slice)');
    // GROUP BY with the DISTKEY: the slices finish (one phase), HAVING included.
    const onePhase = await plan('SELECT id, count(*) FROM big GROUP BY id HAVING count(*) > 1');
    expect(onePhase).toMatch(/XN Network {2}Send to leader \(final rows\)\s+->  XN HashAggregate \(final, per slice: each group lies on one slice; having\)/);
    expect(onePhase).not.toContain('on the leader');
    // Over a join grouped by the probe's DISTKEY, or a column an inner join equates to it: one phase too.
    for (const sql of ['SELECT big.id, count(*) FROM big JOIN colo ON big.id = colo.id GROUP BY big.id HAVING count(*) > 1',
      'SELECT colo.id, count(*) FROM big JOIN colo ON big.id = colo.id JOIN side ON side.k = big.k GROUP BY colo.id']) {
      const joined = await plan(sql);
      expect(joined).toMatch(/XN Network {2}Send to leader \(final rows\)\s+->  XN HashAggregate \(final, per slice: each group lies on one slice(; having)?\)[^\n]*\s+->  XN Hash Join on the slices/);
      expect(joined).not.toContain('HashAggregate (final, on the leader)');
    }
    // ...but not when the probe itself moves.
    expect(await plan('SELECT dup.id, count(*) FROM dup JOIN ev ON ev.k = dup.k GROUP BY dup.id')).toMatch(/XN HashAggregate \(partial, per slice\)[^\n]*\s+->  XN Hash Join on the slices[^\n]*\s+->  XN Network  Distribute by k \(probe, node to node\)\s+->  XN Seq Scan on public.dup/);
    expect(await plan(queries[11]!)).toContain('XN Hash Left Join on the slices (the big side probes; the preserved side is broadcast)');
    // A LEFT JOIN's ON condition over its input alone filters that input's scan.
    expect(await plan('SELECT count(*), count(side.tag) FROM big LEFT JOIN side ON side.k = big.k AND side.d = 1'))
      .toMatch(/XN Hash left DS_BCAST_INNER[^\n]*\s+->  XN Seq Scan on public\.side[^\n]*\s+Columns: [^\n]*\s+Filter: compiled WHERE kernel/);
    // Two small tables join on the leader.
    expect(await plan('SELECT count(*) FROM side JOIN dim ON dim.d = side.d')).toContain('DS_DIST_BOTH (on the leader)');
    // Many groups: final aggregation on the slices after redistribution by group key.
    expect(await plan('SELECT g, count(*) FROM grp GROUP BY g HAVING count(*) > 1'))
      .toMatch(/Send to leader \(final rows\)\s+->  XN HashAggregate \(final, per slice, after redistribution by group key; having\)[^\n]*\s+->  XN Network  Distribute by group key/);
    // Redistribution node to node, labelled by what moves.
    const inner = await plan('SELECT count(*) FROM big JOIN ev ON ev.id = big.id');
    expect(inner).toContain('XN Seq Scan on public.big (probe, stays on its slices)');
    expect(inner).toMatch(/XN Hash DS_DIST_INNER \(distributed by id, node to node\)\s+->  XN Seq Scan on public\.ev/);
    const both = await plan('SELECT count(*) FROM big JOIN ev ON ev.k = big.k');
    expect(both).toMatch(/XN Network {2}Distribute by k \(probe, node to node\)\s+->  XN Seq Scan on public\.big \(probe\)/);
    expect(both).toMatch(/XN Hash DS_DIST_BOTH \(distributed by k, node to node\)\s+->  XN Seq Scan on public\.ev/);
    expect(await plan('SELECT count(*) FROM big JOIN kk ON kk.k = big.k')).toMatch(/XN Hash DS_DIST_OUTER\s+->  XN Seq Scan on public\.kk/);
    const moved = (await c.query('EXPLAIN ANALYZE SELECT count(*) FROM big JOIN ev ON ev.k = big.k')).rows.map((r) => r['QUERY PLAN'] as string).join('\n');
    expect(moved).toMatch(/node \d slice \d: scan big and redistribute: \d+ -> \d+ rows/);
    expect(moved).toMatch(/node \d: redistribute: \d+ bytes sent to other nodes, \d+ kept here/);
    expect(moved).toMatch(/node \d slice \d: scan redistributed rows \(probe\): \d+ -> \d+ rows/);
    expect(moved).toMatch(/^Execution: 1 rows in [\d.]+ ms; \d+ bytes sent by compute nodes to the leader, [1-9]\d* between compute nodes$/m);
    const logged = (await c.query("SELECT bytes_redistributed::int AS b FROM stl_query WHERE querytxt = 'SELECT count(*) FROM big JOIN ev ON ev.k = big.k /* logged */' ORDER BY query DESC LIMIT 1"));
    expect(logged.rows).toEqual([]);
    await c.query('SELECT count(*) FROM big JOIN ev ON ev.k = big.k /* logged */');
    const after = (await c.query("SELECT bytes_redistributed::int AS b FROM stl_query WHERE querytxt = 'SELECT count(*) FROM big JOIN ev ON ev.k = big.k /* logged */'")).rows;
    expect(after.length).toBe(1);
    expect(after[0].b).toBeGreaterThan(0);
    const analyzed = (await c.query(`EXPLAIN ANALYZE ${queries[1]!}`)).rows.map((r) => r['QUERY PLAN'] as string);
    expect(analyzed).toContainEqual(expect.stringMatching(/^Execution: 5 rows in [\d.]+ ms; \d+ bytes sent by compute nodes to the leader$/));
    // Per operator and slice: the probe scan (rows read -> kept), the co-located input's hash table, each step.
    const perOperator = analyzed.slice(analyzed.findIndex((l) => l.startsWith('Per operator'))).join('\n');
    expect(perOperator).toMatch(/node \d slice \d: scan big \(probe\): \d+ -> \d+ rows, [\d.]+ ms/);
    expect(perOperator).toMatch(/node \d slice \d: hash colocated input 0 \(colo\): \d+ -> \d+ rows, [\d.]+ ms/);
    expect(perOperator).toMatch(/node \d slice \d: join step 0 \(inner, input 0\): \d+ rows/);
    // The probe's rows read over all slices are the table's.
    const read = [...perOperator.matchAll(/scan big \(probe\): (\d+) ->/g)].reduce((n, m) => n + Number(m[1]), 0);
    expect(read).toBe(BIG);
    await c.end();
  });

  for (const sql of queries) {
    it(`matches PostgreSQL: ${sql}`, async () => {
      const c = await cluster.client();
      const ours = (await c.query({ text: sql, rowMode: 'array', types: { getTypeParser: () => (v: string) => v } })).rows.map((r: unknown[]) => r.map(String)).sort();
      await c.end();
      const theirs = (await db.query<unknown[]>(sql, [], { rowMode: 'array', parsers: TEXT_PARSERS })).rows.map((r) => r.map(String)).sort();
      expect(ours).toEqual(theirs);
    });
  }
});
