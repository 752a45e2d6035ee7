// DataRow ('D'): one result row, each column as Int32 length (-1 for NULL) and text or binary bytes.
// @see https://www.postgresql.org/docs/15/protocol-message-formats.html
import { internalError } from '../../../common/errors/index.ts';
import type { Datum } from '../../../sql/types/datum.ts';
import type { SqlType } from '../../../sql/types/sql-type.ts';
import { formatDatum, type TextIoSettings } from '../../../sql/types/text-io.ts';
import type { BinaryCodec } from '../binary/index.ts';
import { BINARY_CODECS } from '../binary/index.ts';
import { BackendCode } from '../message-codes.ts';
import type { MessageWriter } from '../message-writer.ts';

/** How each column of a result is encoded, computed once per portal rather than per row. */
export interface RowEncoding {
  readonly types: readonly SqlType[];
  /** The binary codec for columns sent in binary, null for text columns. */
  readonly binary: ReadonlyArray<BinaryCodec | null>;
  readonly settings: TextIoSettings;
}

/** Builds the encoding for columns of `types` in `formats` (0 text, 1 binary per column). */
export function rowEncoding(types: readonly SqlType[], formats: Uint8Array, settings: TextIoSettings): RowEncoding {
  const binary: Array<BinaryCodec | null> = [];
  for (let colIdx = 0; colIdx < types.length; colIdx++) {
    binary.push(formats[colIdx] === 1 ? BINARY_CODECS[types[colIdx]!.id] : null);
  }
  return { types, binary, settings };
}

/** Appends one DataRow for `row` (one Datum per column). */
export function writeDataRow(w: MessageWriter, row: readonly Datum[], enc: RowEncoding): void {
  const ncols = enc.types.length;
  if (row.length !== ncols) throw internalError(`row has ${row.length} values for ${ncols} columns`);
  w.begin(BackendCode.DataRow).int16(ncols);
  for (let colIdx = 0; colIdx < ncols; colIdx++) {
    const v = row[colIdx]!;
    if (v === null) { w.int32(-1); continue; }
    const codec = enc.binary[colIdx];
    if (codec === null || codec === undefined) {
      w.lengthPrefixedString(formatDatum(enc.types[colIdx]!, v, enc.settings) ?? '');
    } else {
      const at = w.reserveLength();
      codec.encode(w, enc.types[colIdx]!, v);
      w.patchLength(at);
    }
  }
  w.end();
}
