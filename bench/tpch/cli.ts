// The `colonnade tpch ...` command: gen (.tbl files), queries (the 22 with validation or seeded parameters), ddl.
import { resolve } from 'node:path';
import { tableRowCount, writeTableFiles, type GenerateOptions } from './gen/generate.ts';
import { TABLE_NAMES, isTableName, type TableName } from './gen/table-spec.ts';
import { ddlScript } from './queries/ddl.ts';
import { tpchQueries } from './queries/parameters.ts';
import { queryTemplate } from './queries/templates.ts';
import { checkKnown, numberOption, optionalNumber, parseArgs, UsageError } from './parse-args.ts';
import { Progress } from './runner/progress.ts';

/** Usage text. */
export const TPCH_USAGE = `usage: tpch <command> [options]
  gen --sf 1 --out DIR [--parts n [--part k]] [--tables lineitem,orders]
        write .tbl files ('|'-delimited, trailing '|'); --parts n without --part writes all n parts
  queries [--seed N] [--sf 1]
        print the 22 queries: validation parameters, or a seeded substitution set
  ddl [--plain]
        print CREATE TABLE statements: Redshift-style (default) or plain PostgreSQL`;

async function gen(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv);
  checkKnown(args, ['sf', 'out', 'parts', 'part', 'tables']);
  const out = args.options.get('out');
  if (out === undefined) throw new UsageError('gen needs --out DIR');
  const sf = numberOption(args, 'sf', 1, 1e-6, 1e6);
  const parts = numberOption(args, 'parts', 1, 1, 1e6);
  const onlyPart = optionalNumber(args, 'part');
  if (!Number.isInteger(parts)) throw new UsageError('--parts must be an integer');
  if (onlyPart !== undefined && (!Number.isInteger(onlyPart) || onlyPart < 1 || onlyPart > parts)) {
    throw new UsageError(`--part must be an integer in 1..${parts}`);
  }
  const tableList = (args.options.get('tables') ?? TABLE_NAMES.join(',')).split(',').map((s) => s.trim());
  for (const t of tableList) if (!isTableName(t)) throw new UsageError(`unknown table "${t}"`);
  const tables = tableList as TableName[];
  const partList = onlyPart !== undefined ? [onlyPart] : Array.from({ length: parts }, (_v, idx) => idx + 1);
  const optsOf = (part: number): GenerateOptions => ({ sf, parts, part });
  const total = partList.reduce((sum, part) => sum + tables.reduce((s, t) => s + tableRowCount(t, optsOf(part)), 0), 0);
  const progress = new Progress(`tpch gen SF ${sf}`, total);
  const start = performance.now();
  let finishedRows = 0;
  let bytes = 0;
  for (const part of partList) {
    const results = await writeTableFiles(resolve(out), optsOf(part), tables, (table, done) => {
      progress.update(finishedRows + done, parts > 1 ? `${table} part ${part}/${parts}` : table);
    });
    for (const r of results) {
      finishedRows += r.rows;
      bytes += r.bytes;
    }
  }
  const secs = (performance.now() - start) / 1000;
  progress.finish(`${finishedRows} rows, ${(bytes / 1e6).toFixed(1)} MB, ${(finishedRows / secs).toFixed(0)} rows/s`);
  return 0;
}

function queries(argv: readonly string[]): number {
  const args = parseArgs(argv);
  checkKnown(args, ['seed', 'sf']);
  const seed = optionalNumber(args, 'seed');
  const sf = numberOption(args, 'sf', 1, 1e-6, 1e6);
  for (const q of tpchQueries(sf, seed)) {
    const params = Object.entries(q.params).map(([k, v]) => `${k}=${v}`).join(', ');
    process.stdout.write(`-- Q${q.id}: ${queryTemplate(q.id).title} (${params})\n${q.sql};\n\n`);
  }
  return 0;
}

function ddl(argv: readonly string[]): number {
  const args = parseArgs(argv, ['plain']);
  checkKnown(args, ['plain']);
  process.stdout.write(ddlScript(args.options.has('plain') ? 'plain' : 'redshift'));
  return 0;
}

/**
 * Runs `tpch <command> ...` and returns the exit code: 0 done, 2 usage error, 1 failure.
 * Errors other than usage mistakes are printed, not thrown.
 */
export async function runTpchCli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'gen': return await gen(rest);
      case 'queries': return queries(rest);
      case 'ddl': return ddl(rest);
      case undefined: case 'help': case '--help':
        process.stdout.write(`${TPCH_USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError || err instanceof RangeError) {
      process.stderr.write(`tpch: ${err.message}\n${TPCH_USAGE}\n`);
      return 2;
    }
    process.stderr.write(`tpch: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    return 1;
  }
}
