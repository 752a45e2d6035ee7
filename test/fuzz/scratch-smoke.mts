import { PGlite } from '@electric-sql/pglite';
import { startCluster } from '../cluster/local-cluster.ts';
import { generateDataset, createTableSql, insertStatements } from './random-data.ts';
const t0 = Date.now();
const cluster = await startCluster({ nodes: 2, slices: 1 });
const c = await cluster.client();
console.log('cluster', Date.now() - t0);
const pgl = await PGlite.create();
console.log('pglite', Date.now() - t0);
const ds = generateDataset(1);
for (const t of ds.tables) {
  await c.query(createTableSql(t, true)); await pgl.exec(createTableSql(t, false));
  for (const s of insertStatements(t, ds.rows.get(t.name)!)) { await c.query(s); await pgl.exec(s); }
}
console.log('loaded', Date.now() - t0);
const id = (v: string) => v;
const qs = ['select count(*), sum(a), avg(n), min(s), max(d) from t1', 'select x.a, count(*) from t1 x join t2 y on x.a = y.a group by x.a order by 1', "select * from t3 where s like 'a%' order by k limit 3", 'select avg(a) from t2', 'select n*2, n/3, a/2 from t3 limit 3', 'show lc_collate'];
for (const q of qs) {
  const r = await c.query({ text: q, rowMode: 'array', types: { getTypeParser: () => id } }).catch((e) => e.message);
  const p = await pgl.query(q, [], { rowMode: 'array' }).catch((e) => e.message);
  console.log(q, JSON.stringify(r.rows ?? r), JSON.stringify(p.rows ?? p));
}
let t1 = Date.now();
for (let i = 0; i < 100; i++) await c.query({ text: `select x.a, count(*) from t1 x join t2 y on x.a = y.a where x.k > ${i} group by x.a`, rowMode: 'array' });
console.log('100 join queries colonnade ms', Date.now() - t1);
t1 = Date.now();
for (let i = 0; i < 100; i++) await c.query({ text: `select a, n from t1 where k > ${i} and a < 5`, rowMode: 'array' });
console.log('100 scan queries colonnade ms', Date.now() - t1);
t1 = Date.now();
for (let i = 0; i < 100; i++) await pgl.query(`select x.a, count(*) from t1 x join t2 y on x.a = y.a where x.k > ${i} group by x.a`);
console.log('100 pglite ms', Date.now() - t1);
await c.end(); await cluster.destroy(); await pgl.close();
