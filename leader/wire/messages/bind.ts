// Bind ('B'): portal and statement names, parameter formats and values, result column formats.
// @see https://www.postgresql.org/docs/15/protocol-message-formats.html
import { MessageReader, malformedMessage } from '../message-reader.ts';

/** A decoded Bind. */
export interface BindMessage {
  readonly portal: string;
  readonly statement: string;
  /** 0 entries: all text; 1 entry: applies to all; else one per parameter. */
  readonly paramFormats: readonly number[];
  /** Raw parameter bytes (views into the message); null for SQL NULL. */
  readonly params: ReadonlyArray<Buffer | null>;
  /** 0 entries: all text; 1 entry: applies to all; else one per result column. */
  readonly resultFormats: readonly number[];
}

function formatCodes(r: MessageReader): number[] {
  const n = r.int16();
  if (n < 0) throw malformedMessage('negative format code count');
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const f = r.int16();
    if (f !== 0 && f !== 1) throw malformedMessage(`unsupported format code: ${f}`);
    out.push(f);
  }
  return out;
}

/** Decodes a Bind body; lengths and format codes are checked (08P01). */
export function decodeBind(body: Buffer): BindMessage {
  const r = new MessageReader(body);
  const portal = r.cstring();
  const statement = r.cstring();
  const paramFormats = formatCodes(r);
  const n = r.int16();
  if (n < 0) throw malformedMessage('negative parameter count');
  const params: Array<Buffer | null> = [];
  for (let i = 0; i < n; i++) {
    const len = r.int32();
    if (len < -1) throw malformedMessage('invalid parameter length');
    params.push(len === -1 ? null : r.bytes(len));
  }
  const resultFormats = formatCodes(r);
  r.end();
  return { portal, statement, paramFormats, params, resultFormats };
}
