// The window-function benchmark over TPC-H's lineitem (issue #7): a running total per order and a
// 7-row moving average per part, each folded into one row so the engines' window work is timed,
// not the transfer of six million rows. Ids from 101, reported as W1, W2, ...
import type { TpchQuery } from './parameters.ts';

/** First id of the window suite. */
export const WINDOW_QUERY_BASE = 100;

export const WINDOW_QUERIES: readonly TpchQuery[] = [
  {
    id: 101,
    sql: 'select count(*), sum(rt) from (select l_orderkey, sum(l_extendedprice) over (partition by l_orderkey order by l_linenumber) as rt from lineitem) as t',
    params: {},
  },
  {
    id: 102,
    // round(): DuckDB's avg of a decimal is a double; PostgreSQL's and Colonnade's are exact.
    sql: 'select count(*), round(sum(ma), 2) from (select avg(l_quantity) over (partition by l_partkey order by l_orderkey, l_linenumber rows between 6 preceding and current row) as ma from lineitem) as t',
    params: {},
  },
];

/** How a query is named in reports: Q1..Q22, W1.. for the window suite. */
export function queryLabel(id: number): string {
  return id > WINDOW_QUERY_BASE ? `W${id - WINDOW_QUERY_BASE}` : `Q${id}`;
}
