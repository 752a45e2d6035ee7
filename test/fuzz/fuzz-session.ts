// Starts a 2-node Colonnade cluster and a PGlite, and loads the same random tables into both.
import { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';
import { startCluster, type LocalCluster } from '../cluster/local-cluster.ts';
import { colonnadeEngine, pgliteEngine, type FuzzEngine } from './fuzz-engines.ts';
import { createTableSql, generateDataset, insertStatements } from './random-data.ts';

/** Both engines with the fuzz tables loaded, and how to shut them down. */
export interface FuzzSession {
  readonly colonnade: FuzzEngine;
  readonly postgres: FuzzEngine;
  readonly cluster: LocalCluster;
  close(): Promise<void>;
}

/**
 * Starts the cluster (Redshift DDL: KEY, EVEN and ALL tables; `env` for its processes) and PGlite
 * (plain DDL), then inserts the rows generated from `dataSeed` into both with the same multi-row
 * INSERT statements.
 */
export async function startFuzzSession(dataSeed: number, nodes = 2, slices = 1, env: Record<string, string> = {}): Promise<FuzzSession> {
  const [cluster, db] = await Promise.all([startCluster({ nodes, slices, env }), PGlite.create()]);
  let client: pg.Client | undefined;
  try {
    client = await cluster.client();
    const data = generateDataset(dataSeed);
    for (const table of data.tables) {
      await client.query(createTableSql(table, true));
      await db.exec(createTableSql(table, false));
      for (const sql of insertStatements(table, data.rows.get(table.name) ?? [])) {
        await client.query(sql);
        await db.exec(sql);
      }
    }
    // Statistics on both sides: plans that depend on them (eager aggregation, redistribution) get fuzzed too.
    await client.query('ANALYZE');
    await db.exec('ANALYZE');
    const conn = client;
    return {
      colonnade: colonnadeEngine(conn),
      postgres: await pgliteEngine(db),
      cluster,
      async close() {
        await conn.end().catch(() => undefined);
        await cluster.destroy();
        await db.close();
      },
    };
  } catch (err) {
    await client?.end().catch(() => undefined);
    await cluster.destroy();
    await db.close();
    throw err;
  }
}
