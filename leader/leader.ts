// A leader process: durable catalog, cluster membership, and the PostgreSQL wire server.
import { mkdir, readFile, rm } from 'node:fs/promises';
import { writeFileAtomic } from '../common/atomic-file.ts';
import { SqlError, SqlState } from '../common/errors/index.ts';
import type { Logger } from '../common/log.ts';
import { NodeRegistry, type RegisterReply, type RegisterRequest } from '../cluster/membership/node-registry.ts';
import { initParser } from '../sql/parser/index.ts';
import { Catalog } from './catalog/catalog.ts';
import { effectiveK, placeReplicas, replicaSlices } from './catalog/placement.ts';
import { QueryLog } from './session/query-log.ts';
import { CommitLog } from './scheduling/commit-log.ts';
import { Recovery } from './scheduling/recovery.ts';
import { LeaderStateMachine, type LeaderCommand } from './catalog/leader-state-machine.ts';
import { RaftServer } from '../cluster/raft/raft-server.ts';
import { FileStableStore } from '../cluster/raft/file-stable-store.ts';
import { TcpTransport } from '../cluster/raft/tcp-transport.ts';
import type { RaftMember } from '../cluster/raft/raft-types.ts';
import { join } from 'node:path';
import { ClusterDispatcher, storedTable } from './scheduling/cluster-dispatcher.ts';
import { COLONNADE_VERSION, type ServerContext } from './server-context.ts';
import { Session } from './session/session.ts';
import { LoadErrorLog } from './session/load-error-log.ts';
import { LoadStates } from './session/load-state.ts';
import { SERVER_VERSION } from './session/settings.ts';
import { loadAuthConfig, startWireServer, type WireServer } from './wire/wire-server.ts';

/** How to run a leader. */
export interface LeaderOptions {
  /** Client (PostgreSQL protocol) address. */
  host: string;
  port: number;
  /** Address compute nodes join (default: client port + 1). */
  clusterHost: string;
  clusterPort: number;
  dataDir: string;
  authFile?: string;
  tlsKeyFile?: string;
  tlsCertFile?: string;
  /**
   * Copies of each slice besides its own (0-2), fixed when the catalog is created; undefined:
   * automatic, 1 from three compute nodes on (leader/catalog/placement.ts).
   */
  kSafety?: number;
  log: Logger;
}

/** A running leader. */
export interface Leader {
  readonly port: number;
  readonly clusterPort: number;
  readonly registry: NodeRegistry;
  readonly catalog: Catalog;
  stop(): Promise<void>;
}

/** Starts a leader (its catalog in its data directory) and resolves once both ports listen. */
export async function startLeader(opts: LeaderOptions): Promise<Leader> {
  await mkdir(opts.dataDir, { recursive: true });
  await initParser();
  const catalog = await Catalog.open(opts.dataDir);
  const commits = await CommitLog.open(opts.dataDir, opts.log.child({ component: 'leader.commit-log' }));
  return serveCluster(opts, catalog, commits);
}

/**
 * Serves compute nodes and clients with this catalog and commit log; resolves once both ports
 * listen. With `awaitNodesMs` (a leader taking over a running cluster) a new client session
 * waits up to that long for the catalog's compute nodes to register again, instead of finding
 * them all down.
 */
async function serveCluster(opts: LeaderOptions, catalog: Catalog, commits: CommitLog, awaitNodesMs = 0): Promise<Leader> {
  const log = opts.log;
  if (opts.kSafety !== undefined && catalog.nodes.length === 0 && catalog.kSafety !== opts.kSafety) {
    if (!Number.isInteger(opts.kSafety) || opts.kSafety < 0 || opts.kSafety > 2) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, 'K-safety must be 0, 1 or 2');
    await catalog.apply({ kind: 'SetPlacement', kSafety: opts.kSafety, replicas: {} });
  } else if (opts.kSafety !== undefined && catalog.kSafety !== opts.kSafety) {
    log.warn({ asked: opts.kSafety, kept: catalog.kSafety ?? 'automatic' }, 'K-safety is fixed when the cluster is created; keeping it');
  }

  // New nodes get the next slice numbers; known nodes keep theirs. Serialised so two joins never race.
  let assigning: Promise<unknown> = Promise.resolve();
  const assign = (req: RegisterRequest): Promise<RegisterReply> => {
    const run = async (): Promise<RegisterReply> => {
      const known = catalog.nodeById(req.nodeId);
      if (known) {
        if (known.slices.length !== req.sliceCount) {
          log.warn({ nodeId: req.nodeId, slices: known.slices.length, asked: req.sliceCount }, 'node keeps the slices it was given when it first joined');
        }
        if (req.fresh === true) {
          // Its disk is new (a replacement, or a wiped directory): everything it keeps is caught up again.
          log.warn({ nodeId: req.nodeId, index: known.index }, 'a known node joined with an empty data directory; it catches up from the other copies');
          await catalog.apply({ kind: 'MarkBehind', slices: { [known.nodeId]: [...known.slices, ...replicaSlices(known)] } });
        }
        return { index: known.index, slices: known.slices, replicas: replicaSlices(known), tables: catalog.tables.map(storedTable) };
      }
      const first = catalog.sliceCount;
      const slices = Array.from({ length: req.sliceCount }, (_v, i) => first + i);
      const index = catalog.nodes.length;
      if (catalog.tables.length > 0) {
        log.warn({ nodeId: req.nodeId }, 'a new node joined a cluster that has tables: existing rows stay where they are');
      }
      await catalog.apply({ kind: 'RegisterNode', node: { nodeId: req.nodeId, index, slices } });
      // The ring of copies moves with every new node: place them again, and have the others open
      // their new copies before this node's reply (so before it is up: no write reaches a node
      // that has not opened a copy it is sent rows for). A node that is down opens them when it
      // registers again.
      const placement = placeReplicas(catalog.nodes, effectiveK(catalog.kSafety, catalog.nodes.length), catalog.tables.length === 0, new Set(slices));
      await catalog.apply({ kind: 'SetPlacement', kSafety: catalog.kSafety, replicas: Object.fromEntries(placement.replicas), behind: Object.fromEntries(placement.behind) });
      await Promise.all(catalog.nodes.filter((n) => n.nodeId !== req.nodeId).map(async (n) => {
        // A node still joining answers once its own slices are open.
        await registry.connectedPeer(n.nodeId)?.request('openReplicas', { replicas: replicaSlices(n), tables: catalog.tables.map(storedTable) })
          .catch((err: unknown) => log.warn({ err, node: n.index }, 'could not open new slice copies; the node opens them when it registers again'));
      }));
      return { index, slices, replicas: replicaSlices(catalog.nodeById(req.nodeId)!), tables: catalog.tables.map(storedTable) };
    };
    const p = assigning.then(run);
    assigning = p.catch(() => undefined);
    return p;
  };

  let dispatcher: ClusterDispatcher | null = null;
  // Compute nodes ask about writes they hold prepared (after a restart of theirs or ours).
  const serve = async (nodeId: string, method: string, params: unknown): Promise<unknown> => {
    const p = params as { txnIds?: unknown };
    const txnIds = Array.isArray(p?.txnIds) ? p.txnIds.filter((t): t is string => typeof t === 'string') : [];
    if (method === 'resolveInDoubt') return dispatcher!.resolveInDoubt(nodeId, txnIds);
    if (method === 'acknowledgeCommits') { await dispatcher!.acknowledgeCommits(nodeId, txnIds); return null; }
    throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `unknown cluster method ${method}`);
  };
  const registry = new NodeRegistry({ host: opts.clusterHost, port: opts.clusterPort, assign, serve, log: log.child({ component: 'cluster.membership' }) });
  dispatcher = new ClusterDispatcher(catalog, registry, log.child({ component: 'leader.dispatch' }), commits);
  const clusterPort = await registry.start();
  const nodesBack = awaitNodesMs > 0 ? registry.waitForUp(catalog.nodes.length, awaitNodesMs).catch(() => undefined) : Promise.resolve();
  const recovery = new Recovery(catalog, registry, dispatcher, log.child({ component: 'leader.recovery' }));
  recovery.start();
  const ctx: ServerContext = {
    catalog, registry, dispatcher, log, loadErrors: new LoadErrorLog(), loads: new LoadStates(), queries: new QueryLog(), recovery,
    versionString: `PostgreSQL ${SERVER_VERSION} on x86_64-pc-linux-gnu, compiled by Colonnade ${COLONNADE_VERSION}, 64-bit`,
  };

  const auth = await loadAuthConfig(opts.authFile);
  let tls: { key: Buffer; cert: Buffer } | undefined;
  if (opts.tlsKeyFile !== undefined || opts.tlsCertFile !== undefined) {
    if (!opts.tlsKeyFile || !opts.tlsCertFile) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, 'TLS needs both a key and a certificate file');
    tls = { key: await readFile(opts.tlsKeyFile), cert: await readFile(opts.tlsCertFile) };
  }
  let wire: WireServer;
  try {
    wire = await startWireServer({
      host: opts.host, port: opts.port, auth, log,
      ...(tls ? { tls } : {}),
      sessionFactory: async (start) => {
        await nodesBack;
        return new Session(ctx, start);
      },
    });
  } catch (err) {
    await recovery.stop();
    await registry.stop();
    throw err;
  }
  log.info({ port: wire.port, clusterPort, dataDir: opts.dataDir }, 'leader listening');
  return {
    port: wire.port, clusterPort, registry, catalog,
    async stop() {
      await wire.close();
      await recovery.stop();
      await registry.stop();
    },
  };
}

/** How long a leader taking over lets clients wait for the compute nodes to register with it. */
const TAKEOVER_NODES_MS = 8_000;

/** The file in a replicated leader's data directory saying where it serves while it leads. */
export const SERVING_FILE = 'serving.json';

/** The Raft side of a replicated leader: this process's id and address, and the founding members. */
export interface RaftLeaderOptions {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  /** Every leader process of the cluster, this one included (id and raft host:port). */
  readonly peers: readonly RaftMember[];
  /** Milliseconds per Raft tick (default 100; elections after 15-30 ticks without a heartbeat). */
  readonly tickMs?: number;
}

/** A leader process that is one replica of the Raft-replicated leader state. */
export interface ReplicatedLeader {
  readonly raft: RaftServer;
  /** The serving leader when this process leads, else null. */
  active(): Leader | null;
  stop(): Promise<void>;
}

/**
 * Starts one of several leader processes. All keep a replica of the catalog and the commit
 * decisions in Raft (cluster/raft); the one Raft elects serves the client and cluster ports, and
 * when it dies or is cut off a standby that wins the next election takes over with every committed
 * change: it binds the ports (the same ones, where they are free on its host), compute nodes
 * register with it again, and clients reconnect. `onActive` is called each time this process
 * takes over.
 */
export async function startReplicatedLeader(opts: LeaderOptions & { raft: RaftLeaderOptions }, onActive?: (l: Leader) => void): Promise<ReplicatedLeader> {
  const log = opts.log;
  await mkdir(opts.dataDir, { recursive: true });
  await initParser();
  let raft: RaftServer | null = null;
  const propose = async (value: LeaderCommand): Promise<void> => {
    if (raft === null) throw new SqlError(SqlState.CANNOT_CONNECT_NOW, 'the leader is starting');
    await raft.propose(value);
  };
  const catalog = Catalog.replicated((cmd) => propose({ kind: 'catalog', cmd }));
  const commits = CommitLog.replicated((cmd) => propose({ kind: 'commits', cmd }), log.child({ component: 'leader.commit-log' }));
  const store = await FileStableStore.open({ dir: join(opts.dataDir, 'raft'), log });
  const transport = await TcpTransport.listen({ id: opts.raft.id, host: opts.raft.host, port: opts.raft.port, log, peers: opts.raft.peers });
  // Elections after 1.5-3 s without the leader's heartbeats (every 200 ms): a leader busy planning
  // or loading for a second must not be taken for dead.
  raft = await RaftServer.start({
    id: opts.raft.id, store, transport, stateMachine: new LeaderStateMachine(catalog, commits), log, bootstrap: opts.raft.peers,
    tickMs: opts.raft.tickMs ?? 100, raft: { electionTicks: 15, heartbeatTicks: 2 },
  });
  const server = raft;
  let serving: Leader | null = null;
  let stopped = false;
  let changes: Promise<void> = Promise.resolve();
  const takeOver = async (): Promise<void> => {
    // Everything committed before this term is applied here first (ReadIndex barrier).
    await server.readIndex();
    for (let attempt = 0; serving === null; attempt++) {
      if (stopped || server.status().role !== 'Leader') return;
      try {
        serving = await serveCluster(opts, catalog, commits, TAKEOVER_NODES_MS);
      } catch (err) {
        // The ports may still be held by the leader this one replaces, for a moment.
        if (attempt % 10 === 0) log.warn({ err }, 'could not serve yet; retrying');
        await new Promise((r) => setTimeout(r, 300));
      }
    }
    const term = server.status().term;
    log.info({ raftId: opts.raft.id, term, port: serving.port }, 'this leader process is active');
    // Where it serves, for a local front (leader/leader-front.ts): the highest term wins.
    await writeFileAtomic(join(opts.dataDir, SERVING_FILE), JSON.stringify({ term, host: opts.host, port: serving.port, clusterPort: serving.clusterPort, pid: process.pid }));
    onActive?.(serving);
  };
  const onChange = (isLeader: boolean): void => {
    changes = changes.then(async () => {
      if (stopped) return;
      if (isLeader && serving === null) await takeOver();
      else if (!isLeader && serving !== null) {
        log.warn({ raftId: opts.raft.id }, 'no longer the Raft leader: standing down');
        const s: Leader = serving;
        serving = null;
        await rm(join(opts.dataDir, SERVING_FILE), { force: true });
        await s.stop();
      }
    }).catch((err: unknown) => log.error({ err }, 'leader role change failed'));
  };
  server.onLeaderChange((l) => onChange(l.isLeader));
  onChange(server.status().role === 'Leader');
  return {
    raft: server,
    active: () => serving,
    async stop() {
      stopped = true;
      await changes;
      const s = serving as Leader | null;
      serving = null;
      await s?.stop();
      await server.stop();
    },
  };
}

