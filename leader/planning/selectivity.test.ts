// Filter selectivity from ANALYZE's statistics: what the slice-join planner weighs moving rows with.
import { describe, expect, it } from 'vitest';
import type { Expr } from '../../sql/expr/expr.ts';
import { parseDate } from '../../sql/types/datetime.ts';
import { T, type SqlType } from '../../sql/types/sql-type.ts';
import type { TableDef } from '../catalog/catalog-types.ts';
import { filterSelectivity } from './selectivity.ts';

const DATE: SqlType = { id: 'date' };
const table: TableDef = {
  oid: 1, schema: 'public', name: 'lineitem', distStyleDeclared: 'key', distStyle: 'key', distKey: 0, sortKey: [], sortStyle: 'compound',
  columns: [{ name: 'k', type: T.int4, notNull: true }, { name: 'shipdate', type: DATE, notNull: true }, { name: 'mode', type: T.text, notNull: false }],
  stats: {
    analyzedAt: '2026-11-24T00:00:00Z', rows: 1000,
    columns: [
      { nullFrac: 0, distinct: 1000, avgWidth: 4, min: '1', max: '1000' },
      { nullFrac: 0, distinct: 2500, avgWidth: 4, min: '1992-01-01', max: '1998-12-01' },
      { nullFrac: 0.5, distinct: 7, avgWidth: 5, min: 'AIR', max: 'TRUCK' },
    ],
  },
};
const col = (index: number, type: SqlType): Expr => ({ kind: 'Column', index, type });
const num = (value: number): Expr => ({ kind: 'Const', value, type: T.int4 });
const day = (text: string): Expr => ({ kind: 'Const', value: parseDate(text), type: DATE });
const text = (value: string): Expr => ({ kind: 'Const', value, type: T.text });
const call = (fn: string, ...args: Expr[]): Expr => ({ kind: 'Call', fn, args, type: T.bool });
const and = (...args: Expr[]): Expr => ({ kind: 'And', args, type: T.bool });
const scan = [0, 1, 2];

describe('filter selectivity', () => {
  it('takes a range on one column as its share of [min, max], bounds together', () => {
    // One month of a 6.9-year span (TPC-H Q14's l_shipdate window).
    const month = and(call('ge', col(1, DATE), day('1995-09-01')), call('lt', col(1, DATE), day('1995-10-01')));
    expect(filterSelectivity(month, scan, table)).toBeCloseTo(30 / 2526, 3);
    expect(filterSelectivity(call('le', col(0, T.int4), num(250)), scan, table)).toBeCloseTo(249 / 999, 3);
    expect(filterSelectivity(call('gt', num(250), col(0, T.int4)), scan, table)).toBeCloseTo(249 / 999, 3);
    expect(filterSelectivity(call('gt', col(0, T.int4), num(5000)), scan, table)).toBe(0);
    // date + interval bounds are timestamps: the date column compares as a cast (TPC-H Q10's window).
    const asTimestamp: Expr = { kind: 'Cast', arg: col(1, DATE), type: T.timestamp };
    const micros = (text: string): Expr => ({ kind: 'Const', value: BigInt(parseDate(text)) * 86_400_000_000n, type: T.timestamp });
    const quarter = and(call('ge', col(1, DATE), day('1993-10-01')), call('lt', asTimestamp, micros('1994-01-01')));
    expect(filterSelectivity(quarter, scan, table)).toBeCloseTo(92 / 2526, 3);
  });

  it('uses distinct counts and NULL fractions for equality, IN and IS NULL', () => {
    expect(filterSelectivity(call('eq', col(2, T.text), text('AIR')), scan, table)).toBeCloseTo(0.5 / 7, 6);
    expect(filterSelectivity({ kind: 'InList', arg: col(2, T.text), list: [text('AIR'), text('MAIL')], negated: false, type: T.bool }, scan, table)).toBeCloseTo(1 / 7, 6);
    expect(filterSelectivity({ kind: 'IsNull', arg: col(2, T.text), negated: true, type: T.bool }, scan, table)).toBe(0.5);
    expect(filterSelectivity(and(call('eq', col(0, T.int4), num(3)), call('eq', col(2, T.text), text('AIR'))), scan, table)).toBeCloseTo(0.001 * 0.5 / 7, 8);
  });

  it('falls back to PostgreSQL-like defaults without statistics or for other conditions', () => {
    const bare: TableDef = { ...table, stats: undefined };
    expect(filterSelectivity(call('eq', col(0, T.int4), num(3)), scan, bare)).toBe(0.005);
    expect(filterSelectivity({ kind: 'Not', arg: call('like', col(2, T.text), text('%x%')), type: T.bool }, scan, table)).toBeCloseTo(0.9, 6);
    expect(filterSelectivity(null, scan, table)).toBe(1);
  });
});
