// The colonnade command: `leader`, `compute`, `start` (a local cluster) and `tpch`.
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRootLogger } from '../common/log.ts';
import { ComputeNode } from '../compute/compute-node.ts';
import { startLeaderFront, type LeaderFront } from '../leader/leader-front.ts';
import { SERVING_FILE, startLeader, startReplicatedLeader, type Leader, type LeaderOptions, type ReplicatedLeader } from '../leader/leader.ts';

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
  --leaders L        leader processes (start): with 3 or more the catalog is replicated by Raft
                     and a standby takes over when the active leader dies [COLONNADE_LEADERS] default 1
  --raft-id ID --raft-port P --raft-peers ID=HOST:PORT,...  run this leader as one replica of a
                     Raft-replicated leader (leader) [COLONNADE_RAFT_ID, COLONNADE_RAFT_PORT, COLONNADE_RAFT_PEERS]
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

/** Started by `colonnade start`: resolves when the parent process goes away, even by SIGKILL. */
function orphaned(): Promise<void> {
  return new Promise<void>((resolve) => {
    if (process.send) process.once('disconnect', () => resolve());
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
      replace: { type: 'string' }, leaders: { type: 'string' }, 'raft-id': { type: 'string' }, 'raft-port': { type: 'string' },
      'raft-peers': { type: 'string' },
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
      const raftId = opt(values, 'raft-id', 'COLONNADE_RAFT_ID');
      if (raftId !== undefined) {
        const replicated = await runReplicatedLeader(values, host, dataDir, raftId, log);
        process.stdout.write(`Colonnade leader ${raftId} started (Raft); it serves when elected\n`);
        await Promise.race([untilSignal(), orphaned()]);
        log.info('shutting down');
        await replicated.stop();
        return 0;
      }
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
      await Promise.race([untilSignal(), orphaned()]);
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

function leaderOptions(values: Record<string, string | boolean | undefined>, host: string, dataDir: string, log: ReturnType<typeof createRootLogger>): LeaderOptions {
  const port = intOpt(opt(values, 'port', 'COLONNADE_PORT', '5439'), 'port')!;
  const clusterPort = intOpt(opt(values, 'cluster-port', 'COLONNADE_CLUSTER_PORT'), 'cluster-port') ?? (port === 0 ? 0 : port + 1);
  const authFile = opt(values, 'auth-file', 'COLONNADE_AUTH_FILE');
  const tlsKey = opt(values, 'tls-key', 'COLONNADE_TLS_KEY');
  const tlsCert = opt(values, 'tls-cert', 'COLONNADE_TLS_CERT');
  const kSafety = intOpt(opt(values, 'k-safety', 'COLONNADE_K_SAFETY'), 'k-safety');
  if (kSafety !== undefined && kSafety > 2) throw new Error(`--k-safety must be 0, 1 or 2, got ${kSafety}`);
  return {
    host, port, clusterHost: host, clusterPort, dataDir: join(dataDir, 'leader'), log,
    ...(kSafety !== undefined ? { kSafety } : {}),
    ...(authFile ? { authFile } : {}), ...(tlsKey ? { tlsKeyFile: tlsKey } : {}), ...(tlsCert ? { tlsCertFile: tlsCert } : {}),
  };
}

function runLeader(values: Record<string, string | boolean | undefined>, host: string, dataDir: string, log: ReturnType<typeof createRootLogger>): Promise<Leader> {
  return startLeader(leaderOptions(values, host, dataDir, log));
}

/** `colonnade leader --raft-id ...`: one replica of a Raft-replicated leader. */
function runReplicatedLeader(values: Record<string, string | boolean | undefined>, host: string, dataDir: string, raftId: string,
  log: ReturnType<typeof createRootLogger>): Promise<ReplicatedLeader> {
  const peersText = opt(values, 'raft-peers', 'COLONNADE_RAFT_PEERS');
  const raftPort = intOpt(opt(values, 'raft-port', 'COLONNADE_RAFT_PORT'), 'raft-port');
  if (!peersText || raftPort === undefined) throw new Error('a replicated leader needs --raft-port and --raft-peers id=host:port,... (this one included)');
  const peers = peersText.split(',').map((p) => {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new Error(`--raft-peers: expected id=host:port, got "${p}"`);
    return { id: p.slice(0, eq), address: p.slice(eq + 1) };
  });
  if (!peers.some((p) => p.id === raftId)) throw new Error(`--raft-peers must include this leader (${raftId})`);
  // Started by `colonnade start`: say so once its compute nodes are up, as a single leader does.
  const waitNodes = intOpt(process.env.COLONNADE_WAIT_NODES, 'COLONNADE_WAIT_NODES') ?? 0;
  return startReplicatedLeader({ ...leaderOptions(values, host, dataDir, log), raft: { id: raftId, host, port: raftPort, peers } }, (l) => {
    void l.registry.waitForUp(waitNodes, 60_000).catch((err: unknown) => log.warn({ err }, 'compute nodes did not come up')).then(() => {
      process.stdout.write(`Colonnade leader ${raftId} active on ${host}:${l.port} (compute nodes join ${host}:${l.clusterPort}), pid ${process.pid}\n`);
    });
  });
}

/**
 * `colonnade start`: the leader in this process, compute nodes as child processes; with
 * `--leaders L` (L ≥ 2), L leader processes replicating the catalog by Raft, all children, behind
 * a front in this process that forwards the client and cluster ports to the one serving.
 */
async function runLocalCluster(values: Record<string, string | boolean | undefined>, host: string, dataDir: string): Promise<number> {
  const log = createRootLogger({ role: 'leader' });
  const nodes = intOpt(opt(values, 'nodes', 'COLONNADE_NODES', '2'), 'nodes')!;
  if (nodes < 1) throw new Error('--nodes must be at least 1');
  const slices = intOpt(opt(values, 'slices', 'COLONNADE_SLICES'), 'slices') ?? Math.max(1, Math.floor(availableParallelism() / nodes));
  const leaders = intOpt(opt(values, 'leaders', 'COLONNADE_LEADERS', '1'), 'leaders')!;
  let leader: Leader | null = null;
  let port: number;
  let clusterPort: number;
  const leaderChildren: ChildProcess[] = [];
  let front: LeaderFront | null = null;
  let firstActive: Promise<void> = Promise.resolve();
  if (leaders <= 1) {
    leader = await runLeader(values, host, dataDir, log);
    port = leader.port;
    clusterPort = leader.clusterPort;
  } else {
    // The leader processes each serve on ports of their own while they lead; a front in this
    // process holds the client and cluster ports and forwards to the one that serves (so a
    // standby can take over even while a hung leader still holds its ports). Raft ports follow.
    port = intOpt(opt(values, 'port', 'COLONNADE_PORT', '5439'), 'port')!;
    if (port === 0) throw new Error('--leaders needs a fixed --port');
    clusterPort = intOpt(opt(values, 'cluster-port', 'COLONNADE_CLUSTER_PORT'), 'cluster-port') ?? port + 1;
    const raftPort = (i: number): number => clusterPort + 1 + i;
    const peers = Array.from({ length: leaders }, (_v, i) => `${i + 1}=${host}:${raftPort(i)}`).join(',');
    const dirs = Array.from({ length: leaders }, (_v, i) => join(dataDir, `leader-${i + 1}`));
    // Where a leader of an earlier run served is no longer true.
    for (const d of dirs) await rm(join(d, 'leader', SERVING_FILE), { force: true });
    front = await startLeaderFront(host, port, clusterPort, dirs.map((d) => join(d, 'leader')), log);
    let markActive: () => void = () => undefined;
    firstActive = new Promise<void>((r) => { markActive = r; });
    for (let i = 0; i < leaders; i++) {
      const child = spawn(process.execPath, [
        ENTRY, 'leader', '--host', host, '--port', '0', '--data-dir', dirs[i]!,
        '--raft-id', String(i + 1), '--raft-port', String(raftPort(i)), '--raft-peers', peers,
        ...(typeof values['k-safety'] === 'string' ? ['--k-safety', values['k-safety']] : []),
      ], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'], env: { ...process.env, COLONNADE_DATA_DIR: '', COLONNADE_PORT: '', COLONNADE_WAIT_NODES: String(nodes) } });
      child.stdout!.on('data', (d: Buffer) => {
        process.stdout.write(d);
        if (d.toString().includes(' active on ')) markActive();
      });
      child.on('exit', (code, signal) => log.warn({ leader: i + 1, code, signal }, 'leader process exited'));
      leaderChildren.push(child);
    }
  }
  const children: ChildProcess[] = [];
  let stopping = false;
  for (let i = 0; i < nodes; i++) {
    // COLONNADE_COMPUTE_NODE_FLAGS: extra Node flags for the compute processes (e.g. --cpu-prof).
    const nodeFlags = (process.env.COLONNADE_COMPUTE_NODE_FLAGS ?? '').split(' ').filter((f) => f !== '');
    const child = spawn(process.execPath, [
      ...nodeFlags, ENTRY, 'compute', '--join', `${host}:${clusterPort}`, '--data-dir', join(dataDir, `compute-${i}`),
      '--host', host, '--slices', String(slices),
    // The IPC channel ties the child's life to ours: a node started by `start` exits when we die.
    ], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, COLONNADE_PORT: '' } });
    child.on('exit', (code, signal) => {
      if (!stopping) log.warn({ node: i, code, signal }, 'compute node process exited');
    });
    children.push(child);
  }
  try {
    await firstActive;
    if (leader !== null) await leader.registry.waitForUp(nodes, 60_000);
  } catch (err) {
    log.error({ err }, 'compute nodes did not come up');
  }
  process.stdout.write(`Colonnade is ready: ${nodes} compute node(s) × ${slices} slice(s)${leaders > 1 ? `, ${leaders} leaders (Raft)` : ''}, data in ${dataDir}\n`
    + `Connect with: psql -h ${host} -p ${port} -U colonnade dev\n`
    + `More compute nodes can join with: colonnade compute --join ${host}:${clusterPort}\n`);
  await untilSignal();
  stopping = true;
  log.info('shutting down');
  await Promise.all([...children, ...leaderChildren].map((c) => new Promise<void>((r) => {
    if (c.exitCode !== null || c.signalCode !== null) return r();
    c.once('exit', () => r());
    c.kill('SIGTERM');
    setTimeout(() => c.kill('SIGKILL'), 5000).unref();
  })));
  await leader?.stop();
  await front?.stop();
  return 0;
}
