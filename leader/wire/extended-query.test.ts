// The extended protocol byte by byte: statements and portals, Describe, row limits, errors skipping to Sync.
import { serialize } from 'pg-protocol';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RawClient, errorFields, type BackendMessage } from './test-support/raw-client.ts';
import { startTestServer, type TestServer } from './test-support/test-server.ts';

let t: TestServer;
let raw: RawClient;

const codes = (ms: BackendMessage[]): string => ms.map((m) => m.code).join('');
const status = (ms: BackendMessage[]): string => String.fromCharCode(ms.at(-1)!.body[0]!);

beforeAll(async () => { t = await startTestServer(); });
afterAll(async () => { await t.server.close(); });
beforeEach(async () => {
  raw?.close();
  raw = await RawClient.connect(t.port);
  await raw.startup();
});

describe('extended query protocol', () => {
  it('answers Describe + Flush before Bind, as postgres.js needs', async () => {
    raw.send(Buffer.concat([
      serialize.parse({ name: 's1', text: 'select $1::int + 1 as y', types: [0] }),
      serialize.describe({ type: 'S', name: 's1' }),
      serialize.flush(),
    ]));
    const first = [await raw.next(), await raw.next(), await raw.next()] as BackendMessage[];
    expect(codes(first)).toBe('1tT');
    expect(first[1]!.body.readInt16BE(0)).toBe(1);
    expect(first[1]!.body.readInt32BE(2)).toBe(23);
    raw.send(Buffer.concat([serialize.bind({ statement: 's1', values: ['41'] }), serialize.execute({}), serialize.sync()]));
    const rest = await raw.until('Z');
    expect(codes(rest)).toBe('2DCZ');
    expect(rest[1]!.body.subarray(6).toString()).toBe('42');
  });

  it('reuses a named statement; a second Parse of the name is 42P05 and skips to Sync', async () => {
    raw.send(Buffer.concat([
      serialize.parse({ name: 'n', text: 'select 1 as x' }),
      serialize.bind({ statement: 'n' }), serialize.execute({}),
      serialize.bind({ statement: 'n' }), serialize.execute({}),
      serialize.sync(),
    ]));
    expect(codes(await raw.until('Z'))).toBe('12DC2DCZ');
    raw.send(Buffer.concat([
      serialize.parse({ name: 'n', text: 'select 2 as x' }),
      serialize.bind({ statement: 'n' }), serialize.execute({}),
      serialize.sync(),
    ]));
    const err = await raw.until('Z');
    expect(codes(err)).toBe('EZ');
    expect(errorFields(err[0]!.body)).toMatchObject({ C: '42P05', S: 'ERROR', M: 'prepared statement "n" already exists' });
    expect(t.stats.implicitEnds.at(-1)).toBe(false);
    // Close, then the name is free again; a Bind to a closed statement is 26000.
    raw.send(Buffer.concat([serialize.close({ type: 'S', name: 'n' }), serialize.sync()]));
    expect(codes(await raw.until('Z'))).toBe('3Z');
    raw.send(Buffer.concat([serialize.bind({ statement: 'n' }), serialize.sync()]));
    expect(errorFields((await raw.until('Z'))[0]!.body).C).toBe('26000');
    raw.send(Buffer.concat([serialize.parse({ name: 'n', text: 'select 2 as x' }), serialize.sync()]));
    expect(codes(await raw.until('Z'))).toBe('1Z');
  });

  it('Execute with a row limit suspends and resumes the portal', async () => {
    raw.send(Buffer.concat([
      serialize.parse({ text: 'select * from generate_series(1, 5)' }),
      serialize.bind({ portal: 'p' }),
      serialize.execute({ portal: 'p', rows: 2 }),
      serialize.execute({ portal: 'p', rows: 2 }),
      serialize.execute({ portal: 'p', rows: 2 }),
      serialize.sync(),
    ]));
    const ms = await raw.until('Z');
    expect(codes(ms)).toBe('12DDsDDsDCZ');
    expect(ms.find((m) => m.code === 'C')!.body.toString()).toBe('SELECT 5\0');
  });

  it('Describe of a portal reports its result formats; NoData for statements without rows', async () => {
    raw.send(Buffer.concat([
      serialize.parse({ text: 'select $1::int8 as a, $2::text as b' }),
      serialize.bind({ values: ['5', 'x'], binary: true }),
      serialize.describe({ type: 'P', name: '' }),
      serialize.execute({}),
      serialize.parse({ name: 'b', text: 'BEGIN' }),
      serialize.describe({ type: 'S', name: 'b' }),
      serialize.sync(),
    ]));
    const ms = await raw.until('Z');
    expect(codes(ms)).toBe('12TDC1tnZ');
    const rd = ms[2]!.body;
    // Format code is the last Int16 of each field description.
    const nameEnd = rd.indexOf(0, 2);
    expect(rd.readInt16BE(nameEnd + 1 + 16)).toBe(1);
    const row = ms[3]!.body;
    expect(row.readInt32BE(2)).toBe(8);
    expect(row.readBigInt64BE(6)).toBe(5n);
  });

  it('per-column result formats: text for one column, binary for the other', async () => {
    raw.send(Buffer.concat([
      serialize.parse({ text: 'select $1::int4 as a, $2::int4 as b' }),
      // Bind by hand: no parameter formats, two text values, result formats [0, 1].
      Buffer.from([0x42, 0, 0, 0, 26, 0, 0, 0, 0, 0, 2, 0, 0, 0, 1, 0x37, 0, 0, 0, 1, 0x38, 0, 2, 0, 0, 0, 1]),
      serialize.execute({}),
      serialize.sync(),
    ]));
    const ms = await raw.until('Z');
    expect(codes(ms)).toBe('12DCZ');
    const row = ms[2]!.body;
    expect(row.readInt32BE(2)).toBe(1);
    expect(row.toString('latin1', 6, 7)).toBe('7');
    expect(row.readInt32BE(7)).toBe(4);
    expect(row.readInt32BE(11)).toBe(8);
    raw.send(Buffer.concat([
      serialize.parse({ text: 'select 1 as a' }),
      Buffer.from([0x42, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 1]), // 2 result formats for 1 column
      serialize.sync(),
    ]));
    const bad = await raw.until('Z');
    expect(errorFields(bad[1]!.body)).toMatchObject({ C: '08P01', M: 'bind message has 2 result formats but 1 columns' });
  });

  it('an error skips every message until Sync, then ReadyForQuery; the connection continues', async () => {
    raw.send(Buffer.concat([
      serialize.parse({ text: 'select nosuch' }),
      serialize.bind({}), serialize.execute({}),
      serialize.parse({ text: 'select 1' }), serialize.bind({}), serialize.execute({}),
      serialize.sync(),
      serialize.parse({ text: 'select 1 as x' }), serialize.bind({}), serialize.execute({}),
      serialize.sync(),
    ]));
    const ms = [...await raw.until('Z'), ...await raw.until('Z')];
    expect(codes(ms)).toBe('EZ12DCZ');
    expect(errorFields(ms[0]!.body)).toMatchObject({ C: '42703', P: '8' });
  });

  it('a wrong parameter count is an ERROR, not FATAL; a missing portal is 34000', async () => {
    raw.send(Buffer.concat([
      serialize.parse({ text: 'select $1::int as v' }),
      serialize.bind({ values: [] }),
      serialize.sync(),
      serialize.execute({ portal: 'nope' }),
      serialize.sync(),
    ]));
    const ms = [...await raw.until('Z'), ...await raw.until('Z')];
    expect(codes(ms)).toBe('1EZEZ');
    expect(errorFields(ms[1]!.body)).toMatchObject({ C: '08P01', S: 'ERROR', M: 'bind message supplies 0 parameters, but unnamed prepared statement requires 1' });
    expect(errorFields(ms[3]!.body).C).toBe('34000');
  });

  it('empty query string: EmptyQueryResponse in both protocols', async () => {
    raw.send(Buffer.concat([serialize.parse({ text: '' }), serialize.bind({}), serialize.execute({}), serialize.sync()]));
    expect(codes(await raw.until('Z'))).toBe('12IZ');
    raw.send(serialize.query('  -- just a comment'));
    expect(codes(await raw.until('Z'))).toBe('IZ');
  });

  it('ParameterStatus after SET arrives after CommandComplete, before ReadyForQuery', async () => {
    raw.send(Buffer.concat([
      serialize.parse({ text: "SET application_name = 'pgjdbc'" }), serialize.bind({}), serialize.execute({ rows: 1 }), serialize.sync(),
    ]));
    const ms = await raw.until('Z');
    expect(codes(ms)).toBe('12CSZ');
    expect(ms[3]!.body.toString()).toBe('application_name\0pgjdbc\0');
  });

  it('simple query: several statements, the first error ends the message', async () => {
    raw.send(serialize.query('select 1 as a; select 1/0; select 2 as b'));
    const ms = await raw.until('Z');
    expect(codes(ms)).toBe('TDCTEZ');
    expect(errorFields(ms[4]!.body)).toMatchObject({ C: '22012' });
    expect(t.stats.implicitEnds.at(-1)).toBe(false);
  });

  it('transaction status bytes follow BEGIN, a failure, and ROLLBACK', async () => {
    raw.send(serialize.query('BEGIN'));
    expect(status(await raw.until('Z'))).toBe('T');
    raw.send(Buffer.concat([serialize.parse({ text: 'select nosuch' }), serialize.sync()]));
    expect(status(await raw.until('Z'))).toBe('E');
    raw.send(serialize.query('select 1'));
    const blocked = await raw.until('Z');
    expect(errorFields(blocked[0]!.body).C).toBe('25P02');
    raw.send(serialize.query('ROLLBACK'));
    expect(status(await raw.until('Z'))).toBe('I');
  });

  it('portals survive Sync inside a transaction block and are dropped at its end', async () => {
    raw.send(Buffer.concat([
      serialize.query('BEGIN'),
    ]));
    await raw.until('Z');
    raw.send(Buffer.concat([
      serialize.parse({ text: 'select * from generate_series(1, 3)' }),
      serialize.bind({ portal: 'c' }), serialize.execute({ portal: 'c', rows: 1 }), serialize.sync(),
    ]));
    expect(codes(await raw.until('Z'))).toBe('12DsZ');
    raw.send(Buffer.concat([serialize.execute({ portal: 'c', rows: 1 }), serialize.sync()]));
    expect(codes(await raw.until('Z'))).toBe('DsZ');
    raw.send(serialize.query('COMMIT'));
    await raw.until('Z');
    raw.send(Buffer.concat([serialize.execute({ portal: 'c' }), serialize.sync()]));
    expect(errorFields((await raw.until('Z'))[0]!.body).C).toBe('34000');
  });

  it('FunctionCall is refused and stray COPY messages are dropped', async () => {
    raw.send(Buffer.from([0x46, 0, 0, 0, 4]));
    const fc = await raw.until('Z');
    expect(errorFields(fc[0]!.body).C).toBe('0A000');
    raw.send(Buffer.concat([Buffer.from([0x64, 0, 0, 0, 6, 0x61, 0x0a]), Buffer.from([0x63, 0, 0, 0, 4]), serialize.query('select 1')]));
    expect(codes(await raw.until('Z'))).toBe('TDCZ');
  });
});
