// Starts a local Colonnade cluster (`node bin/colonnade.mjs start ...`) and waits for its "ready" line.
import { freePort } from './free-port.ts';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../../common/log.ts';

/** Cluster shape. */
export interface ColonnadeClusterOptions {
  /** Repository root holding bin/colonnade.mjs. */
  repoRoot: string;
  nodes: number;
  slices: number;
  /** How long to wait for "ready" (default 120 s). */
  startTimeoutMs?: number;
}

/** A running cluster. */
export interface ColonnadeCluster {
  port: number;
  stop(): Promise<void>;
}


/** Path of the Colonnade CLI in a repository. */
export function colonnadeBin(repoRoot: string): string {
  return join(repoRoot, 'bin', 'colonnade.mjs');
}

/** Whether the Colonnade CLI exists in the repository. */
export function colonnadeAvailable(repoRoot: string): boolean {
  return existsSync(colonnadeBin(repoRoot));
}

/** Spawns the cluster in a temp data dir; rejects if it exits or stays silent past the timeout. */
export async function startColonnade(opts: ColonnadeClusterOptions, log: Logger): Promise<ColonnadeCluster> {
  const bin = colonnadeBin(opts.repoRoot);
  const dataDir = await mkdtemp(join(tmpdir(), 'tpch-colonnade-'));
  const port = await freePort();
  const args = [bin, 'start', '--port', String(port), '--data-dir', dataDir,
    '--nodes', String(opts.nodes), '--slices', String(opts.slices)];
  log.info({ port, dataDir, nodes: opts.nodes, slices: opts.slices }, 'starting colonnade');
  const child = spawn(process.execPath, args, { cwd: opts.repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`colonnade did not print "ready" within ${opts.startTimeoutMs ?? 120_000} ms: ${tail.slice(-500)}`));
    }, opts.startTimeoutMs ?? 120_000);
    const onData = (data: Buffer): void => {
      tail = (tail + data.toString('utf8')).slice(-4000);
      if (/ready/i.test(tail)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`colonnade exited with code ${code} before ready: ${tail.slice(-500)}`));
    });
  });
  // Keep draining output so the child never blocks on a full pipe.
  child.stdout.resume();
  child.stderr.resume();
  return {
    port,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
