// Direct entry for the tpch CLI until bin/ wires it: `npx tsx bench/tpch/main.ts gen --sf 0.01 --out /tmp/x`.
import { runTpchCli } from './cli.ts';

process.exitCode = await runTpchCli(process.argv.slice(2));
