// The one error class that carries PostgreSQL's error fields from anywhere in Colonnade to the client.
import { SqlState, type SqlStateCode } from './sql-state.ts';

/** Severity as PostgreSQL sends it in the 'S' / 'V' fields. */
export type Severity = 'ERROR' | 'FATAL' | 'PANIC' | 'WARNING' | 'NOTICE' | 'DEBUG' | 'INFO' | 'LOG';

/** Optional ErrorResponse fields beyond code and message. */
export interface SqlErrorFields {
  detail?: string;
  hint?: string;
  /** 1-based character position in the query text (PostgreSQL's 'P' field). */
  position?: number;
  severity?: Severity;
  schema?: string;
  table?: string;
  column?: string;
  constraint?: string;
  dataType?: string;
  where?: string;
}

/**
 * An error that reaches the client as an ErrorResponse with these fields. Anything thrown that
 * is not a SqlError is our bug and becomes XX000.
 */
export class SqlError extends Error {
  readonly code: SqlStateCode;
  readonly fields: SqlErrorFields;

  constructor(code: SqlStateCode, message: string, fields: SqlErrorFields = {}) {
    super(message);
    this.name = 'SqlError';
    this.code = code;
    this.fields = fields;
  }

  get severity(): Severity {
    return this.fields.severity ?? 'ERROR';
  }

  /** A plain object that survives JSON (used when errors cross node boundaries). */
  toJSON(): SerializedSqlError {
    return { code: this.code, message: this.message, fields: this.fields };
  }

  static fromJSON(e: SerializedSqlError): SqlError {
    return new SqlError(e.code, e.message, e.fields);
  }

  /** Wraps anything thrown into a SqlError; non-SqlErrors become XX000. */
  static from(err: unknown): SqlError {
    if (err instanceof SqlError) return err;
    const message = err instanceof Error ? err.message : String(err);
    return new SqlError(SqlState.INTERNAL_ERROR, `internal error: ${message}`);
  }
}

/** The wire/JSON form of a SqlError. */
export interface SerializedSqlError {
  code: SqlStateCode;
  message: string;
  fields: SqlErrorFields;
}

export function isSerializedSqlError(v: unknown): v is SerializedSqlError {
  return typeof v === 'object' && v !== null && typeof (v as { code?: unknown }).code === 'string'
    && typeof (v as { message?: unknown }).message === 'string';
}
