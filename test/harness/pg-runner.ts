// SqlRunner over a node-postgres Client: simple query protocol, every value as PostgreSQL's text.
import pg from 'pg';
import type { SqlRunner, SqlRunnerResult } from './sql-runner.ts';

/** Returns the wire text unparsed for every type, so results read as psql would print them. */
const RAW_TEXT_TYPES = { getTypeParser: () => (value: string): string => value };

/** Wraps a connected `pg.Client`. `close` ends the client. */
export function pgRunner(client: pg.Client, name: string): SqlRunner {
  return {
    name,
    async query(sql: string): Promise<SqlRunnerResult> {
      // No parameters, so node-postgres uses the simple query protocol: several statements may run.
      const res: unknown = await client.query({ text: sql, rowMode: 'array', types: RAW_TEXT_TYPES });
      const results = Array.isArray(res) ? res : [res];
      return toResult(results[results.length - 1]);
    },
    async close(): Promise<void> {
      await client.end();
    },
  };
}

/** Connects a new client to `connectionString` and wraps it. */
export async function connectPgRunner(connectionString: string, name: string): Promise<SqlRunner> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  return pgRunner(client, name);
}

function toResult(res: unknown): SqlRunnerResult {
  if (typeof res !== 'object' || res === null) return { rows: [] };
  const rows = 'rows' in res && Array.isArray(res.rows) ? res.rows.map(toTextRow) : [];
  const fields = 'fields' in res && Array.isArray(res.fields) ? res.fields : [];
  const columnTypeOids = fields.map((f: unknown) =>
    typeof f === 'object' && f !== null && 'dataTypeID' in f && typeof f.dataTypeID === 'number' ? f.dataTypeID : 0);
  return { rows, columnTypeOids };
}

/** A row of raw text values (the parser above returns strings; NULL stays null). */
export function toTextRow(row: unknown): (string | null)[] {
  if (!Array.isArray(row)) throw new Error('expected an array row (rowMode: array)');
  return row.map((v: unknown) => (v === null || v === undefined ? null : typeof v === 'string' ? v : String(v)));
}
