// The TPC-H schema (clause 1.4) as data: columns with SQL types, and how Redshift-style DDL distributes and sorts each table.
import type { TableName } from '../gen/table-spec.ts';

/** How a column's text must be written as a SQL literal. */
export type ColumnKind = 'integer' | 'decimal' | 'date' | 'text';

/** One column. */
export interface ColumnDef {
  readonly name: string;
  /** SQL type as written in CREATE TABLE. */
  readonly type: string;
  readonly kind: ColumnKind;
}

/** One table: columns in .tbl order, primary key, Redshift distribution and sort keys. */
export interface TableDef {
  readonly name: TableName;
  readonly columns: readonly ColumnDef[];
  readonly primaryKey: readonly string[];
  /** Redshift: DISTKEY column, or 'ALL' for DISTSTYLE ALL. */
  readonly dist: string;
  readonly sortKey?: string;
  /** Foreign-key columns worth an index in PostgreSQL. */
  readonly indexes: readonly string[];
}

const int = (name: string): ColumnDef => ({ name, type: 'INTEGER', kind: 'integer' });
const big = (name: string): ColumnDef => ({ name, type: 'BIGINT', kind: 'integer' });
const dec = (name: string): ColumnDef => ({ name, type: 'DECIMAL(15,2)', kind: 'decimal' });
const date = (name: string): ColumnDef => ({ name, type: 'DATE', kind: 'date' });
const chr = (name: string, n: number): ColumnDef => ({ name, type: `CHAR(${n})`, kind: 'text' });
const vchr = (name: string, n: number): ColumnDef => ({ name, type: `VARCHAR(${n})`, kind: 'text' });

/** All eight tables in load order. */
export const SCHEMA: readonly TableDef[] = [
  { name: 'region', columns: [int('r_regionkey'), chr('r_name', 25), vchr('r_comment', 152)],
    primaryKey: ['r_regionkey'], dist: 'ALL', indexes: [] },
  { name: 'nation', columns: [int('n_nationkey'), chr('n_name', 25), int('n_regionkey'), vchr('n_comment', 152)],
    primaryKey: ['n_nationkey'], dist: 'ALL', indexes: [] },
  { name: 'part', columns: [
    int('p_partkey'), vchr('p_name', 55), chr('p_mfgr', 25), chr('p_brand', 10), vchr('p_type', 25),
    int('p_size'), chr('p_container', 10), dec('p_retailprice'), vchr('p_comment', 23)],
    primaryKey: ['p_partkey'], dist: 'p_partkey', indexes: [] },
  { name: 'supplier', columns: [
    int('s_suppkey'), chr('s_name', 25), vchr('s_address', 40), int('s_nationkey'), chr('s_phone', 15),
    dec('s_acctbal'), vchr('s_comment', 101)],
    primaryKey: ['s_suppkey'], dist: 's_suppkey', indexes: ['s_nationkey'] },
  { name: 'partsupp', columns: [
    int('ps_partkey'), int('ps_suppkey'), int('ps_availqty'), dec('ps_supplycost'), vchr('ps_comment', 199)],
    primaryKey: ['ps_partkey', 'ps_suppkey'], dist: 'ps_partkey', sortKey: 'ps_partkey', indexes: ['ps_suppkey'] },
  { name: 'customer', columns: [
    int('c_custkey'), vchr('c_name', 25), vchr('c_address', 40), int('c_nationkey'), chr('c_phone', 15),
    dec('c_acctbal'), chr('c_mktsegment', 10), vchr('c_comment', 117)],
    primaryKey: ['c_custkey'], dist: 'c_custkey', indexes: ['c_nationkey'] },
  { name: 'orders', columns: [
    big('o_orderkey'), int('o_custkey'), chr('o_orderstatus', 1), dec('o_totalprice'), date('o_orderdate'),
    chr('o_orderpriority', 15), chr('o_clerk', 15), int('o_shippriority'), vchr('o_comment', 79)],
    primaryKey: ['o_orderkey'], dist: 'o_orderkey', sortKey: 'o_orderdate', indexes: ['o_custkey', 'o_orderdate'] },
  { name: 'lineitem', columns: [
    big('l_orderkey'), int('l_partkey'), int('l_suppkey'), int('l_linenumber'), dec('l_quantity'),
    dec('l_extendedprice'), dec('l_discount'), dec('l_tax'), chr('l_returnflag', 1), chr('l_linestatus', 1),
    date('l_shipdate'), date('l_commitdate'), date('l_receiptdate'), chr('l_shipinstruct', 25),
    chr('l_shipmode', 10), vchr('l_comment', 44)],
    primaryKey: ['l_orderkey', 'l_linenumber'], dist: 'l_orderkey', sortKey: 'l_shipdate',
    indexes: ['l_partkey, l_suppkey', 'l_suppkey', 'l_shipdate'] },
];

/** The definition of one table. */
export function tableDef(name: TableName): TableDef {
  const def = SCHEMA.find((t) => t.name === name);
  if (def === undefined) throw new RangeError(`no TPC-H table ${name}`);
  return def;
}
