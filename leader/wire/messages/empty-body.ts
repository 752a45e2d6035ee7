// Backend messages that are just a type byte and length 4: ParseComplete, BindComplete, CloseComplete,
// NoData, PortalSuspended, EmptyQueryResponse and CopyDone.
// @see https://www.postgresql.org/docs/15/protocol-message-formats.html
import { BackendCode } from '../message-codes.ts';
import type { MessageWriter } from '../message-writer.ts';

/** The backend messages without a body. */
export type EmptyBodyCode =
  | typeof BackendCode.ParseComplete
  | typeof BackendCode.BindComplete
  | typeof BackendCode.CloseComplete
  | typeof BackendCode.NoData
  | typeof BackendCode.PortalSuspended
  | typeof BackendCode.EmptyQueryResponse
  | typeof BackendCode.CopyDone;

/** Appends one of the body-less messages. */
export function writeEmptyBody(w: MessageWriter, code: EmptyBodyCode): void {
  w.begin(code).end();
}
