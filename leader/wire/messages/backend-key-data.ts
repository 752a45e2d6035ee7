// BackendKeyData ('K'): the process id and secret key a CancelRequest must quote.
// @see https://www.postgresql.org/docs/15/protocol-message-formats.html
import { BackendCode } from '../message-codes.ts';
import type { MessageWriter } from '../message-writer.ts';

/** Appends BackendKeyData. */
export function writeBackendKeyData(w: MessageWriter, processId: number, secretKey: number): void {
  w.begin(BackendCode.BackendKeyData).int32(processId).int32(secretKey).end();
}
