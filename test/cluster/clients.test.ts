// Real clients against a real cluster: psql scripts, node-postgres (text, binary, prepared
// statements, cancel), postgres.js, SCRAM and md5 logins.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendCancelRequest, startCluster, type LocalCluster } from './local-cluster.ts';

const run = promisify(execFile);

describe('clients', () => {
  let cluster: LocalCluster;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'colonnade-clients-'));
    const auth = join(dir, 'auth.json');
    await writeFile(auth, JSON.stringify({
      users: { alice: { method: 'scram-sha-256', password: 's3cret' }, bob: { method: 'md5', password: 'hunter2' } },
      trustLoopback: true,
    }));
    cluster = await startCluster({ nodes: 2, slices: 1, authFile: auth });
    const c = await cluster.client();
    await c.query('CREATE TABLE items (id int, name varchar(30), price numeric(10,2), added date, ts timestamp, big bigint, ratio float4, ok bool) DISTKEY(id) SORTKEY(added)');
    const values: string[] = [];
    for (let i = 1; i <= 300; i++) {
      values.push(`(${i}, 'item ${i}', ${(i * 1.25).toFixed(2)}, date '2024-01-01' + ${i % 60}, '2024-01-01 12:00:00', ${i}000000000000, ${i / 8}, ${i % 2 === 0})`);
    }
    await c.query(`INSERT INTO items VALUES ${values.join(', ')}`);
    await c.end();
  }, 120_000);

  afterAll(async () => {
    await cluster?.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs a psql script', async () => {
    const script = join(dir, 'script.sql');
    await writeFile(script, [
      'CREATE TABLE psql_t (k int, v text) DISTSTYLE EVEN;',
      "INSERT INTO psql_t VALUES (1, 'one'), (2, 'two'), (3, NULL);",
      'SELECT k, coalesce(v, \'(null)\') AS v FROM psql_t ORDER BY k;',
      'SELECT count(*) FROM psql_t WHERE v IS NOT NULL;',
      'DROP TABLE psql_t;',
    ].join('\n'));
    const { stdout } = await run('psql', ['-X', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(cluster.port), '-U', 'colonnade', '-d', 'dev', '-f', script]);
    expect(stdout).toContain('INSERT 0 3');
    expect(stdout).toMatch(/ 1 \| one\n +2 \| two\n +3 \| \(null\)/);
    expect(stdout).toMatch(/count\s*\n-+\n\s+2\n/);
    expect(stdout).toContain('DROP TABLE');
  });

  it('binds parameters in text and binary formats and reuses prepared statements', async () => {
    const c = await cluster.client();
    const named = { name: 'by_id', text: 'SELECT id, name, price, added, big, ok FROM items WHERE id = $1' };
    const a = await c.query({ ...named, values: [7] });
    const b = await c.query({ ...named, values: [8] });
    expect(a.rows).toEqual([{ id: 7, name: 'item 7', price: '8.75', added: new Date('2024-01-08T00:00:00'), big: '7000000000000', ok: false }]);
    expect(b.rows[0].id).toBe(8);
    // Binary formats both ways: a Buffer parameter goes as binary int4; results come back binary.
    // (node-postgres decodes binary result bytes as UTF-8 text, so only ASCII-safe values survive it;
    // leader/wire's tests check every binary codec byte for byte against PostgreSQL.)
    const param = Buffer.alloc(4);
    param.writeInt32BE(10);
    // @types/pg does not declare the `binary` query option that node-postgres supports.
    const binQuery: pg.QueryConfig = Object.assign({ text: 'SELECT id, ok, id::int2 AS small FROM items WHERE id = $1', values: [param] }, { binary: true });
    const bin = await c.query(binQuery);
    expect(bin.fields.map((f) => f.format)).toEqual(['binary', 'binary', 'binary']);
    expect(bin.rows).toEqual([{ id: 10, ok: true, small: 10 }]);
    const agg = await c.query({ text: 'SELECT count(*) AS n, sum(price) AS total FROM items WHERE added >= $1::date', values: ['2024-02-01'] });
    expect(agg.rows[0]).toEqual({ n: '145', total: '29906.25' });
    await c.end();
  });

  it('cancels a running query', async () => {
    const c = await cluster.client();
    // A cross join of 300 × 300 × 300 rows without an equality keeps the leader busy for a long time.
    const slow = c.query('SELECT count(*) FROM items a, items b, items c WHERE a.id + b.id + c.id < 0');
    await new Promise((r) => setTimeout(r, 300));
    // node-postgres sends a CancelRequest with this connection's key.
    const processID = (c as unknown as { processID: number }).processID;
    const secretKey = (c as unknown as { secretKey: number }).secretKey;
    await sendCancelRequest(cluster.port, processID, secretKey);
    await expect(slow).rejects.toMatchObject({ code: '57014' });
    const after = await c.query('SELECT count(*)::int AS n FROM items');
    expect(after.rows[0].n).toBe(300);
    await c.end();
  });

  it('works with postgres.js', async () => {
    const sql = postgres({ host: '127.0.0.1', port: cluster.port, user: 'colonnade', database: 'dev', max: 1 });
    try {
      const rows = await sql`SELECT id, name FROM items WHERE id <= ${3} ORDER BY id`;
      expect(rows.map((r) => r.name)).toEqual(['item 1', 'item 2', 'item 3']);
      const [agg] = await sql`SELECT max(price) AS m FROM items WHERE ok = ${true}`;
      expect(agg!.m).toBe('375.00');
    } finally {
      await sql.end();
    }
  });

  it('logs in with SCRAM-SHA-256 and md5, and refuses a wrong password with 28P01', async () => {
    const alice = await cluster.client('alice', 's3cret');
    expect((await alice.query('SELECT current_user AS u')).rows[0].u).toBe('alice');
    await alice.end();
    const bob = await cluster.client('bob', 'hunter2');
    expect((await bob.query('SELECT 1 AS one')).rows[0].one).toBe(1);
    await bob.end();
    await expect(cluster.client('alice', 'wrong')).rejects.toMatchObject({ code: '28P01' });
  });
});
