// The two engines the fuzzer queries, Colonnade (over node-postgres) and PGlite, behind one interface.
import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';

/** One result row as PostgreSQL's text output; NULL stays null. */
export type TextRow = (string | null)[];

/** What running one statement gave: rows as text, or an error with its SQLSTATE. */
export type Outcome =
  | { readonly ok: true; readonly rows: TextRow[] }
  | { readonly ok: false; readonly code: string; readonly message: string };

/** Something that runs a statement and reports the outcome instead of throwing. */
export interface FuzzEngine {
  readonly name: string;
  run(sql: string): Promise<Outcome>;
}

const RAW_TEXT = (value: string): string => value;

function toTextRows(rows: unknown): TextRow[] {
  if (!Array.isArray(rows)) return [];
  return rows.map((row: unknown) => {
    if (!Array.isArray(row)) throw new Error('expected an array row (rowMode: array)');
    return row.map((v: unknown) => (v === null || v === undefined ? null : typeof v === 'string' ? v : String(v)));
  });
}

function toError(err: unknown): Outcome {
  const code = typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : 'none';
  const message = err instanceof Error ? err.message : String(err);
  return { ok: false, code, message };
}

/** Rejects after `ms` so that a hung statement fails the test instead of stalling it. */
function withTimeout<T>(promise: Promise<T>, ms: number, sql: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms: ${sql}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Colonnade through a connected node-postgres client, every type returned as its wire text. */
export function colonnadeEngine(client: pg.Client, timeoutMs = 30_000): FuzzEngine {
  return {
    name: 'colonnade',
    async run(sql) {
      try {
        const res = await withTimeout(client.query({ text: sql, rowMode: 'array', types: { getTypeParser: () => RAW_TEXT } }), timeoutMs, sql);
        return { ok: true, rows: toTextRows(res.rows) };
      } catch (err) {
        return toError(err);
      }
    },
  };
}

/**
 * PGlite with a text parser for every type OID in pg_type, so values come back exactly as
 * PostgreSQL's text output (what node-postgres sees from a real server).
 */
export async function pgliteEngine(db: PGlite): Promise<FuzzEngine> {
  const oids = await db.query<[number]>('SELECT oid::int4 FROM pg_catalog.pg_type', [], { rowMode: 'array' });
  const parsers: Record<number, (value: string) => string> = {};
  for (const [oid] of oids.rows) parsers[oid] = RAW_TEXT;
  return {
    name: 'postgres',
    async run(sql) {
      try {
        const res = await db.query(sql, [], { rowMode: 'array', parsers });
        return { ok: true, rows: toTextRows(res.rows) };
      } catch (err) {
        return toError(err);
      }
    },
  };
}
