// Hostile and broken input: garbage, bogus lengths, truncation, unknown types, idle sockets. The server
// must answer FATAL 08P01 (or time out), close that connection, and keep serving the others.
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StartupCode } from './message-codes.ts';
import { RawClient, errorFields, startupPacket } from './test-support/raw-client.ts';
import { startTestServer, waitFor, type TestServer } from './test-support/test-server.ts';

let t: TestServer;

/** Proof that the server still serves a normal client. */
async function stillWorks(): Promise<void> {
  const c = new pg.Client({ host: '127.0.0.1', port: t.port, user: 'tester', database: 'db' });
  await c.connect();
  expect((await c.query('select $1::int + 1 as y', [1])).rows).toEqual([{ y: 2 }]);
  await c.end();
}

/** Reads to the end: expects one FATAL ErrorResponse with `code`, then a closed socket. */
async function expectFatal(raw: RawClient, code: string): Promise<Record<string, string>> {
  for (;;) {
    const m = await raw.next();
    if (m === null) throw new Error('closed without an ErrorResponse');
    if (m.code === 'E') {
      const f = errorFields(m.body);
      expect(f.S).toBe('FATAL');
      expect(f.C).toBe(code);
      await raw.waitClosed();
      return f;
    }
  }
}

beforeAll(async () => { t = await startTestServer({ startupTimeoutMs: 300, maxMessageBytes: 1 << 20 }); });
afterAll(async () => { await t.server.close(); });

describe('robustness', () => {
  it('garbage bytes before startup', async () => {
    const raw = await RawClient.connect(t.port);
    raw.send(Buffer.from('GET / HTTP/1.1\r\nHost: example\r\n\r\n'));
    const f = await expectFatal(raw, '08P01');
    expect(f.M).toBe('invalid length of startup packet');
    await stillWorks();
  });

  it('a 2 GB message length is refused at once (nothing allocated)', async () => {
    const raw = await RawClient.connect(t.port);
    await raw.startup();
    const before = process.memoryUsage().arrayBuffers;
    raw.send(Buffer.from([0x51, 0x7f, 0xff, 0xff, 0xff, 0x73]));
    const f = await expectFatal(raw, '08P01');
    expect(f.M).toMatch(/invalid message length/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 << 20);
    await stillWorks();
  });

  it('a length below 4 and a body above maxMessageBytes', async () => {
    const raw = await RawClient.connect(t.port);
    await raw.startup();
    raw.send(Buffer.from([0x51, 0, 0, 0, 2]));
    await expectFatal(raw, '08P01');
    const raw2 = await RawClient.connect(t.port);
    await raw2.startup();
    const big = Buffer.alloc(5);
    big[0] = 0x51;
    big.writeInt32BE((1 << 20) + 100, 1);
    raw2.send(big);
    await expectFatal(raw2, '08P01');
    await stillWorks();
  });

  it('an unknown message type after startup', async () => {
    const raw = await RawClient.connect(t.port);
    await raw.startup();
    raw.send(Buffer.from([0x7a, 0, 0, 0, 4]));
    const f = await expectFatal(raw, '08P01');
    expect(f.M).toMatch(/invalid frontend message type 122/);
    await stillWorks();
  });

  it('a malformed Bind body', async () => {
    const raw = await RawClient.connect(t.port);
    await raw.startup();
    raw.send(serialize.parse({ text: 'select 1' }));
    raw.send(Buffer.from([0x42, 0, 0, 0, 8, 0, 0, 0, 5])); // portal "", statement "", then a cut Int16
    raw.send(serialize.sync());
    await expectFatal(raw, '08P01');
    await stillWorks();
  });

  it('a truncated message at EOF closes the session', async () => {
    const closed = t.stats.sessionsClosed;
    const raw = await RawClient.connect(t.port);
    await raw.startup();
    raw.send(serialize.query('select 1').subarray(0, 7));
    raw.socket.end();
    await raw.waitClosed();
    await waitFor(() => t.stats.sessionsClosed === closed + 1);
    await stillWorks();
  });

  it('an idle unauthenticated socket is closed after startupTimeoutMs', async () => {
    const raw = await RawClient.connect(t.port);
    const started = Date.now();
    const f = await expectFatal(raw, '08P01');
    expect(f.M).toBe('canceling authentication due to timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await stillWorks();
  });

  it('an authenticated idle connection is not timed out', async () => {
    const raw = await RawClient.connect(t.port);
    await raw.startup();
    await new Promise((r) => setTimeout(r, 450));
    raw.send(serialize.query('select 1'));
    expect((await raw.until('Z')).map((m) => m.code).join('')).toBe('TDCZ');
    raw.close();
  });

  it('unsupported protocol versions and a missing user', async () => {
    const raw = await RawClient.connect(t.port);
    raw.send(startupPacket(0x20000)); // protocol 2.0
    expect((await expectFatal(raw, '0A000')).M).toBe('unsupported frontend protocol 2.0: server supports 3.0 to 3.0');
    const raw2 = await RawClient.connect(t.port);
    raw2.send(serialize.startup({ database: 'db' }));
    await expectFatal(raw2, '28000');
    await stillWorks();
  });

  it('negotiates down a 3.2 request with _pq_ options', async () => {
    const raw = await RawClient.connect(t.port);
    const params = Buffer.from('user\0tester\0_pq_.x\0y\0\0');
    const head = Buffer.alloc(8);
    head.writeInt32BE(8 + params.length, 0);
    head.writeInt32BE(0x30002, 4);
    raw.send(Buffer.concat([head, params]));
    const msgs = await raw.until('Z');
    expect(msgs[0]!.code).toBe('v');
    expect(msgs[0]!.body.readInt32BE(0)).toBe(0);
    expect(msgs[0]!.body.readInt32BE(4)).toBe(1);
    expect(msgs[0]!.body.subarray(8).toString()).toBe('_pq_.x\0');
    raw.close();
  });

  it('SSLRequest and GSSENCRequest are refused with N when TLS is off; cancel of an unknown pid is silent', async () => {
    const raw = await RawClient.connect(t.port);
    raw.send(startupPacket(StartupCode.SslRequest));
    expect(await raw.readByte()).toBe('N');
    raw.send(startupPacket(StartupCode.GssEncRequest));
    expect(await raw.readByte()).toBe('N');
    const msgs = await raw.startup();
    expect(msgs.at(-1)!.code).toBe('Z');
    raw.close();
    const again = await RawClient.connect(t.port);
    again.send(startupPacket(StartupCode.SslRequest));
    expect(await again.readByte()).toBe('N');
    again.send(startupPacket(StartupCode.SslRequest));
    expect((await expectFatal(again, '08P01')).M).toBe('repeated SSL negotiation');
    const cancel = await RawClient.connect(t.port);
    cancel.send(startupPacket(StartupCode.CancelRequest, 1, 2));
    await cancel.waitClosed();
    expect(await cancel.next()).toBeNull();
  });

  it('many connections hammering garbage in parallel do not disturb a good one', async () => {
    const bad = await Promise.all(Array.from({ length: 20 }, () => RawClient.connect(t.port)));
    bad.forEach((b, i) => b.send(Buffer.alloc(64 + i, 0xff)));
    await Promise.all(bad.map((b) => b.waitClosed()));
    await stillWorks();
  });
});
