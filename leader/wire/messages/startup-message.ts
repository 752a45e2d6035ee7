// The untyped first packets: StartupMessage, SSLRequest, GSSENCRequest and CancelRequest.
// @see https://www.postgresql.org/docs/15/protocol-message-formats.html
import { SqlError, SqlState } from '../../../common/errors/index.ts';
import { StartupCode } from '../message-codes.ts';
import { MessageReader, malformedMessage } from '../message-reader.ts';

/** What a startup-phase packet asks for. */
export type StartupPacket =
  | { readonly kind: 'startup'; readonly major: number; readonly minor: number; readonly parameters: ReadonlyMap<string, string> }
  | { readonly kind: 'ssl' }
  | { readonly kind: 'gssenc' }
  | { readonly kind: 'cancel'; readonly processId: number; readonly secretKey: number };

/**
 * Decodes a startup-phase packet body (after the length word). Protocol versions other than 3.x
 * are FATAL 0A000 "unsupported frontend protocol", as PostgreSQL 15 answers them.
 */
export function decodeStartupPacket(body: Buffer): StartupPacket {
  const r = new MessageReader(body);
  const code = r.uint32();
  if (code === StartupCode.SslRequest) { r.end(); return { kind: 'ssl' }; }
  if (code === StartupCode.GssEncRequest) { r.end(); return { kind: 'gssenc' }; }
  if (code === StartupCode.CancelRequest) {
    const processId = r.int32();
    const secretKey = r.int32();
    r.end();
    return { kind: 'cancel', processId, secretKey };
  }
  const major = code >>> 16;
  const minor = code & 0xffff;
  if (major !== 3) {
    throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED,
      `unsupported frontend protocol ${major}.${minor}: server supports 3.0 to 3.0`, { severity: 'FATAL' });
  }
  const parameters = new Map<string, string>();
  for (;;) {
    const name = r.cstring();
    if (name === '') break;
    parameters.set(name, r.cstring());
  }
  if (r.remaining !== 0) throw malformedMessage('invalid startup packet layout: expected terminator as last byte');
  return { kind: 'startup', major, minor, parameters };
}
