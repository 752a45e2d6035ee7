// Messages between a compute node's main thread and its slice workers.
import type { SerializedSqlError } from '../../common/errors/index.ts';
import type { SliceTask, SliceTaskResult } from './slice-task.ts';

/** Chunks a worker may have sent without acknowledgement before it waits. */
export const CHUNK_WINDOW = 4;

/** Main thread → worker. */
export type ToWorker =
  | { readonly type: 'run'; readonly id: number; readonly task: SliceTask }
  /** The main thread has passed one more chunk of task `id` on. */
  | { readonly type: 'ack'; readonly id: number }
  | { readonly type: 'cancel'; readonly id: number };

/** Worker → main thread. */
export type FromWorker =
  | { readonly type: 'chunk'; readonly id: number; readonly bytes: Uint8Array; readonly target: number }
  | { readonly type: 'done'; readonly id: number; readonly result: SliceTaskResult }
  | { readonly type: 'error'; readonly id: number; readonly error: SerializedSqlError };
