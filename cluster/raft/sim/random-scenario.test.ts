// Thousands of seeded fault-injection runs; a failure prints the seed, its setup and the trace's tail.
import { describe, expect, it } from 'vitest';
import { explainFailure, runRandomScenario } from './random-scenario.ts';

/** Seeds per CI run; override with RAFT_SIM_SEEDS (long runs: `npx tsx cluster/raft/sim/run-seeds.ts --seeds 100000`). */
const SEEDS = Number(process.env.RAFT_SIM_SEEDS ?? 3000);
/** First seed; override with RAFT_SIM_START to explore other seeds in CI. */
const START = Number(process.env.RAFT_SIM_START ?? 1);

describe('randomized simulation', () => {
  it(`keeps every safety property and recovers liveness over ${SEEDS} seeds`, () => {
    const started = performance.now();
    let events = 0;
    let committed = 0;
    let leaderTerms = 0;
    for (let seed = START; seed < START + SEEDS; seed++) {
      const r = runRandomScenario(seed);
      if (!r.ok) {
        // Replays the seed with tracing, so the report says exactly what happened.
        expect.fail(explainFailure(seed));
      }
      events += r.events;
      committed += r.committed;
      leaderTerms += r.leaderTerms;
    }
    const secs = (performance.now() - started) / 1000;
    console.log(`raft simulation: ${SEEDS} seeds in ${secs.toFixed(1)} s (${(SEEDS / secs).toFixed(0)} seeds/s), `
      + `${events} events, ${committed} entries committed, ${leaderTerms} leader terms`);
    // The runs must actually exercise Raft: elections happen and entries commit.
    expect(leaderTerms).toBeGreaterThan(SEEDS);
    expect(committed).toBeGreaterThan(SEEDS * 20);
  });
});
