// Runs the self-test .slt on real PostgreSQL (PGlite), directly and through the pg client over the
// wire; checks that wrong expectations are reported readably and that complete mode rewrites goldens.
import { PGlite } from '@electric-sql/pglite';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresConnection } from 'pg-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineSltSuite } from './define-slt-suite.ts';
import { connectPgRunner } from './pg-runner.ts';
import { pgliteRunner } from './pglite-runner.ts';
import { formatFailures, runSlt } from './run-slt.ts';
import type { SqlRunner } from './sql-runner.ts';

const BASIC = 'test/sql/harness-selftest/basic.slt';

let db: PGlite;
let tmp: string;

beforeAll(async () => {
  db = await PGlite.create();
  tmp = mkdtempSync(join(tmpdir(), 'slt-selftest-'));
});

afterAll(async () => {
  await db.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** A runner on the shared PGlite with an empty public schema, so every file starts clean. */
async function freshRunner(name = 'postgres'): Promise<SqlRunner> {
  await db.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
  return pgliteRunner(db, name);
}

/** A copy of basic.slt with `edit` applied, in the temp folder. */
function editedCopy(name: string, edit: (text: string) => string): string {
  const file = join(tmp, name);
  writeFileSync(file, edit(readFileSync(BASIC, 'utf8')));
  return file;
}

describe('runSlt on PGlite', () => {
  it('passes the self-test file', async () => {
    const result = await runSlt(BASIC, await freshRunner());
    expect(result.failures, formatFailures(result)).toEqual([]);
    expect({ executed: result.executed, skipped: result.skipped }).toEqual({ executed: 9, skipped: 2 });
  });

  it('honours onlyif / skipif for another engine name', async () => {
    const result = await runSlt(BASIC, await freshRunner('colonnade'));
    // Now `skipif postgres` runs (SELECT 1 succeeds: a failure) and `onlyif colonnade` runs (42 ≠ 0).
    expect(result.failures.map((f) => f.line)).toEqual([46, 50]);
  });

  it('reports wrong expectations with file:line, SQL and a diff', async () => {
    const file = editedCopy('wrong.slt', (t) => t
      .replace('4\tKIWI', '4\tKIWl')
      .replace('statement error 42P01', 'statement error 42601')
      .replace('duplicate key value', 'no such words')
      .replace('query B\n', 'query BI\n'));
    const result = await runSlt(file, await freshRunner());
    const byLine = new Map(result.failures.map((f) => [f.line, f.message]));
    expect([...byLine.keys()]).toEqual([10, 13, 27, 40]);
    expect(byLine.get(10)).toContain(`${file}:10: expected SQLSTATE 42601, got [42P01] relation "no_such_table" does not exist`);
    expect(byLine.get(13)).toContain('error message does not contain "no such words"');
    expect(byLine.get(27)).toBe([
      `${file}:27: query result mismatch (expected 2 lines, got 2)`,
      '    SELECT id, upper(name) FROM fruit WHERE price > 1 ORDER BY id',
      '  --- expected',
      '  +++ actual',
      '      1\tAPPLE',
      '    + 4\tKIWI',
      '    - 4\tKIWl',
    ].join('\n'));
    expect(byLine.get(40)).toContain('query returned 1 columns, the header declares 2 ("BI")');
    expect(formatFailures(result)).toMatch(/^4 of 9 records failed in /);
  });

  it('complete mode rewrites results and outcomes; the result then passes', async () => {
    const file = editedCopy('complete.slt', (t) => t
      .replace('1\tAPPLE\n4\tKIWI\n', '')
      .replace('statement error 42P01', 'statement ok')
      .replace('query ITR rowsort', 'query I rowsort'));
    const completed = await runSlt(file, await freshRunner(), { complete: true });
    expect(completed).toMatchObject({ failures: [], rewritten: true });
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('query IT\nSELECT id, upper(name) FROM fruit WHERE price > 1 ORDER BY id\n----\n1\tAPPLE\n4\tKIWI\n\n');
    expect(text).toContain('statement error 42P01\nSELECT * FROM no_such_table\n----\nrelation "no_such_table" does not exist\n\n');
    // Wrong column count: letters come from the result's type OIDs; rowsort results are written sorted.
    expect(text).toContain('query ITR rowsort\nSELECT id, name, price FROM fruit\n----\n1\tapple\t1.50\n2\tbanana\tNULL\n3\t(empty)\t0.25\n4\tkiwi\t3.00\n\n');
    expect(text).toContain('halt\n\nquery I\nthis is never parsed');
    const again = await runSlt(file, await freshRunner());
    expect(again.failures, formatFailures(again)).toEqual([]);
    const unchanged = await runSlt(file, await freshRunner(), { complete: true });
    expect(unchanged.rewritten).toBe(false);
  });
});

describe('pg runner over the wire', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    // pg-gateway speaks the wire protocol and hands every message to PGlite.
    server = createServer((socket) => {
      const conn: PostgresConnection = new PostgresConnection(socket, {
        authMode: 'none',
        async onStartup() {
          await db.waitReady;
          return false;
        },
        async onMessage(data, { isAuthenticated }) {
          if (!isAuthenticated) return false;
          conn.sendData(await db.execProtocolRaw(data));
          return true;
        },
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `postgres://postgres@127.0.0.1:${(server.address() as AddressInfo).port}/postgres`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('passes the self-test file through node-postgres', async () => {
    await db.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
    const runner = await connectPgRunner(url, 'postgres');
    try {
      const result = await runSlt(BASIC, runner);
      expect(result.failures, formatFailures(result)).toEqual([]);
      expect(result.executed).toBe(9);
    } finally {
      await runner.close?.();
    }
  });
});

describe('defineSltSuite', () => {
  // Files are listed at collection time, before beforeAll runs: copy synchronously here.
  const copy = join(tmpdir(), `slt-suite-${process.pid}.slt`);
  copyFileSync(BASIC, copy);
  afterAll(() => rmSync(copy, { force: true }));
  defineSltSuite([BASIC, copy], () => freshRunner());
});
