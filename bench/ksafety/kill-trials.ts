// K-safety under fire: a K=1 cluster answers a TPC-H workload and takes a stream of INSERTs and
// COPYs while one compute node at a time is SIGKILLed at a random moment and started again (it
// catches up before it serves). Reports how long a death takes to be noticed, the gaps in service
// the workload saw, the queries that failed or were run again transparently, any answer that
// differs from the one before the trials (there must be none), and whether every acknowledged row
// is there exactly once. Then how fast a node with an empty disk (--replace) catches up, and the
// cost of K=1 against K=0 on the same data: COPY time and query medians, in one run.
//   npm run bench:ksafety -- [--sf 0.1] [--nodes 4] [--trials 50] [--queries 1,3,5,6,10,12,14,19]
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createTableStatements } from '../tpch/queries/ddl.ts';
import { tpchQueries } from '../tpch/queries/parameters.ts';
import { SCHEMA } from '../tpch/queries/schema.ts';
import { ensureData } from '../tpch/runner/data-cache.ts';
import { StripTrailingDelimiter } from '../tpch/runner/strip-trailing-delimiter.ts';
import { freePort } from '../tpch/runner/free-port.ts';

const { values } = parseArgs({ options: {
  sf: { type: 'string', default: '0.1' }, nodes: { type: 'string', default: '4' }, trials: { type: 'string', default: '50' },
  queries: { type: 'string', default: '1,3,5,6,10,12,14,19' }, 'overhead-runs': { type: 'string', default: '5' },
} });
const sf = Number(values.sf);
const nodeCount = Number(values.nodes);
const trials = Number(values.trials);
const queryIds = values.queries.split(',').map(Number);
const repoRoot = resolve(import.meta.dirname, '../..');
const ENTRY = join(repoRoot, 'bin', 'colonnade.mjs');
const queries = tpchQueries(sf).filter((q) => queryIds.includes(q.id));
const data = await ensureData(join(repoRoot, 'bench/.cache'), sf);

interface Cluster { port: number; clusterPort: number; dataDir: string; proc: ChildProcess; output: () => string; stop(): Promise<void> }

async function startCluster(k: number): Promise<Cluster> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ksafety-bench-'));
  const port = await freePort();
  const proc = spawn(process.execPath, [ENTRY, 'start', '--port', String(port), '--data-dir', dataDir, '--nodes', String(nodeCount), '--slices', '1', '--k-safety', String(k)],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, COLONNADE_LOG_LEVEL: 'warn' } });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const clusterPort = await new Promise<number>((ok, fail) => {
    const timer = setInterval(() => {
      const m = /--join [^:\s]+:(\d+)/.exec(out);
      if (m) { clearInterval(timer); ok(Number(m[1])); }
    }, 50);
    proc.once('exit', () => { clearInterval(timer); fail(new Error(`cluster exited: ${out.slice(-2000)}`)); });
  });
  return {
    port, clusterPort, dataDir, proc, output: () => out,
    stop: async () => {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function client(c: Cluster): Promise<pg.Client> {
  const cl = new pg.Client({ host: '127.0.0.1', port: c.port, user: 'colonnade', database: 'dev' });
  await cl.connect();
  return cl;
}

/** Creates the TPC-H tables and loads them with COPY; returns the seconds the loads took. */
async function load(c: Cluster): Promise<number> {
  const cl = await client(c);
  for (const stmt of createTableStatements('redshift')) await cl.query(stmt);
  const t0 = performance.now();
  for (const t of SCHEMA) {
    await pipeline(createReadStream(join(data.dir, `${t.name}.tbl`), { highWaterMark: 1 << 20 }), new StripTrailingDelimiter(),
      cl.query(copyFrom(`COPY ${t.name} FROM STDIN WITH (FORMAT text, DELIMITER '|')`)));
  }
  const seconds = (performance.now() - t0) / 1000;
  await cl.end();
  return seconds;
}

async function answers(cl: pg.Client): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  for (const q of queries) out.set(q.id, JSON.stringify((await cl.query(q.sql)).rows));
  return out;
}

const pct = (xs: number[], p: number): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const median = (xs: number[]): number => pct(xs, 50);

async function nodeDirs(c: Cluster): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < nodeCount; i++) {
    const dir = join(c.dataDir, `compute-${i}`);
    out.set((JSON.parse(await readFile(join(dir, 'node.json'), 'utf8')) as { nodeId: string }).nodeId, dir);
  }
  return out;
}

async function dirBytes(dir: string): Promise<number> {
  let n = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? await dirBytes(p) : (await stat(p)).size;
  }
  return n;
}

function startNode(c: Cluster, dir: string, extra: string[] = []): ChildProcess {
  return spawn(process.execPath, [ENTRY, 'compute', '--join', `127.0.0.1:${c.clusterPort}`, '--data-dir', dir, '--slices', '1', ...extra],
    { stdio: 'ignore', env: { ...process.env, COLONNADE_LOG_LEVEL: 'warn' } });
}

async function waitState(cl: pg.Client, node: number, state: string, limitMs: number): Promise<number> {
  const t0 = performance.now();
  while ((await cl.query('SELECT state FROM stv_nodes WHERE node = $1', [node])).rows[0].state !== state) {
    if (performance.now() - t0 > limitMs) throw new Error(`node ${node} did not become ${state} in ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return performance.now() - t0;
}

// --- Kill trials on a K=1 cluster ---
const cluster = await startCluster(1);
const restarted: ChildProcess[] = [];
let stop = false;
try {
  console.log(`K=1, ${nodeCount} nodes x 1 slice, TPC-H SF ${sf}, queries ${queryIds.join(',')}; loading...`);
  await load(cluster);
  const admin = await client(cluster);
  const expected = await answers(admin);
  const dirs = await nodeDirs(cluster);
  await admin.query('CREATE TABLE ledger (id int, batch int) DISTKEY(id)');
  // The writes: batches of 50 ids by INSERT, every tenth of 1,000 by COPY; ids are never reused,
  // so a failed write that left anything behind shows in the totals.
  const writer = await client(cluster);
  let nextId = 0; let ackedRows = 0; let ackedSum = 0; let writesOk = 0; let writesFailed = 0;
  const writeErrors = new Map<string, number>();
  const writes = (async () => {
    for (let b = 0; !stop; b++) {
      const n = b % 10 === 9 ? 1000 : 50;
      const from = nextId;
      nextId += n;
      try {
        if (n === 50) {
          await writer.query('INSERT INTO ledger SELECT i, $1 FROM generate_series($2::int, $3::int) AS s(i)', [b, from, from + n - 1]);
        } else {
          const lines = Array.from({ length: n }, (_x, i) => `${from + i}\t${b}\n`).join('');
          await pipeline(Readable.from([lines]), writer.query(copyFrom('COPY ledger FROM STDIN')));
        }
        ackedRows += n;
        for (let i = from; i < from + n; i++) ackedSum += i;
        writesOk++;
      } catch (err) {
        writesFailed++;
        const code = (err as { code?: string }).code ?? 'none';
        writeErrors.set(code, (writeErrors.get(code) ?? 0) + 1);
      }
    }
  })();
  // The workload: one client running the queries round and round, noting every outcome.
  const worker = await client(cluster);
  let ok = 0; let failed = 0; let wrong = 0;
  const completions: number[] = [];
  const errors = new Map<string, number>();
  const workload = (async () => {
    for (let i = 0; !stop; i++) {
      const q = queries[i % queries.length]!;
      try {
        const rows = JSON.stringify((await worker.query(q.sql)).rows);
        if (rows !== expected.get(q.id)) wrong++;
        ok++;
        completions.push(performance.now());
      } catch (err) {
        failed++;
        const code = (err as { code?: string }).code ?? 'none';
        errors.set(code, (errors.get(code) ?? 0) + 1);
      }
    }
  })();
  const detect: number[] = [];
  const gaps: number[] = [];
  const rejoin: number[] = [];
  for (let t = 0; t < trials; t++) {
    const nodes = (await admin.query("SELECT node, node_id, pid FROM stv_nodes WHERE state = 'up' ORDER BY node")).rows as { node: number; node_id: string; pid: number }[];
    const victim = nodes[Math.floor(Math.random() * nodes.length)]!;
    await new Promise((r) => setTimeout(r, 200 + Math.random() * 800));
    const killedAt = performance.now();
    process.kill(victim.pid, 'SIGKILL');
    detect.push(await waitState(admin, victim.node, 'down', 30_000));
    // Let the workload run on the copies a moment, then bring the node back.
    await new Promise((r) => setTimeout(r, 500));
    const back = performance.now();
    restarted.push(startNode(cluster, dirs.get(victim.node_id)!));
    // Up once it has caught up on the writes it missed.
    rejoin.push(await waitState(admin, victim.node, 'up', 120_000));
    // The longest time without a completed query from the kill until the node is back.
    const around = [killedAt, ...completions.filter((x) => x > killedAt && x < performance.now()), performance.now()];
    let gap = 0;
    for (let i = 1; i < around.length; i++) gap = Math.max(gap, around[i]! - around[i - 1]!);
    gaps.push(gap);
    if (t === 0 || (t + 1) % 10 === 0) console.log(`trial ${t + 1}/${trials}: node ${victim.node} killed, down after ${detect.at(-1)!.toFixed(0)} ms, back in ${(performance.now() - back).toFixed(0)} ms`);
  }
  stop = true;
  await workload;
  await writes;
  const retried = (cluster.output().match(/running it again/g) ?? []).length;
  const ledger = (await admin.query('SELECT count(*)::int AS n, count(DISTINCT id)::int AS d, coalesce(sum(id), 0)::bigint AS s FROM ledger')).rows[0] as { n: number; d: number; s: string };
  console.log('\nkill trials (K=1):');
  console.log(`  trials ${trials}; detection of a dead node: median ${median(detect).toFixed(0)} ms, p99 ${pct(detect, 99).toFixed(0)} ms`);
  console.log(`  longest gap between completed queries, kill to node back: median ${median(gaps).toFixed(0)} ms, p99 ${pct(gaps, 99).toFixed(0)} ms`);
  console.log(`  node back and caught up (restart to up): median ${median(rejoin).toFixed(0)} ms, p99 ${pct(rejoin, 99).toFixed(0)} ms`);
  console.log(`  queries: ${ok} answered (${wrong} wrong), ${failed} failed ${JSON.stringify(Object.fromEntries(errors))}, ${retried} runs again after a node failure`);
  const exact = ledger.n === ackedRows && ledger.d === ackedRows && BigInt(ledger.s) === BigInt(ackedSum);
  console.log(`  writes: ${writesOk} acknowledged (${ackedRows} rows), ${writesFailed} failed ${JSON.stringify(Object.fromEntries(writeErrors))}; `
    + `every acknowledged row there exactly once and nothing of the failed ones: ${exact ? 'yes' : `NO (${ledger.n} rows, ${ledger.d} distinct)`}`);

  // Recovery speed: a node's disk is lost; an empty node takes its place and copies its slices.
  const victim = (await admin.query("SELECT node, node_id, pid FROM stv_nodes WHERE node = 1")).rows[0] as { node: number; node_id: string; pid: number };
  process.kill(victim.pid, 'SIGKILL');
  await waitState(admin, victim.node, 'down', 30_000);
  const bytesBefore = await dirBytes(dirs.get(victim.node_id)!);
  const fresh = join(cluster.dataDir, 'compute-replacement');
  const t0 = performance.now();
  restarted.push(startNode(cluster, fresh, ['--replace', victim.node_id]));
  await waitState(admin, victim.node, 'recovering', 60_000);
  const joined = performance.now();
  await waitState(admin, victim.node, 'up', 600_000);
  const seconds = (performance.now() - joined) / 1000;
  const bytes = await dirBytes(fresh);
  console.log(`  recovery of an empty replacement: ${(bytes / 1e6).toFixed(1)} MB (the lost node held ${(bytesBefore / 1e6).toFixed(1)} MB) `
    + `in ${seconds.toFixed(2)} s after joining (${((performance.now() - t0) / 1000).toFixed(2)} s from start): ${(bytes / 1e6 / seconds).toFixed(1)} MB/s`);
  const after = await answers(admin);
  console.log(`  answers after the replacement: ${[...after].every(([id, rows]) => rows === expected.get(id)) ? 'all as before' : 'SOME DIFFER'}`);
  await worker.end();
  await writer.end();
  await admin.end();
} finally {
  for (const p of restarted) p.kill('SIGKILL');
  await cluster.stop();
}

// --- The cost of K=1: COPY and query medians against K=0, same data, same run ---
const runs = Number(values['overhead-runs']);
const costs: { k: number; load: number; medians: Map<number, number> }[] = [];
for (const k of [0, 1]) {
  const c = await startCluster(k);
  try {
    const loadSeconds = await load(c);
    const cl = await client(c);
    await answers(cl); // warm-up
    const medians = new Map<number, number>();
    for (const q of queries) {
      const times: number[] = [];
      for (let r = 0; r < runs; r++) { const t0 = performance.now(); await cl.query(q.sql); times.push(performance.now() - t0); }
      medians.set(q.id, median(times));
    }
    await cl.end();
    costs.push({ k, load: loadSeconds, medians });
  } finally {
    await c.stop();
  }
}
const [k0, k1] = costs as [typeof costs[0], typeof costs[0]];
console.log(`\nK=1 against K=0 (${nodeCount} nodes, SF ${sf}, median of ${runs}):`);
console.log(`  COPY of all tables: ${k0.load.toFixed(2)} s vs ${k1.load.toFixed(2)} s (x${(k1.load / k0.load).toFixed(2)})`);
for (const q of queries) {
  const a = k0.medians.get(q.id)!;
  const b = k1.medians.get(q.id)!;
  console.log(`  Q${q.id}: ${a.toFixed(1)} ms vs ${b.toFixed(1)} ms (x${(b / a).toFixed(2)})`);
}
