// The frontend's 'p' messages: PasswordMessage, SASLInitialResponse and SASLResponse.
// @see https://www.postgresql.org/docs/15/protocol-message-formats.html
import { MessageReader, malformedMessage } from '../message-reader.ts';

/** PasswordMessage: a cleartext password or an "md5…" hash. */
export function decodePasswordMessage(body: Buffer): string {
  const r = new MessageReader(body);
  const s = r.cstring();
  r.end();
  return s;
}

/** SASLInitialResponse: the chosen mechanism and the client-first-message. */
export interface SaslInitialResponse {
  readonly mechanism: string;
  readonly data: Buffer;
}

/** Decodes SASLInitialResponse (length -1 means no initial data). */
export function decodeSaslInitialResponse(body: Buffer): SaslInitialResponse {
  const r = new MessageReader(body);
  const mechanism = r.cstring();
  const len = r.int32();
  if (len < -1) throw malformedMessage('invalid SASL initial response length');
  const data = len === -1 ? Buffer.alloc(0) : r.bytes(len);
  r.end();
  return { mechanism, data };
}

/** SASLResponse: the raw client-final-message. */
export function decodeSaslResponse(body: Buffer): Buffer {
  return body;
}
