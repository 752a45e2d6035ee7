// CommandComplete ('C'): the command tag, e.g. "SELECT 3", "INSERT 0 5", "BEGIN".
// @see https://www.postgresql.org/docs/15/protocol-message-formats.html
import { BackendCode } from '../message-codes.ts';
import type { MessageWriter } from '../message-writer.ts';

/** Appends CommandComplete with `tag`. */
export function writeCommandComplete(w: MessageWriter, tag: string): void {
  w.begin(BackendCode.CommandComplete).cstring(tag).end();
}
