// The records of a sqllogictest (.slt) file, as parseSlt reads them and runSlt executes them.

/** `skipif <engine>` / `onlyif <engine>` lines directly above a record. */
export interface SltCondition {
  readonly kind: 'skipif' | 'onlyif';
  readonly engine: string;
}

/** How a query's rows are ordered before comparing. */
export type SltSortMode = 'nosort' | 'rowsort' | 'valuesort';

/** What a failing statement must raise. */
export interface SltExpectedError {
  /** SQLSTATE the error must carry, when given. */
  readonly code?: string;
  /** Substrings the error message must contain (the lines after `----`). */
  readonly messages: readonly string[];
}

interface SltRecordBase {
  /** 1-based line of the record's header (`statement ...`, `query ...`, `halt`). */
  readonly line: number;
  /** 1-based line of the first condition line, or of the header when there is none. */
  readonly startLine: number;
  /** 1-based line just past the record (the blank line ending it, or the line after the last). */
  readonly endLine: number;
  readonly conditions: readonly SltCondition[];
}

/** `statement ok` / `statement error [SQLSTATE]`: SQL that must succeed or fail. */
export interface SltStatement extends SltRecordBase {
  readonly kind: 'statement';
  readonly sql: string;
  /** null for `statement ok`. */
  readonly error: SltExpectedError | null;
}

/** `query <types> [sortmode]`: SQL whose rows must equal the expected rows. */
export interface SltQuery extends SltRecordBase {
  readonly kind: 'query';
  readonly sql: string;
  /** One letter per column: I integer, R float/numeric, T text, B boolean, D date/time. */
  readonly types: string;
  readonly sortMode: SltSortMode;
  /** Expected rows as written (values already split per column); [] when there is no `----` block. */
  readonly expected: readonly (readonly string[])[];
  /** Whether the record has a `----` line. */
  readonly hasResults: boolean;
}

/** `halt`: stop the file here. */
export interface SltHalt extends SltRecordBase {
  readonly kind: 'halt';
}

/** One record of an .slt file. */
export type SltRecord = SltStatement | SltQuery | SltHalt;

/** How a NULL is written in expected results. */
export const SLT_NULL = 'NULL';
/** How an empty string is written in expected results (an empty field would be invisible). */
export const SLT_EMPTY = '(empty)';
