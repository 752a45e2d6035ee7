// CopyData ('d') in both directions: the body is the raw COPY stream chunk.
// @see https://www.postgresql.org/docs/15/protocol-message-formats.html
import { BackendCode } from '../message-codes.ts';
import type { MessageWriter } from '../message-writer.ts';

/** Appends CopyData carrying `data`. */
export function writeCopyData(w: MessageWriter, data: Uint8Array): void {
  w.begin(BackendCode.CopyData).bytes(data).end();
}

/** The frontend's CopyData body is the data itself (a view into the received bytes). */
export function decodeCopyData(body: Buffer): Buffer {
  return body;
}
