// Shared state of one Redshift-syntax extraction pass: text spans to blank out and the first error.
import { SqlError, SqlState, type SqlStateCode } from '../../common/errors/index.ts';
import type { SqlToken, TokenSegment } from './sql-tokens.ts';

/**
 * Collects what the extractors decide: code point spans to replace by spaces before the parser
 * runs, and the error to raise (the earliest by position; raised only if the PostgreSQL parser
 * finds no earlier syntax error, so the reported error is the first one in the text).
 */
export class ExtractionContext {
  /** [start, end) code point spans, in the order recorded. */
  readonly blanks: Array<[number, number]> = [];
  private firstError: SqlError | undefined;

  /** @param inputCpCount code points in the whole input (for "at end of input" positions). */
  constructor(readonly inputCpCount: number) {}

  /** Marks tokens `tokens[from..to]` (inclusive) and everything between them for removal. */
  blank(tokens: readonly SqlToken[], from: number, to: number): void {
    this.blanks.push([tokens[from]!.cp, tokens[to]!.cpEnd]);
  }

  /** Records an error; keeps the one with the smallest position. */
  fail(err: SqlError): void {
    const pos = err.fields.position ?? Number.MAX_SAFE_INTEGER;
    const cur = this.firstError?.fields.position ?? Number.MAX_SAFE_INTEGER;
    if (this.firstError === undefined || pos < cur) this.firstError = err;
  }

  /** The error to raise, if any. */
  get error(): SqlError | undefined {
    return this.firstError;
  }

  /**
   * A PostgreSQL-style syntax error at token `idx` of `seg`: `syntax error at or near "x"`, or at
   * the terminating `;`, or `syntax error at end of input`.
   */
  syntaxErrorAt(seg: TokenSegment, idx: number, hint?: string): SqlError {
    const tok = seg.tokens[idx] ?? seg.terminator;
    const fields = hint === undefined ? {} : { hint };
    if (tok === undefined) {
      return new SqlError(SqlState.SYNTAX_ERROR, 'syntax error at end of input', { ...fields, position: this.inputCpCount + 1 });
    }
    return new SqlError(SqlState.SYNTAX_ERROR, `syntax error at or near "${tok.text}"`, { ...fields, position: tok.cp + 1 });
  }

  /** An error of `code` pointing at `tok`. */
  errorAt(code: SqlStateCode, message: string, tok: SqlToken, hint?: string): SqlError {
    return new SqlError(code, message, hint === undefined ? { position: tok.cp + 1 } : { position: tok.cp + 1, hint });
  }
}
