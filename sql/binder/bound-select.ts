// The bound form of a SELECT: resolved source, typed expressions, aggregates, ordering, limits.
import type { Expr } from '../expr/expr.ts';
import type { SqlType } from '../types/sql-type.ts';
import type { AggregateCall, ScopeColumn } from './scope.ts';

/** Where the rows of a SELECT come from. */
export type SelectSource =
  /** SELECT without FROM: a single row with no columns. */
  | { readonly kind: 'none' }
  /** A user table stored on the compute nodes. */
  | { readonly kind: 'table'; readonly tableOid: number }
  /** A virtual table the leader produces (system views). */
  | { readonly kind: 'system'; readonly name: string }
  /**
   * generate_series(start, stop, step) in FROM, produced on the leader: one column of `type`,
   * start, start + step, ... while not past stop; `next` computes the following value from the row
   * [current value, step].
   */
  | { readonly kind: 'series'; readonly start: Expr; readonly stop: Expr; readonly step: Expr; readonly next: Expr; readonly type: SqlType }
  /** A view or FROM subquery, computed first. */
  | { readonly kind: 'subquery'; readonly select: BoundSelect }
  /** Joined FROM items; the input row is every leaf's columns, left to right. */
  | { readonly kind: 'join'; readonly tree: JoinTree }
  /** UNION / INTERSECT / EXCEPT of two queries with the same column types. */
  | { readonly kind: 'setop'; readonly op: 'union' | 'intersect' | 'except'; readonly all: boolean; readonly left: BoundSelect; readonly right: BoundSelect }
  /**
   * Window functions over the rows of `select` (the query up to HAVING): the source row is
   * `select`'s outputs followed by one column per window call, in order.
   */
  | { readonly kind: 'window'; readonly select: BoundSelect; readonly windows: readonly BoundWindow[] };

/** Where a window frame starts or ends. `offset` is a constant (or parameter) of n PRECEDING / FOLLOWING. */
export type FrameBound =
  | { readonly kind: 'unbounded_preceding' | 'current_row' | 'unbounded_following' }
  /**
   * ROWS / GROUPS: offset is int8. RANGE: `bound` is the current row's ORDER BY key moved by the
   * offset (key - offset for PRECEDING in ascending order), compared with other rows' `rangeKey`.
   */
  | { readonly kind: 'preceding' | 'following'; readonly offset: Expr; readonly bound: Expr | null };

/** A window frame: PostgreSQL's ROWS / RANGE / GROUPS BETWEEN ... [EXCLUDE ...]. */
export interface WindowFrame {
  readonly mode: 'rows' | 'range' | 'groups';
  readonly start: FrameBound;
  readonly end: FrameBound;
  readonly exclude: 'no_others' | 'current_row' | 'group' | 'ties';
  /** RANGE with an offset: the ORDER BY key as the bounds compare it (cast to their type); else null. */
  readonly rangeKey: Expr | null;
}

/** One window function call: fn(args) [FILTER (WHERE filter)] OVER (PARTITION BY ... ORDER BY ... frame). */
export interface BoundWindow {
  /** row_number, rank, dense_rank, percent_rank, cume_dist, ntile, lag, lead, first_value, last_value, nth_value, or an aggregate. */
  readonly fn: string;
  readonly args: readonly Expr[];
  /** count(*) over a window: args is empty and this is true. */
  readonly star: boolean;
  readonly filter: Expr | null;
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly BoundOrderItem[];
  readonly frame: WindowFrame;
  readonly type: SqlType;
}

/**
 * The kinds of join. 'semi' keeps left rows with a match (EXISTS, IN), 'anti' those without
 * (NOT EXISTS), 'anti_na' is NOT IN's null-aware anti join: no row when the right side has a NULL
 * key, none for a NULL left key unless the right side is empty. Semi and anti joins output only
 * the left columns.
 */
export type JoinType = 'inner' | 'left' | 'right' | 'full' | 'semi' | 'anti' | 'anti_na';

/**
 * FROM items as a join tree. A leaf is "SELECT every column FROM item" (with the WHERE conjuncts
 * that mention only that item pushed into it); a join's condition sees [left columns..., right columns...].
 */
export type JoinTree =
  | { readonly kind: 'leaf'; readonly select: BoundSelect; readonly width: number }
  | { readonly kind: 'join'; readonly joinType: JoinType; readonly left: JoinTree; readonly right: JoinTree; readonly condition: Expr | null; readonly width: number };

/** One ORDER BY item over the output scope. */
export interface BoundOrderItem {
  readonly expr: Expr;
  readonly desc: boolean;
  /** Resolved placement: ASC defaults to NULLS LAST, DESC to NULLS FIRST. */
  readonly nullsFirst: boolean;
}

/** A SELECT ready for planning. */
export interface BoundSelect {
  readonly source: SelectSource;
  /** Columns of the source row, which WHERE, GROUP BY and aggregate arguments see. */
  readonly inputScope: readonly ScopeColumn[];
  readonly where: Expr | null;
  /** Present when the query aggregates: outputs then see [groups..., aggregates...]. */
  readonly aggregate: { readonly groupBy: readonly Expr[]; readonly aggs: readonly AggregateCall[] } | null;
  readonly having: Expr | null;
  readonly outputs: readonly Expr[];
  readonly outputColumns: readonly ScopeColumn[];
  readonly orderBy: readonly BoundOrderItem[];
  readonly distinct: boolean;
  /** int8 expressions (constants or parameters), or null. */
  readonly limit: Expr | null;
  readonly offset: Expr | null;
  /**
   * For a subquery bound with an enclosing scope: WHERE conjuncts that mention the enclosing
   * query (Outer references), lifted out for decorrelation. Empty otherwise.
   */
  readonly correlated: readonly Expr[];
}

/** Output column types of a bound select. */
export function outputTypes(s: BoundSelect): SqlType[] {
  return s.outputColumns.map((c) => c.type);
}
