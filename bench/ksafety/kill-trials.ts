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
  leaders: { type: 'string', default: '3' }, 'leader-every': { type: 'string', default: '5' },
} });
const leaderCount = Number(values.leaders);
/** Every this many trials the active leader is killed instead of a compute node (0: never). */
const leaderEvery = leaderCount >= 3 ? Number(values['leader-every']) : 0;
const sf = Number(values.sf);
const nodeCount = Number(values.nodes);
const trials = Number(values.trials);
const queryIds = values.queries.split(',').map(Number);
const repoRoot = resolve(import.meta.dirname, '../..');
const ENTRY = join(repoRoot, 'bin', 'colonnade.mjs');
const queries = tpchQueries(sf).filter((q) => queryIds.includes(q.id));
const data = await ensureData(join(repoRoot, 'bench/.cache'), sf);

interface Cluster { port: number; clusterPort: number; dataDir: string; proc: ChildProcess; output: () => string; record(text: string): void; stop(): Promise<void> }

async function startCluster(k: number, leaders = 1): Promise<Cluster> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ksafety-bench-'));
  const port = await freePort();
  const proc = spawn(process.execPath, [ENTRY, 'start', '--port', String(port), '--data-dir', dataDir, '--nodes', String(nodeCount), '--slices', '1', '--k-safety', String(k),
    '--leaders', String(leaders)],
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
    port, clusterPort, dataDir, proc, output: () => out, record: (text) => { out += text; },
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
  cl.on('error', () => undefined); // reported by the query that fails
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

async function waitState(cl: { query(sql: string, params?: unknown[]): Promise<pg.QueryResult> }, node: number, state: string, limitMs: number): Promise<number> {
  const t0 = performance.now();
  const wanted = state.split('|');
  while (!wanted.includes((await cl.query('SELECT state FROM stv_nodes WHERE node = $1', [node])).rows[0].state as string)) {
    if (performance.now() - t0 > limitMs) throw new Error(`node ${node} did not become ${state} in ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return performance.now() - t0;
}

// --- Kill trials on a K=1 cluster ---
const cluster = await startCluster(1, leaderCount);
const restarted: ChildProcess[] = [];
let stop = false;

/** A client that connects again after its leader died (a query it had in flight failed). */
class Reconnecting {
  private c: pg.Client | null = null;
  async get(): Promise<pg.Client> {
    for (let i = 0; this.c === null; i++) {
      try {
        const c = await client(cluster);
        c.on('error', () => undefined);
        this.c = c;
      } catch (err) {
        if (i > 600) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    return this.c;
  }
  /** The connection broke (no SQLSTATE, or the server shutting down): connect again next time. */
  broken(err: unknown): boolean {
    const code = (err as { code?: string }).code;
    const lost = code === undefined || code === '57P01' || code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'EPIPE';
    if (lost) { this.c?.end().catch(() => undefined); this.c = null; }
    return lost;
  }
  /** Runs a statement, connecting again (for up to a minute) while the leader is changing. */
  async query(sql: string, params?: unknown[]): Promise<pg.QueryResult> {
    for (let i = 0; ; i++) {
      try {
        return await (await this.get()).query(sql, params);
      } catch (err) {
        if (!this.broken(err) || i > 600) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
  async end(): Promise<void> { await this.c?.end(); }
}

/** The active leader process, from its latest "active" line. */
function activeLeader(): { id: string; pid: number } | null {
  const all = [...cluster.output().matchAll(/Colonnade leader (\S+) active on .*, pid (\d+)/g)];
  const last = all.at(-1);
  return last === undefined ? null : { id: last[1]!, pid: Number(last[2]) };
}

function startLeaderProcess(id: string): ChildProcess {
  const raftPort = (i: number): number => cluster.clusterPort + 1 + i;
  const peers = Array.from({ length: leaderCount }, (_v, i) => `${i + 1}=127.0.0.1:${raftPort(i)}`).join(',');
  // It serves on ports of its own when elected; the cluster's front forwards to it.
  const p = spawn(process.execPath, [ENTRY, 'leader', '--port', '0',
    '--data-dir', join(cluster.dataDir, `leader-${id}`), '--raft-id', id, '--raft-port', String(raftPort(Number(id) - 1)), '--raft-peers', peers],
  { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, COLONNADE_LOG_LEVEL: 'warn', COLONNADE_DATA_DIR: '', COLONNADE_PORT: '', COLONNADE_WAIT_NODES: String(nodeCount) } });
  p.stdout!.on('data', (d: Buffer) => cluster.record(d.toString()));
  return p;
}

try {
  console.log(`K=1, ${nodeCount} compute nodes x 1 slice, ${leaderCount} leader(s), TPC-H SF ${sf}, queries ${queryIds.join(',')}; loading...`);
  await load(cluster);
  const admin = new Reconnecting();
  const expected = await answers(await admin.get());
  const dirs = await nodeDirs(cluster);
  await admin.query('CREATE TABLE ledger (id int, batch int) DISTKEY(id)');
  // The writes: batches of 50 ids by INSERT, every tenth of 1,000 by COPY, each batch its own ids.
  // An acknowledged batch must be there whole, a refused one not at all, and one whose outcome the
  // client cannot know (the leader died under it) whole or not at all.
  const writer = new Reconnecting();
  const batches: { n: number; outcome: 'ok' | 'failed' | 'unknown' }[] = [];
  let nextId = 0;
  const writeErrors = new Map<string, number>();
  const firstWriteError = new Map<string, string>();
  const writes = (async () => {
    for (let b = 0; !stop; b++) {
      const n = b % 10 === 9 ? 1000 : 50;
      const from = nextId;
      nextId += n;
      try {
        const w = await writer.get();
        if (n === 50) {
          await w.query('INSERT INTO ledger SELECT i, $1 FROM generate_series($2::int, $3::int) AS s(i)', [b, from, from + n - 1]);
        } else {
          const lines = Array.from({ length: n }, (_x, i) => `${from + i}\t${b}\n`).join('');
          await pipeline(Readable.from([lines]), w.query(copyFrom('COPY ledger FROM STDIN')));
        }
        batches.push({ n, outcome: 'ok' });
      } catch (err) {
        batches.push({ n, outcome: writer.broken(err) ? 'unknown' : 'failed' });
        const code = (err as { code?: string }).code ?? 'connection lost';
        writeErrors.set(code, (writeErrors.get(code) ?? 0) + 1);
        if (!firstWriteError.has(code)) firstWriteError.set(code, `${(err as Error).message} ${(err as { detail?: string }).detail ?? ''}`);
      }
    }
  })();
  // The workload: one client running the queries round and round, noting every outcome.
  const worker = new Reconnecting();
  let ok = 0; let failed = 0; let wrong = 0;
  const completions: number[] = [];
  const errors = new Map<string, number>();
  const firstError = new Map<string, string>();
  const workload = (async () => {
    for (let i = 0; !stop; i++) {
      const q = queries[i % queries.length]!;
      try {
        const rows = JSON.stringify((await (await worker.get()).query(q.sql)).rows);
        if (rows !== expected.get(q.id)) wrong++;
        ok++;
        completions.push(performance.now());
      } catch (err) {
        failed++;
        worker.broken(err);
        const code = (err as { code?: string }).code ?? 'connection lost';
        errors.set(code, (errors.get(code) ?? 0) + 1);
        if (!firstError.has(code)) firstError.set(code, `${(err as Error).message} ${(err as { detail?: string }).detail ?? ''}`);
      }
    }
  })();
  const detect: number[] = [];
  const gaps: number[] = [];
  const rejoin: number[] = [];
  const catchUp: number[] = [];
  const leaderGaps: number[] = [];
  for (let t = 0; t < trials; t++) {
    await new Promise((r) => setTimeout(r, 200 + Math.random() * 800));
    const killedAt = performance.now();
    const leader = leaderEvery > 0 && t % leaderEvery === leaderEvery - 1 ? activeLeader() : null;
    if (leader !== null) {
      // The active leader dies: a standby takes over the ports; the dead one is started again.
      process.kill(leader.pid, 'SIGKILL');
      const since = performance.now();
      while (activeLeader()?.id === leader.id) {
        if (performance.now() - since > 60_000) throw new Error('no standby took over');
        await new Promise((r) => setTimeout(r, 20));
      }
      while (completions.at(-1)! < killedAt) {
        if (performance.now() - since > 60_000) throw new Error('no query completed after the leader died');
        await new Promise((r) => setTimeout(r, 20));
      }
      leaderGaps.push(completions.find((x) => x > killedAt)! - killedAt);
      restarted.push(startLeaderProcess(leader.id));
      console.log(`trial ${t + 1}/${trials}: leader ${leader.id} killed; leader ${activeLeader()!.id} took over, first query answered ${leaderGaps.at(-1)!.toFixed(0)} ms after the kill`);
      continue;
    }
    const nodes = (await admin.query("SELECT node, node_id, pid FROM stv_nodes WHERE state = 'up' ORDER BY node")).rows as { node: number; node_id: string; pid: number }[];
    if (nodes.length < nodeCount) { t--; continue; }
    const victim = nodes[Math.floor(Math.random() * nodes.length)]!;
    process.kill(victim.pid, 'SIGKILL');
    detect.push(await waitState(admin, victim.node, 'down', 30_000));
    // Let the workload run on the copies a moment, then bring the node back.
    await new Promise((r) => setTimeout(r, 500));
    const back = performance.now();
    restarted.push(startNode(cluster, dirs.get(victim.node_id)!));
    // Registered once its process is up; up once it has caught up on the writes it missed.
    const registered = await waitState(admin, victim.node, 'recovering|up', 120_000);
    const caughtUp = await waitState(admin, victim.node, 'up', 120_000);
    rejoin.push(registered + caughtUp);
    catchUp.push(caughtUp);
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
  const stored = new Map(((await admin.query('SELECT batch, count(*)::int AS n, count(DISTINCT id)::int AS d FROM ledger GROUP BY batch')).rows as { batch: number; n: number; d: number }[])
    .map((r) => [r.batch, r]));
  let exact = true;
  let unknownKept = 0;
  batches.forEach((b, i) => {
    const got = stored.get(i);
    const n = got?.n ?? 0;
    if (got !== undefined && got.d !== got.n) exact = false;
    if (b.outcome === 'ok' && n !== b.n) exact = false;
    if (b.outcome === 'failed' && n !== 0) exact = false;
    if (b.outcome === 'unknown' && n !== 0 && n !== b.n) exact = false;
    if (b.outcome === 'unknown' && n === b.n) unknownKept++;
  });
  const count = (o: string): number => batches.filter((b) => b.outcome === o).length;
  console.log('\nkill trials (K=1):');
  console.log(`  trials ${trials} (${detect.length} compute node kills, ${leaderGaps.length} leader kills)`);
  console.log(`  compute node: detection median ${median(detect).toFixed(0)} ms, p99 ${pct(detect, 99).toFixed(0)} ms; `
    + `longest gap between completed queries, kill to node back: median ${median(gaps).toFixed(0)} ms, p99 ${pct(gaps, 99).toFixed(0)} ms`);
  console.log(`  compute node back and caught up (restart to up): median ${median(rejoin).toFixed(0)} ms, p99 ${pct(rejoin, 99).toFixed(0)} ms; `
    + `of which catching up (registered to up): median ${median(catchUp).toFixed(0)} ms, p99 ${pct(catchUp, 99).toFixed(0)} ms`);
  if (leaderGaps.length > 0) console.log(`  leader: kill to the next answered query: median ${median(leaderGaps).toFixed(0)} ms, p99 ${pct(leaderGaps, 99).toFixed(0)} ms`);
  console.log(`  queries: ${ok} answered (${wrong} wrong), ${failed} failed ${JSON.stringify(Object.fromEntries(errors))}, ${retried} runs again after a node failure`);
  for (const [code, message] of firstError) console.log(`    first ${code}: ${message}`);
  console.log(`  writes: ${count('ok')} acknowledged, ${count('failed')} refused, ${count('unknown')} of unknown outcome (${unknownKept} of them committed) `
    + `${JSON.stringify(Object.fromEntries(writeErrors))}; every acknowledged batch whole, none refused, no row twice: ${exact ? 'yes' : 'NO'}`);
  for (const [code, message] of firstWriteError) console.log(`    first ${code}: ${message}`);
  const said = (what: string): number => cluster.output().split(what).length - 1;
  console.log(`  the cluster said: heartbeat missed ${said('heartbeat missed')}, lost the leader ${said('lost the leader')}, `
    + `a node catching up failed its part ${said('failed its part of a write')}, catch-up failed ${said('catch-up failed')}`);

  // Recovery speed: a node's disk is lost; an empty node takes its place and copies its slices.
  const victim = (await admin.query('SELECT node, node_id, pid FROM stv_nodes WHERE node = 1')).rows[0] as { node: number; node_id: string; pid: number };
  process.kill(victim.pid, 'SIGKILL');
  await waitState(admin, victim.node, 'down', 30_000);
  const bytesBefore = await dirBytes(dirs.get(victim.node_id)!);
  const fresh = join(cluster.dataDir, 'compute-replacement');
  const t0 = performance.now();
  restarted.push(startNode(cluster, fresh, ['--replace', victim.node_id]));
  await waitState(admin, victim.node, 'recovering|up', 60_000);
  const joined = performance.now();
  await waitState(admin, victim.node, 'up', 600_000);
  const seconds = (performance.now() - joined) / 1000;
  const bytes = await dirBytes(fresh);
  console.log(`  recovery of an empty replacement: ${(bytes / 1e6).toFixed(1)} MB (the lost node held ${(bytesBefore / 1e6).toFixed(1)} MB) `
    + `in ${seconds.toFixed(2)} s after joining (${((performance.now() - t0) / 1000).toFixed(2)} s from start): ${(bytes / 1e6 / seconds).toFixed(1)} MB/s`);
  const after = await answers(await admin.get());
  console.log(`  answers after the replacement: ${[...after].every(([id, rows]) => rows === expected.get(id)) ? 'all as before' : 'SOME DIFFER'}`);
  await worker.end();
  await writer.end();
  await admin.end();
} catch (err) {
  console.error(`the trials stopped; the cluster said:\n${cluster.output().slice(-4000)}`);
  throw err;
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
