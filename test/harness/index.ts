// The sqllogictest harness: parse .slt files, run them on a SqlRunner, register them with vitest.
export { parseSlt, SltSyntaxError } from './parse-slt.ts';
export { runSlt, formatFailures, type SltRunOptions, type SltRunResult, type SltFailure } from './run-slt.ts';
export { defineSltSuite, type SltSuiteOptions } from './define-slt-suite.ts';
export { describeError, formatSltValue, sltTypeLetter, type SqlRunner, type SqlRunnerResult } from './sql-runner.ts';
export { pgRunner, connectPgRunner } from './pg-runner.ts';
export { pgliteRunner, createPgliteRunner } from './pglite-runner.ts';
export { diffLines } from './result-diff.ts';
export * from './slt-record.ts';
