// Derives the zone-map filters a table scan can use to skip blocks from a fragment's WHERE:
// column-vs-constant comparisons, IN lists and IS [NOT] NULL among its top-level conjuncts.
import type { Expr } from '../../sql/expr/expr.ts';
import { Decimal } from '../../sql/types/decimal.ts';
import type { Datum } from '../../sql/types/datum.ts';
import type { ZoneFilter } from '../../storage/slice-store.ts';

const OPS: Record<string, '=' | '<' | '<=' | '>' | '>='> = { eq: '=', lt: '<', le: '<=', gt: '>', ge: '>=' };
const FLIPPED: Record<string, '=' | '<' | '<=' | '>' | '>='> = { '=': '=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/** A constant in the form zone filters take (vector-domain numbers, or SQL literal text). */
function zoneValue(v: Datum): number | bigint | string | undefined {
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string') return v;
  if (v instanceof Decimal) return v.toString();
  return undefined;
}

/** An IN set of more values than this becomes a range test over them (integers), or none. */
const ZONE_IN_MAX_VALUES = 64;

/** The least and greatest of values that are all numbers or all bigints; null otherwise. */
function numericRange(values: readonly (number | bigint | string)[]): [number | bigint, number | bigint] | null {
  const kind = typeof values[0];
  if (kind !== 'number' && kind !== 'bigint') return null;
  let lo = values[0] as number | bigint;
  let hi = lo;
  for (const v of values) {
    if (typeof v !== kind) return null;
    const x = v as number | bigint;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return [lo, hi];
}

function conjuncts(e: Expr): readonly Expr[] {
  return e.kind === 'And' ? e.args.flatMap(conjuncts) : [e];
}

/** Zone filters over table column indexes; `scanColumns` maps the fragment's row positions to them. */
export function zoneFiltersFor(filter: Expr | null, scanColumns: readonly number[]): ZoneFilter[] {
  if (!filter) return [];
  const out: ZoneFilter[] = [];
  for (const c of conjuncts(filter)) {
    const onDate = c.kind === 'Call' && OPS[c.fn] && c.args.length === 2 ? dateAsTimestamp(c.args[0]!, c.args[1]!, OPS[c.fn]!) : null;
    if (onDate !== null) {
      out.push({ ...onDate, column: scanColumns[onDate.column]! });
    } else if (c.kind === 'Call' && OPS[c.fn] && c.args.length === 2) {
      const [a, b] = c.args as [Expr, Expr];
      const col = a.kind === 'Column' ? a : b.kind === 'Column' ? b : null;
      const k = a.kind === 'Const' ? a : b.kind === 'Const' ? b : null;
      if (!col || !k || k.value === null || col.type.id !== k.type.id) continue;
      const value = zoneValue(k.value);
      if (value === undefined) continue;
      const op = col === a ? OPS[c.fn]! : FLIPPED[OPS[c.fn]!]!;
      out.push({ kind: 'compare', column: scanColumns[col.index]!, op, value });
    } else if (c.kind === 'InList' && !c.negated && c.arg.kind === 'Column') {
      const values = c.list.map((x) => (x.kind === 'Const' && x.type.id === c.arg.type.id && x.value !== null ? zoneValue(x.value) : undefined));
      if (values.every((v) => v !== undefined)) out.push({ kind: 'in', column: scanColumns[c.arg.index]!, values: values as (number | bigint | string)[] });
    } else if (c.kind === 'InSet' && c.arg.kind === 'Column') {
      const values = c.keys.map(zoneValue);
      if (!values.every((v) => v !== undefined)) continue;
      const column = scanColumns[c.arg.index]!;
      if (values.length <= ZONE_IN_MAX_VALUES) {
        out.push({ kind: 'in', column, values: values as (number | bigint | string)[] });
        continue;
      }
      // Many keys (a join's runtime filter): a block is skipped only when its range misses all of
      // them, which a range test tells almost as well in a fraction of the plan's size.
      const range = numericRange(values as (number | bigint | string)[]);
      if (range !== null) out.push({ kind: 'compare', column, op: '>=', value: range[0] }, { kind: 'compare', column, op: '<=', value: range[1] });
    } else if (c.kind === 'IsNull' && c.arg.kind === 'Column') {
      out.push({ kind: 'isNull', column: scanColumns[c.arg.index]!, negated: c.negated });
    }
  }
  return out;
}

const DAY_US = 86_400_000_000n;

/** ⌊a / b⌋ for bigints (b > 0). */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a < q * b ? q - 1n : q;
}

/**
 * `date_column::timestamp op constant` (what a date ± interval bound makes: TPC-H's
 * `l_shipdate < date '1994-01-01' + interval '1' year`) as a filter on the date column's day
 * numbers, exactly: d·86400e6 < T is d < ⌈T / 86400e6⌉, and so on. Null for anything else
 * (timestamptz depends on the session's time zone: not taken).
 */
function dateAsTimestamp(a: Expr, b: Expr, fnOp: '=' | '<' | '<=' | '>' | '>='): Extract<ZoneFilter, { kind: 'compare' }> | null {
  const cast = a.kind === 'Cast' ? a : b.kind === 'Cast' ? b : null;
  const k = a.kind === 'Const' ? a : b.kind === 'Const' ? b : null;
  if (cast === null || k === null || cast.type.id !== 'timestamp' || cast.arg.kind !== 'Column' || cast.arg.type.id !== 'date') return null;
  if (k.type.id !== 'timestamp' || typeof k.value !== 'bigint') return null;
  const op = cast === a ? fnOp : FLIPPED[fnOp]!;
  const t = k.value;
  const floor = floorDiv(t, DAY_US);
  const ceil = floor * DAY_US === t ? floor : floor + 1n;
  const column = cast.arg.index;
  switch (op) {
    case '<': case '>=': return { kind: 'compare', column, op, value: Number(ceil) };
    case '<=': case '>': return { kind: 'compare', column, op, value: Number(floor) };
    case '=': return floor === ceil ? { kind: 'compare', column, op, value: Number(floor) } : null;
  }
}
