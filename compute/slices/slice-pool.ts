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

  /** Starts the workers of these slices ahead of their first task. */
  warm(slices: readonly number[]): void {
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

  private worker(slice: number): SliceWorker {
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
  resolve(r: SliceTaskResult): void;
  reject(e: SqlError): void;
}

const WORKER_URL = new URL('./slice-worker.mjs', import.meta.url);

class SliceWorker {
  private thread: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly slice: number, private readonly opts: SlicePoolOptions) {}

  start(): Worker {
    if (this.thread !== null) return this.thread;
    const heap = this.opts.heapMiB;
    const w = new Worker(WORKER_URL, { ...(heap === undefined ? {} : { resourceLimits: { maxOldGenerationSizeMb: heap } }) });
    this.thread = w;
    w.on('message', (m: FromWorker) => this.onMessage(m));
    // 'error' (an uncaught exception, or ERR_WORKER_OUT_OF_MEMORY) is followed by 'exit'.
    let failure: SqlError | null = null;
    w.on('error', (err: Error & { code?: string }) => {
      failure = err.code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? new SqlError(SqlState.OUT_OF_MEMORY, `out of memory on slice ${this.slice}`, { detail: 'The slice ran out of heap; the query was canceled and the slice restarted.' })
        : new SqlError(SqlState.INTERNAL_ERROR, `slice ${this.slice} worker failed: ${err.message}`);
      this.opts.log.error({ err, slice: this.slice }, 'slice worker failed');
    });
    w.on('exit', (code) => {
      if (this.thread === w) this.thread = null;
      const err = failure ?? new SqlError(SqlState.INTERNAL_ERROR, `slice ${this.slice} worker exited (code ${code})`);
      for (const [id, p] of this.pending) {
        this.pending.delete(id);
        this.settle(p, () => p.reject(err));
      }
    });
    return w;
  }

  run(task: SliceTask, signal: AbortSignal, sink: ChunkSink): Promise<SliceTaskResult> {
    signal.throwIfAborted();
    const w = this.start();
    const id = this.nextId++;
    return new Promise<SliceTaskResult>((resolve, reject) => {
      const p: Pending = { sink, chain: Promise.resolve(), settled: false, resolve, reject };
      this.pending.set(id, p);
      const onAbort = (): void => { this.thread?.postMessage({ type: 'cancel', id } satisfies ToWorker); };
      signal.addEventListener('abort', onAbort, { once: true });
      const cleanup = (): void => signal.removeEventListener('abort', onAbort);
      p.resolve = (r) => { cleanup(); resolve(r); };
      p.reject = (e) => { cleanup(); reject(e); };
      w.postMessage({ type: 'run', id, task } satisfies ToWorker);
    });
  }

  private settle(p: Pending, f: () => void): void {
    if (p.settled) return;
    p.settled = true;
    f();
  }

  private onMessage(m: FromWorker): void {
    const p = this.pending.get(m.id);
    if (p === undefined) return;
    switch (m.type) {
      case 'chunk':
        p.chain = p.chain.then(async () => {
          if (p.settled) return;
          await p.sink(m.bytes, m.target);
          this.thread?.postMessage({ type: 'ack', id: m.id } satisfies ToWorker);
        }).catch((err: unknown) => {
          // The requester is gone (or canceled): stop the task, fail it with the sink's error.
          this.thread?.postMessage({ type: 'cancel', id: m.id } satisfies ToWorker);
          this.pending.delete(m.id);
          this.settle(p, () => p.reject(SqlError.from(err)));
        });
        break;
      case 'done':
        this.pending.delete(m.id);
        void p.chain.then(() => this.settle(p, () => p.resolve(m.result)));
        break;
      case 'error':
        this.pending.delete(m.id);
        void p.chain.then(() => this.settle(p, () => p.reject(SqlError.fromJSON(m.error))));
        break;
    }
  }

  async stop(): Promise<void> {
    const w = this.thread;
    this.thread = null;
    if (w !== null) await w.terminate();
  }
}
