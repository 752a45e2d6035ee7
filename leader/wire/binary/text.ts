// Binary text, varchar, bpchar, name and unknown: the UTF-8 bytes, validated on the way in.
import { SqlError, SqlState } from '../../../common/errors/index.ts';
import { formatDatum } from '../../../sql/types/text-io.ts';
import type { BinaryCodec } from './binary-codec.ts';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes UTF-8, throwing 22021 on an invalid byte sequence as PostgreSQL does for a UTF8 database. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new SqlError(SqlState.CHARACTER_NOT_IN_REPERTOIRE, 'invalid byte sequence for encoding "UTF8"');
  }
}

/** textsend/textrecv for text, varchar, bpchar, name and unknown. */
export const TextBinary: BinaryCodec = {
  encode(w, t, v) {
    // bpchar pads to its length exactly as its text output does.
    w.string(t.id === 'char' ? formatDatum(t, v) ?? '' : typeof v === 'string' ? v : String(v));
  },
  decode(bytes) {
    return decodeUtf8(bytes);
  },
};
