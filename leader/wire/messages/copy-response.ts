// CopyInResponse ('G') and CopyOutResponse ('H'): overall format, column count and per-column formats.
// @see https://www.postgresql.org/docs/15/protocol-message-formats.html
import { BackendCode } from '../message-codes.ts';
import type { MessageWriter } from '../message-writer.ts';

function write(w: MessageWriter, code: number, format: 'text' | 'binary', columnCount: number): void {
  const f = format === 'binary' ? 1 : 0;
  w.begin(code).int8(f).int16(columnCount);
  for (let colIdx = 0; colIdx < columnCount; colIdx++) w.int16(f);
  w.end();
}

/** Appends CopyInResponse: every column in the overall format. */
export function writeCopyInResponse(w: MessageWriter, format: 'text' | 'binary', columnCount: number): void {
  write(w, BackendCode.CopyInResponse, format, columnCount);
}

/** Appends CopyOutResponse: every column in the overall format. */
export function writeCopyOutResponse(w: MessageWriter, format: 'text' | 'binary', columnCount: number): void {
  write(w, BackendCode.CopyOutResponse, format, columnCount);
}
