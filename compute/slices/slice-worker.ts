// A slice's worker thread: runs the tasks its compute node hands it (slice-task.ts) and streams
// their chunks back, at most WINDOW unacknowledged at a time, so a slow client holds the worker
// instead of filling the node's memory.
import { parentPort } from 'node:worker_threads';
import { SqlError, queryCanceled } from '../../common/errors/index.ts';
import { SnapshotReader } from '../../storage/table-scan.ts';
import { runSliceTask, type SliceTaskResult } from './slice-task.ts';
import { CHUNK_WINDOW, type ToWorker, type FromWorker } from './slice-messages.ts';

const port = parentPort;
if (port === null) throw new Error('slice-worker.ts runs only as a worker thread');

const reader = new SnapshotReader();

/** Tasks running here: their cancellation and flow control. */
interface Running {
  readonly abort: AbortController;
  inFlight: number;
  wake: (() => void) | null;
}
const running = new Map<number, Running>();

function post(m: FromWorker, transfer?: ArrayBuffer[]): void {
  port!.postMessage(m, transfer);
}

/** A chunk's bytes in a buffer of their own, which can move to the main thread without a copy. */
function detached(bytes: Uint8Array): Uint8Array {
  const b = bytes.buffer;
  return b instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === b.byteLength ? bytes : bytes.slice();
}

async function run(id: number, m: Extract<ToWorker, { type: 'run' }>): Promise<void> {
  const r: Running = { abort: new AbortController(), inFlight: 0, wake: null };
  running.set(id, r);
  const result: SliceTaskResult = { rows: 0, stats: [], matched: [] };
  try {
    for await (const chunk of runSliceTask(m.task, reader, r.abort.signal, result)) {
      const bytes = detached(chunk.bytes);
      r.inFlight++;
      post({ type: 'chunk', id, bytes, target: chunk.target }, [bytes.buffer as ArrayBuffer]);
      while (r.inFlight >= CHUNK_WINDOW && !r.abort.signal.aborted) await new Promise<void>((resolve) => { r.wake = resolve; });
      r.abort.signal.throwIfAborted();
    }
    post({ type: 'done', id, result });
  } catch (err) {
    post({ type: 'error', id, error: SqlError.from(r.abort.signal.aborted ? r.abort.signal.reason : err).toJSON() });
  } finally {
    running.delete(id);
  }
}

port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'run': void run(m.id, m); break;
    case 'ack': {
      const r = running.get(m.id);
      if (r === undefined) break;
      r.inFlight--;
      r.wake?.();
      r.wake = null;
      break;
    }
    case 'cancel': {
      const r = running.get(m.id);
      if (r === undefined) break;
      r.abort.abort(queryCanceled());
      r.wake?.();
      break;
    }
  }
});
