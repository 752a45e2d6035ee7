// Turns a libpg-query parse failure into a SqlError carrying PostgreSQL's message and position.
import { hasSqlDetails } from 'libpg-query';
import { SqlError, SqlState } from '../../common/errors/index.ts';

/**
 * Converts what libpg-query threw into a SqlError. The message is PostgreSQL's (`syntax error at
 * or near "x"`, `syntax error at end of input`, ...). The position is PostgreSQL's 1-based
 * character position in the text that was parsed: libpg-query reports it 0-based (and 0 also when
 * there is none, so 0 counts as a position only for messages that point at a token).
 */
export function toParseError(err: unknown): SqlError {
  if (err instanceof SqlError) return err;
  if (!hasSqlDetails(err)) {
    const message = err instanceof Error ? err.message : String(err);
    return new SqlError(SqlState.INTERNAL_ERROR, `internal error: parser failed: ${message}`);
  }
  const message = err.sqlDetails?.message ?? err.message;
  const cursor = err.sqlDetails?.cursorPosition ?? 0;
  const pointsAtToken = message.includes(' at or near ') || message.endsWith(' at end of input');
  const position = cursor > 0 || pointsAtToken ? cursor + 1 : undefined;
  // libpg-query gives no SQLSTATE; PostgreSQL's raw parser reports 42601 (even for "LIMIT #,# syntax
  // is not supported").
  return new SqlError(SqlState.SYNTAX_ERROR, message, position === undefined ? {} : { position });
}
