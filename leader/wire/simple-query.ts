// The simple Query cycle: parse the string, run each statement with text results, one implicit transaction.
// @see https://www.postgresql.org/docs/15/protocol-flow.html#PROTOCOL-FLOW-SIMPLE-QUERY
import { BackendCode } from './message-codes.ts';
import { writeEmptyBody } from './messages/empty-body.ts';
import type { QueryContext } from './query-context.ts';
import { runExecution } from './run-execution.ts';

const NO_FORMATS = new Uint8Array(0);

/**
 * Runs every statement of a Query message in order, streaming all rows in text, inside
 * beginImplicit/endImplicit. The first error ends the message: ErrorResponse, statementFailed(),
 * endImplicit(false). An empty or comment-only string answers EmptyQueryResponse. The caller sends
 * ReadyForQuery. Errors that end the connection (FATAL, ConnectionClosed) are rethrown.
 */
export async function runSimpleQuery(ctx: QueryContext, sql: string, isFatal: (err: unknown) => boolean): Promise<void> {
  const { session } = ctx;
  let ok = true;
  try {
    session.beginImplicit();
    const statements = await session.parseSimpleQuery(sql);
    if (statements.length === 0) writeEmptyBody(ctx.out.w, BackendCode.EmptyQueryResponse);
    for (const stmt of statements) {
      const signal = ctx.beginStatement(new AbortController());
      try {
        const exec = await session.execute(stmt, [], signal);
        try {
          const formats = exec.kind === 'rows' && exec.fields !== null ? new Uint8Array(exec.fields.length) : NO_FORMATS;
          await runExecution(ctx, exec, signal, { formats, maxRows: 0, describe: true });
        } finally {
          if (exec.kind === 'rows') await exec.close();
        }
      } finally {
        ctx.endStatement();
      }
    }
  } catch (err) {
    ok = false;
    if (isFatal(err)) {
      await session.endImplicit(false).catch(() => undefined);
      throw err;
    }
    ctx.writeError(err);
    session.statementFailed();
  }
  try {
    await session.endImplicit(ok);
  } catch (err) {
    if (isFatal(err)) throw err;
    ctx.writeError(err);
    session.statementFailed();
  }
}
