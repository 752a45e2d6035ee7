// One rejected input row of a COPY (what Redshift's stl_load_errors holds) and the error budget of a load.
import { SqlError, SqlState, type SqlStateCode } from '../../common/errors/index.ts';

/** A bad row, as recorded for stl_load_errors and reported when the load aborts. */
export interface LoadErrorRecord {
  /** The input file ('' for STDIN). */
  readonly fileName: string;
  /** 1-based record number in the file, header and skipped lines included (PostgreSQL's COPY line). */
  readonly lineNumber: number;
  /** The column whose field failed; '' for row-level errors (field count, encoding, line ends). */
  readonly columnName: string;
  /** format_type of that column, e.g. 'numeric(15,2)'; '' for row-level errors. */
  readonly columnType: string;
  /** Declared length of a char/varchar column, else 0 (stl_load_errors.col_length). */
  readonly columnLength: number;
  /** 1-based field position in the line; 0 for row-level errors. */
  readonly fieldIndex: number;
  /** The field as it appeared in the input, at most 1024 characters. */
  readonly rawFieldValue: string;
  /** The whole input line, at most 1024 characters. */
  readonly rawLine: string;
  /** PostgreSQL's SQLSTATE. */
  readonly code: SqlStateCode;
  /** Redshift's load error code (stl_load_errors.err_code), e.g. 1207 for a bad digit. */
  readonly redshiftCode: number;
  /** The message (stl_load_errors.err_reason). */
  readonly message: string;
  readonly detail?: string;
  readonly hint?: string;
  /** True for data type conversion errors (what PostgreSQL's ON_ERROR ignore may skip). */
  readonly conversion: boolean;
}

/** Limit of raw_line / raw_field_value in stl_load_errors. */
export const RAW_VALUE_LIMIT = 1024;
/** PostgreSQL's MAX_COPY_DATA_DISPLAY: bytes of a value shown in the CONTEXT line. */
const CONTEXT_LIMIT = 100;

/** Cuts `s` to `limit` characters (code points). */
export function truncateChars(s: string, limit: number): string {
  if (s.length <= limit) return s;
  return Array.from(s).slice(0, limit).join('');
}

/** PostgreSQL's limit_printout_length: at most 100 bytes of text, then "...". */
function printout(s: string): string {
  if (Buffer.byteLength(s) <= CONTEXT_LIMIT) return s;
  let out = '';
  let bytes = 0;
  for (const ch of s) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > CONTEXT_LIMIT) break;
    out += ch;
    bytes += n;
  }
  return out + '...';
}

/**
 * PostgreSQL's CONTEXT for a COPY error: `COPY t, line 3, column c: "abc"` for a field,
 * `COPY t, line 3: "raw line"` for a row.
 */
export function copyErrorContext(tableName: string, rec: LoadErrorRecord): string {
  // NOT NULL and encoding errors concern the row; PostgreSQL shows the line for them.
  const rowLevel = rec.code === SqlState.NOT_NULL_VIOLATION || rec.code === SqlState.CHARACTER_NOT_IN_REPERTOIRE;
  if (rec.columnName !== '' && !rowLevel) return `COPY ${tableName}, line ${rec.lineNumber}, column ${rec.columnName}: "${printout(rec.rawFieldValue)}"`;
  return `COPY ${tableName}, line ${rec.lineNumber}: "${printout(rec.rawLine)}"`;
}

/** The SqlError a load raises for `rec` (the first bad row, or the one past MAXERROR). */
export function loadErrorToSqlError(tableName: string, rec: LoadErrorRecord, detail?: string): SqlError {
  const d = detail ?? rec.detail;
  return new SqlError(rec.code, rec.message, {
    where: copyErrorContext(tableName, rec),
    ...(d !== undefined ? { detail: d } : {}),
    ...(rec.hint !== undefined ? { hint: rec.hint } : {}),
    ...(rec.columnName !== '' ? { column: rec.columnName } : {}),
    table: tableName,
  });
}

/**
 * The error that ends a load when `rec` is one bad row more than the budget allows: the row's own
 * error without a budget, PostgreSQL's REJECT_LIMIT message for ON_ERROR ignore, Redshift's
 * "Load into table failed" for MAXERROR.
 */
export function budgetExceededError(tableName: string, maxErrors: number, scope: 'all' | 'conversion', rec: LoadErrorRecord): SqlError {
  if (maxErrors === 0) return loadErrorToSqlError(tableName, rec);
  if (scope === 'conversion') {
    if (!rec.conversion) return loadErrorToSqlError(tableName, rec);
    return new SqlError(SqlState.INVALID_TEXT_REPRESENTATION,
      `skipped more than REJECT_LIMIT (${maxErrors}) rows due to data type incompatibility`,
      { where: loadErrorToSqlError(tableName, rec).fields.where ?? '' });
  }
  return loadErrorToSqlError(tableName, rec,
    `Load into table "${tableName}" failed: more than ${maxErrors} bad rows (MAXERROR ${maxErrors}); `
    + `this one: ${rec.message}. Check 'stl_load_errors' system table for details.`);
}

/** Redshift's load error code for a failure of SQLSTATE `code` in a column of type `typeId`. */
export function redshiftErrorCode(code: SqlStateCode, typeId: string, message: string): number {
  switch (code) {
    case SqlState.INVALID_TEXT_REPRESENTATION:
      if (typeId === 'int2' || typeId === 'int4' || typeId === 'int8') return 1207;
      if (typeId === 'float4' || typeId === 'float8') return 1208;
      if (typeId === 'numeric') return 1209;
      if (typeId === 'bool') return 1210;
      return 1200;
    case SqlState.INVALID_DATETIME_FORMAT: case SqlState.DATETIME_FIELD_OVERFLOW:
      return typeId === 'date' ? 1205 : 1206;
    case SqlState.NUMERIC_VALUE_OUT_OF_RANGE:
      return typeId === 'int2' || typeId === 'int4' || typeId === 'int8' ? 1222 : 1204;
    case SqlState.STRING_DATA_RIGHT_TRUNCATION: return 1204;
    case SqlState.NOT_NULL_VIOLATION: return 1213;
    case SqlState.CHARACTER_NOT_IN_REPERTOIRE: return 1220;
    default:
      if (message.startsWith('extra data')) return 1202;
      if (message.startsWith('missing data')) return 1203;
      if (message.startsWith('unterminated')) return 1216;
      return 1200;
  }
}

/**
 * How many bad rows a load may still skip. One budget can be shared by the parsers of all files
 * of one COPY, so that MAXERROR counts across files as in Redshift.
 */
export class LoadErrorBudget {
  /** Bad rows skipped so far. */
  skipped = 0;
  /** The skipped rows' records, the first `keep` of them. */
  readonly records: LoadErrorRecord[] = [];

  /**
   * @param maxErrors bad rows that may be skipped (0: the first aborts)
   * @param scope 'conversion': only data type conversion errors may be skipped
   * @param keep how many records to retain in `records`
   */
  constructor(readonly maxErrors: number, readonly scope: 'all' | 'conversion' = 'all', readonly keep = 1000) {}

  /** Counts `rec` as skipped and returns true, or returns false when the load must abort on it. */
  trySkip(rec: LoadErrorRecord): boolean {
    if (this.scope === 'conversion' && !rec.conversion) return false;
    if (this.skipped >= this.maxErrors) return false;
    this.skipped++;
    if (this.records.length < this.keep) this.records.push(rec);
    return true;
  }
}
