// The compute node's slices as worker threads, one per slice (the node's --slices, by default one
// per core), so a node's slices run in parallel. Each worker compiles and caches its own kernels and
// reads table snapshots the main thread pinned for the task; the main thread keeps the stores,
// the RPC connections and the writes. A worker that dies (a bug, or its heap exhausted) fails the
// tasks it was running with a clear error and is started afresh for the next one: the node lives on.
// With threads off (COLONNADE_SLICE_THREADS=0) the same tasks run on the main thread, one slice
// after another, which is what a profile of the main process wants.
import { Worker } from 'node:worker_threads';
import { SqlError, SqlState } from '../../common/errors/index.ts';
import type { Logger } from '../../common/log.ts';
import { SnapshotReader } from '../../storage/table-scan.ts';
import type { FromWorker, ToWorker } from './slice-messages.ts';
import { runSliceTask, type SliceTask, type SliceTaskResult } from './slice-task.ts';

/**
 * Receives a task's chunks in order (`target`: an exchange's target slice index, else -1); the next
 * waits until the returned promise settles.
 */
export type ChunkSink = (bytes: Uint8Array, target: number) => Promise<void>;

export interface SlicePoolOptions {
  readonly log: Logger;
  /** Run slices on worker threads (default true). */
  readonly threads?: boolean;
  /** Heap cap of each worker in MiB (default: V8's). Exhausting it fails the task with 53200. */
  readonly heapMiB?: number;
}

export class SlicePool {
  private readonly workers = new Map<number, SliceWorker>();
  private readonly threads: boolean;
  /** Inline mode's reader. */
  private readonly reader = new SnapshotReader();

  constructor(private readonly opts: SlicePoolOptions) {
    this.threads = opts.threads ?? true;
  }

  /** This node's own slices: each has a worker; copies of other nodes' slices borrow theirs. */
  private own: readonly number[] = [];

  /** Starts the workers of this node's own slices ahead of their first task. */
  warm(slices: readonly number[]): void {
    this.own = [...slices];
    if (!this.threads) return;
    for (const s of slices) this.worker(s).start();
  }


  /** Runs a task on its slice's worker, passing its chunks to `sink`. */
  run(task: SliceTask, signal: AbortSignal, sink: ChunkSink): Promise<SliceTaskResult> {
    if (!this.threads) return this.runInline(task, signal, sink);
    return this.worker(task.slice).run(task, signal, sink);
  }

  private async runInline(task: SliceTask, signal: AbortSignal, sink: ChunkSink): Promise<SliceTaskResult> {
    const result: SliceTaskResult = { rows: 0, stats: [], matched: [] };
    for await (const c of runSliceTask(task, this.reader, signal, result)) await sink(c.bytes, c.target);
    return result;
  }

  /**
   * The worker a slice's tasks run on. A copy of another node's slice (read while that node is
   * down) runs on one of this node's workers, already started and one per core, rather than on a
   * thread of its own started then (a second or so of module loading, and more threads than cores).
   */
  private worker(slice: number): SliceWorker {
    if (this.own.length > 0 && !this.own.includes(slice)) slice = this.own[slice % this.own.length]!;
    let w = this.workers.get(slice);
    if (w === undefined) this.workers.set(slice, w = new SliceWorker(slice, this.opts));
    return w;
  }

  async close(): Promise<void> {
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
    this.workers.clear();
  }
}

/** A task waiting on its worker. */
interface Pending {
  readonly sink: ChunkSink;
  /** Chunks are passed on one after another; settling waits for the last. */
  chain: Promise<void>;
  settled: boolean;
  /** Canceled, and the worker has not answered yet. */
  canceled: boolean;
  resolve(r: SliceTaskResult): void;
  reject(e: SqlError): void;
}

const WORKER_URL = new URL('./slice-worker.mjs', import.meta.url);

/**
 * A slice's worker. A thread still busy with a canceled task when the next task comes (a runaway
 * aggregation of a failed query, say) is retired: the new task goes to a fresh thread, and the old
 * one is terminated as soon as its remaining tasks settle — so one query's trouble never lands on
 * the next.
 */
class SliceWorker {
  private current: SliceThread | null = null;
  private readonly retired = new Set<SliceThread>();

  constructor(private readonly slice: number, private readonly opts: SlicePoolOptions) {}

  start(): SliceThread {
    if (this.current !== null && this.current.alive && !this.current.busyWithCanceled()) return this.current;
    if (this.current !== null) {
      const old = this.current;
      this.retired.add(old);
      old.retire(() => this.retired.delete(old));
    }
    this.current = new SliceThread(this.slice, this.opts);
    return this.current;
  }

  run(task: SliceTask, signal: AbortSignal, sink: ChunkSink): Promise<SliceTaskResult> {
    signal.throwIfAborted();
    return this.start().run(task, signal, sink);
  }

  async stop(): Promise<void> {
    const threads = [...this.retired, ...(this.current === null ? [] : [this.current])];
    this.current = null;
    this.retired.clear();
    await Promise.all(threads.map((t) => t.terminate()));
  }
}

class SliceThread {
  private readonly worker: Worker;
  alive = true;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Set once retired: called when the thread is gone. */
  private onRetired: (() => void) | null = null;

  constructor(private readonly slice: number, private readonly opts: SlicePoolOptions) {
    const heap = opts.heapMiB;
    const w = new Worker(WORKER_URL, { ...(heap === undefined ? {} : { resourceLimits: { maxOldGenerationSizeMb: heap } }) });
    this.worker = w;
    w.on('message', (m: FromWorker) => this.onMessage(m));
    // 'error' (an uncaught exception, or ERR_WORKER_OUT_OF_MEMORY) is followed by 'exit'.
    let failure: SqlError | null = null;
    w.on('error', (err: Error & { code?: string }) => {
      failure = err.code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? new SqlError(SqlState.OUT_OF_MEMORY, `out of memory on slice ${slice}`, { detail: 'The slice ran out of heap; the query was canceled and the slice restarted.' })
        : new SqlError(SqlState.INTERNAL_ERROR, `slice ${slice} worker failed: ${err.message}`);
      opts.log.error({ err, slice }, 'slice worker failed');
    });
    w.on('exit', (code) => {
      this.alive = false;
      const err = failure ?? new SqlError(SqlState.INTERNAL_ERROR, `slice ${slice} worker exited (code ${code})`);
      for (const [id, p] of this.pending) {
        this.pending.delete(id);
        this.settle(p, () => p.reject(err));
      }
      this.onRetired?.();
    });
  }

  /** Some canceled task has not finished yet. */
  busyWithCanceled(): boolean {
    for (const p of this.pending.values()) if (p.canceled) return true;
    return false;
  }

  /** Takes no more tasks; terminates once those it runs have settled. */
  retire(onGone: () => void): void {
    this.onRetired = onGone;
    this.opts.log.info({ slice: this.slice }, 'slice worker still busy with a canceled task: retired, a fresh one takes new tasks');
    this.terminateIfIdle();
  }

  private terminateIfIdle(): void {
    if (this.onRetired !== null && this.pending.size === 0) void this.terminate();
  }

  async terminate(): Promise<void> {
    if (this.alive) await this.worker.terminate();
  }

  run(task: SliceTask, signal: AbortSignal, sink: ChunkSink): Promise<SliceTaskResult> {
    const id = this.nextId++;
    return new Promise<SliceTaskResult>((resolve, reject) => {
      const p: Pending = { sink, chain: Promise.resolve(), settled: false, canceled: false, resolve, reject };
      this.pending.set(id, p);
      const onAbort = (): void => {
        p.canceled = true;
        this.post({ type: 'cancel', id });
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const cleanup = (): void => signal.removeEventListener('abort', onAbort);
      p.resolve = (r) => { cleanup(); resolve(r); };
      p.reject = (e) => { cleanup(); reject(e); };
      this.post({ type: 'run', id, task });
    });
  }

  private post(m: ToWorker): void {
    if (this.alive) this.worker.postMessage(m);
  }

  private settle(p: Pending, f: () => void): void {
    if (p.settled) return;
    p.settled = true;
    f();
  }

  /** The task is over as far as the worker is concerned. */
  private finish(id: number): void {
    this.pending.delete(id);
    this.terminateIfIdle();
  }

  private onMessage(m: FromWorker): void {
    const p = this.pending.get(m.id);
    if (p === undefined) return;
    switch (m.type) {
      case 'chunk':
        p.chain = p.chain.then(async () => {
          if (p.settled) return;
          await p.sink(m.bytes, m.target);
          this.post({ type: 'ack', id: m.id });
        }).catch((err: unknown) => {
          // The requester is gone (or canceled): stop the task, fail it with the sink's error.
          p.canceled = true;
          this.post({ type: 'cancel', id: m.id });
          this.settle(p, () => p.reject(SqlError.from(err)));
        });
        break;
      case 'done':
        this.finish(m.id);
        void p.chain.then(() => this.settle(p, () => p.resolve(m.result)));
        break;
      case 'error':
        this.finish(m.id);
        void p.chain.then(() => this.settle(p, () => p.reject(SqlError.fromJSON(m.error))));
        break;
    }
  }
}
