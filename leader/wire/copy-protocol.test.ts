// COPY sub-protocol: pg-copy-streams in and out, CopyFail, errors mid-COPY, COPY through the extended protocol.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { serialize } from 'pg-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient, errorFields } from './test-support/raw-client.ts';
import { startTestServer, type TestServer } from './test-support/test-server.ts';

let t: TestServer;
let c: pg.Client;

const codes = (ms: Array<{ code: string }>): string => ms.map((m) => m.code).join('');
const copyData = (s: string): Buffer => {
  const b = Buffer.from(s);
  const h = Buffer.alloc(5);
  h[0] = 0x64;
  h.writeInt32BE(4 + b.length, 1);
  return Buffer.concat([h, b]);
};
const COPY_DONE = Buffer.from([0x63, 0, 0, 0, 4]);

beforeAll(async () => {
  t = await startTestServer();
  c = new pg.Client({ host: '127.0.0.1', port: t.port, user: 'tester', database: 'db' });
  await c.connect();
});
afterAll(async () => {
  await c.end();
  await t.server.close();
});

describe('COPY', () => {
  it('COPY FROM STDIN and TO STDOUT with pg-copy-streams, many chunks', async () => {
    t.stats.copyTable.length = 0;
    const lines = Array.from({ length: 5000 }, (_, i) => `row ${i}\n`);
    const sink = c.query(copyFrom('COPY t FROM STDIN'));
    await pipeline(Readable.from(lines), sink);
    expect(sink.rowCount).toBe(5000);
    expect(t.stats.copyTable.length).toBe(5000);
    const chunks: Buffer[] = [];
    const source = c.query(copyTo('COPY t TO STDOUT'));
    for await (const chunk of source) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe(lines.join(''));
    expect((await c.query('select 1 as x')).rows).toEqual([{ x: 1 }]);
  });

  it('a CopyFail from the client aborts with 57014', async () => {
    const sink = c.query(copyFrom('COPY t FROM STDIN'));
    const failed = new Promise((resolve) => sink.on('error', resolve));
    sink.write('partial\n');
    sink.destroy(new Error('client gave up'));
    expect(await failed).toMatchObject({ code: '57014' });
    expect(t.stats.copyFailures.at(-1)).toMatch(/client gave up/);
    expect((await c.query('select 2 as x')).rows).toEqual([{ x: 2 }]);
  });

  it('a data error mid-COPY: ErrorResponse, later CopyData dropped, connection usable', async () => {
    const raw = await RawClient.connect(t.port);
    await raw.startup();
    raw.send(serialize.query('COPY t FROM STDIN'));
    const g = await raw.next();
    expect(g!.code).toBe('G');
    raw.send(Buffer.concat([copyData('ok\n'), copyData('bad\n'), copyData('more\n'), COPY_DONE]));
    const ms = await raw.until('Z');
    expect(codes(ms)).toBe('EZ');
    expect(errorFields(ms[0]!.body).C).toBe('22P02');
    raw.send(serialize.query('select 1'));
    expect(codes(await raw.until('Z'))).toBe('TDCZ');
    raw.close();
  });

  it('COPY through the extended protocol; Flush and Sync are ignored inside COPY', async () => {
    const raw = await RawClient.connect(t.port);
    await raw.startup();
    const before = t.stats.copyTable.length;
    raw.send(Buffer.concat([serialize.parse({ text: 'COPY t FROM STDIN' }), serialize.bind({}), serialize.execute({}), serialize.flush()]));
    expect(codes([await raw.next() as { code: string }, await raw.next() as { code: string }, await raw.next() as { code: string }])).toBe('12G');
    raw.send(Buffer.concat([copyData('x\ny\n'), serialize.flush(), copyData('z\n'), COPY_DONE, serialize.sync()]));
    const ms = await raw.until('Z');
    expect(codes(ms)).toBe('CZ');
    expect(ms[0]!.body.toString()).toBe('COPY 3\0');
    expect(t.stats.copyTable.length).toBe(before + 3);
    raw.send(Buffer.concat([serialize.parse({ text: 'COPY t TO STDOUT' }), serialize.bind({}), serialize.execute({}), serialize.sync()]));
    const out = await raw.until('Z');
    expect(codes(out).replace(/d+/, 'd')).toBe('12HdcCZ');
    raw.close();
  });

  it('an unexpected message during COPY IN is an error, then ReadyForQuery', async () => {
    const raw = await RawClient.connect(t.port);
    await raw.startup();
    raw.send(serialize.query('COPY t FROM STDIN'));
    expect((await raw.next())!.code).toBe('G');
    raw.send(serialize.query('select 1'));
    const ms = await raw.until('Z');
    expect(codes(ms)).toBe('EZ');
    expect(errorFields(ms[0]!.body)).toMatchObject({ C: '08P01', S: 'ERROR' });
    raw.close();
  });
});
