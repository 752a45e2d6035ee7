import { Prng, deriveSeed } from './prng.ts';
import { QueryGenerator } from './random-query.ts';
for (let i = 0; i < Number(process.argv[2] ?? 5); i++) {
  const q = new QueryGenerator(new Prng(deriveSeed(1, i))).query();
  console.log(q.sql + ';');
}
