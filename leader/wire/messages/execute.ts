// Execute ('E'): runs a portal, returning at most maxRows rows (0 = all).
// @see https://www.postgresql.org/docs/15/protocol-message-formats.html
import { MessageReader } from '../message-reader.ts';

/** A decoded Execute. */
export interface ExecuteMessage {
  readonly portal: string;
  /** Row limit; 0 (or negative, which PostgreSQL treats alike) means no limit. */
  readonly maxRows: number;
}

/** Decodes Execute; a negative row limit counts as 0 (all rows). */
export function decodeExecute(body: Buffer): ExecuteMessage {
  const r = new MessageReader(body);
  const portal = r.cstring();
  const maxRows = r.int32();
  r.end();
  return { portal, maxRows: maxRows < 0 ? 0 : maxRows };
}
