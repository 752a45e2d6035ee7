// Loads libpg-query's WASM module once per process, so the synchronous parse/scan calls can run.
import { loadModule, parseSync } from 'libpg-query';
import { internalError } from '../../common/errors/index.ts';

let ready = false;

/** A statement touching most of the grammar a query uses (joins, subqueries, CTEs, windows, casts). */
const WARM_UP = `with w as (select a, count(*) over (partition by b order by c rows between 1 preceding and current row) as n
  from s.t where d between date '2020-01-01' and current_date - interval '1' day and e like 'x%')
select case when a in (1, 2) then 'y' else substring(f from 1 for 2) end, sum(g * (1 - h))::numeric(10, 2), extract(year from d)
from w join u on w.a = u.a left join v using (b)
where exists (select 1 from z where z.k = w.a) and a not in (select k from z) and coalesce(i, 0) > (select avg(j) from z)
group by 1, 2 having count(distinct a) > 1 order by 2 desc nulls last limit 10 offset 1;
insert into t (a) values ($1); update t set a = 1 where b = 2; delete from t where a < 0`;
let loading: Promise<void> | undefined;

/**
 * Loads the PostgreSQL parser (WASM). Await once at process start (and in test setup) before
 * calling {@link parseStatements}; repeated calls share the same load.
 */
export function initParser(): Promise<void> {
  if (loading === undefined) {
    loading = loadModule().then(() => {
      // The engine compiles the grammar's WASM functions on first use: ~50 ms for the first query
      // with joins and subqueries, ~0.5 ms afterwards. Pay it here, at start, not on a user's query.
      parseSync(WARM_UP);
      ready = true;
    });
  }
  return loading;
}

/** True once {@link initParser} has finished. */
export function isParserReady(): boolean {
  return ready;
}

/** Throws XX000 when the parser was used before {@link initParser} finished: a startup-order bug. */
export function assertParserReady(): void {
  if (!ready) throw internalError('SQL parser used before initParser() finished');
}
