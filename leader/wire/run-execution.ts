// Runs what session.execute started (rows, COPY IN, COPY OUT) up to CommandComplete or PortalSuspended.
import type { Execution } from '../session/backend-session.ts';
import { runCopyIn, runCopyOut } from './copy-protocol.ts';
import { BackendCode } from './message-codes.ts';
import { writeCommandComplete } from './messages/command-complete.ts';
import { rowEncoding } from './messages/data-row.ts';
import { writeEmptyBody } from './messages/empty-body.ts';
import { writeRowDescription } from './messages/row-description.ts';
import type { QueryContext } from './query-context.ts';
import { streamRows } from './result-stream.ts';

/** How to run an execution: result formats, row limit, and whether RowDescription goes first. */
export interface RunOptions {
  /** 0 text / 1 binary per result column. */
  readonly formats: Uint8Array;
  /** Row limit for this Execute (0 = all). */
  readonly maxRows: number;
  /** Simple Query sends RowDescription before the rows; the extended protocol sends it on Describe. */
  readonly describe: boolean;
}

function complete(ctx: QueryContext, tag: string): string {
  writeCommandComplete(ctx.out.w, tag);
  return tag;
}

/**
 * Sends the rows or runs the COPY sub-protocol of `exec`, then CommandComplete (or PortalSuspended
 * when the row limit stopped a row cursor early). Returns the command tag sent, or null when
 * suspended. Does not close the cursor.
 */
export async function runExecution(ctx: QueryContext, exec: Execution, signal: AbortSignal, opts: RunOptions): Promise<string | null> {
  switch (exec.kind) {
    case 'rows': {
      const fields = exec.fields;
      if (fields !== null) {
        if (opts.describe) writeRowDescription(ctx.out.w, fields, opts.formats);
        const enc = rowEncoding(fields.map((f) => f.type), opts.formats, ctx.session.textIoSettings());
        const outcome = await streamRows(ctx.out, exec, enc, opts.maxRows, signal);
        if (outcome === 'suspended') {
          writeEmptyBody(ctx.out.w, BackendCode.PortalSuspended);
          return null;
        }
      } else if (!exec.done) {
        // A statement without a result may still need pulling to run to completion.
        await exec.fetch(0);
      }
      return complete(ctx, exec.commandTag());
    }
    case 'copyIn':
      return complete(ctx, await runCopyIn(ctx, exec, signal));
    case 'copyOut':
      return complete(ctx, await runCopyOut(ctx, exec, signal));
  }
}
