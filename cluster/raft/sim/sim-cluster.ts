// The deterministic simulator: a seeded scheduler driving N Raft cores over a simulated network and disks.
import { describeMessage } from '../describe-message.ts';
import { Prng } from '../prng.ts';
import type { RaftMessage } from '../raft-message.ts';
import { RaftNode, bootstrapState, type ConfChange, type RaftAccepted, type RaftNodeOptions } from '../raft-node.ts';
import type { Ready, ReadState } from '../raft-ready.ts';
import type { NodeId } from '../raft-types.ts';
import { EntryType } from '../raft-types.ts';
import { KvStateMachine, encodeKvWrite } from './kv-state-machine.ts';
import { EventQueue } from './event-queue.ts';
import { SafetyChecker, SafetyViolation } from './safety-checker.ts';
import { SimDisk } from './sim-disk.ts';
import { SimNetwork, type NetConfig } from './sim-network.ts';

/** Everything that defines a simulation run; the same config and seed replay the same run. */
export interface SimConfig {
  readonly seed: number;
  /** Every server that exists (founders and servers that may join later). */
  readonly nodeIds: readonly NodeId[];
  /** Founding voters, bootstrapped with the initial configuration. */
  readonly initialVoters: readonly NodeId[];
  /** Simulated ms between ticks. */
  readonly tickMs: number;
  readonly raft: Omit<RaftNodeOptions, 'id' | 'random'>;
  /** Take a state-machine snapshot every this many applied entries (0: never). */
  readonly snapshotEvery: number;
  readonly net: NetConfig;
  /** Upper bound of the simulated fsync latency in ms. */
  readonly fsyncMaxMs: number;
  /** Record a human-readable trace (slow; used to replay a failing seed). */
  readonly trace: boolean;
  /** Check Log Matching every this many events. */
  readonly logMatchingEvery?: number;
}

/** How a client request ended. `unknown`: a write that may or may not have taken effect. */
export type OpOutcome =
  | { readonly status: 'ok'; readonly value: number; readonly index: number }
  | { readonly status: 'fail'; readonly reason: string; readonly leaderId: NodeId | null }
  | { readonly status: 'unknown' };

type OpCallback = (outcome: OpOutcome) => void;

interface PendingWrite {
  readonly term: number;
  readonly cb: OpCallback;
}

interface PendingRead {
  readonly key: number;
  readonly cb: OpCallback;
}

/** One simulated server: its disk outlives crashes, everything else is rebuilt on restart. */
class SimHost {
  readonly disk = new SimDisk();
  node: RaftNode | null = null;
  sm = new KvStateMachine();
  incarnation = 0;
  lastReleaseAt = 0;
  leaderTerm = 0;
  lastWriteSeq = -1;
  /** This server's tick interval: clocks drift, so servers tick at slightly different rates. */
  tickEvery = 10;
  readonly writes = new Map<number, PendingWrite>();
  readonly reads = new Map<number, PendingRead>();
  readyReads: ReadState[] = [];

  constructor(readonly id: NodeId) {}
}

type SimEvent =
  | { readonly kind: 'Tick'; readonly host: SimHost; readonly inc: number }
  | { readonly kind: 'Deliver'; readonly msg: RaftMessage }
  | { readonly kind: 'Release'; readonly host: SimHost; readonly inc: number; readonly ready: Ready; readonly syncTo: number; readonly term: number }
  | { readonly kind: 'Call'; readonly fn: () => void };

/**
 * Runs Raft cores under a single seeded scheduler. Each Ready is written to the server's
 * simulated disk and released (messages sent, entries applied) only after a simulated fsync,
 * in order, as RaftServer does with a real disk. Safety checkers run on every step.
 */
export class SimCluster {
  readonly checker = new SafetyChecker();
  readonly net: SimNetwork;
  readonly traceLines: string[] = [];
  private readonly rng: Prng;
  private readonly faultRng: Prng;
  private readonly hosts = new Map<NodeId, SimHost>();
  private readonly queue = new EventQueue<SimEvent>();
  private time = 0;
  private eventCount = 0;
  private nextReadId = 1;
  private readonly checkEvery: number;
  /** Called after each Ready is released: lets a nemesis strike at interesting moments. */
  onRelease: ((id: NodeId, ready: Ready) => void) | null = null;
  /** Called for every message a server sends (before the network decides its fate). */
  onSend: ((m: RaftMessage) => void) | null = null;

  constructor(readonly config: SimConfig) {
    const root = new Prng(config.seed);
    this.rng = root.fork();
    this.faultRng = root.fork();
    this.net = new SimNetwork({ ...config.net }, root.fork());
    this.checkEvery = config.logMatchingEvery ?? 64;
    const founders = config.initialVoters.map((id) => ({ id, address: '' }));
    for (const id of config.nodeIds) {
      const host = new SimHost(id);
      this.hosts.set(id, host);
      if (config.initialVoters.includes(id)) {
        const boot = bootstrapState(founders);
        host.disk.sync(host.disk.write({ hardState: boot.hardState, log: { from: 1, entries: boot.entries } }));
      }
      this.start(host);
    }
  }

  /** Simulated time in ms. */
  get now(): number {
    return this.time;
  }

  /** Events processed so far. */
  get events(): number {
    return this.eventCount;
  }

  // ---- scheduler ----

  /** Processes events up to and including time `t`. */
  runUntil(t: number): void {
    while (this.queue.peekTime() <= t) this.step();
    if (t > this.time) this.time = t;
  }

  /** Runs until `done()` holds (checked after each event) or `t` passes; returns whether it held. */
  runUntilTrue(done: () => boolean, t: number): boolean {
    if (done()) return true;
    while (this.queue.peekTime() <= t) {
      this.step();
      if (done()) return true;
    }
    if (t > this.time) this.time = t;
    return done();
  }

  /** Calls `fn` at simulated time now + delay. */
  schedule(delay: number, fn: () => void): void {
    this.queue.push(this.time + delay, { kind: 'Call', fn });
  }

  private step(): void {
    const t = this.queue.peekTime();
    const ev = this.queue.pop()!;
    this.time = t;
    this.eventCount++;
    switch (ev.kind) {
      case 'Tick': {
        const h = ev.host;
        if (h.incarnation !== ev.inc || !h.node) return;
        h.node.tick();
        this.flush(h);
        this.queue.push(this.time + h.tickEvery, ev);
        break;
      }
      case 'Deliver': {
        const h = this.hosts.get(ev.msg.to);
        if (!h?.node) return;
        if (this.config.trace) this.trace(`recv ${describeMessage(ev.msg)}`);
        h.node.step(ev.msg);
        this.flush(h);
        break;
      }
      case 'Release':
        this.release(ev.host, ev.inc, ev.ready, ev.syncTo, ev.term);
        break;
      case 'Call':
        ev.fn();
        break;
    }
    if (this.eventCount % this.checkEvery === 0) this.checker.checkLogMatching(this.liveNodes());
  }

  /** Takes every Ready from a core, writes it to the disk and schedules its release after fsync. */
  private flush(h: SimHost): void {
    const node = h.node!;
    while (node.hasReady()) {
      const ready = node.takeReady();
      if (node.role === 'Leader' && h.leaderTerm !== node.term) {
        h.leaderTerm = node.term;
        if (this.config.trace) this.trace(`${h.id} became leader of term ${node.term} (last ${node.lastIndex})`);
        this.checker.onLeader(h.id, node.term, node);
      }
      if (ready.hardState || ready.snapshot || ready.log) {
        h.lastWriteSeq = h.disk.write({ hardState: ready.hardState, snapshot: ready.snapshot, log: ready.log });
      }
      const delay = h.disk.unsyncedWrites > 0 && this.config.fsyncMaxMs > 0 ? this.rng.int(this.config.fsyncMaxMs + 1) : 0;
      const at = Math.max(this.time + delay, h.lastReleaseAt);
      h.lastReleaseAt = at;
      this.queue.push(at, { kind: 'Release', host: h, inc: h.incarnation, ready, syncTo: h.lastWriteSeq, term: node.term });
    }
  }

  /** The Ready is durable now: send, apply, answer clients. */
  private release(h: SimHost, inc: number, ready: Ready, syncTo: number, term: number): void {
    if (h.incarnation !== inc || !h.node) return;
    h.disk.sync(syncTo);
    for (const m of ready.messages) {
      this.onSend?.(m);
      const delays = this.net.fate(m.from, m.to);
      if (this.config.trace && delays.length !== 1) this.trace(`${delays.length === 0 ? 'drop' : 'dup'} ${describeMessage(m)}`);
      for (const d of delays) this.queue.push(this.time + d, { kind: 'Deliver', msg: m });
    }
    if (ready.softState && this.config.trace) {
      this.trace(`${h.id} is ${ready.softState.role} term ${ready.softState.term} leader ${String(ready.softState.leaderId)}`);
    }
    if (ready.snapshot) {
      const meta = ready.snapshot.meta;
      h.sm.restore(ready.snapshot.data);
      if (h.sm.appliedIndex !== meta.index) throw new SafetyViolation('Snapshot', `${h.id} snapshot at ${meta.index} holds state of ${h.sm.appliedIndex}`);
      this.checker.onRestore(h.id, meta.index, h.sm.hash);
      if (this.config.trace) this.trace(`${h.id} installed snapshot ${meta.index}/${meta.term}`);
      for (const [index, w] of h.writes) {
        if (index <= meta.index) {
          h.writes.delete(index);
          w.cb({ status: 'unknown' });
        }
      }
    }
    for (const e of ready.committed) {
      h.sm.apply(e);
      this.checker.onApply(h.id, e, h.sm.hash);
      const w = h.writes.get(e.index);
      if (w) {
        h.writes.delete(e.index);
        if (e.term === w.term) w.cb({ status: 'ok', value: 0, index: e.index });
        else w.cb({ status: 'fail', reason: 'overwritten', leaderId: h.node.leaderId });
      }
    }
    if (ready.committed.length > 0) {
      this.checker.onCommitted(ready.committed, term, this.liveNodes());
      if (this.config.trace) this.trace(`${h.id} applied to ${h.sm.appliedIndex}`);
    }
    for (const r of ready.reads) h.readyReads.push(r);
    this.serveReads(h);
    for (const ev of ready.events) {
      if (ev.kind === 'ReadFailed') {
        const r = h.reads.get(ev.id);
        if (r) {
          h.reads.delete(ev.id);
          r.cb({ status: 'fail', reason: ev.reason, leaderId: ev.leaderId });
        }
      } else if (this.config.trace) {
        this.trace(`${h.id} event ${JSON.stringify(ev)}`);
      }
    }
    this.maybeSnapshot(h);
    this.onRelease?.(h.id, ready);
  }

  private serveReads(h: SimHost): void {
    if (h.readyReads.length === 0) return;
    const waiting: ReadState[] = [];
    for (const r of h.readyReads) {
      if (r.index > h.sm.appliedIndex) {
        waiting.push(r);
        continue;
      }
      const p = h.reads.get(r.id);
      if (!p) continue;
      h.reads.delete(r.id);
      p.cb({ status: 'ok', value: h.sm.read(p.key), index: r.index });
    }
    h.readyReads = waiting;
  }

  private maybeSnapshot(h: SimHost): void {
    const node = h.node!;
    const every = this.config.snapshotEvery;
    if (every <= 0 || h.sm.appliedIndex - node.snapshotIndex < every) return;
    const meta = node.snapshotMetaAt(h.sm.appliedIndex);
    if (!meta) return;
    const snap = { meta, data: h.sm.snapshot() };
    h.lastWriteSeq = h.disk.write({ snapshot: snap });
    node.compact(snap);
    if (this.config.trace) this.trace(`${h.id} compacted to ${meta.index}`);
  }

  // ---- faults ----

  /** Stops a server; unsynced writes are partly lost; its clients learn nothing more. */
  crash(id: NodeId): void {
    const h = this.hosts.get(id)!;
    if (!h.node) return;
    const lost = h.disk.crash(this.faultRng);
    h.node = null;
    h.incarnation++;
    if (this.config.trace) this.trace(`${id} crashed (lost ${lost} unsynced writes)`);
    for (const w of h.writes.values()) w.cb({ status: 'unknown' });
    h.writes.clear();
    for (const r of h.reads.values()) r.cb({ status: 'fail', reason: 'server crashed', leaderId: null });
    h.reads.clear();
    h.readyReads = [];
  }

  /** Starts a crashed server from what its disk holds. */
  restart(id: NodeId): void {
    const h = this.hosts.get(id)!;
    if (h.node) return;
    this.start(h);
    if (this.config.trace) this.trace(`${id} restarted at term ${h.node!.term}, last ${h.node!.lastIndex}, snapshot ${h.node!.snapshotIndex}`);
  }

  private start(h: SimHost): void {
    const initial = h.disk.load();
    const nodeRng = this.rng.fork();
    h.node = new RaftNode({ ...this.config.raft, id: h.id, random: () => nodeRng.next() }, initial);
    h.sm = new KvStateMachine();
    if (initial.snapshot) {
      h.sm.restore(initial.snapshot.data);
      this.checker.onRestore(h.id, initial.snapshot.meta.index, h.sm.hash);
    }
    h.incarnation++;
    h.lastReleaseAt = this.time;
    h.leaderTerm = 0;
    h.lastWriteSeq = -1;
    // Servers tick out of phase with each other and at rates up to 20% apart.
    const tick = this.config.tickMs;
    h.tickEvery = Math.max(1, tick - Math.floor(tick / 10) + this.rng.int(Math.floor(tick / 5) + 1));
    this.queue.push(this.time + 1 + this.rng.int(this.config.tickMs), { kind: 'Tick', host: h, inc: h.incarnation });
    this.flush(h);
  }

  isUp(id: NodeId): boolean {
    return this.hosts.get(id)!.node !== null;
  }

  // ---- clients ----

  /** Proposes `key := value` at server `id`. */
  write(id: NodeId, key: number, value: number, cb: OpCallback): void {
    const h = this.hosts.get(id)!;
    if (!h.node) {
      cb({ status: 'fail', reason: 'server down', leaderId: null });
      return;
    }
    const r = h.node.propose(encodeKvWrite(key, value), EntryType.Command);
    if (!r.ok) {
      cb({ status: 'fail', reason: r.reason, leaderId: r.leaderId });
      return;
    }
    h.writes.set(r.index, { term: r.term, cb });
    this.flush(h);
  }

  /** A linearizable read of `key` through server `id` (ReadIndex). */
  read(id: NodeId, key: number, cb: OpCallback): void {
    const h = this.hosts.get(id)!;
    if (!h.node) {
      cb({ status: 'fail', reason: 'server down', leaderId: null });
      return;
    }
    const readId = this.nextReadId++;
    const r = h.node.readIndex(readId);
    if (!r.ok) {
      cb({ status: 'fail', reason: r.reason, leaderId: r.leaderId });
      return;
    }
    h.reads.set(readId, { key, cb });
    this.flush(h);
  }

  /** Asks server `id` for a membership change. */
  confChange(id: NodeId, change: ConfChange, requestId: number): RaftAccepted {
    const h = this.hosts.get(id)!;
    if (!h.node) return { ok: false, reason: 'server down', leaderId: null };
    const r = h.node.proposeConfChange(change, requestId);
    this.flush(h);
    return r;
  }

  /** Asks leader `id` to hand leadership to `to`. */
  transfer(id: NodeId, to: NodeId): RaftAccepted {
    const h = this.hosts.get(id)!;
    if (!h.node) return { ok: false, reason: 'server down', leaderId: null };
    const r = h.node.transferLeadership(to);
    this.flush(h);
    return r;
  }

  /** Forces server `id` to start an election now. */
  campaign(id: NodeId): void {
    const h = this.hosts.get(id)!;
    if (!h.node) return;
    h.node.campaign(false);
    this.flush(h);
  }

  // ---- observation ----

  /** The live leader with the highest term, if any. */
  leader(): NodeId | null {
    let best: SimHost | null = null;
    for (const h of this.hosts.values()) {
      if (h.node?.role === 'Leader' && (!best || h.node.term > best.node!.term)) best = h;
    }
    return best ? best.id : null;
  }

  /** The core of a live server (for assertions), or null when down. */
  node(id: NodeId): RaftNode | null {
    return this.hosts.get(id)!.node;
  }

  /** The state machine of server `id`. */
  stateMachine(id: NodeId): KvStateMachine {
    return this.hosts.get(id)!.sm;
  }

  /** The disk of server `id`. */
  disk(id: NodeId): SimDisk {
    return this.hosts.get(id)!.disk;
  }

  get ids(): readonly NodeId[] {
    return this.config.nodeIds;
  }

  liveNodes(): { id: NodeId; node: RaftNode }[] {
    const out: { id: NodeId; node: RaftNode }[] = [];
    for (const h of this.hosts.values()) if (h.node) out.push({ id: h.id, node: h.node });
    return out;
  }

  /** One line per server: role, term, indexes. */
  describe(): string {
    const lines: string[] = [];
    for (const h of this.hosts.values()) {
      const n = h.node;
      if (!n) {
        lines.push(`${h.id}: down`);
        continue;
      }
      const voters = n.config.voters.map((m) => m.id).join(',');
      lines.push(`${h.id}: ${n.role} t${n.term} leader=${String(n.leaderId)} last=${n.lastIndex} commit=${n.commitIndex} applied=${h.sm.appliedIndex} snap=${n.snapshotIndex} voters=[${voters}]`);
    }
    return lines.join('\n');
  }

  /** Adds a line to the trace (when tracing). */
  trace(line: string): void {
    if (this.config.trace) this.traceLines.push(`${String(this.time).padStart(6)} ${line}`);
  }
}
