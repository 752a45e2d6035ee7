// TLS: SSLRequest answered 'S' and upgraded, SCRAM over TLS (libpq's y,, header), plaintext still allowed.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAuthConfig } from './auth/auth-config.ts';
import { StartupCode } from './message-codes.ts';
import { RawClient, errorFields, startupPacket } from './test-support/raw-client.ts';
import { runPsql } from './test-support/run-psql.ts';
import { startTestServer, type TestServer } from './test-support/test-server.ts';

const OPENSSL = ['/usr/bin/openssl', '/usr/local/bin/openssl'].find((p) => existsSync(p));
let t: TestServer;
let dir: string;

beforeAll(async () => {
  if (OPENSSL === undefined) return;
  dir = await mkdtemp(join(tmpdir(), 'wire-tls-'));
  await promisify(execFile)(OPENSSL, [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
  ]);
  t = await startTestServer({
    tls: { key: await readFile(join(dir, 'key.pem'), 'utf8'), cert: await readFile(join(dir, 'cert.pem'), 'utf8') },
    auth: await parseAuthConfig({ users: { alice: { method: 'scram-sha-256', password: 's3cret' } } }),
  });
});
afterAll(async () => {
  await t?.server.close();
  if (dir !== undefined) await rm(dir, { recursive: true });
});

describe.skipIf(OPENSSL === undefined)('TLS (skipped: no openssl CLI to make a self-signed certificate)', () => {
  it('node-postgres over TLS', async () => {
    const c = new pg.Client({ host: '127.0.0.1', port: t.port, user: 'tester', database: 'db', ssl: { rejectUnauthorized: false } });
    await c.connect();
    expect((await c.query('select $1::int + 1 as y', [1])).rows).toEqual([{ y: 2 }]);
    expect((await c.query('select * from generate_series(1, 50000)')).rows.length).toBe(50000);
    await c.end();
  });

  it('psql with sslmode=require and SCRAM (GS2 header y,,)', async () => {
    const r = await runPsql(['-A', '-t', '-h', '127.0.0.1', '-p', String(t.port), '-U', 'alice', '-d', 'db', '-c', 'select 9 as x', '-c', '\\conninfo'],
      { PGSSLMODE: 'require', PGPASSWORD: 's3cret', PGCHANNELBINDING: 'prefer' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^9\n/);
    expect(r.stdout).toMatch(/SSL connection \(protocol: TLSv1\.[23]/);
  });

  it('plaintext clients still connect when TLS is configured', async () => {
    const c = new pg.Client({ host: '127.0.0.1', port: t.port, user: 'tester', database: 'db', ssl: false });
    await c.connect();
    expect((await c.query('select 1 as x')).rows).toEqual([{ x: 1 }]);
    await c.end();
  });

  it('bytes pipelined after SSLRequest are refused (CVE-2021-23214)', async () => {
    const raw = await RawClient.connect(t.port);
    raw.send(Buffer.concat([startupPacket(StartupCode.SslRequest), serialize.startup({ user: 'tester', database: 'db' })]));
    const m = await raw.next();
    expect(m?.code).toBe('E');
    expect(errorFields(m!.body)).toMatchObject({ S: 'FATAL', C: '08P01', M: 'received unencrypted data after SSL request' });
    await raw.waitClosed();
  });
});
