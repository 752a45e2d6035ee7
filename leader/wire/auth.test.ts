// Authentication end to end: SCRAM-SHA-256 and md5 with real clients, wrong passwords, rejected users.
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAuthConfig } from './auth/auth-config.ts';
import { formatScramVerifier, scramVerifierFromPassword } from './auth/scram-sha-256.ts';
import { runPsql } from './test-support/run-psql.ts';
import { startTestServer, type TestServer } from './test-support/test-server.ts';

let t: TestServer;
let strict: TestServer;

async function pgLogin(server: TestServer, user: string, password: string | undefined): Promise<unknown> {
  const c = new pg.Client({ host: '127.0.0.1', port: server.port, user, database: 'db', ...(password === undefined ? {} : { password }) });
  try {
    await c.connect();
    const r = await c.query('select $1::int + 1 as y', [1]);
    await c.end();
    return r.rows[0];
  } catch (err) {
    await c.end().catch(() => undefined);
    return err;
  }
}

beforeAll(async () => {
  const users = {
    alice: { method: 'scram-sha-256', password: 's3cret' },
    bob: { method: 'md5', password: 'x' },
    carol: { method: 'scram-sha-256', password: formatScramVerifier(await scramVerifierFromPassword('from-verifier')) },
    dave: { method: 'password', password: 'plain' },
  };
  t = await startTestServer({ auth: await parseAuthConfig({ users }) });
  strict = await startTestServer({ auth: await parseAuthConfig({ users, trustLoopback: false }) });
});
afterAll(async () => {
  await t.server.close();
  await strict.server.close();
});

describe('authentication', () => {
  it('SCRAM-SHA-256 with node-postgres, a password or a stored verifier', async () => {
    expect(await pgLogin(t, 'alice', 's3cret')).toEqual({ y: 2 });
    expect(await pgLogin(t, 'carol', 'from-verifier')).toEqual({ y: 2 });
  });

  it('a wrong SCRAM password is FATAL 28P01', async () => {
    expect(await pgLogin(t, 'alice', 'wrong')).toMatchObject({
      code: '28P01', severity: 'FATAL', message: 'password authentication failed for user "alice"',
    });
  });

  it('md5 and cleartext password methods', async () => {
    expect(await pgLogin(t, 'bob', 'x')).toEqual({ y: 2 });
    expect(await pgLogin(t, 'bob', 'y')).toMatchObject({ code: '28P01' });
    expect(await pgLogin(t, 'dave', 'plain')).toEqual({ y: 2 });
    expect(await pgLogin(t, 'dave', 'Plain')).toMatchObject({ code: '28P01' });
  });

  it('SCRAM with postgres.js', async () => {
    const sql = postgres({ host: '127.0.0.1', port: t.port, user: 'alice', password: 's3cret', database: 'db', max: 1 });
    try {
      expect(await sql`select 1 as x`).toEqual([{ x: 1 }]);
    } finally {
      await sql.end({ timeout: 1 });
    }
    const bad = postgres({ host: '127.0.0.1', port: t.port, user: 'alice', password: 'nope', database: 'db', max: 1 });
    try {
      await expect(bad`select 1`).rejects.toMatchObject({ code: '28P01' });
    } finally {
      await bad.end({ timeout: 1 });
    }
  });

  it('SCRAM with psql (libpq) and PGPASSWORD', async () => {
    const args = ['-A', '-t', '-h', '127.0.0.1', '-p', String(t.port), '-U', 'alice', '-d', 'db', '-c', 'select 7 as x'];
    const ok = await runPsql(args, { PGPASSWORD: 's3cret' });
    expect(ok.stderr).toBe('');
    expect(ok.stdout.trim()).toBe('7');
    const bad = await runPsql(args, { PGPASSWORD: 'wrong' });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('password authentication failed for user "alice"');
  });

  it('unlisted users: trusted on loopback by default, 28000 when trustLoopback is false', async () => {
    expect(await pgLogin(t, 'zed', undefined)).toEqual({ y: 2 });
    expect(await pgLogin(strict, 'zed', undefined)).toMatchObject({ code: '28000', severity: 'FATAL' });
    expect(await pgLogin(strict, 'alice', 's3cret')).toEqual({ y: 2 });
  });
});
