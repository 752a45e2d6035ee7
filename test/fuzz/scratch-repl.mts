import { startFuzzSession } from './fuzz-session.ts';
import { describeOutcome } from './compare-outcomes.ts';
import { readFileSync } from 'node:fs';
const s = await startFuzzSession(Number(process.env.DATA_SEED ?? 1));
const stmts = readFileSync(process.argv[2]!, 'utf8').split(/;\s*\n/).map((x) => x.trim()).filter(Boolean);
for (const q of stmts) {
  console.log('>>> ' + q);
  console.log(' colonnade: ' + describeOutcome(await s.colonnade.run(q)));
  console.log(' postgres:  ' + describeOutcome(await s.postgres.run(q)));
}
await s.close();
