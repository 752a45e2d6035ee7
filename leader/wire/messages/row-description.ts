// RowDescription ('T'): name, table OID, column number, type OID, typlen, typmod and format per column.
// @see https://www.postgresql.org/docs/15/protocol-message-formats.html
import type { ResultField } from '../../session/backend-session.ts';
import { typeLength, typeModifier, typeOid } from '../../../sql/types/sql-type.ts';
import { BackendCode } from '../message-codes.ts';
import type { MessageWriter } from '../message-writer.ts';

/** `formats[i]` is 0 (text) or 1 (binary) for column i; Describe of a statement passes all zeros. */
export function writeRowDescription(w: MessageWriter, fields: readonly ResultField[], formats: Uint8Array): void {
  w.begin(BackendCode.RowDescription).int16(fields.length);
  for (let colIdx = 0; colIdx < fields.length; colIdx++) {
    const f = fields[colIdx]!;
    w.cstring(f.name)
      .int32(f.tableOid)
      .int16(f.columnNumber)
      .int32(typeOid(f.type))
      .int16(typeLength(f.type))
      .int32(typeModifier(f.type))
      .int16(formats[colIdx] ?? 0);
  }
  w.end();
}
