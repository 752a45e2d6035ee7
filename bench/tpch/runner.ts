// The TPC-H benchmark runner: generate (cached), load each engine, time the 22 queries, compare answers, report.
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../common/log.ts';
import { tpchQueries, type TpchQuery } from './queries/parameters.ts';
import { queryTemplate } from './queries/templates.ts';
import { WINDOW_QUERIES, WINDOW_QUERY_BASE, queryLabel } from './queries/window-queries.ts';
import { checkKnown, numberOption, optionalNumber, parseArgs, UsageError } from './parse-args.ts';
import { geometricMean, median, type BenchResult, type EngineRun, type GeoMean, type QueryRun } from './runner/bench-result.ts';
import { compareAnswers } from './runner/compare-answers.ts';
import { ensureData } from './runner/data-cache.ts';
import { describeError, type Engine, type QueryAnswer } from './runner/engine.ts';
import { EngineUnavailable, createEngine, isEngineName, type EngineName, type EngineSettings } from './runner/engines.ts';
import { loadEngine } from './runner/load-engine.ts';
import { Progress } from './runner/progress.ts';
import { formatResultTable, formatThroughput, writeResultFiles } from './runner/report.ts';
import { runThroughputTest } from './runner/throughput.ts';
import { withTimeout } from './runner/with-timeout.ts';

/** Repository root (this file is bench/tpch/runner.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Everything a run needs. */
export interface RunnerOptions {
  sf: number;
  engines: EngineName[];
  runs: number;
  warmup: number;
  /** Query ids to run (default 1..22). */
  queries: number[];
  /** 'tpch' (the 22 queries) or 'window' (the window-function queries, W1..). */
  suite: 'tpch' | 'window';
  /** Substitution seed; undefined = the spec's validation parameters. */
  seed?: number;
  /** Throughput-test streams; 0 = no throughput test. */
  throughput: number;
  /** Per-query limit in ms (0 = none); a query past it is canceled and reported as 57014. */
  timeoutMs: number;
  settings: EngineSettings;
  cacheRoot: string;
  resultsDir: string;
}

/** Usage text of run-bench. */
export const RUNNER_USAGE = `usage: run-bench [--sf 1] [--engines colonnade,duckdb,postgres] [--runs 3] [--warmup 1]
  [--suite tpch|window] [--queries 1,3,6] [--seed N] [--throughput S] [--postgres-url URL] [--colonnade-url URL]
  [--nodes 2] [--slices cores/nodes] [--duckdb-threads 2] [--timeout-s 300] [--pg-bin DIR] [--cache-dir DIR] [--results-dir DIR]`;

const KNOWN = ['suite', 'sf', 'engines', 'runs', 'warmup', 'queries', 'seed', 'throughput', 'postgres-url', 'colonnade-url',
  'nodes', 'slices', 'duckdb-threads', 'timeout-s', 'pg-bin', 'cache-dir', 'results-dir', 'help'];

function parseSuite(s: string): 'tpch' | 'window' {
  if (s !== 'tpch' && s !== 'window') throw new UsageError(`unknown suite "${s}" (tpch, window)`);
  return s;
}

/** Parses run-bench's command line. */
export function parseRunnerArgs(argv: readonly string[]): RunnerOptions {
  const args = parseArgs(argv, ['help']);
  checkKnown(args, KNOWN);
  const engines = (args.options.get('engines') ?? 'colonnade,duckdb,postgres').split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const e of engines) if (!isEngineName(e)) throw new UsageError(`unknown engine "${e}" (colonnade, duckdb, postgres, pglite)`);
  const queries = (args.options.get('queries') ?? '1-22').split(',').flatMap((part) => {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (m === null) throw new UsageError(`bad --queries item "${part}"`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    const ids: number[] = [];
    for (let id = from; id <= to; id++) {
      if (id < 1 || id > 22) throw new UsageError(`query ${id} is not in 1..22`);
      ids.push(id);
    }
    return ids;
  });
  const nodes = numberOption(args, 'nodes', 2, 1, 64);
  const settings: EngineSettings = {
    repoRoot: REPO_ROOT,
    nodes,
    // As `colonnade start`: the cores shared out over the nodes, one slice (thread) each.
    slices: numberOption(args, 'slices', Math.max(1, Math.floor(cpus().length / nodes)), 1, 256),
    duckdbThreads: numberOption(args, 'duckdb-threads', 2, 1, 256),
  };
  const pgUrl = args.options.get('postgres-url');
  const colUrl = args.options.get('colonnade-url');
  const pgBin = args.options.get('pg-bin');
  if (pgUrl !== undefined) settings.postgresUrl = pgUrl;
  if (colUrl !== undefined) settings.colonnadeUrl = colUrl;
  if (pgBin !== undefined) settings.pgBin = pgBin;
  const opts: RunnerOptions = {
    sf: numberOption(args, 'sf', 1, 0.0001, 100_000),
    engines: engines as EngineName[],
    runs: numberOption(args, 'runs', 3, 1, 1000),
    warmup: numberOption(args, 'warmup', 1, 0, 100),
    queries,
    suite: parseSuite(args.options.get('suite') ?? 'tpch'),
    throughput: numberOption(args, 'throughput', 0, 0, 1000),
    timeoutMs: numberOption(args, 'timeout-s', 300, 0, 86_400) * 1000,
    settings,
    cacheRoot: resolve(args.options.get('cache-dir') ?? join(REPO_ROOT, 'bench', '.cache')),
    resultsDir: resolve(args.options.get('results-dir') ?? join(REPO_ROOT, 'bench', 'results')),
  };
  const seed = optionalNumber(args, 'seed');
  if (seed !== undefined) opts.seed = seed;
  return opts;
}

/** Engines started and not yet closed: what an interrupted run must stop (servers, clusters). */
const activeEngines = new Set<Engine>();
/** Set once an interrupt closed the engines: the run stops at the next query. */
let aborted = false;

/** Closes every engine still running (for SIGINT/SIGTERM: stops servers and clusters this run started). */
export async function closeActiveEngines(): Promise<void> {
  aborted = true;
  const engines = [...activeEngines];
  activeEngines.clear();
  await Promise.all(engines.map((e) => e.close().catch(() => undefined)));
}

/** Runs one query `warmup + runs` times, each bounded by `timeoutMs`; keeps the first timed answer. */
async function timeQuery(
  engine: Engine, q: TpchQuery, warmup: number, runs: number, timeoutMs: number,
): Promise<{ run: QueryRun; answer?: QueryAnswer }> {
  const run: QueryRun = { id: q.id, timesMs: [] };
  let answer: QueryAnswer | undefined;
  const once = (): Promise<QueryAnswer> => withTimeout(engine.query(q.sql), timeoutMs, () => engine.cancel?.());
  try {
    for (let w = 0; w < warmup; w++) await once();
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      const a = await once();
      run.timesMs.push(performance.now() - t0);
      answer ??= a;
    }
    run.medianMs = median(run.timesMs);
    run.rows = answer?.rows.length ?? 0;
  } catch (err) {
    run.error = describeError(err);
  }
  return answer === undefined ? { run } : { run, answer };
}

/** Geometric means over the queries that every engine that ran answered. */
function geomeans(engines: readonly EngineRun[]): GeoMean[] {
  const ran = engines.filter((e) => e.skipped === undefined);
  if (ran.length === 0) return [];
  const common = ran[0]!.queries.map((q) => q.id).filter((id) => ran.every((e) => e.queries.find((q) => q.id === id)?.medianMs !== undefined));
  return ran.map((e) => ({
    engine: e.engine,
    ms: geometricMean(common.map((id) => e.queries.find((q) => q.id === id)!.medianMs!)),
    queries: common.length,
  }));
}

/**
 * Runs the benchmark: data from the cache (generated if missing), then per engine: start, load
 * (timed), each query warm-up + timed runs, optional throughput test, stop. Answers are compared
 * against the reference engine (DuckDB when it ran, else the first engine that did).
 */
export async function runBenchmark(opts: RunnerOptions, log: Logger): Promise<BenchResult> {
  const startedAt = new Date().toISOString();
  const data = await ensureData(opts.cacheRoot, opts.sf);
  const queries = opts.suite === 'window' ? [...WINDOW_QUERIES] : tpchQueries(opts.sf, opts.seed).filter((q) => opts.queries.includes(q.id));
  const engines: EngineRun[] = [];
  const answers = new Map<string, Map<number, QueryAnswer>>();
  for (const name of opts.engines) {
    if (aborted) break;
    const run: EngineRun = { engine: name, queries: [] };
    engines.push(run);
    let engine: Engine;
    try {
      engine = await createEngine(name, opts.settings, log);
      activeEngines.add(engine);
    } catch (err) {
      run.skipped = err instanceof EngineUnavailable ? err.message : `could not start: ${describeError(err)}`;
      process.stderr.write(`${name}: skipped: ${run.skipped}\n`);
      continue;
    }
    try {
      const loadProgress = new Progress(`${name} load`, 8);
      run.load = await loadEngine(engine, data.dir, (table, idx) => loadProgress.update(idx, table));
      loadProgress.finish(`${(run.load.totalMs / 1000).toFixed(1)} s`);
      const got = new Map<number, QueryAnswer>();
      answers.set(name, got);
      const qProgress = new Progress(`${name} queries`, queries.length);
      for (let queryIdx = 0; queryIdx < queries.length; queryIdx++) {
        const q = queries[queryIdx]!;
        if (aborted) throw new Error('interrupted');
        qProgress.update(queryIdx, queryLabel(q.id));
        const { run: qr, answer } = await timeQuery(engine, q, opts.warmup, opts.runs, opts.timeoutMs);
        run.queries.push(qr);
        if (answer !== undefined) got.set(q.id, answer);
      }
      qProgress.finish();
      if (opts.throughput > 0) {
        run.throughput = await runThroughputTest(engine, opts.sf, opts.throughput, opts.seed ?? 0, data.dir);
      }
    } catch (err) {
      run.skipped = `failed: ${describeError(err)}`;
      process.stderr.write(`${name}: ${run.skipped}\n`);
    } finally {
      activeEngines.delete(engine);
      await engine.close().catch((err: unknown) => log.warn({ err, engine: name }, 'engine close failed'));
    }
  }
  const reference = engines.find((e) => e.engine === 'duckdb' && e.skipped === undefined)
    ?? engines.find((e) => e.skipped === undefined);
  const result: BenchResult = {
    sf: opts.sf,
    startedAt,
    runs: opts.runs,
    warmup: opts.warmup,
    machine: { cpus: cpus().length, node: process.version, platform: `${process.platform}-${process.arch}` },
    generation: data.generatedMs === undefined ? { dir: data.dir, rows: data.rows } : { dir: data.dir, rows: data.rows, generatedMs: data.generatedMs },
    engines,
    geomeans: geomeans(engines),
  };
  if (opts.seed !== undefined) result.seed = opts.seed;
  if (reference !== undefined) {
    result.referenceEngine = reference.engine;
    const refAnswers = answers.get(reference.engine) ?? new Map<number, QueryAnswer>();
    for (const e of engines) {
      const mine = answers.get(e.engine);
      for (const qr of e.queries) {
        const ref = refAnswers.get(qr.id);
        const own = mine?.get(qr.id);
        if (e === reference) qr.check = own === undefined ? 'n/a' : 'reference';
        else if (ref === undefined || own === undefined) qr.check = 'n/a';
        else {
          const diff = compareAnswers(ref, own, qr.id > WINDOW_QUERY_BASE ? [] : queryTemplate(qr.id).orderColumns);
          qr.check = diff === undefined ? 'match' : `mismatch: ${diff}`;
        }
      }
    }
  }
  return result;
}

/** run-bench's main: parse, run, print the table, write JSON + SVG. Returns the exit code. */
export async function runBenchCli(argv: readonly string[], log: Logger): Promise<number> {
  let opts: RunnerOptions;
  try {
    if (argv.includes('--help')) {
      process.stdout.write(`${RUNNER_USAGE}\n`);
      return 0;
    }
    opts = parseRunnerArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n${RUNNER_USAGE}\n`);
      return 2;
    }
    throw err;
  }
  const result = await runBenchmark(opts, log);
  process.stdout.write(`${formatResultTable(result)}\n`);
  const tp = formatThroughput(result.engines);
  if (tp !== '') process.stdout.write(`${tp}\n`);
  const files = await writeResultFiles(result, opts.resultsDir);
  process.stdout.write(`wrote ${files.json}\nwrote ${files.svg}\n`);
  const mismatches = result.engines.flatMap((e) => e.queries).filter((q) => q.check?.startsWith('mismatch') === true).length;
  return mismatches > 0 ? 1 : 0;
}
