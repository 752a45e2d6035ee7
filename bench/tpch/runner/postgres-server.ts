// A throwaway PostgreSQL 15 server: initdb in a temp dir, pg_ctl start on a unix socket, removed on stop.
import { freePort } from './free-port.ts';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from '../../../common/log.ts';

const run = promisify(execFile);

/** Where Debian/Ubuntu install PostgreSQL 15. */
export const DEFAULT_PG_BIN = '/usr/lib/postgresql/15/bin';

/**
 * Server settings for the benchmark. fsync, synchronous_commit and full_page_writes are off:
 * durability does not matter for a throwaway benchmark database (the report says so).
 * Parallel workers match DuckDB's 2 threads; JIT is off so that short queries are not charged
 * for compilation.
 */
const SERVER_SETTINGS: readonly string[] = [
  "listen_addresses=''", 'fsync=off', 'synchronous_commit=off', 'full_page_writes=off',
  'shared_buffers=1GB', 'work_mem=128MB', 'maintenance_work_mem=512MB', 'max_wal_size=4GB',
  'max_parallel_workers_per_gather=2', 'max_worker_processes=4', 'jit=off',
];

/** A running throwaway server. */
export interface PostgresServer {
  /** Directory holding the unix socket: the `host` to connect to. */
  socketDir: string;
  port: number;
  user: string;
  database: string;
  stop(): Promise<void>;
}

/** Whether the PostgreSQL binaries exist. */
export function postgresAvailable(binDir: string = DEFAULT_PG_BIN): boolean {
  return existsSync(join(binDir, 'initdb')) && existsSync(join(binDir, 'pg_ctl'));
}


/**
 * initdb + pg_ctl start. PostgreSQL refuses to run as root, so as root the commands run as the
 * `postgres` system user through runuser and the temp dir is handed to that user.
 */
export async function startPostgres(log: Logger, binDir: string = DEFAULT_PG_BIN): Promise<PostgresServer> {
  if (!postgresAvailable(binDir)) throw new Error(`PostgreSQL binaries not found in ${binDir}`);
  const dir = await mkdtemp(join(tmpdir(), 'tpch-pg-'));
  const dataDir = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  let uid = -1;
  let gid = -1;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    uid = Number(stdout.trim());
    gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    await chown(dir, uid, gid);
  }
  const exec = async (cmd: string, args: string[]): Promise<string> => {
    const full = join(binDir, cmd);
    const { stdout } = asRoot
      ? await run('runuser', ['-u', 'postgres', '--', full, ...args], { cwd: dir })
      : await run(full, args, { cwd: dir });
    return stdout;
  };
  const port = await freePort();
  const user = 'postgres';
  log.info({ dir, port }, 'initdb');
  await exec('initdb', ['-D', dataDir, '-U', user, '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const options = [`-p ${port}`, `-k ${dir}`, ...SERVER_SETTINGS.map((s) => `-c ${s}`)].join(' ');
  await exec('pg_ctl', ['-D', dataDir, '-l', join(dir, 'server.log'), '-o', options, '-w', '-t', '60', 'start']);
  let stopped = false;
  return {
    socketDir: dir,
    port,
    user,
    database: 'postgres',
    stop: async () => {
      if (stopped) return;
      stopped = true;
      try {
        await exec('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
