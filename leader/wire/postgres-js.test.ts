// postgres.js against the wire server: its pg_type probe, named statements with Describe+Flush, cancel.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './test-support/test-server.ts';

let t: TestServer;
let sql: postgres.Sql;

beforeAll(async () => {
  t = await startTestServer();
  sql = postgres({ host: '127.0.0.1', port: t.port, user: 'tester', database: 'db', max: 1, onnotice: () => undefined });
});
afterAll(async () => {
  await sql.end({ timeout: 1 });
  await t.server.close();
});

describe('postgres.js', () => {
  it('connects (answering its pg_type array probe) and runs prepared queries', async () => {
    expect(await sql`select 1 as x`).toEqual([{ x: 1 }]);
    const [row] = await sql`select ${41}::int + 1 as y`;
    expect(row).toEqual({ y: 42 });
    // Reuses the named statement postgres.js prepared for the same text.
    for (let i = 0; i < 3; i++) expect((await sql`select ${i}::int + 1 as y`)[0]).toEqual({ y: i + 1 });
  });

  it('round-trips typed values through text', async () => {
    const [r] = await sql`select ${'2020-01-02 03:04:05.123+00'}::timestamptz as ts, ${'-1.50'}::numeric as n, ${true}::bool as b, ${'9007199254740993'}::int8 as big`;
    expect((r!.ts as Date).toISOString()).toBe('2020-01-02T03:04:05.123Z');
    expect(r).toMatchObject({ n: '-1.50', b: true, big: '9007199254740993' });
  });

  it('reports errors and stays usable; transactions via sql.begin', async () => {
    await expect(sql`select nosuch`).rejects.toMatchObject({ code: '42703', position: '8' });
    await expect(sql.begin(async (tx) => {
      await tx`select 1 as x`;
      await tx`select nosuch`;
    })).rejects.toMatchObject({ code: '42703' });
    const res = await sql.begin(async (tx) => (await tx`select 5 as x`)[0]);
    expect(res).toEqual({ x: 5 });
  });

  it('runs multi-statement simple queries with unsafe().simple()', async () => {
    // postgres.js types a multi-statement result as one RowList; at run time it is one per statement.
    const results = (await sql.unsafe('select 1 as a; select 2 as b').simple()) as unknown as Array<Array<Record<string, unknown>>>;
    expect(results.map((r) => [...r])).toEqual([[{ a: 1 }], [{ b: 2 }]]);
  });

  it('cancels a running query', async () => {
    const q = sql`select pg_sleep(10)`;
    const outcome = q.then(() => null, (e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    q.cancel();
    expect(await outcome).toMatchObject({ code: '57014' });
    expect(await sql`select 6 as x`).toEqual([{ x: 6 }]);
  });
});
