// psql 15 scripts against the wire server: results, transactions, COPY in and out, errors with ON_ERROR_STOP.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPsql } from './test-support/run-psql.ts';
import { startTestServer, type TestServer } from './test-support/test-server.ts';

let t: TestServer;
let dir: string;

async function script(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

function conn(): string[] {
  return ['-h', '127.0.0.1', '-p', String(t.port), '-U', 'tester', '-d', 'db'];
}

beforeAll(async () => {
  t = await startTestServer();
  dir = await mkdtemp(join(tmpdir(), 'wire-psql-'));
});
afterAll(async () => {
  await t.server.close();
  await rm(dir, { recursive: true });
});

describe('psql', () => {
  it('runs a script: rows, a transaction, COPY FROM STDIN and COPY TO STDOUT', async () => {
    const file = await script('ok.sql', [
      'select 1 as x;',
      'select * from generate_series(1, 3);',
      'BEGIN;',
      "select 'héllo' as greeting;",
      'COMMIT;',
      'COPY t FROM STDIN;',
      'alpha',
      'beta',
      '\\.',
      'COPY t TO STDOUT;',
      '',
    ].join('\n'));
    const r = await runPsql([...conn(), '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-f', file]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')).toEqual(['1', '1', '2', '3', 'héllo', 'alpha', 'beta', '']);
  });

  it('stops at the first error with ON_ERROR_STOP and shows the position', async () => {
    const file = await script('bad.sql', 'select 1 as x;\nselect nosuch;\nselect 2 as y;\n');
    const r = await runPsql([...conn(), '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-f', file]);
    expect(r.status).toBe(3);
    expect(r.stdout).toBe('1\n');
    expect(r.stderr).toContain('ERROR:  column "nosuch" does not exist');
    expect(r.stderr).toContain('LINE 1: select nosuch;\n               ^');
  });

  it('pgbench (libpq) in simple, extended and prepared modes', async () => {
    const file = await script('bench.sql', '\\set x random(1, 1000)\nselect :x::int + 1 as y;\n');
    for (const mode of ['simple', 'extended', 'prepared']) {
      const out = await new Promise<{ status: number | null; text: string }>((resolve, reject) => {
        const child = spawn('pgbench', ['-n', '-M', mode, '-f', file, '-t', '50', '-c', '2', ...conn().slice(0, 6), 'db'], {
          env: { ...process.env, PGSSLMODE: 'disable' },
        });
        let text = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => { text += d; });
        child.stderr.setEncoding('utf8').on('data', (d: string) => { text += d; });
        child.on('error', reject);
        child.on('close', (status) => resolve({ status, text }));
      });
      expect(out.status, out.text).toBe(0);
      expect(out.text).toContain('number of transactions actually processed: 100/100');
    }
  });
});
