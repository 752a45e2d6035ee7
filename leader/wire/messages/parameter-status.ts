// ParameterStatus ('S'): a run-time setting the client should know (server_version, TimeZone, ...).
// @see https://www.postgresql.org/docs/15/protocol-message-formats.html
import { BackendCode } from '../message-codes.ts';
import type { MessageWriter } from '../message-writer.ts';

/** Appends ParameterStatus name = value. */
export function writeParameterStatus(w: MessageWriter, name: string, value: string): void {
  w.begin(BackendCode.ParameterStatus).cstring(name).cstring(value).end();
}
