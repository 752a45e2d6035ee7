// SqlRunner over PGlite (real PostgreSQL in WASM): the reference engine for pg_compat_*.slt files.
import { PGlite } from '@electric-sql/pglite';
import { toTextRow } from './pg-runner.ts';
import type { SqlRunner, SqlRunnerResult } from './sql-runner.ts';

/**
 * Wraps a PGlite instance. Statements run through `exec` (the simple query protocol, so a string
 * may hold several statements), with a parser override for every type OID in pg_type so values
 * come back as PostgreSQL's text output, exactly what psql prints. `close` closes the instance
 * when `ownsDb`.
 */
export async function pgliteRunner(db: PGlite, name = 'postgres', ownsDb = false): Promise<SqlRunner> {
  const oids = await db.query<[number]>('select oid::int4 from pg_catalog.pg_type', [], { rowMode: 'array' });
  const raw = (value: string): string => value;
  const parsers: Record<number, (value: string) => string> = {};
  for (const [oid] of oids.rows) parsers[oid] = raw;
  return {
    name,
    async query(sql: string): Promise<SqlRunnerResult> {
      const results = await db.exec(sql, { rowMode: 'array', parsers });
      const last = results[results.length - 1];
      if (last === undefined) return { rows: [] };
      return { rows: last.rows.map(toTextRow), columnTypeOids: last.fields.map((f) => f.dataTypeID) };
    },
    async close(): Promise<void> {
      if (ownsDb) await db.close();
    },
  };
}

/** Starts a fresh in-memory PGlite and wraps it; `close` shuts it down. Takes a few seconds. */
export async function createPgliteRunner(name = 'postgres'): Promise<SqlRunner> {
  return pgliteRunner(await PGlite.create(), name, true);
}
