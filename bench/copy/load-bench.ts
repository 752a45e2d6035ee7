// COPY load benchmark: TPC-H .tbl files into Colonnade (COPY FROM server files and FROM STDIN),
// PostgreSQL 15 (the same two ways) and DuckDB (read_csv), in one run. Prints wall time, rows/s and
// each server process's peak memory (VmHWM).
//   npm run bench:copy -- --sf 1 [--nodes 2 --slices 1 --engines colonnade,postgres,duckdb]
import { DuckDBInstance } from '@duckdb/node-api';
import { readFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createRootLogger } from '../../common/log.ts';
import { createTableStatements } from '../tpch/queries/ddl.ts';
import { SCHEMA } from '../tpch/queries/schema.ts';
import { ensureData } from '../tpch/runner/data-cache.ts';
import { startColonnade } from '../tpch/runner/colonnade-server.ts';
import { postgresAvailable, startPostgres } from '../tpch/runner/postgres-server.ts';

const { values } = parseArgs({ options: { sf: { type: 'string', default: '0.1' }, nodes: { type: 'string', default: '2' }, slices: { type: 'string', default: '1' }, engines: { type: 'string', default: 'colonnade,postgres,duckdb' } } });
const engines = new Set(values.engines.split(','));
const sf = Number(values.sf);
const log = createRootLogger({ role: 'bench', level: 'warn', pretty: false });
const repoRoot = resolve(import.meta.dirname, '../..');
const data = await ensureData(join(repoRoot, 'bench/.cache'), sf);
const totalRows = await countRows();
const results: { engine: string; method: string; seconds: number; peakMiB: string; cpu: string }[] = [];

async function countRows(): Promise<number> {
  let n = 0;
  for (const t of SCHEMA) {
    const text = await readFile(join(data.dir, `${t.name}.tbl`));
    for (let i = 0; i < text.length; i++) if (text[i] === 10) n++;
  }
  return n;
}

/** Peak resident memory of a process in MiB, from /proc. */
async function peakMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const m = /VmHWM:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) / 1024 : NaN;
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function timed(engine: string, method: string, fn: () => Promise<void>, peak: () => Promise<string>, pids: readonly number[] = []): Promise<void> {
  const cpu0 = await Promise.all(pids.map(cpuSeconds));
  const t0 = performance.now();
  await fn();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = (await Promise.all(pids.map(cpuSeconds))).map((c, i) => (c - cpu0[i]!).toFixed(1)).join(' + ');
  results.push({ engine, method, seconds, peakMiB: await peak(), cpu });
  process.stderr.write(`${engine} ${method}: ${seconds.toFixed(1)} s\n`);
}

async function loadPg(client: pg.Client, schema: string, serverFiles: boolean): Promise<void> {
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.query(`SET search_path = ${schema}`);
  for (const sql of createTableStatements('redshift')) await client.query(sql);
  for (const t of SCHEMA) {
    const file = join(data.dir, `${t.name}.tbl`);
    if (serverFiles) await client.query(`COPY ${t.name} FROM '${file}' WITH (FORMAT text, DELIMITER '|')`);
    else await pipeline(createReadStream(file), client.query(copyFrom(`COPY ${t.name} FROM STDIN WITH (FORMAT text, DELIMITER '|')`)));
  }
}

// Colonnade: both methods into their own schema.
if (engines.has('colonnade')) {
  const cluster = await startColonnade({ repoRoot, nodes: Number(values.nodes), slices: Number(values.slices) }, log);
  const c = new pg.Client({ host: '127.0.0.1', port: cluster.port, user: 'colonnade', database: 'dev' });
  await c.connect();
  const pids = [(await c.query('SELECT pg_backend_pid() AS p')).rows[0].p as number, ...(await c.query('SELECT pid FROM stv_nodes')).rows.map((r) => r.pid as number)];
  const peak = async (): Promise<string> => (await Promise.all(pids.map(peakMiB))).map((m) => m.toFixed(0)).join(' + ');
  await timed('colonnade', 'COPY FROM server files', () => loadPg(c, 'files', true), peak, pids);
  await timed('colonnade', 'COPY FROM STDIN', () => loadPg(c, 'stdin', false), peak, pids);
  await c.end();
  await cluster.stop();
}

// PostgreSQL 15: its own COPY, plain tables (the Redshift DDL does not parse there).
if (!engines.has('postgres')) {
  // not asked for
} else if (postgresAvailable()) {
  const server = await startPostgres(log);
  const c = new pg.Client({ host: server.socketDir, port: server.port, user: server.user, database: server.database });
  await c.connect();
  const pid = (await c.query('SELECT pg_backend_pid() AS p')).rows[0].p as number;
  const load = async (schema: string, files: boolean): Promise<void> => {
    await c.query(`CREATE SCHEMA ${schema}`);
    await c.query(`SET search_path = ${schema}`);
    for (const sql of createTableStatements('plain')) await c.query(sql);
    for (const t of SCHEMA) {
      const file = join(data.dir, `${t.name}.tbl`);
      // PostgreSQL rejects the trailing '|': read the files through a filter for both methods.
      const strip = `sed 's/|$//' ${file}`;
      if (files) await c.query(`COPY ${t.name} FROM PROGRAM '${strip.replace(/'/g, "''")}' WITH (FORMAT text, DELIMITER '|')`);
      else {
        const { spawn } = await import('node:child_process');
        const p = spawn('sed', ['s/|$//', file]);
        await pipeline(p.stdout, c.query(copyFrom(`COPY ${t.name} FROM STDIN WITH (FORMAT text, DELIMITER '|')`)));
      }
    }
  };
  const peak = async (): Promise<string> => (await peakMiB(pid)).toFixed(0);
  await timed('postgres', 'COPY FROM server files', () => load('files', true), peak, [pid]);
  await timed('postgres', 'COPY FROM STDIN', () => load('stdin', false), peak, [pid]);
  await c.end();
  await server.stop();
} else {
  process.stderr.write('PostgreSQL binaries not found: skipped\n');
}

// DuckDB (2 threads), in this process.
if (engines.has('duckdb')) {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run('SET threads = 2');
  const rssBefore = process.resourceUsage().maxRSS / 1024;
  await timed('duckdb', 'read_csv from files', async () => {
    for (const sql of createTableStatements('plain')) await conn.run(sql);
    for (const t of SCHEMA) {
      const names = t.columns.map((c) => c.name);
      await conn.run(`INSERT INTO ${t.name} SELECT ${names.join(', ')} FROM read_csv('${join(data.dir, `${t.name}.tbl`)}', delim='|', header=false, columns=${duckColumns(names)})`);
    }
  }, async () => `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} (process; ${rssBefore.toFixed(0)} before)`);
}

function duckColumns(names: string[]): string {
  // The trailing '|' makes an extra empty column; name it and leave it out of the INSERT's SELECT list.
  return `{${[...names, 'trailing'].map((n) => `'${n}': 'VARCHAR'`).join(', ')}}`;
}

process.stdout.write(`\nCOPY load benchmark, TPC-H SF ${sf} (${totalRows} rows, 8 tables)\n`);
process.stdout.write('engine     method                   seconds   rows/s      peak MiB (leader + nodes / backend)   CPU s (same order)\n');
for (const r of results) {
  process.stdout.write(`${r.engine.padEnd(10)} ${r.method.padEnd(24)} ${r.seconds.toFixed(1).padStart(7)}   ${Math.round(totalRows / r.seconds).toString().padStart(9)}   ${r.peakMiB.padEnd(36)}  ${r.cpu}\n`);
}
