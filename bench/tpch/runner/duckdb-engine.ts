// DuckDB through @duckdb/node-api, in memory with 2 threads, loading .tbl files with read_csv.
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { createTableStatements, dropTableStatements } from '../queries/ddl.ts';
import { SCHEMA } from '../queries/schema.ts';
import type { Engine, EngineSession, QueryAnswer } from './engine.ts';

/** Text of a DuckDB value: decimals, dates and big integers through their exact toString. */
function valueText(v: DuckDBValue): string | null {
  if (v === null) return null;
  if (typeof v === 'string') return v;
  return String(v);
}

async function runQuery(conn: DuckDBConnection, sql: string): Promise<QueryAnswer> {
  const reader = await conn.runAndReadAll(sql);
  const rows = reader.getRows().map((row) => row.map(valueText));
  return { columns: reader.columnNames(), rows };
}

/** Options for {@link DuckDbEngine.create}. */
export interface DuckDbOptions {
  threads?: number;
}

/** DuckDB engine. */
export class DuckDbEngine implements Engine {
  readonly name = 'duckdb';

  private constructor(private readonly instance: DuckDBInstance, private readonly conn: DuckDBConnection) {}

  /** Starts an in-memory database with `threads` threads (default 2). */
  static async create(opts: DuckDbOptions = {}): Promise<DuckDbEngine> {
    const threads = String(opts.threads ?? 2);
    const instance = await DuckDBInstance.create(':memory:', { threads });
    const conn = await instance.connect();
    await conn.run(`SET threads = ${threads}`);
    return new DuckDbEngine(instance, conn);
  }

  async createSchema(): Promise<void> {
    for (const sql of [...dropTableStatements(), ...createTableStatements('plain')]) await this.conn.run(sql);
  }

  async loadTable(table: string, file: string): Promise<number> {
    const def = SCHEMA.find((t) => t.name === table);
    if (def === undefined) throw new RangeError(`no TPC-H table ${table}`);
    const columns = def.columns.map((c) => `'${c.name}': '${c.type}'`).join(', ');
    const path = file.replace(/'/g, "''");
    const before = await this.count(table);
    await this.conn.run(
      `INSERT INTO ${table} SELECT * FROM read_csv('${path}', delim = '|', header = false, quote = '', escape = '', `
      + `auto_detect = false, columns = {${columns}})`,
    );
    return (await this.count(table)) - before;
  }

  private async count(table: string): Promise<number> {
    const r = await this.conn.runAndReadAll(`SELECT count(*) FROM ${table}`);
    return Number(r.getRows()[0]?.[0] ?? 0);
  }

  cancel(): void {
    this.conn.interrupt();
  }

  async afterLoad(): Promise<void> {
    await this.conn.run('CHECKPOINT');
  }

  query(sql: string): Promise<QueryAnswer> {
    return runQuery(this.conn, sql);
  }

  async exec(sql: string): Promise<void> {
    await this.conn.run(sql);
  }

  async openSession(): Promise<EngineSession> {
    const conn = await this.instance.connect();
    return {
      query: (sql) => runQuery(conn, sql),
      exec: async (sql) => { await conn.run(sql); },
      close: async () => { conn.closeSync(); },
    };
  }

  async close(): Promise<void> {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}
