// CopyFail ('f'): the frontend aborts COPY FROM STDIN with an error message.
// @see https://www.postgresql.org/docs/15/protocol-message-formats.html
import { MessageReader } from '../message-reader.ts';

/** Decodes CopyFail's error message. */
export function decodeCopyFail(body: Buffer): string {
  const r = new MessageReader(body);
  const message = r.cstring();
  r.end();
  return message;
}
