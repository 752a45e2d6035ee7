// ParameterDescription ('t'): the type OID of each parameter of a prepared statement.
// @see https://www.postgresql.org/docs/15/protocol-message-formats.html
import { typeOid, type SqlType } from '../../../sql/types/sql-type.ts';
import { BackendCode } from '../message-codes.ts';
import type { MessageWriter } from '../message-writer.ts';

/** Appends ParameterDescription with one type OID per parameter. */
export function writeParameterDescription(w: MessageWriter, paramTypes: readonly SqlType[]): void {
  w.begin(BackendCode.ParameterDescription).int16(paramTypes.length);
  for (const t of paramTypes) w.int32(typeOid(t));
  w.end();
}
