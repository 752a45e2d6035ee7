// ReadyForQuery ('Z') with the transaction status byte: 'I' idle, 'T' in a block, 'E' failed block.
// @see https://www.postgresql.org/docs/15/protocol-message-formats.html
import type { TransactionStatus } from '../../session/backend-session.ts';
import { BackendCode } from '../message-codes.ts';
import type { MessageWriter } from '../message-writer.ts';

/** Appends ReadyForQuery with the transaction status byte. */
export function writeReadyForQuery(w: MessageWriter, status: TransactionStatus): void {
  w.begin(BackendCode.ReadyForQuery).int8(status.charCodeAt(0)).end();
}
