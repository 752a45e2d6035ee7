// Parallel COPY on a 2-node × 2-slice cluster: inputs big enough to be cut into several chunks and
// parsed on both nodes give exactly PostgreSQL's rows (PGlite), rows land on the slices their
// DISTKEY hashes to (whichever node parsed them), ALL tables hold a full copy per node, omitted
// columns take their defaults, NOLOAD stores nothing, and MAXERROR holds across nodes.
import { PGlite } from '@electric-sql/pglite';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sliceForKey } from '../../compute/exchange/distribution-hash.ts';
import { startCluster, type LocalCluster } from './local-cluster.ts';

const COLUMNS = 'id int NOT NULL, grp varchar(20), amount numeric(12,2), note text, day date, ts timestamp';
const ROWS = 120_000;

/** CSV with a header; notes hold commas, quotes, line breaks and multi-byte text; some NULLs. */
function csvInput(): string {
  const out = ['id,grp,amount,note,day,ts'];
  for (let i = 0; i < ROWS; i++) {
    const note = i % 97 === 0 ? '' : i % 13 === 0 ? `"line one\nline ""two"", ${i}"` : i % 7 === 0 ? `"é, ü ${i}"` : `plain note ${i}`;
    const amount = i % 11 === 0 ? '' : (((i * 7919) % 100000) / 100).toFixed(2);
    const day = `20${String(10 + (i % 15)).padStart(2, '0')}-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`;
    out.push(`${i},grp${i % 37},${amount},${note},${day},${day} ${String(i % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:07`);
  }
  return out.join('\n') + '\n';
}

describe('parallel COPY', () => {
  let cluster: LocalCluster;
  let db: PGlite;
  let dir: string;
  let input: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'colonnade-copy-par-'));
    cluster = await startCluster({ nodes: 2, slices: 2 });
    db = await PGlite.create();
    input = csvInput();
    await writeFile(join(dir, 'rows.csv'), input);
    await db.query(`CREATE TABLE rows (${COLUMNS})`);
    await db.query("COPY rows FROM '/dev/blob' WITH (FORMAT csv, HEADER)", [], { blob: new Blob([input]) });
  }, 180_000);

  afterAll(async () => {
    await cluster?.destroy();
    await db?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const all = 'SELECT id, grp, amount::text AS amount, note, day::text AS day, ts::text AS ts FROM rows ORDER BY id';

  for (const [style, ddl] of [['KEY', 'DISTKEY(id) SORTKEY(day)'], ['EVEN', 'DISTSTYLE EVEN'], ['ALL', 'DISTSTYLE ALL']] as const) {
    it(`loads a multi-chunk CSV into a DISTSTYLE ${style} table exactly as PostgreSQL does`, async () => {
      const c = await cluster.client();
      await c.query(`CREATE SCHEMA s_${style.toLowerCase()}`);
      await c.query(`SET search_path = s_${style.toLowerCase()}`);
      await c.query(`CREATE TABLE rows (${COLUMNS}) ${ddl}`);
      const r = await c.query(`COPY rows FROM '${join(dir, 'rows.csv')}' WITH (FORMAT csv, HEADER)`);
      expect(r.rowCount).toBe(ROWS);
      const ours = (await c.query(all)).rows;
      const theirs = (await db.query(all)).rows;
      expect(ours.length).toBe(ROWS);
      expect(ours).toEqual(theirs);
      // Where the rows are: per slice, from the block list of column 0.
      const oid = (await c.query(`SELECT table_id::int AS oid FROM svv_table_info WHERE "table" = 'rows' AND "schema" = 's_${style.toLowerCase()}'`)).rows[0].oid as number;
      const perSlice = new Map((await c.query('SELECT slice, sum(num_values)::int AS n FROM stv_blocklist WHERE tbl = $1 AND col = 0 GROUP BY slice', [oid])).rows
        .map((x) => [x.slice as number, x.n as number]));
      if (style === 'KEY') {
        const expected = new Map<number, number>();
        for (let i = 0; i < ROWS; i++) { const s = sliceForKey(i, 4); expected.set(s, (expected.get(s) ?? 0) + 1); }
        expect(perSlice).toEqual(expected);
      } else if (style === 'ALL') {
        // A full copy on each node's first slice.
        expect([...perSlice.values()]).toEqual([ROWS, ROWS]);
      } else {
        expect([...perSlice.values()].reduce((a, b) => a + b, 0)).toBe(ROWS);
        expect(perSlice.size).toBeGreaterThanOrEqual(2);
      }
      await c.end();
    }, 120_000);
  }

  it('fills omitted columns with their defaults and rejects a NOT NULL column left empty', async () => {
    const c = await cluster.client();
    await c.query("CREATE TABLE dflt (id int, note text, created date DEFAULT '2024-05-06', flag bool NOT NULL DEFAULT true, n int NOT NULL) DISTKEY(id)");
    await expect(pipeline(Readable.from(['1\ta\n']), c.query(copyFrom('COPY dflt (id, note) FROM STDIN')))).rejects.toMatchObject({ code: '23502' });
    await pipeline(Readable.from(['1\ta\t10\n2\t\\N\t20\n']), c.query(copyFrom('COPY dflt (id, note, n) FROM STDIN')));
    expect((await c.query('SELECT id, note, created::text AS created, flag, n FROM dflt ORDER BY id')).rows).toEqual([
      { id: 1, note: 'a', created: '2024-05-06', flag: true, n: 10 },
      { id: 2, note: null, created: '2024-05-06', flag: true, n: 20 },
    ]);
    await c.end();
  });

  it('lands two loads into one table that run at the same time, and readers see neither until each commits', async () => {
    const a = await cluster.client();
    const b = await cluster.client();
    const r = await cluster.client();
    await a.query('CREATE TABLE twice (id int, src text) DISTKEY(id)');
    const rowsOf = (src: string, from: number): string[] => Array.from({ length: 30_000 }, (_x, i) => `${from + i}\t${src}\n`);
    // Open a transaction on one load so it stays prepared while the other commits.
    await a.query('BEGIN');
    await Promise.all([
      pipeline(Readable.from(rowsOf('a', 0)), a.query(copyFrom('COPY twice FROM STDIN'))),
      pipeline(Readable.from(rowsOf('b', 100_000)), b.query(copyFrom('COPY twice FROM STDIN'))),
    ]);
    const count = async (): Promise<Record<string, number>> => Object.fromEntries((await r.query('SELECT src, count(*)::int AS n FROM twice GROUP BY src')).rows.map((x) => [x.src as string, x.n as number]));
    expect(await count()).toEqual({ b: 30_000 });
    await a.query('COMMIT');
    expect(await count()).toEqual({ a: 30_000, b: 30_000 });
    for (const c of [a, b, r]) await c.end();
  });

  it('checks without loading under NOLOAD', async () => {
    const c = await cluster.client();
    const notices: string[] = [];
    c.on('notice', (n) => notices.push(n.message ?? ''));
    await c.query('CREATE TABLE nl (id int, grp varchar(20), amount numeric(12,2), note text, day date, ts timestamp)');
    const r = await c.query(`COPY nl FROM '${join(dir, 'rows.csv')}' CSV IGNOREHEADER 1 NOLOAD`);
    expect(r.rowCount).toBe(0);
    expect(notices.join('\n')).toContain(`NOLOAD: ${ROWS} record(s) checked`);
    expect((await c.query('SELECT count(*)::int AS n FROM nl')).rows[0].n).toBe(0);
    await writeFile(join(dir, 'bad.csv'), '1,x,notanumber,,2024-01-01,2024-01-01 00:00:00\n');
    await expect(c.query(`COPY nl FROM '${join(dir, 'bad.csv')}' CSV NOLOAD`)).rejects.toMatchObject({ code: '22P02' });
    await c.end();
  });

  it('counts MAXERROR over all nodes, not per node', async () => {
    const c = await cluster.client();
    await c.query('CREATE TABLE me (id int, v int) DISTKEY(id)');
    // ~12 MB: several chunks, so both nodes parse some; one bad row every 20,000 lines.
    const lines: string[] = [];
    for (let i = 0; i < 1_000_000; i++) lines.push(i % 20_000 === 5 ? `${i}|bad\n` : `${i}|${i}\n`);
    const file = join(dir, 'me.txt');
    await writeFile(file, lines.join(''));
    const bad = lines.filter((l) => l.endsWith('bad\n')).length;
    expect(bad).toBe(50);
    await expect(c.query(`COPY me FROM '${file}' DELIMITER '|' MAXERROR ${bad - 1}`)).rejects.toMatchObject({ code: '22P02' });
    expect((await c.query('SELECT count(*)::int AS n FROM me')).rows[0].n).toBe(0);
    const ok = await c.query(`COPY me FROM '${file}' DELIMITER '|' MAXERROR ${bad}`);
    expect(ok.rowCount).toBe(1_000_000 - bad);
    const errs = (await c.query('SELECT line_number::int AS line FROM stl_load_errors WHERE query = (SELECT max(query) FROM stl_load_errors) ORDER BY 1')).rows.map((r) => r.line as number);
    expect(errs).toEqual(Array.from({ length: bad }, (_v, k) => k * 20_000 + 6));
    await c.end();
  }, 120_000);

  it('refreshes statistics after the first load (STATUPDATE) and on ANALYZE', async () => {
    const c = await cluster.client();
    await c.query('CREATE TABLE st (id int, grp varchar(10), v numeric(10,2), d date) DISTKEY(id)');
    const lines = Array.from({ length: 20_000 }, (_x, i) => `${i}|${i % 3 === 0 ? '\\N' : `g${i % 50}`}|${(i % 1000) / 4}|2024-01-${String((i % 28) + 1).padStart(2, '0')}\n`);
    await pipeline(Readable.from(lines), c.query(copyFrom("COPY st FROM STDIN WITH (DELIMITER '|')")));
    const stats = async (): Promise<Record<string, unknown>[]> => (await c.query(
      "SELECT attname, null_frac, avg_width, n_distinct, histogram_bounds FROM pg_stats WHERE tablename = 'st' ORDER BY attname")).rows;
    const first = await stats();
    expect(first.map((r) => r.attname)).toEqual(['d', 'grp', 'id', 'v']);
    const by = new Map(first.map((r) => [r.attname as string, r]));
    expect(by.get('grp')).toMatchObject({ null_frac: expect.closeTo(6667 / 20000, 5), avg_width: 3, histogram_bounds: '{g0,g9}' });
    expect(by.get('grp')!.n_distinct).toBe(50);
    expect(by.get('id')!.n_distinct).toBe(-1);
    expect(by.get('d')).toMatchObject({ n_distinct: 28, histogram_bounds: '{2024-01-01,2024-01-28}', avg_width: 4 });
    expect(by.get('v')!.histogram_bounds).toBe('{0.00,249.75}');
    const off = async (): Promise<number> => Number((await c.query(`SELECT stats_off FROM svv_table_info WHERE "table" = 'st'`)).rows[0].stats_off);
    expect(await off()).toBe(0);
    // A second load into a table with rows leaves the statistics alone unless asked.
    await pipeline(Readable.from(lines.map((l) => l.replace(/^(\d+)/, (m) => String(Number(m) + 20_000)))), c.query(copyFrom("COPY st FROM STDIN WITH (DELIMITER '|')")));
    expect(await off()).toBe(50);
    await c.query('ANALYZE st');
    expect(await off()).toBe(0);
    expect((await stats()).find((r) => r.attname === 'd')!.n_distinct).toBe(28);
    // STATUPDATE OFF on an empty table: no statistics.
    await c.query('CREATE TABLE st2 (id int)');
    await pipeline(Readable.from(['1\n2\n']), c.query(copyFrom('COPY st2 FROM STDIN STATUPDATE OFF')));
    expect((await c.query("SELECT count(*)::int AS n FROM pg_stats WHERE tablename = 'st2'")).rows[0].n).toBe(0);
    await c.end();
  });

  it('applies COMPUPDATE ON and PRESET to the first load into an empty table', async () => {
    const c = await cluster.client();
    const encodings = async (table: string): Promise<Record<string, string>> => {
      const oid = (await c.query(`SELECT table_id::int AS oid FROM svv_table_info WHERE "table" = '${table}'`)).rows[0].oid as number;
      const rows = (await c.query('SELECT DISTINCT column_name, encoding FROM stv_blocklist WHERE tbl = $1 ORDER BY 1', [oid])).rows;
      return Object.fromEntries(rows.map((r) => [r.column_name as string, r.encoding as string]));
    };
    const data = Array.from({ length: 5000 }, (_x, i) => `${i % 10}|same text ${i % 4}\n`);
    for (const mode of ['OFF', 'ON', 'PRESET']) {
      await c.query(`CREATE TABLE cu_${mode} (n int ENCODE raw, t varchar(20) ENCODE raw)`);
      await pipeline(Readable.from(data), c.query(copyFrom(`COPY cu_${mode} FROM STDIN DELIMITER '|' COMPUPDATE ${mode}`)));
    }
    expect(await encodings('cu_off')).toEqual({ n: 'raw', t: 'raw' });
    const on = await encodings('cu_on');
    expect(on.n).not.toBe('raw');
    expect(on.t).not.toBe('raw');
    // PRESET: AZ64 (frame of reference) for integers, LZO (here raw + LZ4) for text.
    expect(await encodings('cu_preset')).toEqual({ n: 'for', t: 'raw+lz4' });
    await c.end();
  });
});
