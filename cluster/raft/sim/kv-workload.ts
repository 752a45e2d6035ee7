// Simulated clients issuing register reads and writes, recording a history for the linearizability check.
import type { Prng } from '../prng.ts';
import type { NodeId } from '../raft-types.ts';
import { MAX_OPS_PER_REGISTER, checkRegister, type RegisterOp } from './linearizability.ts';
import type { OpOutcome, SimCluster } from './sim-cluster.ts';

/** Register keys stay below this (the probe write of the liveness check uses a key above it). */
const MAX_KEY = 60_000;

/** Shape of the client load. */
export interface WorkloadConfig {
  readonly clients: number;
  readonly keys: number;
  /** Pause between a client's operations, ms. */
  readonly maxThinkMs: number;
  /** A client gives up on an operation after this long (its outcome becomes unknown). */
  readonly timeoutMs: number;
}

/**
 * Closed-loop clients: each has one operation outstanding at a time, sent to the server it
 * believes leads (following "not leader" hints). Successful operations and writes of unknown
 * outcome enter the history; failed ones provably had no effect and are left out.
 */
export class KvWorkload {
  private readonly history = new Map<number, RegisterOp[]>();
  private nextValue = 1;
  private nextOpId = 1;
  private stopAt = Infinity;
  private outstanding = 0;
  private guess: NodeId;
  private readonly active: number[] = [];
  private nextKey: number;
  /** Operations by outcome. */
  readonly counts = { ok: 0, fail: 0, unknown: 0 };

  constructor(private readonly cluster: SimCluster, private readonly rng: Prng, private readonly config: WorkloadConfig) {
    this.guess = cluster.ids[0]!;
    for (let k = 0; k < config.keys; k++) this.active.push(k);
    this.nextKey = config.keys;
  }

  /** Starts the clients; they issue operations until `stopAt` (simulated ms). */
  start(stopAt: number): void {
    this.stopAt = stopAt;
    for (let c = 0; c < this.config.clients; c++) this.cluster.schedule(this.rng.int(this.config.maxThinkMs + 1), () => this.next());
  }

  /** Operations issued and not yet finished. */
  get pending(): number {
    return this.outstanding;
  }

  /** Stops issuing new operations. */
  stop(): void {
    this.stopAt = 0;
  }

  private next(): void {
    if (this.cluster.now >= this.stopAt) return;
    const key = this.pickKey();
    if (key < 0) return;
    const ops = this.history.get(key) ?? [];
    this.history.set(key, ops);
    const target = this.target();
    const invoke = this.cluster.now;
    const isWrite = this.rng.chance(0.5);
    const value = isWrite ? this.nextValue++ : 0;
    const id = this.nextOpId++;
    let done = false;
    this.outstanding++;
    // Reserve the slot now so a register never exceeds the checker's limit.
    const slot = ops.length;
    ops.push({ id, kind: isWrite ? 'write' : 'read', value, invoke, complete: Infinity });
    const tracing = this.cluster.config.trace;
    if (tracing) this.cluster.trace(`client op${id}: ${isWrite ? `write r${key}=${value}` : `read r${key}`} via ${target}`);
    const finish = (o: OpOutcome): void => {
      if (done) return;
      done = true;
      if (tracing) {
        const detail = o.status === 'ok' ? `ok${isWrite ? '' : ` value=${o.value}`} index=${o.index}` : o.status === 'fail' ? `fail (${o.reason})` : 'unknown';
        this.cluster.trace(`client op${id}: ${detail}`);
      }
      this.outstanding--;
      this.counts[o.status]++;
      if (o.status === 'ok') {
        ops[slot] = { id, kind: isWrite ? 'write' : 'read', value: isWrite ? value : o.value, invoke, complete: this.cluster.now };
      } else if (o.status === 'fail' || !isWrite) {
        // No effect (or a read, which has none): drop it from the history.
        ops[slot] = { id, kind: 'read', value: -1, invoke: -1, complete: -1 };
        if (o.status === 'fail' && o.leaderId) this.guess = o.leaderId;
        else if (o.status === 'fail') this.guess = this.rng.pick(this.cluster.ids);
      }
      this.cluster.schedule(1 + this.rng.int(this.config.maxThinkMs + 1), () => this.next());
    };
    this.cluster.schedule(this.config.timeoutMs, () => finish({ status: 'unknown' }));
    if (isWrite) this.cluster.write(target, key, value, finish);
    else this.cluster.read(target, key, finish);
  }

  private target(): NodeId {
    const leader = this.cluster.leader();
    // Mostly follow our own guess, as a real client would; sometimes ask the cluster.
    if (leader && this.rng.chance(0.1)) this.guess = leader;
    return this.guess;
  }

  /** A register to use; a full one is retired for a fresh key so histories stay small. */
  private pickKey(): number {
    const slot = this.rng.int(this.active.length);
    const k = this.active[slot]!;
    if ((this.history.get(k)?.length ?? 0) < MAX_OPS_PER_REGISTER) return k;
    if (this.nextKey >= MAX_KEY) return -1;
    this.active[slot] = this.nextKey++;
    return this.active[slot];
  }

  /** Checks every register's history; returns a description of the first violation, or null. */
  check(): string | null {
    for (const [key, ops] of this.history) {
      const kept = ops.filter((o) => o.invoke >= 0);
      const r = checkRegister(kept);
      if (!r.ok) return `register ${key}: ${r.detail}\n${kept.map((o) => `  ${o.kind} ${o.value} [${o.invoke}, ${o.complete}]`).join('\n')}`;
    }
    return null;
  }

  /** Operations recorded in the history. */
  get recorded(): number {
    let n = 0;
    for (const ops of this.history.values()) for (const o of ops) if (o.invoke >= 0) n++;
    return n;
  }
}
