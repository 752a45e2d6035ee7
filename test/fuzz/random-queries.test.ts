// Random queries over random tables with NULLs: Colonnade against PostgreSQL (PGlite), plus the TLP oracle.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareOutcomes, describeOutcome } from './compare-outcomes.ts';
import { startFuzzSession, type FuzzSession } from './fuzz-session.ts';
import { Prng, deriveSeed } from './prng.ts';
import { QueryGenerator } from './random-query.ts';
import { generateTlpCheck } from './tlp-oracle.ts';

/**
 * Knobs (environment variables), so CI is deterministic and a developer can dig deeper:
 * - COLONNADE_FUZZ_SEED: base seed of the data and of every query (query i uses deriveSeed(seed, i)).
 * - COLONNADE_FUZZ_QUERIES: how many random queries to compare with PostgreSQL.
 * - COLONNADE_FUZZ_TLP: how many TLP checks to run against Colonnade alone.
 * - COLONNADE_FUZZ_SLICE_QUERIES: how many more run on a cluster that sends every join it can to
 *   the slices (COLONNADE_MIN_PROBE_ROWS=0), since the fuzz tables are too small to get there.
 * The defaults take about a minute on two cores.
 */
function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${name} must be a non-negative integer, got "${raw}"`);
  return v;
}

const SEED = envInt('COLONNADE_FUZZ_SEED', 20_240_601);
const QUERIES = envInt('COLONNADE_FUZZ_QUERIES', 3000);
const TLP_CHECKS = envInt('COLONNADE_FUZZ_TLP', 700);
const SLICE_QUERIES = envInt('COLONNADE_FUZZ_SLICE_QUERIES', 1000);
/** Stop collecting after this many failures: a crashed cluster would otherwise fail every query. */
const MAX_REPORTED = 8;
/** TLP checks draw from their own seed stream, so changing QUERIES leaves them alone. */
const TLP_SEED_SALT = 0x5bd1e995;

const reproduce = `COLONNADE_FUZZ_SEED=${SEED} npx vitest run test/fuzz/random-queries.test.ts`;

describe(`random queries (seed ${SEED})`, () => {
  let session: FuzzSession;

  beforeAll(async () => {
    session = await startFuzzSession(SEED);
  }, 120_000);

  afterAll(async () => {
    await session?.close();
  });

  it('the generator is deterministic: a seed gives the same statement', () => {
    for (let i = 0; i < 20; i++) {
      const a = new QueryGenerator(new Prng(deriveSeed(SEED, i))).query();
      const b = new QueryGenerator(new Prng(deriveSeed(SEED, i))).query();
      expect(a).toEqual(b);
    }
  });

  it(`${QUERIES} random queries give PostgreSQL's answers`, async () => {
    const failures = await compareRandomQueries(session, 0, QUERIES, reproduce);
    expect(failures, `${failures.length} mismatch(es):\n\n${failures.join('\n\n')}`).toEqual([]);
  }, 600_000);

  it(`${TLP_CHECKS} TLP checks: WHERE p, NOT p and p IS NULL add up to the whole`, async () => {
    const failures: string[] = [];
    for (let i = 0; i < TLP_CHECKS && failures.length < MAX_REPORTED; i++) {
      const check = generateTlpCheck(new Prng(deriveSeed(SEED ^ TLP_SEED_SALT, i)));
      const whole = await session.colonnade.run(check.original);
      const parts = await session.colonnade.run(check.partitioned);
      const diff = whole.ok ? compareOutcomes(whole, parts, false) : 'the unpartitioned query failed';
      if (diff !== undefined) {
        failures.push(`TLP check #${i}, ${check.variant} (${reproduce})\n${check.original}\n${check.partitioned}\n${diff}\n` +
          `whole: ${describeOutcome(whole)}\npartitions: ${describeOutcome(parts)}`);
      }
    }
    expect(failures, `${failures.length} TLP mismatch(es):\n\n${failures.join('\n\n')}`).toEqual([]);
  }, 600_000);
});

/** Runs queries [from, from + count) of the seed on both engines; the mismatches, described. */
async function compareRandomQueries(session: FuzzSession, from: number, count: number, how: string): Promise<string[]> {
  const failures: string[] = [];
  for (let i = from; i < from + count && failures.length < MAX_REPORTED; i++) {
    const q = new QueryGenerator(new Prng(deriveSeed(SEED, i))).query();
    // Colonnade runs in other processes and PGlite on this thread: run them side by side.
    const [ours, theirs] = await Promise.all([session.colonnade.run(q.sql), session.postgres.run(q.sql)]);
    const head = `query #${i} (${how})\n${q.sql}`;
    if (!theirs.ok) {
      failures.push(`${head}\nthe generator wrote a statement PostgreSQL rejects: ${describeOutcome(theirs)}`);
      continue;
    }
    const diff = compareOutcomes(ours, theirs, q.ordered);
    if (diff !== undefined) {
      failures.push(`${head}\n${diff}\ncolonnade: ${describeOutcome(ours)}\npostgres: ${describeOutcome(theirs)}`);
    }
  }
  return failures;
}

// The same generator with every join the slices can run sent there (vectorized joins, runtime and
// sideways key filters, flipped joins), on queries the first cluster did not see; then again with
// every input that can move redistributed node to node instead of broadcast (DS_DIST_INNER, the
// probe moving too for DS_DIST_OUTER / BOTH) and every grouped aggregation over a table finished on
// the slices after redistribution by group key, on two slices per node (worker threads). Row groups
// of 16 rows: scans recycle their buffers from row group to row group, so anything that kept a
// scan's arrays past its batch reads overwritten values.
const SLICE_PASSES: { env: Record<string, string>; slices: number; queries: number; first: number }[] = [
  { env: { COLONNADE_MIN_PROBE_ROWS: '0', COLONNADE_BLOCK_ROWS: '16' }, slices: 1, queries: SLICE_QUERIES, first: QUERIES },
  { env: { COLONNADE_MIN_PROBE_ROWS: '0', COLONNADE_REDISTRIBUTE_MIN_ROWS: '0', COLONNADE_REDISTRIBUTE_MIN_GROUPS: '0', COLONNADE_BLOCK_ROWS: '16' }, slices: 2, queries: Math.ceil(SLICE_QUERIES / 2), first: QUERIES + SLICE_QUERIES },
];

describe.each(SLICE_PASSES)(`random queries with joins on the slices (seed ${SEED}, $env)`, ({ env, slices, queries, first }) => {
  let session: FuzzSession;

  beforeAll(async () => {
    session = await startFuzzSession(SEED, 2, slices, env);
  }, 120_000);

  afterAll(async () => {
    await session?.close();
  });

  it(`${queries} random queries give PostgreSQL's answers`, async () => {
    const vars = Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ');
    const how = `${vars} COLONNADE_FUZZ_SEED=${SEED} npx vitest run test/fuzz/random-queries.test.ts`;
    const failures = await compareRandomQueries(session, first, queries, how);
    expect(failures, `${failures.length} mismatch(es):\n\n${failures.join('\n\n')}`).toEqual([]);
  }, 600_000);
});
