// The engine contract the runner drives: create the schema, load .tbl files, run SQL and return rows as text.

/** A query answer: column names and rows of text values (null for SQL NULL). */
export interface QueryAnswer {
  columns: string[];
  rows: (string | null)[][];
}

/** One engine under test (DuckDB, PostgreSQL, PGlite, Colonnade). */
export interface Engine {
  /** Short name used in tables and JSON: 'duckdb', 'postgres', 'colonnade', 'pglite'. */
  readonly name: string;
  /** Drops and creates the eight tables. */
  createSchema(): Promise<void>;
  /** Appends the rows of a .tbl file (trailing '|' format) to `table`; returns the rows loaded. */
  loadTable(table: string, file: string): Promise<number>;
  /** Work after loading (indexes, ANALYZE); part of the load time. */
  afterLoad(): Promise<void>;
  /** Runs one query and returns its answer as text. */
  query(sql: string): Promise<QueryAnswer>;
  /** Runs a statement whose result is not needed. */
  exec(sql: string): Promise<void>;
  /** A second session for concurrent streams (throughput test); the caller closes it. */
  openSession(): Promise<EngineSession>;
  /** Stops the query running on the main session (after a timeout), if the engine can. */
  cancel?(): void;
  /** How tables were loaded, when worth reporting (e.g. a fallback from COPY to INSERT). */
  loadNote?(): string;
  /** Releases connections and stops any server this engine started. */
  close(): Promise<void>;
}

/** An extra connection of an engine. */
export interface EngineSession {
  query(sql: string): Promise<QueryAnswer>;
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

/** An engine's failure as the runner reports it: "error: <SQLSTATE> message". */
export function describeError(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const code = (err as { code?: unknown }).code;
    const message = err instanceof Error ? err.message : String(err);
    const firstLine = message.split('\n')[0] ?? message;
    return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? `error: ${code} ${firstLine}` : `error: ${firstLine}`;
  }
  return `error: ${String(err)}`;
}

/** The SQLSTATE of an error, if it carries one. */
export function sqlStateOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
