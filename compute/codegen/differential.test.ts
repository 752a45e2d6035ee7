// Randomized differential test: compiled filter/projection kernels against the reference
// evaluator row by row (values, NULLs, and the SQLSTATE of the first failing row).
import { describe, expect, it } from 'vitest';
import { SqlError } from '../../common/errors/index.ts';
import { evaluate } from '../../sql/expr/evaluate.ts';
import type { Expr } from '../../sql/expr/expr.ts';
import type { EvalContext } from '../../sql/functions/scalar-functions.ts';
import type { Datum } from '../../sql/types/datum.ts';
import { Decimal } from '../../sql/types/decimal.ts';
import { batchFromRows, vectorFromRows } from '../batch/row-conversion.ts';
import { compileFilter } from './compile-filter.ts';
import { compileProjection } from './compile-projection.ts';
import { compiledKernel } from './kernel-cache.ts';
import { withDictionaryStrings } from './test-support.ts';
import type { Batch } from '../batch/batch.ts';
import { ExprGenerator, RANDOM_SCHEMA, Rng, randomRows } from './random-expr.ts';
import { vectorDiff } from './vector-diff.ts';

const CTX: EvalContext = {
  user: 'alice', database: 'db', serverVersion: '16.0', statementStartMicros: 1_700_000_000_000_000n, timeZoneOffsetSeconds: 3600,
};

function codeOf(err: unknown): string {
  return SqlError.from(err).code;
}

function exprJson(e: unknown): string {
  return JSON.stringify(e, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Decimal ? `${v.toString()}(s${v.scale})` : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}

interface Case {
  readonly rows: Datum[][];
  readonly sel: Uint32Array | null;
  /** String columns as dictionary codes (a dictionary-encoded block's scan). */
  readonly dictionary: boolean;
}

function batchOf(c: Case): Batch {
  const b = batchFromRows(RANDOM_SCHEMA, c.rows);
  return c.dictionary ? withDictionaryStrings(b) : b;
}

function randomCase(rng: Rng): Case {
  const n = rng.chance(0.1) ? 0 : rng.chance(0.1) ? 200 + rng.int(300) : 1 + rng.int(40);
  const nullRate = rng.chance(0.35) ? 0 : rng.pick([0.05, 0.2, 0.5]);
  const rows = randomRows(rng, RANDOM_SCHEMA, n, nullRate);
  let sel: Uint32Array | null = null;
  if (rng.chance(0.3)) {
    const picked: number[] = [];
    for (let r = 0; r < n; r++) if (rng.chance(0.6)) picked.push(r);
    sel = Uint32Array.from(picked);
  }
  return { rows, sel, dictionary: rng.chance(0.5) };
}

function selectedRows(c: Case): Datum[][] {
  return c.sel ? [...c.sel].map((r) => c.rows[r]!) : c.rows;
}

/** Returns a failure description or undefined. */
function checkFilter(pred: Expr, c: Case): string | undefined {
  let expected: number[] | string;
  try {
    const idx = c.sel ? [...c.sel] : c.rows.map((_, r) => r);
    expected = idx.filter((r) => evaluate(pred, c.rows[r]!, CTX) === true);
  } catch (err) {
    expected = codeOf(err);
  }
  const batch = batchOf(c);
  const kernel = compileFilter(pred, RANDOM_SCHEMA, CTX);
  const out = new Uint32Array(c.rows.length);
  let actual: number[] | string;
  try {
    const n = kernel(batch, c.sel, out);
    actual = [...out.subarray(0, n)];
  } catch (err) {
    actual = codeOf(err);
  }
  if (JSON.stringify(actual) === JSON.stringify(expected)) return undefined;
  return `filter ${exprJson(pred)}\nactual ${JSON.stringify(actual)} expected ${JSON.stringify(expected)}`;
}

function checkProjection(exprs: Expr[], c: Case): string | undefined {
  const rows = selectedRows(c);
  let expectedError: string | undefined;
  const refRows: Datum[][] = [];
  try {
    for (const row of rows) refRows.push(exprs.map((e) => evaluate(e, row, CTX)));
  } catch (err) {
    expectedError = codeOf(err);
  }
  const batch = batchOf(c);
  const kernel = compileProjection(exprs, RANDOM_SCHEMA, CTX);
  let result;
  try {
    result = kernel(batch, c.sel);
  } catch (err) {
    if (codeOf(err) === expectedError) return undefined;
    return `projection ${exprJson(exprs)}\nthrew ${codeOf(err)} (${String(err)}) expected ${expectedError ?? 'no error'}`;
  }
  if (expectedError !== undefined) return `projection ${exprJson(exprs)}\nno error, expected ${expectedError}`;
  for (let j = 0; j < exprs.length; j++) {
    const diff = vectorDiff(result[j]!, vectorFromRows(exprs[j]!.type, refRows, j));
    if (diff) return `projection ${exprJson(exprs[j])}\n${diff}`;
  }
  return undefined;
}

function report(failure: string, seed: number, c: Case, exprs: readonly Expr[], kind: 'filter' | 'projection'): string {
  const rows = selectedRows(c).slice(0, 8).map((r) => exprJson(r)).join('\n');
  return `seed ${seed}: ${failure}\nfirst rows:\n${rows}\n--- kernel source ---\n${compiledKernel(kind, exprs, RANDOM_SCHEMA).source.slice(0, 6000)}`;
}

function filterSeeds(from: number, count: number, specialisedOnly: boolean): string {
  const failures: string[] = [];
  for (let seed = from; seed < from + count && failures.length < 3; seed++) {
    const rng = new Rng(seed);
    const pred = new ExprGenerator(rng, specialisedOnly).gen('bool', 1 + rng.int(4));
    for (let b = 0; b < 3; b++) {
      const c = randomCase(rng);
      const f = checkFilter(pred, c);
      if (f) { failures.push(report(f, seed, c, [pred], 'filter')); break; }
    }
  }
  return failures.join('\n\n');
}

function projectionSeeds(from: number, count: number, specialisedOnly: boolean): string {
  const failures: string[] = [];
  for (let seed = from; seed < from + count && failures.length < 3; seed++) {
    const rng = new Rng(seed);
    const g = new ExprGenerator(rng, specialisedOnly);
    const exprs = Array.from({ length: 1 + rng.int(3) }, () => g.any(1 + rng.int(4)));
    for (let b = 0; b < 3; b++) {
      const c = randomCase(rng);
      const f = checkProjection(exprs, c);
      if (f) { failures.push(report(f, seed, c, exprs, 'projection')); break; }
    }
  }
  return failures.join('\n\n');
}

// Each seed: one random expression tree checked on 3 random batches (≈ 3,000 cases per test).
// Longer runs: CODEGEN_FUZZ_SEEDS=20000 CODEGEN_FUZZ_OFFSET=1000000 npx vitest run compute/codegen/differential.test.ts
const SEEDS = Number(process.env['CODEGEN_FUZZ_SEEDS'] ?? 1000);
const OFFSET = Number(process.env['CODEGEN_FUZZ_OFFSET'] ?? 0);

describe('compiled kernels agree with the reference evaluator', () => {
  it('filters: random predicates (all functions) over random batches', () => {
    expect(filterSeeds(OFFSET + 1, SEEDS, false)).toBe('');
  });

  it('filters: random predicates on specialised paths only', () => {
    expect(filterSeeds(OFFSET + 50_001, SEEDS, true)).toBe('');
  });

  it('projections: random expressions of every type (all functions)', () => {
    expect(projectionSeeds(OFFSET + 100_001, SEEDS, false)).toBe('');
  });

  it('projections: random expressions on specialised paths only', () => {
    expect(projectionSeeds(OFFSET + 150_001, SEEDS, true)).toBe('');
  });
});
