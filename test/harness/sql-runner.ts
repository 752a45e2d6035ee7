// The one interface the .slt runner needs from a database connection, and how values print in .slt files.
import { SLT_EMPTY, SLT_NULL } from './slt-record.ts';

/** What a statement returned: rows of text values (PostgreSQL text output), NULL as null. */
export interface SqlRunnerResult {
  readonly rows: (string | null)[][];
  /** Type OIDs of the result columns, when known (used by --complete to write type letters). */
  readonly columnTypeOids?: readonly number[];
}

/**
 * A database connection as the .slt runner sees it. `query` runs one SQL string through the simple
 * query protocol (it may hold several statements: the last one's rows count) and rejects with an
 * error carrying the SQLSTATE in `.code` when the database reports one.
 */
export interface SqlRunner {
  /** Engine name matched by `skipif` / `onlyif` (e.g. 'colonnade', 'postgres'). */
  readonly name: string;
  query(sql: string): Promise<SqlRunnerResult>;
  /** Releases the connection; optional. */
  close?(): Promise<void>;
}

/** The SQLSTATE and message of whatever a runner threw. */
export function describeError(err: unknown): { code: string | undefined; message: string } {
  const code = typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
  const message = err instanceof Error ? err.message : String(err);
  return { code, message };
}

/**
 * One value as written in an .slt file: NULL → `NULL`, '' → `(empty)`; tabs and line breaks are
 * escaped (`\t`, `\n`, `\r`) so a row stays one line.
 */
export function formatSltValue(v: string | null): string {
  if (v === null) return SLT_NULL;
  if (v === '') return SLT_EMPTY;
  if (!/[\t\n\r]/.test(v)) return v;
  return v.replaceAll('\t', '\\t').replaceAll('\n', '\\n').replaceAll('\r', '\\r');
}

/** The .slt type letter for a PostgreSQL type OID (I integer, R float/numeric, B boolean, D date/time, T other). */
export function sltTypeLetter(oid: number): string {
  switch (oid) {
    case 20: case 21: case 23: case 26: // int8, int2, int4, oid
      return 'I';
    case 700: case 701: case 1700: // float4, float8, numeric
      return 'R';
    case 16: // bool
      return 'B';
    case 1082: case 1083: case 1114: case 1184: case 1186: case 1266: // date, time, timestamp(tz), interval, timetz
      return 'D';
    default:
      return 'T';
  }
}
