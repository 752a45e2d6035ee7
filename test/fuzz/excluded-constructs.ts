// Switches for what the query fuzzer generates; those set to true are Colonnade bugs it steers around.

/*
 * Documented limitations (0A000, see docs/sql-reference.md) the generator respects by construction,
 * not listed below: correlated EXISTS / IN only as whole WHERE conjuncts and without aggregates;
 * correlated scalar subqueries only as one ungrouped aggregate (correlated by any comparison), in
 * WHERE or a plain select list; outer references only in a subquery's WHERE. Join sizes stay bounded
 * (MAX_JOIN_ROWS in random-query.ts), which also keeps clear of the leader heap crash noted there.
 */

/**
 * One switch per construct the generator avoids. Each entry names the minimal SQL that shows the
 * bug (run against the fuzz tables of random-data.ts, or standalone where it says so). When the
 * engine is fixed, flip the entry to `false` and the fuzzer covers the construct again.
 *
 * Keep this list short and explicit: an entry is a bug report, not a place to hide flakiness.
 */
// Switches at false are fixed (or never excluded): the generator produces those constructs again and
// the repro in the comment documents the regression it guards against.
export const EXCLUDED = {
  /** Generates RIGHT JOIN. */
  rightJoin: false,
  /** Generates FULL JOIN. */
  fullJoin: false,
  /** Correlated EXISTS / IN as WHERE conjuncts. */
  correlatedExistsIn: false,
  /**
   * Correlated NOT IN (subquery) (once 0A000; now an anti join dropping a row on a correlated row
   * whose comparison is true or unknown):
   *   SELECT x1.k FROM t1 x1 WHERE x1.a NOT IN (SELECT x2.a FROM t2 x2 WHERE x2.s = x1.s)
   */
  correlatedNotIn: false,
  /**
   * A NULL left side of [NOT] IN (subquery) inside an expression (not a whole WHERE conjunct) when
   * the subquery returns no rows: PostgreSQL says false (NOT IN: true), Colonnade says NULL.
   *   SELECT CAST(NULL AS integer) IN (SELECT a FROM t3 WHERE false)       -- PG f, Colonnade NULL
   *   SELECT CAST(NULL AS integer) NOT IN (SELECT a FROM t3 WHERE false)   -- PG t, Colonnade NULL
   * While excluded, the generator wraps such a left side in COALESCE(x, non-NULL literal).
   */
  nullInEmptySubquery: false,
  /**
   * A subquery that refers to a column two query levels out. Colonnade: 42P01 "missing
   * FROM-clause entry for table "x1"" (a valid query; if unsupported it should at least be 0A000).
   *   SELECT x1.k FROM t1 x1 WHERE EXISTS (SELECT 1 FROM t2 x2 WHERE x2.k = x1.k
   *     AND EXISTS (SELECT 1 FROM t3 x3 WHERE x3.k = x1.k)) ORDER BY 1 LIMIT 3  -- PG: 1, 2, 3
   */
  nestedOuterReference: true,
  /**
   * IN (subquery) inside a WHERE expression (not a whole conjunct) over two or more FROM items:
   * wrong results or XX000 "Cannot read properties of undefined (reading 'type')" / "unexpected
   * operand types for sub". k is 1..50 in t3, so these need no random data:
   *   SELECT count(*) FROM t3 x1, t3 x2
   *     WHERE x2.k = 1 OR x1.k IN (SELECT k FROM t3 WHERE k < 3)      -- PG 148, Colonnade 100
   *   SELECT count(*) FROM t3 x1, t3 x2
   *     WHERE x2.k IN (SELECT k FROM t3 WHERE k < 3) OR x1.k = 1      -- PG 148, Colonnade XX000
   */
  inSubqueryInJoinWhere: false,
  /**
   * A bare string literal in the select list of an ordered plain SELECT. With DISTINCT: 42P10
   * "for SELECT DISTINCT, ORDER BY expressions must appear in select list"; without: 0A000
   * "storing columns of type unknown is not supported". CAST('B' AS text) works, and so do
   * grouped queries and set operations. While excluded the generator adds that cast.
   *   SELECT DISTINCT 'B' AS c0 FROM t3 ORDER BY 1                        -- PG: B
   *   SELECT 'B' AS c0 FROM t3 ORDER BY 1 LIMIT 1                         -- PG: B
   */
  orderedStringLiteral: false,
  /**
   * [NOT] IN (subquery) in WHERE whose left side refers to no column of the query (a constant)
   * while the subquery returns a NULL: NOT IN must be NULL (no rows), Colonnade keeps every row.
   *   SELECT count(*) FROM t3 WHERE 1000 NOT IN (SELECT NULLIF(k, 1) FROM t3)      -- PG 0, Colonnade 50
   *   SELECT count(*) FROM t3 WHERE NOT (1000 IN (SELECT NULLIF(k, 1) FROM t3))    -- PG 0, Colonnade 50
   * While excluded, the left side of IN (subquery) always refers to a column.
   */
  constantInSubquery: false,
  /**
   * IN (subquery) in HAVING (or elsewhere after GROUP BY) whose left side is not the first
   * grouping column: Colonnade tests the wrong value, PostgreSQL keeps the groups whose value is in
   * the list. t3.k is 1..50, so this needs no random data (25 rows in each group):
   *   SELECT k % 2 AS g, count(*) FROM t3 GROUP BY k % 2
   *     HAVING count(*) IN (SELECT k FROM t3 WHERE k > 20)       -- PG (0,25),(1,25); Colonnade none
   * With a bigint grouping expression: no rows (PG: all 47 groups of the fuzz data), or with a
   * COALESCE around the left side XX000 "Cannot mix BigInt and other types":
   *   SELECT b / 1000 FROM t2 GROUP BY b / 1000 HAVING b / 1000 - 8 NOT IN (SELECT k FROM t2)
   */
  inSubqueryOverGroups: false,
  /** Correlated scalar subqueries (an aggregate, correlated by equalities or other comparisons) in WHERE and plain select lists. */
  correlatedScalarSubquery: false,
} as const satisfies Record<string, boolean>;

/** The name of one exclusion switch. */
export type ExcludedConstruct = keyof typeof EXCLUDED;

/** True when the generator must not produce `construct`. */
export function isExcluded(construct: ExcludedConstruct): boolean {
  return EXCLUDED[construct];
}
