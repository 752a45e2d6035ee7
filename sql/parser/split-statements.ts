// Splits a simple-protocol query string into its statements' texts, as PostgreSQL would run them.
import { parseStatements } from './parse-statements.ts';

/**
 * The texts of the statements in `sql`, in order, as PostgreSQL's simple query protocol sees them:
 * split by the real grammar (so `;` inside strings, comments, dollar quotes and function bodies does
 * not split), empty statements dropped. Throws like {@link parseStatements} on a syntax error,
 * because PostgreSQL parses the whole string before running any of it.
 */
export function splitStatements(sql: string): string[] {
  return parseStatements(sql).map((s) => s.text);
}
