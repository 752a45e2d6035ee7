// How many of a table's rows a scan's filter keeps, estimated from ANALYZE's statistics the way
// PostgreSQL's planner does it in spirit: equality keeps 1/distinct, a range keeps its share of
// [min, max] (lower and upper bounds on one column taken together), IN lists k/distinct, IS NULL the
// NULL fraction; conjuncts multiply (independence), OR adds, anything else keeps a third.
import type { Expr } from '../../sql/expr/expr.ts';
import { Decimal, type Datum } from '../../sql/types/datum.ts';
import type { SqlType } from '../../sql/types/sql-type.ts';
import { parseDatum } from '../../sql/types/text-io.ts';
import type { ColumnStatsDef, TableDef } from '../catalog/catalog-types.ts';

/** What an unknown condition keeps (PostgreSQL's DEFAULT_INEQ_SEL). */
const DEFAULT_SEL = 1 / 3;
/** What equality keeps without statistics (PostgreSQL's DEFAULT_EQ_SEL). */
const DEFAULT_EQ_SEL = 0.005;
/** LIKE and other pattern matches. */
const PATTERN_SEL = 0.1;

type ColumnRef = Extract<Expr, { kind: 'Column' }>;

/** A value on the number line, for range arithmetic (dates are day numbers, timestamps µs). */
function numeric(v: Datum): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Decimal) return Number(v.toString());
  return null;
}

function statValue(text: string | null, type: SqlType): number | null {
  if (text === null) return null;
  try {
    return numeric(parseDatum(type, text));
  } catch {
    return null;
  }
}

const FLIP: Record<string, string> = { lt: 'gt', le: 'ge', gt: 'lt', ge: 'le', eq: 'eq', ne: 'ne' };

/**
 * A column as a comparison sees it: the column itself, or a date column cast to a timestamp (date +
 * interval bounds are timestamps), whose constant is then in µs: `unit` converts it to days.
 */
function asColumn(e: Expr): { col: ColumnRef; unit: number } | null {
  if (e.kind === 'Column') return { col: e, unit: 1 };
  if (e.kind === 'Cast' && e.arg.kind === 'Column' && e.arg.type.id === 'date' && (e.type.id === 'timestamp' || e.type.id === 'timestamptz')) {
    return { col: e.arg, unit: 86_400_000_000 };
  }
  return null;
}

/**
 * The estimated fraction of rows `filter` keeps, over a scan whose row position i reads table
 * column scanColumns[i]. 1 without a filter.
 */
export function filterSelectivity(filter: Expr | null, scanColumns: readonly number[], table: TableDef): number {
  if (filter === null) return 1;
  const stats = (col: ColumnRef): ColumnStatsDef | undefined => table.stats?.columns[scanColumns[col.index] ?? -1];
  /** Range bounds per scan position, combined before they count. */
  const bounds = new Map<number, { col: ColumnRef; lo: number | null; hi: number | null }>();
  let sel = 1;
  const conjuncts = filter.kind === 'And' ? filter.args : [filter];
  for (const c of conjuncts) {
    if (c.kind === 'Call' && c.args.length === 2 && FLIP[c.fn] !== undefined) {
      const [a, b] = c.args as [Expr, Expr];
      const left = asColumn(a);
      const right = left === null ? asColumn(b) : null;
      const side = left ?? right;
      const k = left !== null ? b : a;
      if (side !== null && k.kind === 'Const' && k.value !== null) {
        const col = side.col;
        const fn = left !== null ? c.fn : FLIP[c.fn]!;
        const raw = numeric(k.value);
        const v = raw === null ? null : raw / side.unit;
        if ((fn === 'lt' || fn === 'le' || fn === 'gt' || fn === 'ge') && v !== null) {
          const r = bounds.get(col.index) ?? { col, lo: null, hi: null };
          if (fn === 'gt' || fn === 'ge') r.lo = r.lo === null ? v : Math.max(r.lo, v);
          else r.hi = r.hi === null ? v : Math.min(r.hi, v);
          bounds.set(col.index, r);
          continue;
        }
      }
    }
    sel *= conditionSelectivity(c, stats);
  }
  for (const { col, lo, hi } of bounds.values()) sel *= rangeSelectivity(stats(col), col.type, lo, hi);
  return Math.min(1, Math.max(sel, 0));
}

function rangeSelectivity(s: ColumnStatsDef | undefined, type: SqlType, lo: number | null, hi: number | null): number {
  const min = s ? statValue(s.min, type) : null;
  const max = s ? statValue(s.max, type) : null;
  if (s === undefined || min === null || max === null) return lo !== null && hi !== null ? DEFAULT_SEL * DEFAULT_SEL * 3 : DEFAULT_SEL;
  const from = Math.max(lo ?? min, min);
  const to = Math.min(hi ?? max, max);
  if (to < from) return 0;
  const span = max - min;
  // A single value (or a column of one value): at least one distinct value's share.
  const share = span <= 0 ? 1 : (to - from) / span;
  return Math.max(share, 1 / Math.max(1, s.distinct)) * (1 - s.nullFrac);
}

/** What `e = value` keeps for one value: the non-NULL share over the distinct count of a column. */
function equalitySelectivity(e: Expr, stats: (col: ColumnRef) => ColumnStatsDef | undefined): number {
  const s = e.kind === 'Column' ? stats(e) : undefined;
  return s && s.distinct > 0 ? (1 - s.nullFrac) / s.distinct : DEFAULT_EQ_SEL;
}

function conditionSelectivity(c: Expr, stats: (col: ColumnRef) => ColumnStatsDef | undefined): number {
  switch (c.kind) {
    case 'And': {
      let sel = 1;
      for (const a of c.args) sel *= conditionSelectivity(a, stats);
      return sel;
    }
    case 'Or': {
      let keep = 0;
      for (const a of c.args) keep += conditionSelectivity(a, stats);
      return Math.min(1, keep);
    }
    case 'Not': return 1 - conditionSelectivity(c.arg, stats);
    case 'IsNull': {
      const s = c.arg.kind === 'Column' ? stats(c.arg) : undefined;
      const nulls = s ? s.nullFrac : DEFAULT_EQ_SEL;
      return c.negated ? 1 - nulls : nulls;
    }
    case 'InList': {
      const sel = Math.min(1, equalitySelectivity(c.arg, stats) * c.list.length);
      return c.negated ? 1 - sel : sel;
    }
    case 'InSet': return Math.min(1, equalitySelectivity(c.arg, stats) * c.keys.length);
    case 'Call': {
      if ((c.fn === 'eq' || c.fn === 'ne') && c.args.length === 2) {
        const [a, b] = c.args as [Expr, Expr];
        const eq = equalitySelectivity(a.kind === 'Column' ? a : b, stats);
        return c.fn === 'eq' ? eq : 1 - eq;
      }
      if (/like|regex|similar/i.test(c.fn)) return PATTERN_SEL;
      return DEFAULT_SEL;
    }
    default:
      return DEFAULT_SEL;
  }
}
