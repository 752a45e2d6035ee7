// Describe ('D'): asks for a statement's ('S') or a portal's ('P') parameter and row descriptions.
// @see https://www.postgresql.org/docs/15/protocol-message-formats.html
import { MessageReader, malformedMessage } from '../message-reader.ts';

/** A statement-or-portal target, as Describe and Close name it. */
export interface TargetMessage {
  readonly target: 'S' | 'P';
  readonly name: string;
}

/** Decodes the shared body of Describe and Close: a target byte and a name. */
export function decodeTarget(body: Buffer, what: string): TargetMessage {
  const r = new MessageReader(body);
  const t = r.byte();
  if (t !== 0x53 && t !== 0x50) throw malformedMessage(`invalid ${what} message subtype ${t}`);
  const name = r.cstring();
  r.end();
  return { target: t === 0x53 ? 'S' : 'P', name };
}

/** Decodes Describe. */
export function decodeDescribe(body: Buffer): TargetMessage {
  return decodeTarget(body, 'DESCRIBE');
}
