// Authentication request messages ('R'): Ok, CleartextPassword, MD5Password and the three SASL steps.
// @see https://www.postgresql.org/docs/15/protocol-message-formats.html
import { BackendCode } from '../message-codes.ts';
import type { MessageWriter } from '../message-writer.ts';

/** The Int32 sub-codes of 'R'. */
export const AuthCode = {
  Ok: 0,
  CleartextPassword: 3,
  Md5Password: 5,
  Sasl: 10,
  SaslContinue: 11,
  SaslFinal: 12,
} as const;

/** Appends AuthenticationOk. */
export function writeAuthenticationOk(w: MessageWriter): void {
  w.begin(BackendCode.Authentication).int32(AuthCode.Ok).end();
}

/** Appends AuthenticationCleartextPassword. */
export function writeAuthenticationCleartextPassword(w: MessageWriter): void {
  w.begin(BackendCode.Authentication).int32(AuthCode.CleartextPassword).end();
}

/** AuthenticationMD5Password with its 4-byte salt. */
export function writeAuthenticationMd5Password(w: MessageWriter, salt: Uint8Array): void {
  w.begin(BackendCode.Authentication).int32(AuthCode.Md5Password).bytes(salt).end();
}

/** AuthenticationSASL: the mechanism names offered, each NUL-terminated, then an empty name. */
export function writeAuthenticationSasl(w: MessageWriter, mechanisms: readonly string[]): void {
  w.begin(BackendCode.Authentication).int32(AuthCode.Sasl);
  for (const m of mechanisms) w.cstring(m);
  w.int8(0).end();
}

/** AuthenticationSASLContinue carrying the server-first-message. */
export function writeAuthenticationSaslContinue(w: MessageWriter, data: string): void {
  w.begin(BackendCode.Authentication).int32(AuthCode.SaslContinue).string(data).end();
}

/** AuthenticationSASLFinal carrying the server-final-message. */
export function writeAuthenticationSaslFinal(w: MessageWriter, data: string): void {
  w.begin(BackendCode.Authentication).int32(AuthCode.SaslFinal).string(data).end();
}
