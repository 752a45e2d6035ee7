// Pulls rows from a session cursor in batches and writes DataRows, honouring row limits and backpressure.
import { BATCH_SIZE } from '../../compute/batch/batch.ts';
import { queryCanceled } from '../../common/errors/index.ts';
import type { Cursor } from '../session/backend-session.ts';
import { ConnectionClosed } from './connection-closed.ts';
import { writeDataRow, type RowEncoding } from './messages/data-row.ts';
import type { SocketOutput } from './socket-output.ts';

/** How a portal run ended: all rows sent, or the row limit reached with rows left (PortalSuspended). */
export type StreamOutcome = 'done' | 'suspended';

/**
 * Sends up to `maxRows` rows (0 = all) of `cursor` as DataRows. Fetches at most BATCH_SIZE rows at a
 * time and, after each batch, hands output past 64 KiB to the socket and waits while the socket is
 * backed up, so memory stays bounded by one batch however slowly the client reads. A cancelled
 * statement stops between batches with 57014 even if the session does not check its signal.
 */
export async function streamRows(
  out: SocketOutput, cursor: Cursor, enc: RowEncoding, maxRows: number, signal: AbortSignal,
): Promise<StreamOutcome> {
  let sent = 0;
  for (;;) {
    if (signal.aborted) throw queryCanceled();
    const want = maxRows === 0 ? BATCH_SIZE : Math.min(BATCH_SIZE, maxRows - sent);
    const rows = await cursor.fetch(want);
    try {
      for (let rowIdx = 0; rowIdx < rows.length; rowIdx++) writeDataRow(out.w, rows[rowIdx]!, enc);
    } catch (err) {
      out.w.abandon();
      throw err;
    }
    sent += rows.length;
    await out.maybeFlush();
    if (out.isClosed) throw new ConnectionClosed('a result');
    if (cursor.done || rows.length === 0) return 'done';
    if (maxRows > 0 && sent >= maxRows) return 'suspended';
  }
}
