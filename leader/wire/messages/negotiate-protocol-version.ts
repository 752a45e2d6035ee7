// NegotiateProtocolVersion ('v'): sent when a client asks for 3.x with x > 0 or for _pq_ options.
// @see https://www.postgresql.org/docs/15/protocol-message-formats.html
import { BackendCode } from '../message-codes.ts';
import type { MessageWriter } from '../message-writer.ts';

/** Tells the client we speak minor version `newestMinor` and ignored the listed `_pq_.` options. */
export function writeNegotiateProtocolVersion(w: MessageWriter, newestMinor: number, unrecognized: readonly string[]): void {
  w.begin(BackendCode.NegotiateProtocolVersion).int32(newestMinor).int32(unrecognized.length);
  for (const o of unrecognized) w.cstring(o);
  w.end();
}
