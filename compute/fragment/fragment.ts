// The serialisable part of a query that runs on every slice: scan, filter, then project or
// partially aggregate. The leader builds it; compute nodes run it (compute/fragment/run-fragment.ts).
import type { Datum } from '../../sql/types/datum.ts';
import type { Expr } from '../../sql/expr/expr.ts';
import type { ZoneFilter } from '../../storage/slice-store.ts';
import type { SqlType } from '../../sql/types/sql-type.ts';

/** One ORDER BY key over a row's positions. */
export interface SortKey {
  readonly index: number;
  readonly desc: boolean;
  readonly nullsFirst: boolean;
}

/** An aggregate call: function name, argument over the scanned row (null for count(*)). */
export interface AggSpec {
  readonly name: string;
  readonly arg: Expr | null;
  /** The second argument of corr / covar_* / regr_* (see AggregateCall.arg2). */
  readonly arg2?: Expr;
  readonly distinct: boolean;
  /** Constant options of ordered aggregates (see AggregateCall.options). */
  readonly options?: readonly Datum[];
}

/** The first `limit` rows by `keys`: what a slice keeps of its output under ORDER BY ... LIMIT. */
export interface TopNSpec {
  readonly keys: readonly SortKey[];
  readonly limit: number;
}

/** Output = the expressions, optionally cut to the first `limit` rows by `keys` on each slice. */
export interface ProjectMode {
  readonly kind: 'project';
  readonly exprs: readonly Expr[];
  readonly topN: TopNSpec | null;
}

/** Output = one row per group: group values then partial aggregate states. */
export interface AggregateMode {
  readonly kind: 'aggregate';
  readonly groupBy: readonly Expr[];
  readonly aggs: readonly AggSpec[];
  /**
   * Set when every group lives on one slice (GROUP BY includes the DISTKEY, or the table is
   * DISTSTYLE ALL and read once): the slice finishes the aggregation — HAVING and the projection
   * over [group values..., results...] — and sends final rows instead of partial states; with
   * `topN` (ORDER BY ... LIMIT over those rows) only its first rows.
   */
  readonly finish?: { readonly having: Expr | null; readonly project: readonly Expr[]; readonly topN?: TopNSpec | null };
}

/**
 * A plan fragment for every slice of a table. Expressions see the row [scanColumns...]. With
 * `exchange` set it reads, instead of a table, the rows an exchange redistributed to the slice
 * (columns = the producing fragment's outputs; tableOid is then 0).
 */
export interface Fragment {
  readonly tableOid: number;
  readonly exchange?: string;
  readonly scanColumns: readonly number[];
  /** SQL types of the scanned columns, in scanColumns order (what compiled kernels specialise on). */
  readonly scanTypes: readonly SqlType[];
  readonly zoneFilters: readonly ZoneFilter[];
  readonly filter: Expr | null;
  readonly mode: ProjectMode | AggregateMode;
}
