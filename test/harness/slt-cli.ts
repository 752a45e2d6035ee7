// Command line for .slt files: `npx tsx test/harness/slt-cli.ts [--complete] [--url postgres://...] [--engine name] files...`
import { connectPgRunner } from './pg-runner.ts';
import { createPgliteRunner } from './pglite-runner.ts';
import { runSlt } from './run-slt.ts';
import type { SqlRunner } from './sql-runner.ts';

/** Parsed command line. */
interface CliArgs {
  complete: boolean;
  url: string | undefined;
  engine: string | undefined;
  files: string[];
}

const USAGE = `usage: slt-cli [--complete] [--url postgres://user@host:port/db] [--engine name] file.slt...
  Runs each file on a fresh PGlite (engine "postgres"), or on the server at --url
  (engine "colonnade" unless --engine says otherwise). --complete rewrites expected results.`;

function parseArgs(argv: readonly string[]): CliArgs {
  const args: CliArgs = { complete: false, url: undefined, engine: undefined, files: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--complete') args.complete = true;
    else if (a === '--url') args.url = argv[++i];
    else if (a === '--engine') args.engine = argv[++i];
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}\n${USAGE}`);
    else args.files.push(a);
  }
  if (args.files.length === 0) throw new Error(USAGE);
  return args;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const url = args.url;
  const makeRunner = (): Promise<SqlRunner> =>
    url === undefined ? createPgliteRunner(args.engine ?? 'postgres') : connectPgRunner(url, args.engine ?? 'colonnade');
  let failed = 0;
  for (const file of args.files) {
    const runner = await makeRunner();
    try {
      const result = await runSlt(file, runner, { complete: args.complete });
      for (const f of result.failures) process.stdout.write(`${f.message}\n\n`);
      failed += result.failures.length;
      const status = args.complete ? (result.rewritten ? 'rewritten' : 'unchanged') : `${result.failures.length} failed`;
      process.stdout.write(`${file}: ${result.executed} run, ${result.skipped} skipped, ${status}\n`);
    } finally {
      await runner.close?.();
    }
  }
  return failed === 0 ? 0 : 1;
}

main().then((code) => { process.exitCode = code; }, (err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 2;
});
