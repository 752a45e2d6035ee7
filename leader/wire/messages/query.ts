// Query ('Q'): a simple-protocol query string, possibly several statements.
// @see https://www.postgresql.org/docs/15/protocol-message-formats.html
import { MessageReader } from '../message-reader.ts';

/** Decodes a Query body into its SQL string. */
export function decodeQuery(body: Buffer): string {
  const r = new MessageReader(body);
  const sql = r.cstring();
  r.end();
  return sql;
}
