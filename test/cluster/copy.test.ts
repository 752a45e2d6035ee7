// COPY through real clients: psql \copy and pg-copy-streams load and unload; Redshift options,
// MAXERROR with stl_load_errors, compressed server files and globs, atomic loads.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type LocalCluster } from './local-cluster.ts';

const run = promisify(execFile);

describe('COPY', () => {
  let cluster: LocalCluster;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'colonnade-copy-'));
    cluster = await startCluster({ nodes: 2, slices: 1 });
    const c = await cluster.client();
    await c.query('CREATE TABLE items (id int NOT NULL, name varchar(8), price numeric(10,2), added date) DISTKEY(id)');
    await c.end();
  }, 120_000);

  afterAll(async () => {
    await cluster?.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('loads and unloads with pg-copy-streams', async () => {
    const c = await cluster.client();
    const lines = Array.from({ length: 5000 }, (_x, i) => `${i}|item ${i % 100}|${(i * 0.25).toFixed(2)}|2024-01-${String((i % 28) + 1).padStart(2, '0')}|\n`);
    await pipeline(Readable.from(lines), c.query(copyFrom("COPY items FROM STDIN WITH (FORMAT text, DELIMITER '|')")));
    const r = await c.query('SELECT count(*)::int AS n, sum(price) AS total FROM items');
    expect(r.rows[0]).toEqual({ n: 5000, total: '3124375.00' });
    const chunks: Buffer[] = [];
    await pipeline(c.query(copyTo('COPY (SELECT id, name FROM items WHERE id < 3 ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER)')),
      new Writable({ write(chunk: Buffer, _e, cb) { chunks.push(chunk); cb(); } }));
    expect(Buffer.concat(chunks).toString()).toBe('id,name\n0,item 0\n1,item 1\n2,item 2\n');
    await c.query('TRUNCATE items').catch(() => undefined);
    await c.end();
  });

  it('loads and unloads with psql \\copy', async () => {
    const file = join(dir, 'in.csv');
    await writeFile(file, 'id,name,price,added\n9001,"a, b",1.50,2024-02-01\n9002,,\\N,2024-02-02\n');
    const out = join(dir, 'out.txt');
    const script = join(dir, 'copy.sql');
    await writeFile(script, [
      `\\copy items from '${file}' with (format csv, header true, null '\\N')`,
      `\\copy (select id, name, price from items where id > 9000 order by id) to '${out}'`,
    ].join('\n'));
    const { stdout } = await run('psql', ['-X', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(cluster.port), '-U', 'colonnade', '-d', 'dev', '-f', script]);
    expect(stdout).toContain('COPY 2');
    expect(await readFile(out, 'utf8')).toBe('9001\ta, b\t1.50\n9002\t\t\\N\n');
  });

  it('skips bad rows under MAXERROR, records them, and keeps loads atomic', async () => {
    const c = await cluster.client();
    const notices: string[] = [];
    c.on('notice', (n) => notices.push(n.message ?? ''));
    const file = join(dir, 'bad.tbl.gz');
    await writeFile(file, gzipSync('7001|ok|1.00|2024-03-01|\n7002|ok|oops|2024-03-01|\n7003|way too long|1.00|2024-03-01|\n7004|ok|2.00|2024-03-01|\n'));
    await expect(c.query(`COPY items FROM '${file}' DELIMITER '|' GZIP`)).rejects.toMatchObject({ code: '22P02' });
    expect((await c.query('SELECT count(*)::int AS n FROM items WHERE id BETWEEN 7000 AND 7999')).rows[0].n).toBe(0);
    const res = await c.query(`COPY items FROM '${join(dir, 'bad.*.gz')}' DELIMITER '|' GZIP MAXERROR 5`);
    expect(res.rowCount).toBe(2);
    expect(notices.join('\n')).toMatch(/2 record\(s\) could not be loaded/);
    const errs = await c.query('SELECT line_number::int AS line, colname, sqlstate FROM stl_load_errors ORDER BY line_number');
    expect(errs.rows).toEqual([{ line: 2, colname: 'price', sqlstate: '22P02' }, { line: 3, colname: 'name', sqlstate: '22001' }]);
    expect((await c.query('SELECT pg_last_copy_count()::int AS n')).rows[0].n).toBe(2);
    await c.end();
  });

  it('UNLOADs a query to one file per slice, or one file with PARALLEL OFF', async () => {
    const c = await cluster.client();
    const prefix = join(dir, 'unload', 'items_');
    await c.query(`UNLOAD ('SELECT id, name FROM items WHERE id BETWEEN 9001 AND 9002 ORDER BY id') TO '${prefix}' FORMAT CSV HEADER`);
    const parts = [0, 1].map((i) => join(dir, 'unload', `items_${String(i).padStart(4, '0')}_part_00`));
    const texts = await Promise.all(parts.map((p) => readFile(p, 'utf8')));
    expect(texts).toEqual(['id,name\n9001,"a, b"\n', 'id,name\n9002,""\n']);
    await c.query(`UNLOAD ('SELECT id FROM items WHERE id = 9001') TO '${prefix}' PARALLEL OFF IAM_ROLE 'arn:aws:iam::0:role/x'`);
    expect(await readFile(`${prefix}000`, 'utf8')).toBe('9001\n');
    await expect(c.query(`UNLOAD ('SELECT 1') TO '${prefix}' PARALLEL OFF`)).rejects.toMatchObject({ code: '58P02' });
    await c.end();
  });
});
