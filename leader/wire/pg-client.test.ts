// node-postgres against the wire server: simple and extended protocol, text and binary, errors, cancel.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StartupCode } from './message-codes.ts';
import { cancelKeyOf } from './test-support/pg-internals.ts';
import { RawClient, startupPacket } from './test-support/raw-client.ts';
import { startTestServer, waitFor, type TestServer } from './test-support/test-server.ts';

let t: TestServer;

function client(extra: Partial<pg.ClientConfig> = {}): pg.Client {
  return new pg.Client({ host: '127.0.0.1', port: t.port, user: 'tester', database: 'db', ...extra });
}

async function withClient<R>(fn: (c: pg.Client) => Promise<R>): Promise<R> {
  const c = client();
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

beforeAll(async () => { t = await startTestServer(); });
afterAll(async () => { await t.server.close(); });

describe('node-postgres', () => {
  it('runs simple and parameterised queries', async () => {
    await withClient(async (c) => {
      expect((await c.query('select 1 as x')).rows).toEqual([{ x: 1 }]);
      const r = await c.query('select $1::int + 1 as y', [41]);
      expect(r.rows).toEqual([{ y: 42 }]);
      expect(r.fields[0]!.dataTypeID).toBe(23);
      expect(r.command).toBe('SELECT');
      expect(r.rowCount).toBe(1);
      const typed = await c.query(
        'select $1::int8 as a, $2::numeric as b, $3::bool as c, $4::date as d, $5::timestamptz as e, $6::interval as f, $7::float8 as g, $8::text as h',
        ['9007199254740993', '-12345.678900', true, '1999-12-31', '2020-01-02 03:04:05.123456+00', '1 year 2 mons 3 days 04:05:06.5', 0.1, 'héllo'],
      );
      expect(typed.rows[0]).toMatchObject({ a: '9007199254740993', b: '-12345.678900', c: true, f: { years: 1, months: 2, days: 3, hours: 4, minutes: 5, seconds: 6, milliseconds: 500 }, g: 0.1, h: 'héllo' });
      expect((typed.rows[0] as { e: Date }).e.toISOString()).toBe('2020-01-02T03:04:05.123Z');
      const nulls = await c.query('select $1::int as n', [null]);
      expect(nulls.rows).toEqual([{ n: null }]);
    });
  });

  it('streams many rows and several statements per simple query', async () => {
    await withClient(async (c) => {
      const r = await c.query('select * from generate_series(1, 20000)');
      expect(r.rows.length).toBe(20000);
      expect(r.rows[19999]).toEqual({ generate_series: 20000 });
      const multi = (await c.query('select 1 as a; select 2 as b')) as unknown as pg.QueryResult[];
      expect(multi.map((m) => m.rows)).toEqual([[{ a: 1 }], [{ b: 2 }]]);
    });
  });

  it('returns binary results and accepts binary parameters', async () => {
    // Binary DataRow values need the connection-level `binary` option (it switches pg's parser to bytes).
    // @types/pg omits the `binary` option that pg reads from the client and query configs.
    const binaryConfig: Partial<pg.ClientConfig> & { binary: boolean } = { binary: true };
    const c = client(binaryConfig);
    await c.connect();
    try {
      // pg-protocol decodes every DataRow value as UTF-8 text before pg-types sees it, so only values
      // whose binary bytes are valid UTF-8 survive (pglite-compat.test.ts checks all bytes against PostgreSQL).
      const query: pg.QueryConfig & { binary: boolean } = {
        text: 'select $1::int2 as a, $2::int4 as b, $3::int8 as c, $4::float4 as d, $5::float8 as e, $6::bool as f, $7::text as g, $8::oid as h',
        values: ['7', '258', '1', '2', '2.5', 't', 'ünï', '127'],
        binary: true,
      };
      const r = await c.query(query);
      expect(r.fields.map((f) => f.format)).toEqual(Array(8).fill('binary'));
      expect(r.rows[0]).toEqual({ a: 7, b: 258, c: '1', d: 2, e: 2.5, f: true, g: 'ünï', h: 127 });
      // node-postgres sends Buffer values in binary format.
      const b = await c.query('select $1::int4 + 1 as v', [Buffer.from([0, 0, 1, 0])]);
      expect(b.rows).toEqual([{ v: 257 }]);
      await expect(c.query('select $1::int4 as v', [Buffer.from([0, 1])])).rejects.toMatchObject({ code: '22P03' });
    } finally {
      await c.end();
    }
  });

  it('reuses a named prepared statement', async () => {
    await withClient(async (c) => {
      for (let i = 0; i < 5; i++) {
        const r = await c.query({ name: 'add-one', text: 'select $1::int + 1 as y', values: [i] });
        expect(r.rows).toEqual([{ y: i + 1 }]);
      }
    });
  });

  it('reports errors with their fields and keeps the connection usable', async () => {
    await withClient(async (c) => {
      await expect(c.query('select 1, nosuch')).rejects.toMatchObject({ code: '42703', position: '11', severity: 'ERROR', message: 'column "nosuch" does not exist' });
      await expect(c.query('selec 1')).rejects.toMatchObject({ code: '42601', position: '1' });
      await expect(c.query('select 1/0 as x', [])).rejects.toMatchObject({ code: '22012' });
      await expect(c.query('select $1::int as v', ['abc'])).rejects.toMatchObject({ code: '22P02' });
      await expect(c.query('select crash()')).rejects.toMatchObject({ code: 'XX000' });
      expect((await c.query('select 2 as ok')).rows).toEqual([{ ok: 2 }]);
    });
  });

  it('tracks transaction state: BEGIN, failed block 25P02, ROLLBACK', async () => {
    await withClient(async (c) => {
      await c.query('BEGIN');
      await expect(c.query('select nosuch')).rejects.toMatchObject({ code: '42703' });
      await expect(c.query('select 1')).rejects.toMatchObject({ code: '25P02' });
      await c.query('ROLLBACK');
      expect((await c.query('select 3 as x')).rows).toEqual([{ x: 3 }]);
    });
  });

  it('delivers notices and handles empty queries', async () => {
    await withClient(async (c) => {
      const notices: string[] = [];
      c.on('notice', (n) => notices.push(n.message ?? ''));
      await c.query("SET notice = 'heads up'");
      expect(notices).toEqual(['heads up']);
      const empty = await c.query('');
      expect(empty.rows).toEqual([]);
    });
  });

  it('cancels a running statement with its BackendKeyData (57014)', async () => {
    await withClient(async (c) => {
      const running = c.query('select pg_sleep(10)').then(() => null, (e: unknown) => e);
      const key = cancelKeyOf(c);
      await new Promise((r) => setTimeout(r, 100));
      const started = Date.now();
      const raw = await RawClient.connect(t.port);
      raw.send(startupPacket(StartupCode.CancelRequest, key.processId, key.secretKey));
      await raw.waitClosed();
      expect(await running).toMatchObject({ code: '57014', message: 'canceling statement due to user request' });
      expect(Date.now() - started).toBeLessThan(2_000);
      expect((await c.query('select 4 as x')).rows).toEqual([{ x: 4 }]);
    });
  });

  it('ignores a cancel with the wrong secret key', async () => {
    await withClient(async (c) => {
      const key = cancelKeyOf(c);
      const running = c.query('select pg_sleep(0.3)');
      const raw = await RawClient.connect(t.port);
      raw.send(startupPacket(StartupCode.CancelRequest, key.processId, key.secretKey ^ 1));
      await raw.waitClosed();
      await expect(running).resolves.toMatchObject({ rowCount: 1 });
    });
  });

  it('closes the session on disconnect and fails session creation with FATAL', async () => {
    const closedBefore = t.stats.sessionsClosed;
    const c = client();
    await c.connect();
    await c.query('select 1');
    await c.end();
    await waitFor(() => t.stats.sessionsClosed === closedBefore + 1);
    const bad = client({ database: 'nope' });
    await expect(bad.connect()).rejects.toMatchObject({ code: '3D000', severity: 'FATAL' });
    expect(t.stats.lastStart?.parameters).toMatchObject({ client_encoding: 'UTF8' });
  });
});
