// Entry point of `npm run bench:tpch -- ...` (tsx bench/tpch/run-bench.ts): runs the TPC-H benchmark.
import { createRootLogger } from '../../common/log.ts';
import { closeActiveEngines, runBenchCli } from './runner.ts';

const log = createRootLogger({ role: 'bench', level: process.env.COLONNADE_LOG_LEVEL ?? 'warn', pretty: false });

// Ctrl-C or a kill: stop the PostgreSQL server / Colonnade cluster this run started before exiting.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping engines\n`);
    void closeActiveEngines().finally(() => process.exit(130));
  });
}

process.exitCode = await runBenchCli(process.argv.slice(2), log);
