// An engine reached over the PostgreSQL wire protocol with `pg`: real PostgreSQL or a Colonnade cluster.
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createTableStatements, dropTableStatements, postLoadIndexStatements, type DdlDialect } from '../queries/ddl.ts';
import { tableDef } from '../queries/schema.ts';
import { isTableName } from '../gen/table-spec.ts';
import { sqlStateOf, type Engine, type EngineSession, type QueryAnswer } from './engine.ts';
import { insertBatches } from './insert-batches.ts';
import { StripTrailingDelimiter } from './strip-trailing-delimiter.ts';

/** Every value stays text: exact decimals, and dates without time-zone conversion. */
const TEXT_TYPES = { getTypeParser: () => (value: string) => value };

/** How to reach the server and what to do around it. */
export interface PgWireOptions {
  name: string;
  connection: pg.ClientConfig;
  dialect: DdlDialect;
  /** Add primary keys and foreign-key indexes after the load (PostgreSQL). */
  indexes: boolean;
  /** Run ANALYZE after the load; 'best-effort' ignores an engine that cannot (Colonnade today). */
  analyze: 'required' | 'best-effort' | 'off';
  /** Statements to run on each new connection (SET ...). */
  sessionSetup?: readonly string[];
  /** Called by close() after the connections end (stop a server the engine started). */
  onClose?: () => Promise<void>;
}

async function connect(opts: PgWireOptions): Promise<pg.Client> {
  const client = new pg.Client({ ...opts.connection, types: TEXT_TYPES });
  await client.connect();
  // An idle client's socket error must not crash the run; the next query reports it.
  client.on('error', () => undefined);
  for (const sql of opts.sessionSetup ?? []) await client.query(sql);
  return client;
}

async function runQuery(client: pg.Client, sql: string): Promise<QueryAnswer> {
  const res = await client.query({ text: sql, rowMode: 'array' });
  const rows = (res.rows as unknown[][]).map((row) => row.map((v) => (v === null || v === undefined ? null : String(v))));
  return { columns: res.fields.map((f) => f.name), rows };
}

/**
 * Whether an error means the connection is gone (rather than one statement failing): no
 * SQLSTATE at all (socket closed), connection exceptions (08xxx), or the server shutting the
 * session down (57P0x).
 */
export function isConnectionLost(err: unknown): boolean {
  const code = sqlStateOf(err);
  return code === undefined || code.startsWith('08') || code.startsWith('57P0');
}

/**
 * PostgreSQL-protocol engine. Loads with COPY FROM STDIN, falling back to INSERT batches on
 * 0A000. When a statement loses the connection, the next statement reconnects first, so one
 * crashed query does not fail every query after it.
 */
export class PgWireEngine implements Engine {
  readonly name: string;
  private copyUnsupported = false;
  private broken = false;

  private constructor(private readonly opts: PgWireOptions, private client: pg.Client) {
    this.name = opts.name;
  }

  /**
   * Abandons the running statement by closing its connection (the next statement reconnects).
   * Closing is what works on any server; a CancelRequest needs the server to support it.
   */
  cancel(): void {
    this.broken = true;
    this.client.end().catch(() => undefined);
  }

  /** 'COPY' or 'INSERT batches': how the last table was loaded. */
  loadNote(): string {
    return this.copyUnsupported ? 'INSERT batches (COPY answered 0A000)' : 'COPY FROM STDIN';
  }

  /** Runs `fn` on a live client, reconnecting first after a lost connection. */
  private async withClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
    if (this.broken) {
      await this.client.end().catch(() => undefined);
      this.client = await connect(this.opts);
      this.broken = false;
    }
    try {
      return await fn(this.client);
    } catch (err) {
      if (isConnectionLost(err)) this.broken = true;
      throw err;
    }
  }

  /** Connects the main session. */
  static async create(opts: PgWireOptions): Promise<PgWireEngine> {
    return new PgWireEngine(opts, await connect(opts));
  }

  async createSchema(): Promise<void> {
    for (const sql of [...dropTableStatements(), ...createTableStatements(this.opts.dialect)]) await this.exec(sql);
  }

  async loadTable(table: string, file: string): Promise<number> {
    if (!isTableName(table)) throw new RangeError(`no TPC-H table ${table}`);
    if (!this.copyUnsupported) {
      try {
        return await this.withClient(async (client) => {
          const copy = client.query(copyFrom(`COPY ${table} FROM STDIN WITH (FORMAT text, DELIMITER '|')`));
          await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), new StripTrailingDelimiter(), copy);
          return copy.rowCount;
        });
      } catch (err) {
        if (sqlStateOf(err) !== '0A000') throw err;
        this.copyUnsupported = true;
      }
    }
    let rows = 0;
    for await (const batch of insertBatches(table, tableDef(table).columns, file)) {
      await this.exec(batch.sql);
      rows += batch.rows;
    }
    return rows;
  }

  async afterLoad(): Promise<void> {
    if (this.opts.indexes) for (const sql of postLoadIndexStatements()) await this.exec(sql);
    if (this.opts.analyze === 'off') return;
    try {
      await this.exec('ANALYZE');
    } catch (err) {
      if (this.opts.analyze === 'required') throw err;
    }
  }

  query(sql: string): Promise<QueryAnswer> {
    return this.withClient((client) => runQuery(client, sql));
  }

  async exec(sql: string): Promise<void> {
    await this.withClient((client) => client.query(sql));
  }

  async openSession(): Promise<EngineSession> {
    const client = await connect(this.opts);
    return {
      query: (sql) => runQuery(client, sql),
      exec: async (sql) => { await client.query(sql); },
      close: () => client.end(),
    };
  }

  async close(): Promise<void> {
    try {
      await this.client.end().catch(() => undefined);
    } finally {
      await this.opts.onClose?.();
    }
  }
}
