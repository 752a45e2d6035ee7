// Builds the engines named on the command line: duckdb, postgres (throwaway server or URL), pglite, colonnade (cluster or URL).
import type { Logger } from '../../../common/log.ts';
import { DuckDbEngine } from './duckdb-engine.ts';
import type { Engine } from './engine.ts';
import { PgWireEngine } from './pg-wire-engine.ts';
import { PgliteEngine } from './pglite-engine.ts';
import { postgresAvailable, startPostgres } from './postgres-server.ts';
import { colonnadeAvailable, colonnadeBin, startColonnade } from './colonnade-server.ts';

/** Engine names the runner knows. */
export const ENGINE_NAMES = ['colonnade', 'duckdb', 'postgres', 'pglite'] as const;
/** One engine name. */
export type EngineName = (typeof ENGINE_NAMES)[number];

/** Narrows a string to an {@link EngineName}. */
export function isEngineName(s: string): s is EngineName {
  return (ENGINE_NAMES as readonly string[]).includes(s);
}

/** Connection and cluster settings from the command line. */
export interface EngineSettings {
  repoRoot: string;
  postgresUrl?: string;
  colonnadeUrl?: string;
  nodes: number;
  slices: number;
  duckdbThreads: number;
  pgBin?: string;
}

/** Thrown when an engine cannot run here at all (binaries absent): the runner skips it with the message. */
export class EngineUnavailable extends Error {}

/** Starts (or connects to) one engine. */
export async function createEngine(name: EngineName, settings: EngineSettings, log: Logger): Promise<Engine> {
  switch (name) {
    case 'duckdb':
      return DuckDbEngine.create({ threads: settings.duckdbThreads });
    case 'pglite':
      return PgliteEngine.create();
    case 'postgres': {
      if (settings.postgresUrl !== undefined) {
        return PgWireEngine.create({
          name, connection: { connectionString: settings.postgresUrl }, dialect: 'plain', indexes: true, analyze: 'required',
        });
      }
      if (!postgresAvailable(settings.pgBin)) {
        throw new EngineUnavailable(`PostgreSQL binaries not found in ${settings.pgBin ?? '/usr/lib/postgresql/15/bin'}; pass --postgres-url`);
      }
      const server = await startPostgres(log, settings.pgBin);
      try {
        return await PgWireEngine.create({
          name,
          connection: { host: server.socketDir, port: server.port, user: server.user, database: server.database },
          dialect: 'plain', indexes: true, analyze: 'required',
          onClose: () => server.stop(),
        });
      } catch (err) {
        await server.stop();
        throw err;
      }
    }
    case 'colonnade': {
      if (settings.colonnadeUrl !== undefined) {
        return PgWireEngine.create({
          name, connection: { connectionString: settings.colonnadeUrl }, dialect: 'redshift', indexes: false, analyze: 'best-effort',
        });
      }
      if (!colonnadeAvailable(settings.repoRoot)) {
        throw new EngineUnavailable(`${colonnadeBin(settings.repoRoot)} not found (the Colonnade CLI is not there yet); pass --colonnade-url`);
      }
      const cluster = await startColonnade({ repoRoot: settings.repoRoot, nodes: settings.nodes, slices: settings.slices }, log);
      try {
        return await PgWireEngine.create({
          name,
          connection: { host: '127.0.0.1', port: cluster.port, user: 'colonnade', database: 'dev' },
          dialect: 'redshift', indexes: false, analyze: 'best-effort',
          onClose: () => cluster.stop(),
        });
      } catch (err) {
        await cluster.stop();
        throw err;
      }
    }
  }
}
