// Close ('C'): drops a named or unnamed prepared statement ('S') or portal ('P').
// @see https://www.postgresql.org/docs/15/protocol-message-formats.html
import { decodeTarget, type TargetMessage } from './describe.ts';

/** Decodes Close. */
export function decodeClose(body: Buffer): TargetMessage {
  return decodeTarget(body, 'CLOSE');
}
