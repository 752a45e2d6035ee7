// Registers one vitest test per .slt file, each on a fresh SqlRunner.
import { relative } from 'node:path';
import { it } from 'vitest';
import { formatFailures, runSlt } from './run-slt.ts';
import type { SqlRunner } from './sql-runner.ts';

/** Options of {@link defineSltSuite}. */
export interface SltSuiteOptions {
  /** Rewrite expected results instead of checking them; default: env SLT_COMPLETE=1. */
  readonly complete?: boolean;
  /** Per-file timeout in ms (default: vitest's testTimeout). */
  readonly timeoutMs?: number;
}

/**
 * Declares `it(<file>)` for each file (call inside a `describe` or at the top of a test file).
 * Each test makes a runner, runs the file, closes the runner, and fails with every mismatch
 * (file:line, SQL, expected vs actual). With `complete` the files are rewritten and tests pass.
 * @example defineSltSuite(globSync('test/sql/**\/pg_compat_*.slt'), () => createPgliteRunner())
 */
export function defineSltSuite(files: readonly string[], makeRunner: () => Promise<SqlRunner>, opts: SltSuiteOptions = {}): void {
  const complete = opts.complete ?? process.env['SLT_COMPLETE'] === '1';
  for (const file of files) {
    it(relative(process.cwd(), file), async () => {
      const runner = await makeRunner();
      try {
        const result = await runSlt(file, runner, { complete });
        if (result.failures.length > 0) throw new Error(formatFailures(result));
      } finally {
        await runner.close?.();
      }
    }, opts.timeoutMs);
  }
}
