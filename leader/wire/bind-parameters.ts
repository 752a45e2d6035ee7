// Turns Bind's raw parameter bytes into Datums: text via parseDatum, binary via the type's codec.
import { SqlError, SqlState } from '../../common/errors/index.ts';
import type { Datum } from '../../sql/types/datum.ts';
import type { SqlType } from '../../sql/types/sql-type.ts';
import { parseDatum, type TextIoSettings } from '../../sql/types/text-io.ts';
import { BINARY_CODECS } from './binary/index.ts';
import { decodeUtf8 } from './binary/text.ts';

/** Expands 0/1/n format codes to one per item; 08P01 when the count is neither. */
export function expandFormats(codes: readonly number[], count: number, what: string): Uint8Array {
  const out = new Uint8Array(count);
  if (codes.length === 0) return out;
  if (codes.length === 1) return out.fill(codes[0]!);
  if (codes.length !== count) {
    throw new SqlError(SqlState.PROTOCOL_VIOLATION, `bind message has ${codes.length} ${what} formats but ${count} ${what === 'result' ? 'columns' : 'parameters'}`);
  }
  for (let i = 0; i < count; i++) out[i] = codes[i]!;
  return out;
}

/**
 * Decodes parameter values for `types`. Text: UTF-8 checked, then `parseDatum` (type 'unknown' keeps
 * the string). Binary: the type's receive function (22P03 on a bad size).
 */
export function bindParameters(
  types: readonly SqlType[], raw: ReadonlyArray<Buffer | null>, formats: Uint8Array, settings: TextIoSettings,
): Datum[] {
  const out: Datum[] = [];
  for (let i = 0; i < raw.length; i++) {
    const bytes = raw[i]!;
    const t = types[i]!;
    if (bytes === null) { out.push(null); continue; }
    try {
      out.push(formats[i] === 1 ? BINARY_CODECS[t.id].decode(bytes, t) : parseDatum(t, decodeUtf8(bytes), settings));
    } catch (err) {
      if (err instanceof SqlError && err.fields.where === undefined) {
        throw new SqlError(err.code, err.message, { ...err.fields, where: `unnamed portal parameter $${i + 1}` });
      }
      throw err;
    }
  }
  return out;
}
