// Entry point of `npm run bench:tpch -- ...` (tsx bench/tpch/run-bench.ts): runs the TPC-H benchmark.
import { createRootLogger } from '../../common/log.ts';
import { runBenchCli } from './runner.ts';

const log = createRootLogger({ role: 'bench', level: process.env.COLONNADE_LOG_LEVEL ?? 'warn', pretty: false });
process.exitCode = await runBenchCli(process.argv.slice(2), log);
