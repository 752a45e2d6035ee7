// The colonnade command: `leader`, `compute`, `start` (a local cluster) and `tpch`.
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRootLogger } from '../common/log.ts';
import { ComputeNode } from '../compute/compute-node.ts';
import { startLeader, type Leader } from '../leader/leader.ts';

const USAGE = `Usage: colonnade <command> [options]

Commands:
  start     Start a local cluster: a leader and N compute node processes
  leader    Run a leader node
  compute   Run a compute node that joins a leader
  tpch      TPC-H kit: gen, queries, ddl (see docs/tpch.md)

Options (environment variable in brackets):
  --host H           address to listen on            [COLONNADE_HOST]       default 127.0.0.1
  --port P           client port (leader)            [COLONNADE_PORT]       default 5439
  --cluster-port P   port compute nodes join         [COLONNADE_CLUSTER_PORT] default port+1
  --data-dir D       where data lives                [COLONNADE_DATA_DIR]   default ./data
  --nodes N          compute nodes (start)           [COLONNADE_NODES]      default 2
  --slices S         slices per compute node         [COLONNADE_SLICES]     default cores/nodes
  --k-safety K       copies of each slice on other nodes, 0-2, fixed at creation (leader, start)
                     [COLONNADE_K_SAFETY] default 1 from three compute nodes on, else 0
  --join H:P         leader's cluster address (compute) [COLONNADE_JOIN]
  --slice-threads on|off  run each slice on a worker thread (compute) [COLONNADE_SLICE_THREADS] default on
  --slice-heap-mb N  heap cap per slice worker (compute) [COLONNADE_SLICE_HEAP_MB] default V8's
  --advertise-host H name peers use to reach this compute node [COLONNADE_ADVERTISE_HOST] default --host
  --replace ID       with an empty --data-dir: take the place of dead compute node ID (see stv_nodes);
                     it copies its slices from their other copies before it serves them (compute)
  --auth-file F      users and passwords (JSON)      [COLONNADE_AUTH_FILE]
  --tls-key F --tls-cert F  enable TLS               [COLONNADE_TLS_KEY, COLONNADE_TLS_CERT]
  --log-level L      pino level                      [COLONNADE_LOG_LEVEL]  default info
`;

const ENTRY = fileURLToPath(new URL('./colonnade.mjs', import.meta.url));

function opt(values: Record<string, string | boolean | undefined>, name: string, env: string, fallback?: string): string | undefined {
  const v = values[name];
  if (typeof v === 'string') return v;
  return process.env[env] ?? fallback;
}

function intOpt(s: string | undefined, name: string): number | undefined {
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got "${s}"`);
  return n;
}

function onOff(s: string, name: string): boolean {
  const v = s.toLowerCase();
  if (v === 'on' || v === 'true' || v === '1') return true;
  if (v === 'off' || v === 'false' || v === '0') return false;
  throw new Error(`--${name} must be on or off, got "${s}"`);
}

function heapOpt(mib: number | undefined): { sliceHeapMiB?: number } {
  return mib === undefined || mib === 0 ? {} : { sliceHeapMiB: mib };
}

/** Resolves on SIGINT/SIGTERM. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolveSignal) => {
    const on = (s: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolveSignal(s);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'tpch') {
    const { runTpchCli } = await import('../bench/tpch/cli.ts');
    return runTpchCli(rest);
  }
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command ? 0 : 1;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      host: { type: 'string' }, port: { type: 'string' }, 'cluster-port': { type: 'string' },
      'data-dir': { type: 'string' }, nodes: { type: 'string' }, slices: { type: 'string' }, 'k-safety': { type: 'string' },
      join: { type: 'string' }, 'advertise-host': { type: 'string' }, 'auth-file': { type: 'string' }, 'tls-key': { type: 'string' },
      'tls-cert': { type: 'string' }, 'log-level': { type: 'string' }, 'slice-threads': { type: 'string' }, 'slice-heap-mb': { type: 'string' },
      replace: { type: 'string' },
    },
    strict: true,
  });
  const logLevel = opt(values, 'log-level', 'COLONNADE_LOG_LEVEL');
  if (logLevel) process.env.COLONNADE_LOG_LEVEL = logLevel;
  const host = opt(values, 'host', 'COLONNADE_HOST', '127.0.0.1')!;
  const dataDir = resolve(opt(values, 'data-dir', 'COLONNADE_DATA_DIR', 'data')!);

  switch (command) {
    case 'leader': {
      const log = createRootLogger({ role: 'leader' });
      const leader = await runLeader(values, host, dataDir, log);
      process.stdout.write(`Colonnade leader ready on ${host}:${leader.port} (compute nodes join ${host}:${leader.clusterPort})\n`);
      await untilSignal();
      log.info('shutting down');
      await leader.stop();
      return 0;
    }
    case 'compute': {
      const log = createRootLogger({ role: 'compute' });
      const join = opt(values, 'join', 'COLONNADE_JOIN');
      if (!join || !/^.+:\d+$/.test(join)) throw new Error('compute needs --join host:port (the leader\'s cluster port)');
      const idx = join.lastIndexOf(':');
      const node = await ComputeNode.start({
        dataDir, leaderHost: join.slice(0, idx), leaderPort: Number(join.slice(idx + 1)),
        host, advertiseHost: opt(values, 'advertise-host', 'COLONNADE_ADVERTISE_HOST', host)!, port: intOpt(opt(values, 'port', 'COLONNADE_COMPUTE_PORT', '0'), 'port')!,
        slices: intOpt(opt(values, 'slices', 'COLONNADE_SLICES'), 'slices') ?? availableParallelism(),
        sliceThreads: onOff(opt(values, 'slice-threads', 'COLONNADE_SLICE_THREADS', 'on')!, 'slice-threads'),
        ...heapOpt(intOpt(opt(values, 'slice-heap-mb', 'COLONNADE_SLICE_HEAP_MB'), 'slice-heap-mb')),
        ...(typeof values.replace === 'string' ? { replaceNodeId: values.replace } : {}),
        log,
      });
      // Started by `colonnade start`: leave when the parent process goes away, even by SIGKILL.
      const orphaned = new Promise<void>((resolve) => {
        if (process.send) process.once('disconnect', () => resolve());
      });
      await Promise.race([untilSignal(), orphaned]);
      log.info('shutting down');
      await node.stop();
      return 0;
    }
    case 'start': return runLocalCluster(values, host, dataDir);
    default:
      process.stderr.write(`unknown command "${command}"\n\n${USAGE}`);
      return 1;
  }
}

async function runLeader(values: Record<string, string | boolean | undefined>, host: string, dataDir: string, log: ReturnType<typeof createRootLogger>): Promise<Leader> {
  const port = intOpt(opt(values, 'port', 'COLONNADE_PORT', '5439'), 'port')!;
  const clusterPort = intOpt(opt(values, 'cluster-port', 'COLONNADE_CLUSTER_PORT'), 'cluster-port') ?? (port === 0 ? 0 : port + 1);
  const authFile = opt(values, 'auth-file', 'COLONNADE_AUTH_FILE');
  const tlsKey = opt(values, 'tls-key', 'COLONNADE_TLS_KEY');
  const tlsCert = opt(values, 'tls-cert', 'COLONNADE_TLS_CERT');
  const kSafety = intOpt(opt(values, 'k-safety', 'COLONNADE_K_SAFETY'), 'k-safety');
  if (kSafety !== undefined && kSafety > 2) throw new Error(`--k-safety must be 0, 1 or 2, got ${kSafety}`);
  return startLeader({
    host, port, clusterHost: host, clusterPort, dataDir: join(dataDir, 'leader'), log,
    ...(kSafety !== undefined ? { kSafety } : {}),
    ...(authFile ? { authFile } : {}), ...(tlsKey ? { tlsKeyFile: tlsKey } : {}), ...(tlsCert ? { tlsCertFile: tlsCert } : {}),
  });
}

/** `colonnade start`: the leader in this process, compute nodes as child processes. */
async function runLocalCluster(values: Record<string, string | boolean | undefined>, host: string, dataDir: string): Promise<number> {
  const log = createRootLogger({ role: 'leader' });
  const nodes = intOpt(opt(values, 'nodes', 'COLONNADE_NODES', '2'), 'nodes')!;
  if (nodes < 1) throw new Error('--nodes must be at least 1');
  const slices = intOpt(opt(values, 'slices', 'COLONNADE_SLICES'), 'slices') ?? Math.max(1, Math.floor(availableParallelism() / nodes));
  const leader = await runLeader(values, host, dataDir, log);
  const children: ChildProcess[] = [];
  let stopping = false;
  for (let i = 0; i < nodes; i++) {
    // COLONNADE_COMPUTE_NODE_FLAGS: extra Node flags for the compute processes (e.g. --cpu-prof).
    const nodeFlags = (process.env.COLONNADE_COMPUTE_NODE_FLAGS ?? '').split(' ').filter((f) => f !== '');
    const child = spawn(process.execPath, [
      ...nodeFlags, ENTRY, 'compute', '--join', `${host}:${leader.clusterPort}`, '--data-dir', join(dataDir, `compute-${i}`),
      '--host', host, '--slices', String(slices),
    // The IPC channel ties the child's life to ours: a node started by `start` exits when we die.
    ], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, COLONNADE_PORT: '' } });
    child.on('exit', (code, signal) => {
      if (!stopping) log.warn({ node: i, code, signal }, 'compute node process exited');
    });
    children.push(child);
  }
  try {
    await leader.registry.waitForUp(nodes, 60_000);
  } catch (err) {
    log.error({ err }, 'compute nodes did not come up');
  }
  const port = leader.port;
  process.stdout.write(`Colonnade is ready: ${nodes} compute node(s) × ${slices} slice(s), data in ${dataDir}\n`
    + `Connect with: psql -h ${host} -p ${port} -U colonnade dev\n`
    + `More compute nodes can join with: colonnade compute --join ${host}:${leader.clusterPort}\n`);
  await untilSignal();
  stopping = true;
  log.info('shutting down');
  await Promise.all(children.map((c) => new Promise<void>((r) => {
    if (c.exitCode !== null || c.signalCode !== null) return r();
    c.once('exit', () => r());
    c.kill('SIGTERM');
    setTimeout(() => c.kill('SIGKILL'), 5000).unref();
  })));
  await leader.stop();
  return 0;
}
