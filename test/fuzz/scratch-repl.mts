import { startFuzzSession } from './fuzz-session.ts';
import { compareOutcomes, describeOutcome } from './compare-outcomes.ts';
import { readFileSync } from 'node:fs';
const s = await startFuzzSession(Number(process.env.DATA_SEED ?? 1));
const stmts = readFileSync(process.argv[2]!, 'utf8').split(/;\s*\n/).map((x) => x.trim()).filter(Boolean);
for (const q of stmts) {
  const a = await s.colonnade.run(q); const b = await s.postgres.run(q);
  const d = compareOutcomes(a, b, /ORDER BY/.test(q));
  console.log('>>> ' + q + (d ? '\n  DIFF ' + d + '\n colonnade: ' + describeOutcome(a).slice(0, 400) + '\n postgres:  ' + describeOutcome(b).slice(0, 400) : '\n  SAME ' + describeOutcome(a).slice(0, 100)));
}
await s.close();
