// The runner end to end at a tiny SF: DuckDB and PGlite load, answer, agree; the throughput test's refresh pairs keep row counts.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../common/log.ts';
import { parseRunnerArgs, runBenchmark } from '../runner.ts';
import { formatResultTable, formatThroughput, writeResultFiles } from './report.ts';

const root = mkdtempSync(join(tmpdir(), 'tpch-run-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('runBenchmark', () => {
  it('runs, compares, reports and writes JSON + SVG', async () => {
    const opts = parseRunnerArgs(['--sf', '0.002', '--engines', 'duckdb,pglite', '--runs', '1', '--warmup', '0',
      '--queries', '1,3,6,13,15,18', '--cache-dir', join(root, 'cache'), '--results-dir', join(root, 'results')]);
    const result = await runBenchmark(opts, silentLogger());
    expect(result.referenceEngine).toBe('duckdb');
    const [duck, pglite] = result.engines;
    expect(duck!.skipped).toBeUndefined();
    expect(duck!.load!.tables.find((t) => t.table === 'orders')!.rows).toBe(3000);
    expect(duck!.queries.map((q) => q.id)).toEqual([1, 3, 6, 13, 15, 18]);
    for (const q of pglite!.queries) expect(q.check, `Q${q.id}`).toBe('match');
    for (const q of duck!.queries) expect(q.medianMs).toBeGreaterThan(0);
    const table = formatResultTable(result);
    expect(table).toMatch(/^Q13 /m);
    expect(table).toContain('pglite:match');
    const files = await writeResultFiles(result, join(root, 'results'));
    expect(readFileSync(files.svg, 'utf8')).toContain('<svg');
    expect(JSON.parse(readFileSync(files.json, 'utf8')).sf).toBe(0.002);
    expect(readdirSync(join(root, 'results')).length).toBe(2);
  });

  it('runs the power and throughput tests with every statement succeeding', async () => {
    const opts = parseRunnerArgs(['--sf', '0.002', '--engines', 'duckdb', '--runs', '1', '--warmup', '0',
      '--queries', '6', '--throughput', '2', '--seed', '5', '--cache-dir', join(root, 'cache')]);
    const result = await runBenchmark(opts, silentLogger());
    const t = result.engines[0]!.throughput!;
    expect(t.errors).toBe(0);
    expect(Object.keys(t.powerQueryMs).length).toBe(22);
    expect(t.qphh).toBeGreaterThan(0);
    expect(formatThroughput(result.engines)).toContain('not an official TPC-H result');
  });

  it('runs the window suite on DuckDB and PGlite with the same answers', async () => {
    const opts = parseRunnerArgs(['--suite', 'window', '--sf', '0.002', '--engines', 'duckdb,pglite', '--runs', '1', '--warmup', '0',
      '--cache-dir', join(root, 'cache')]);
    const result = await runBenchmark(opts, silentLogger());
    expect(result.engines[1]!.queries.map((q) => [q.id, q.check])).toEqual([[101, 'match'], [102, 'match']]);
    expect(formatResultTable(result)).toMatch(/^W2 /m);
    expect(() => parseRunnerArgs(['--suite', 'tpcds'])).toThrow(/unknown suite/);
  });

  it('skips an engine that cannot start, and rejects bad flags', async () => {
    expect(() => parseRunnerArgs(['--engines', 'oracle'])).toThrow(/unknown engine/);
    expect(() => parseRunnerArgs(['--queries', '23'])).toThrow(/not in 1..22/);
    const opts = parseRunnerArgs(['--sf', '0.002', '--engines', 'postgres', '--pg-bin', join(root, 'nope'),
      '--queries', '6', '--runs', '1', '--cache-dir', join(root, 'cache')]);
    const result = await runBenchmark(opts, silentLogger());
    expect(result.engines[0]!.skipped).toMatch(/binaries not found/);
  });
});
