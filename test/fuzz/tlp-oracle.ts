// Ternary logic partitioning (SQLancer's TLP): a query equals the union of its WHERE p, NOT p and p IS NULL parts.
import { isExcluded } from './excluded-constructs.ts';
import { Prng } from './prng.ts';
import { canonicalNumeric, type ExprScope } from './random-expr.ts';
import { QueryGenerator } from './random-query.ts';
import type { ValueKind } from './random-data.ts';

/** One TLP check: two statements that must give the same multiset of rows on one engine. */
export interface TlpCheck {
  readonly variant: 'where' | 'distinct' | 'aggregate' | 'having';
  /** The unpartitioned query. */
  readonly original: string;
  /** The same rows assembled from the three partitions. */
  readonly partitioned: string;
}

const KINDS: readonly ValueKind[] = ['int', 'bigint', 'numeric', 'text', 'date', 'bool'];

/** How an aggregate over the whole combines from its values over the parts. */
const COMBINE: Record<'min' | 'max' | 'count' | 'sum', string> = { min: 'min', max: 'max', count: 'sum', sum: 'sum' };

/**
 * Draws a random TLP check from `rng`. Every predicate p is three-valued, so each row (or group)
 * satisfies exactly one of `p`, `NOT p`, `p IS NULL`: the partitions glued back together with
 * UNION ALL (UNION for DISTINCT; MIN/MAX/SUM of the parts for aggregates) must equal the query.
 */
export function generateTlpCheck(rng: Prng): TlpCheck {
  const gen = new QueryGenerator(rng);
  const g = gen.g;
  const from = gen.boundedFrom(rng.int(0, 2));
  const scope: ExprScope = {
    leaves: from.leaves, outer: [], correlatedScalars: !isExcluded('correlatedScalarSubquery'),
    ...(from.items > 1 && isExcluded('inSubqueryInJoinWhere') ? { inSubqueries: false } : {}),
  };
  const base = rng.chance(0.3) ? g.predicate(scope, 1) : undefined;
  const p = g.predicate(scope, rng.int(0, 3));
  const whereOf = (part: string | undefined): string => {
    const parts = [base, part].filter((x): x is string => x !== undefined);
    return parts.length === 0 ? '' : ` WHERE ${parts.map((x) => `(${x})`).join(' AND ')}`;
  };
  const parts = [p, `NOT (${p})`, `(${p}) IS NULL`];
  const variant = rng.weighted([[4, 'where'], [2, 'distinct'], [2, 'aggregate'], [2, 'having']] as const);

  if (variant === 'where' || variant === 'distinct') {
    const distinct = variant === 'distinct';
    const items = Array.from({ length: rng.int(1, 3) }, (_, i) => {
      const kind = rng.pick(KINDS);
      const sql = g.expr(scope, kind, rng.int(0, 2));
      return `${kind === 'numeric' && distinct ? canonicalNumeric(sql) : sql} AS c${i}`;
    }).join(', ');
    const select = `SELECT ${distinct ? 'DISTINCT ' : ''}${items} FROM ${from.sql}`;
    return {
      variant,
      original: select + whereOf(undefined),
      partitioned: parts.map((part) => `(${select}${whereOf(part)})`).join(distinct ? ' UNION ' : ' UNION ALL '),
    };
  }

  if (variant === 'aggregate') {
    const fn = rng.pick(['min', 'max', 'count', 'sum'] as const);
    const kind = fn === 'sum' ? rng.pick(['int', 'bigint', 'numeric'] as const) : fn === 'count' ? rng.pick(KINDS) : rng.pick(['int', 'bigint', 'numeric', 'text', 'date'] as const);
    const argSql = g.expr({ leaves: from.leaves, outer: [] }, kind, rng.int(0, 2));
    const arg = kind === 'numeric' ? canonicalNumeric(argSql) : argSql;
    const agg = `${fn}(${arg})`;
    const inner = parts.map((part) => `SELECT ${agg} AS v FROM ${from.sql}${whereOf(part)}`).join(' UNION ALL ');
    return {
      variant,
      original: `SELECT ${agg} FROM ${from.sql}${whereOf(undefined)}`,
      partitioned: `SELECT ${COMBINE[fn]}(v) FROM (${inner}) ${g.alias()}`,
    };
  }

  // HAVING: the groups split by a predicate over keys and aggregates.
  const keys = gen.groupKeys(from.leaves);
  const grouped: ExprScope = { leaves: keys, aggInputs: from.leaves, outer: [], inSubqueries: !isExcluded('inSubqueryOverGroups') };
  const hp = g.predicate(grouped, rng.int(0, 2));
  const aggItems = Array.from({ length: rng.int(1, 2) }, () => g.aggregate(from.leaves, rng.pick(['bigint', 'numeric', 'int'] as const)));
  const select = `SELECT ${keys.map((k) => k.sql).concat(aggItems).map((x, i) => `${x} AS c${i}`).join(', ')} FROM ${from.sql}${whereOf(undefined)} GROUP BY ${keys.map((k) => k.sql).join(', ')}`;
  return {
    variant,
    original: select,
    partitioned: [hp, `NOT (${hp})`, `(${hp}) IS NULL`].map((h) => `(${select} HAVING ${h})`).join(' UNION ALL '),
  };
}
