// ErrorResponse ('E') and NoticeResponse ('N'): a SqlError with every field PostgreSQL defines.
// @see https://www.postgresql.org/docs/15/protocol-error-fields.html
import type { SqlError } from '../../../common/errors/index.ts';
import { BackendCode } from '../message-codes.ts';
import type { MessageWriter } from '../message-writer.ts';

/** Field type bytes of ErrorResponse/NoticeResponse. */
export const ErrorField = {
  Severity: 0x53, // S (localized)
  SeverityV: 0x56, // V (never localized)
  Code: 0x43, // C
  Message: 0x4d, // M
  Detail: 0x44, // D
  Hint: 0x48, // H
  Position: 0x50, // P
  Where: 0x57, // W
  Schema: 0x73, // s
  Table: 0x74, // t
  Column: 0x63, // c
  DataType: 0x64, // d
  Constraint: 0x6e, // n
} as const;

function field(w: MessageWriter, type: number, value: string | undefined): void {
  if (value !== undefined) w.int8(type).cstring(value);
}

function writeFields(w: MessageWriter, code: number, err: SqlError, severity: string): void {
  const f = err.fields;
  w.begin(code);
  field(w, ErrorField.Severity, severity);
  field(w, ErrorField.SeverityV, severity);
  field(w, ErrorField.Code, err.code);
  field(w, ErrorField.Message, err.message);
  field(w, ErrorField.Detail, f.detail);
  field(w, ErrorField.Hint, f.hint);
  field(w, ErrorField.Position, f.position === undefined ? undefined : String(f.position));
  field(w, ErrorField.Where, f.where);
  field(w, ErrorField.Schema, f.schema);
  field(w, ErrorField.Table, f.table);
  field(w, ErrorField.Column, f.column);
  field(w, ErrorField.DataType, f.dataType);
  field(w, ErrorField.Constraint, f.constraint);
  w.int8(0).end();
}

/** ErrorResponse for `err` (severity ERROR, FATAL or PANIC from its fields). */
export function writeErrorResponse(w: MessageWriter, err: SqlError): void {
  writeFields(w, BackendCode.ErrorResponse, err, err.severity);
}

/** NoticeResponse for a NOTICE/WARNING/INFO the session raised (severity NOTICE unless it says otherwise). */
export function writeNoticeResponse(w: MessageWriter, notice: SqlError): void {
  writeFields(w, BackendCode.NoticeResponse, notice, notice.fields.severity ?? 'NOTICE');
}
