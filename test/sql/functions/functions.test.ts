// Runs the scalar-function .slt files on PGlite (the expected results are PostgreSQL's) and on an
// in-process runner that binds and evaluates constant SELECT lists with Colonnade's own code.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { SqlError, SqlState, featureNotSupported } from '../../../common/errors/index.ts';
import { instantiateExpr } from '../../../leader/execution/substitute-params.ts';
import { bindSelect, type RelationResolver } from '../../../sql/binder/bind-select.ts';
import { evaluate } from '../../../sql/expr/evaluate.ts';
import { mapExpr, type Expr } from '../../../sql/expr/expr.ts';
import type { TypedEvaluate } from '../../../sql/functions/scalar/common.ts';
import { SCALAR_FUNCTIONS, type EvalContext } from '../../../sql/functions/scalar-functions.ts';
import type { Datum } from '../../../sql/types/datum.ts';
import { initParser, parseStatements } from '../../../sql/parser/index.ts';
import { typeOid, type SqlType } from '../../../sql/types/sql-type.ts';
import { formatDatum } from '../../../sql/types/text-io.ts';
import { createPgliteRunner, formatFailures, runSlt, type SqlRunner, type SqlRunnerResult } from '../../harness/index.ts';

const NO_TABLES: RelationResolver = {
  resolve(name, position) {
    throw new SqlError(SqlState.UNDEFINED_TABLE, `relation "${name.name}" does not exist`, position === undefined ? {} : { position });
  },
};

/** 2024-05-06 07:08:09.123456 UTC: a fixed "now" so volatile functions stay testable. */
const STATEMENT_START = 1714979289123456n;

/**
 * Folds a constant expression bottom-up, calling each function with its argument types as a 4th
 * argument (what sql/expr/evaluate.ts is asked to do; see TypedEvaluate), then evaluates the rest.
 */
function evaluateTyped(e: Expr, ctx: EvalContext): Datum {
  const folded = mapExpr(e, (x) => {
    if (x.kind === 'Cast' && x.arg.kind === 'Const') return { kind: 'Const', value: evaluate(x, [], ctx), type: x.type };
    if (x.kind !== 'Call' || !x.args.every((a) => a.kind === 'Const')) return x;
    const fn = SCALAR_FUNCTIONS[x.fn];
    if (fn === undefined) return x;
    const args = x.args.map((a) => (a as { value: Datum }).value);
    if (fn.strict !== false && args.some((a) => a === null)) return { kind: 'Const', value: null, type: x.type };
    const typed = fn.evaluate as TypedEvaluate;
    return { kind: 'Const', value: typed(args, x.type, ctx, x.args.map((a) => a.type)), type: x.type };
  });
  return evaluate(instantiateExpr(folded, [], ctx), [], ctx);
}

/**
 * A SqlRunner (engine "colonnade") for constant SELECT lists: parse, bind, fold, evaluate and
 * format each output as PostgreSQL's text output. Anything else fails with 0A000.
 */
export function constantSelectRunner(): SqlRunner {
  return {
    name: 'colonnade',
    async query(sql: string): Promise<SqlRunnerResult> {
      await initParser();
      const stmts = parseStatements(sql);
      let last: SqlRunnerResult = { rows: [] };
      for (const s of stmts) {
        if (s.kind !== 'Sql' || !('SelectStmt' in s.ast)) throw featureNotSupported('statements other than SELECT in this runner');
        const params: SqlType[] = [];
        const bound = bindSelect(s.ast, NO_TABLES, params);
        if (bound.source.kind !== 'none') throw featureNotSupported('FROM in this runner');
        const ctx: EvalContext = {
          user: 'test', database: 'test', serverVersion: 'PostgreSQL 15.0 (Colonnade)',
          statementStartMicros: STATEMENT_START, timeZoneOffsetSeconds: 0,
        };
        const where = bound.where === null ? true : evaluateTyped(bound.where, ctx);
        const row = where === true ? [bound.outputs.map((e) => formatDatum(e.type, evaluateTyped(e, ctx)))] : [];
        last = { rows: row, columnTypeOids: bound.outputs.map((e) => typeOid(e.type)) };
      }
      return last;
    },
  };
}

const FILES = readdirSync(import.meta.dirname).filter((f) => f.endsWith('.slt')).sort().map((f) => join(import.meta.dirname, f));

describe('scalar functions on Colonnade', () => {
  const runner = constantSelectRunner();
  for (const file of FILES) {
    it(file.slice(file.lastIndexOf('/') + 1), async () => {
      const result = await runSlt(file, runner);
      if (result.failures.length > 0) throw new Error(formatFailures(result));
    });
  }
});

describe('scalar functions on PostgreSQL (PGlite)', () => {
  let pg: SqlRunner;
  beforeAll(async () => { pg = await createPgliteRunner(); });
  afterAll(async () => { await pg.close?.(); });
  for (const file of FILES) {
    it(file.slice(file.lastIndexOf('/') + 1), async () => {
      const result = await runSlt(file, pg);
      if (result.failures.length > 0) throw new Error(formatFailures(result));
    });
  }
});
