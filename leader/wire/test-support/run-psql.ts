// Runs /usr/bin/psql asynchronously (the server under test lives in this process, so never spawnSync).
import { spawn } from 'node:child_process';

/** psql's exit status and output. */
export interface PsqlResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs psql with `args`, extra environment and optional stdin; resolves when it exits (10 s limit). */
export function runPsql(args: readonly string[], env: Record<string, string> = {}, stdin = ''): Promise<PsqlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('psql', ['-X', ...args], {
      env: { ...process.env, PGCONNECT_TIMEOUT: '5', PGSSLMODE: 'disable', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
    child.stdin.end(stdin);
  });
}
