// The COPY sub-protocol: CopyInResponse then CopyData…CopyDone/CopyFail, or CopyOutResponse then CopyData…CopyDone.
// @see https://www.postgresql.org/docs/15/protocol-flow.html#PROTOCOL-COPY
import { SqlError, SqlState, queryCanceled } from '../../common/errors/index.ts';
import type { CopyInCursor, CopyOutCursor } from '../session/backend-session.ts';
import { ConnectionClosed } from './connection-closed.ts';
import { FrontendCode, codeName } from './message-codes.ts';
import { writeCopyData } from './messages/copy-data.ts';
import { decodeCopyFail } from './messages/copy-fail.ts';
import { writeCopyInResponse, writeCopyOutResponse } from './messages/copy-response.ts';
import { writeEmptyBody } from './messages/empty-body.ts';
import { BackendCode } from './message-codes.ts';
import type { QueryContext } from './query-context.ts';

async function failQuietly(ctx: QueryContext, copy: CopyInCursor, message: string): Promise<void> {
  try {
    await copy.fail(message);
  } catch (err) {
    ctx.log.debug({ err }, 'copy fail() threw');
  }
}

/**
 * COPY FROM STDIN: announces it, flushes (the client waits for CopyInResponse), then feeds each
 * CopyData to the session, awaiting each write (the input socket is paused meanwhile once 1 MiB
 * queues up). Flush and Sync are ignored inside COPY, as PostgreSQL does. Returns the CommandComplete
 * tag; throws 57014 on CopyFail or cancel, 08P01 (ERROR) on any other message.
 */
export async function runCopyIn(ctx: QueryContext, copy: CopyInCursor, signal: AbortSignal): Promise<string> {
  writeCopyInResponse(ctx.out.w, copy.format, copy.columnCount);
  await ctx.out.flush();
  for (;;) {
    const frame = await ctx.input.next();
    if (frame === null) {
      await failQuietly(ctx, copy, 'client closed the connection during COPY');
      throw new ConnectionClosed('COPY FROM STDIN');
    }
    switch (frame.code) {
      case FrontendCode.CopyData:
        try {
          await copy.write(frame.body);
        } catch (err) {
          await failQuietly(ctx, copy, err instanceof Error ? err.message : String(err));
          throw err;
        }
        if (signal.aborted) {
          await failQuietly(ctx, copy, 'canceling statement due to user request');
          throw queryCanceled();
        }
        break;
      case FrontendCode.CopyDone:
        return copy.finish();
      case FrontendCode.CopyFail: {
        const message = decodeCopyFail(frame.body);
        await failQuietly(ctx, copy, message);
        throw new SqlError(SqlState.QUERY_CANCELED, `COPY from stdin failed: ${message}`);
      }
      case FrontendCode.Flush:
      case FrontendCode.Sync:
        break;
      default:
        await failQuietly(ctx, copy, 'unexpected message during COPY');
        throw new SqlError(SqlState.PROTOCOL_VIOLATION,
          `unexpected message type ${codeName(frame.code)} during COPY from stdin`);
    }
  }
}

/**
 * COPY TO STDOUT: CopyOutResponse, one CopyData per chunk the session yields (waiting on the socket
 * when it backs up), CopyDone. Returns the CommandComplete tag; a cancel stops it with 57014.
 */
export async function runCopyOut(ctx: QueryContext, copy: CopyOutCursor, signal: AbortSignal): Promise<string> {
  writeCopyOutResponse(ctx.out.w, copy.format, copy.columnCount);
  for await (const chunk of copy.chunks()) {
    if (signal.aborted) throw queryCanceled();
    writeCopyData(ctx.out.w, chunk);
    await ctx.out.maybeFlush();
    if (ctx.out.isClosed) throw new ConnectionClosed('COPY TO STDOUT');
  }
  if (signal.aborted) throw queryCanceled();
  writeEmptyBody(ctx.out.w, BackendCode.CopyDone);
  return copy.commandTag();
}
