// Parse ('P'): statement name, query text and the parameter type OIDs the client fixes (0 = infer).
// @see https://www.postgresql.org/docs/15/protocol-message-formats.html
import { MessageReader, malformedMessage } from '../message-reader.ts';

/** A decoded Parse. */
export interface ParseMessage {
  readonly name: string;
  readonly sql: string;
  readonly paramOids: readonly number[];
}

/** Decodes a Parse body. */
export function decodeParse(body: Buffer): ParseMessage {
  const r = new MessageReader(body);
  const name = r.cstring();
  const sql = r.cstring();
  const n = r.int16();
  if (n < 0) throw malformedMessage('negative parameter type count');
  const paramOids: number[] = [];
  for (let i = 0; i < n; i++) paramOids.push(r.uint32());
  r.end();
  return { name, sql, paramOids };
}
