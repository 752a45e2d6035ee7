// The contract between the wire protocol (leader/wire) and SQL sessions (leader/session):
// the wire speaks bytes and formats, the session speaks SQL and Datums.
import type { SqlError } from '../../common/errors/index.ts';
import type { Datum } from '../../sql/types/datum.ts';
import type { SqlType } from '../../sql/types/sql-type.ts';
import type { TextIoSettings } from '../../sql/types/text-io.ts';

/** One result column as RowDescription describes it. */
export interface ResultField {
  readonly name: string;
  readonly type: SqlType;
  /** OID of the table the column comes from, or 0. */
  readonly tableOid: number;
  /** Attribute number in that table, or 0. */
  readonly columnNumber: number;
}

/** A parsed, bound-to-catalog statement, ready to execute any number of times. */
export interface PreparedStatement {
  /** The query text as given. */
  readonly sql: string;
  /** Parameter types, $1 first: what the client gave, else what binding inferred (unknown → text). */
  readonly paramTypes: readonly SqlType[];
  /** Result columns, or null for statements that return no rows (DDL, INSERT without RETURNING). */
  readonly fields: readonly ResultField[] | null;
}

/** A running statement. Rows come in pulls so PortalSuspended (Execute with a row limit) works. */
export interface Cursor {
  readonly kind: 'rows';
  readonly fields: readonly ResultField[] | null;
  /** Returns up to `maxRows` more rows (all remaining when maxRows is 0); an empty array once exhausted. */
  fetch(maxRows: number): Promise<Datum[][]>;
  /** True once every row was fetched (or the statement returns no rows). */
  readonly done: boolean;
  /** The CommandComplete tag, e.g. "SELECT 3", "INSERT 0 5", "CREATE TABLE"; valid once done. */
  commandTag(): string;
  /** Stops the statement early and frees what it holds. */
  close(): Promise<void>;
}

/**
 * A running COPY ... FROM STDIN: the wire sends CopyInResponse, then feeds every CopyData payload to
 * `write` (in order, awaiting each: that is the backpressure), then calls `finish` on CopyDone (its
 * result is the CommandComplete tag, e.g. "COPY 42") or `fail` on CopyFail / a dropped connection.
 */
export interface CopyInCursor {
  readonly kind: 'copyIn';
  /** Overall format: 'text' (text and CSV) or 'binary'. */
  readonly format: 'text' | 'binary';
  readonly columnCount: number;
  write(data: Uint8Array): Promise<void>;
  finish(): Promise<string>;
  fail(message: string): Promise<void>;
}

/**
 * A running COPY ... TO STDOUT: the wire sends CopyOutResponse, one CopyData per chunk, CopyDone and
 * CommandComplete with `commandTag()`.
 */
export interface CopyOutCursor {
  readonly kind: 'copyOut';
  readonly format: 'text' | 'binary';
  readonly columnCount: number;
  chunks(): AsyncIterable<Uint8Array>;
  commandTag(): string;
}

/** What executing a statement starts. */
export type Execution = Cursor | CopyInCursor | CopyOutCursor;

/** PostgreSQL's transaction status byte in ReadyForQuery. */
export type TransactionStatus = 'I' | 'T' | 'E';

/** What the wire layer tells a session about its connection. */
export interface SessionStart {
  readonly user: string;
  readonly database: string;
  /** StartupMessage parameters other than user/database (application_name, client_encoding, options, ...). */
  readonly parameters: Readonly<Record<string, string>>;
  readonly processId: number;
  /** Called when a GUC_REPORT setting changes (SET application_name, ...): the wire sends ParameterStatus. */
  readonly onParameterStatus: (name: string, value: string) => void;
  /** Called for NOTICE/WARNING messages the session raises: the wire sends NoticeResponse. */
  readonly onNotice: (notice: SqlError) => void;
}

/** One client session's SQL side. The wire layer owns exactly one per connection. */
export interface BackendSession {
  /** ParameterStatus values to send after authentication, in order. */
  initialParameterStatus(): ReadonlyArray<readonly [string, string]>;
  /** Settings for formatting values in text (TimeZone etc.). */
  textIoSettings(): TextIoSettings;
  /**
   * Parses a simple-query string into its statements (none for an empty or comment-only string).
   * Throws SqlError (42601 with position) when any statement does not parse.
   */
  parseSimpleQuery(sql: string): Promise<PreparedStatement[]>;
  /** Parses and binds one statement for the extended protocol; `paramTypes` as given by Parse (unknown where 0). */
  prepare(sql: string, paramTypes: readonly SqlType[]): Promise<PreparedStatement>;
  /** Starts executing a statement with parameter values. Errors may come from here or from fetch. */
  execute(stmt: PreparedStatement, params: readonly Datum[], signal: AbortSignal): Promise<Execution>;
  /** Where the session stands, for ReadyForQuery. */
  transactionStatus(): TransactionStatus;
  /**
   * Called by the wire when a statement failed: inside an explicit transaction the session moves
   * to the failed state ('E') until ROLLBACK.
   */
  statementFailed(): void;
  /**
   * Outside an explicit transaction, statements run in an implicit one: a whole simple-query message,
   * or extended-protocol messages up to Sync. The wire calls these around that span.
   */
  beginImplicit(): void;
  endImplicit(success: boolean): Promise<void>;
  /** The connection is closing: roll back whatever is open. */
  close(): Promise<void>;
}

/** Creates sessions for new connections (after authentication). */
export type SessionFactory = (start: SessionStart) => Promise<BackendSession>;
