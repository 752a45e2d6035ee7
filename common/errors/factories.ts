// Small constructors for the SqlErrors raised most often, so call sites read as what went wrong.
import { SqlError, type SqlErrorFields } from './sql-error.ts';
import { SqlState } from './sql-state.ts';

export const syntaxError = (message: string, position?: number): SqlError =>
  new SqlError(SqlState.SYNTAX_ERROR, message, position === undefined ? {} : { position });

export const undefinedTable = (name: string, position?: number): SqlError =>
  new SqlError(SqlState.UNDEFINED_TABLE, `relation "${name}" does not exist`, position === undefined ? {} : { position });

export const undefinedColumn = (name: string, position?: number): SqlError =>
  new SqlError(SqlState.UNDEFINED_COLUMN, `column "${name}" does not exist`, position === undefined ? {} : { position });

export const undefinedFunction = (signature: string, position?: number): SqlError =>
  new SqlError(SqlState.UNDEFINED_FUNCTION, `function ${signature} does not exist`, {
    hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
    ...(position === undefined ? {} : { position }),
  });

export const featureNotSupported = (what: string, fields: SqlErrorFields = {}): SqlError =>
  new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `${what} is not supported`, fields);

export const divisionByZero = (): SqlError => new SqlError(SqlState.DIVISION_BY_ZERO, 'division by zero');

export const numericOutOfRange = (what: string): SqlError =>
  new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, `${what} out of range`);

export const invalidTextRepresentation = (typeName: string, value: string): SqlError =>
  new SqlError(SqlState.INVALID_TEXT_REPRESENTATION, `invalid input syntax for type ${typeName}: "${value}"`);

export const datatypeMismatch = (message: string, position?: number): SqlError =>
  new SqlError(SqlState.DATATYPE_MISMATCH, message, position === undefined ? {} : { position });

export const protocolViolation = (message: string): SqlError =>
  new SqlError(SqlState.PROTOCOL_VIOLATION, message, { severity: 'FATAL' });

export const queryCanceled = (): SqlError =>
  new SqlError(SqlState.QUERY_CANCELED, 'canceling statement due to user request');

export const dataCorrupted = (message: string, fields: SqlErrorFields = {}): SqlError =>
  new SqlError(SqlState.DATA_CORRUPTED, message, fields);

/** A broken invariant: our bug, never the user's input. */
export const internalError = (message: string): SqlError =>
  new SqlError(SqlState.INTERNAL_ERROR, message);
