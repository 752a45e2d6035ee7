import { Prng, deriveSeed } from './prng.ts';
import { QueryGenerator } from './random-query.ts';
import { startFuzzSession } from './fuzz-session.ts';
import { compareOutcomes, describeOutcome } from './compare-outcomes.ts';
const n = Number(process.argv[2] ?? 200); const base = Number(process.argv[3] ?? 1);
const s = await startFuzzSession(base);
const t0 = Date.now(); let bad = 0; let errs = 0; const codes = new Map<string, number>();
for (let i = 0; i < n; i++) {
  const q = new QueryGenerator(new Prng(deriveSeed(base, i))).query();
  const ours = await s.colonnade.run(q.sql); const theirs = await s.postgres.run(q.sql);
  if (!theirs.ok) { errs++; codes.set(theirs.code + ' ' + theirs.message.slice(0, 60), (codes.get(theirs.code + ' ' + theirs.message.slice(0, 60)) ?? 0) + 1); }
  const diff = compareOutcomes(ours, theirs, q.ordered);
  if (diff) { bad++; if (bad <= Number(process.env.SHOW ?? 30)) console.log(`#${i}: ${q.sql}\n  ${diff}\n  colonnade: ${describeOutcome(ours).slice(0, 600)}\n  postgres: ${describeOutcome(theirs).slice(0, 600)}\n`); }
}
console.log(`${n} queries, ${bad} mismatches, ${errs} pg errors, ${Date.now() - t0} ms`, codes);
await s.close();
