// Starts a real local cluster (`colonnade start`: leader + compute processes) for integration tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Readable } from 'node:stream';

const ENTRY = fileURLToPath(new URL('../../bin/colonnade.mjs', import.meta.url));

/** Options for {@link startCluster}. */
export interface ClusterOptions {
  nodes?: number;
  slices?: number;
  /** Client port (default: any free one); `--leaders` needs a fixed one. */
  port?: number;
  /** Reuse a data directory (to test restarts); default a fresh temp dir. */
  dataDir?: string;
  authFile?: string;
  extraArgs?: string[];
  /** Extra environment for the leader and the compute nodes it starts (e.g. COLONNADE_CRASH_AT). */
  env?: Record<string, string>;
}

/** A running local cluster. */
export interface LocalCluster {
  readonly port: number;
  /** Where compute nodes join. */
  readonly clusterPort: number;
  readonly dataDir: string;
  readonly process: ChildProcess;
  /** Output so far (stdout + stderr), for diagnosing failures. */
  output(): string;
  /** A connected node-postgres client as user colonnade, database dev. */
  client(user?: string, password?: string): Promise<pg.Client>;
  /** Stops the cluster (SIGTERM, then SIGKILL after 10 s). Keeps the data directory. */
  stop(): Promise<void>;
  /** Stops the cluster and deletes its data directory (unless it was given). */
  destroy(): Promise<void>;
}

/** Starts `colonnade start` on a free port and waits for its ready line. */
export async function startCluster(opts: ClusterOptions = {}): Promise<LocalCluster> {
  const ownDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'colonnade-test-')));
  const args = [ENTRY, 'start', '--port', String(opts.port ?? 0), '--data-dir', dataDir, '--nodes', String(opts.nodes ?? 2), '--slices', String(opts.slices ?? 1)];
  if (opts.authFile) args.push('--auth-file', opts.authFile);
  args.push(...(opts.extraArgs ?? []));
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, COLONNADE_LOG_LEVEL: 'warn', ...opts.env } });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const [port, clusterPort] = await new Promise<[number, number]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cluster did not start in 60 s:\n${out}`)), 60_000);
    const check = (): void => {
      const m = /Connect with: psql -h \S+ -p (\d+)[\s\S]*--join [^:\s]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve([Number(m[1]), Number(m[2])]);
      }
    };
    proc.stdout!.on('data', check);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`cluster exited with ${code}:\n${out}`));
    });
  });
  const stop = async (): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
      setTimeout(() => proc.kill('SIGKILL'), 10_000).unref();
    });
  };
  return {
    port, clusterPort, dataDir, process: proc,
    output: () => out,
    async client(user = 'colonnade', password?: string) {
      const c = new pg.Client({ host: '127.0.0.1', port, user, database: 'dev', ...(password !== undefined ? { password } : {}) });
      // A cluster stopped at the end of a test ends its sessions with 57P01: not a test failure.
      c.on('error', () => undefined);
      await c.connect();
      return c;
    },
    stop,
    async destroy() {
      await stop();
      if (ownDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Starts a compute node process that joins a leader's cluster port. */
/** The data directory (`<dataDir>/compute-<i>`) of the compute node with this id, found by its node.json. */
export async function computeNodeDir(cluster: LocalCluster, nodeId: string): Promise<string> {
  for (const d of await readdir(cluster.dataDir)) {
    if (!d.startsWith('compute-')) continue;
    const id = (JSON.parse(await readFile(join(cluster.dataDir, d, 'node.json'), 'utf8')) as { nodeId: string }).nodeId;
    if (id === nodeId) return join(cluster.dataDir, d);
  }
  throw new Error(`no data directory for compute node ${nodeId}`);
}

export function startComputeNode(clusterPort: number, dataDir: string, slices = 1, extra: readonly string[] = []): ChildProcess {
  return spawn(process.execPath, [ENTRY, 'compute', '--join', `127.0.0.1:${clusterPort}`, '--data-dir', dataDir, '--slices', String(slices), ...extra],
    { stdio: 'ignore', env: { ...process.env, COLONNADE_LOG_LEVEL: 'warn' } });
}

/** Sends a CancelRequest (length 16, code 80877102, backend pid, secret key) on a new connection. */
export function sendCancelRequest(port: number, pid: number, key: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => {
      const msg = Buffer.alloc(16);
      msg.writeInt32BE(16, 0);
      msg.writeInt32BE(80877102, 4);
      msg.writeInt32BE(pid, 8);
      msg.writeInt32BE(key, 12);
      s.end(msg);
      resolve();
    });
    s.on('error', reject);
  });
}

/**
 * COPY input that streams slowly: `rows` lines "k<TAB>row k" in chunks of `perChunk`, `delayMs`
 * apart, so a COPY is still running when a test kills a process under it.
 */
export function slowCopyInput(rows: number, perChunk: number, delayMs = 20): Readable {
  let next = 0;
  return new Readable({
    read() {
      if (next >= rows) return void this.push(null);
      const lines: string[] = [];
      for (let k = 0; k < perChunk; k++, next++) lines.push(`${next}\trow ${next}\n`);
      setTimeout(() => this.push(lines.join('')), delayMs);
    },
  });
}

