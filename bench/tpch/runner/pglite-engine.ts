// PGlite (PostgreSQL compiled to WebAssembly, in process): the PostgreSQL reference when no server can be started.
import { PGlite } from '@electric-sql/pglite';
import { readFile } from 'node:fs/promises';
import { createTableStatements, dropTableStatements, postLoadIndexStatements } from '../queries/ddl.ts';
import type { Engine, EngineSession, QueryAnswer } from './engine.ts';
import { stripTrailingDelimiters } from './strip-trailing-delimiter.ts';

const identity = (v: string): string => v;
/** Type parsers that keep every value as text (numeric, int8, int4, date, float, char types...). */
const TEXT_PARSERS: Record<number, (v: string) => string> = Object.fromEntries(
  [16, 20, 21, 23, 25, 700, 701, 1042, 1043, 1082, 1114, 1184, 1700].map((oid) => [oid, identity]),
);

/** PGlite engine; one in-process database, so "sessions" share its single connection. */
export class PgliteEngine implements Engine {
  readonly name = 'pglite';

  private constructor(private readonly db: PGlite) {}

  /** Starts an in-memory PGlite. */
  static async create(): Promise<PgliteEngine> {
    return new PgliteEngine(await PGlite.create());
  }

  async createSchema(): Promise<void> {
    for (const sql of [...dropTableStatements(), ...createTableStatements('plain')]) await this.db.exec(sql);
  }

  async loadTable(table: string, file: string): Promise<number> {
    const { out } = stripTrailingDelimiters(await readFile(file), false);
    const res = await this.db.query(`COPY ${table} FROM '/dev/blob' WITH (FORMAT text, DELIMITER '|')`, [], {
      blob: new Blob([out]),
    });
    return res.affectedRows ?? 0;
  }

  async afterLoad(): Promise<void> {
    for (const sql of postLoadIndexStatements()) await this.db.exec(sql);
    await this.db.exec('ANALYZE');
  }

  async query(sql: string): Promise<QueryAnswer> {
    const res = await this.db.query<unknown[]>(sql, [], { rowMode: 'array', parsers: TEXT_PARSERS });
    return {
      columns: res.fields.map((f) => f.name),
      rows: res.rows.map((row) => row.map((v) => (v === null || v === undefined ? null : String(v)))),
    };
  }

  async exec(sql: string): Promise<void> {
    await this.db.exec(sql);
  }

  async openSession(): Promise<EngineSession> {
    return { query: (sql) => this.query(sql), exec: (sql) => this.exec(sql), close: async () => undefined };
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
