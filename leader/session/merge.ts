// MERGE INTO target USING source ON condition WHEN [NOT] MATCHED [AND ...] THEN UPDATE / DELETE /
// INSERT / DO NOTHING, on top of DELETE / UPDATE by value (modify.ts): one SELECT joins target and
// source and says, per target row, which WHEN clause applies and with what values; another finds
// the source rows without a target row (an anti join) and the INSERT clause for each. Target rows
// are deleted by value and their new versions appended with the inserted rows, committed together.
import { SqlError, SqlState, featureNotSupported } from '../../common/errors/index.ts';
import { bindSelect } from '../../sql/binder/bind-select.ts';
import type { BoundSelect } from '../../sql/binder/bound-select.ts';
import { datumKey } from '../../sql/expr/compare.ts';
import type { EvalContext } from '../../sql/functions/scalar-functions.ts';
import { errorPosition, list, location, node, rangeVarName, type SqlStatement } from '../../sql/parser/index.ts';
import type { Datum } from '../../sql/types/datum.ts';
import type { SqlType } from '../../sql/types/sql-type.ts';
import type { TableDef } from '../catalog/catalog-types.ts';
import type { PreparedWrite } from '../scheduling/cluster-dispatcher.ts';
import type { ServerContext } from '../server-context.ts';
import { DEFAULT_MARKER, completeRow, routeRows } from './insert.ts';
import { assertWritable, setItems } from './modify.ts';
import { catalogResolver } from './relation-resolver.ts';
import type { NamePath } from './search-path.ts';

/** One WHEN clause: its action and, for UPDATE / INSERT, the columns it assigns (DEFAULT flagged). */
interface MergeAction {
  readonly kind: 'update' | 'delete' | 'insert' | 'nothing';
  readonly columns: readonly number[];
  readonly defaults: readonly boolean[];
  /** Position of its first value in its SELECT's output row. */
  readonly at: number;
}

/** A bound MERGE. */
export interface BoundMerge {
  readonly tableOid: number;
  /** [target columns..., matched clause number (1-based, 0 none), values...]; null without WHEN MATCHED. */
  readonly matched: BoundSelect | null;
  readonly matchedActions: readonly MergeAction[];
  /** [not-matched clause number, values...] over source rows with no target row; null without WHEN NOT MATCHED. */
  readonly unmatched: BoundSelect | null;
  readonly unmatchedActions: readonly MergeAction[];
}

function pos(n: unknown): { position?: number } {
  const p = errorPosition(location(n));
  return p === undefined ? {} : { position: p };
}

const int = (v: number): unknown => ({ A_Const: { ival: v === 0 ? {} : { ival: v } } });
const TRUE = { A_Const: { boolval: { boolval: true } } };
const NULL = { A_Const: { isnull: true } };

/** CASE WHEN cond1 THEN 1 WHEN cond2 THEN 2 ... ELSE 0 END over the clauses' conditions. */
function clauseNumber(clauses: readonly { condition?: unknown }[]): unknown {
  if (clauses.length === 0) return int(0);
  return { CaseExpr: { args: clauses.map((c, i) => ({ CaseWhen: { expr: c.condition ?? TRUE, result: int(i + 1) } })), defresult: int(0) } };
}

/** Binds a MergeStmt. */
export function bindMerge(ctx: ServerContext, stmt: SqlStatement, params: SqlType[], path: NamePath): BoundMerge {
  const m = node(stmt.ast, 'MergeStmt')!;
  if (m.withClause !== undefined) throw featureNotSupported('WITH ... MERGE');
  const name = rangeVarName(m.relation);
  const table = ctx.catalog.findTable(path.schemaOf(name.schema, name.name), name.name);
  if (!table) throw new SqlError(SqlState.UNDEFINED_TABLE, `relation "${name.name}" does not exist`, pos(m.relation));
  assertWritable(table);
  const alias = m.relation?.alias?.aliasname ?? table.name;
  const target = { RangeVar: m.relation };
  const clauses = list(m.mergeWhenClauses).map((c) => node(c, 'MergeWhenClause')!);
  const matched = clauses.filter((c) => c.matchKind === 'MERGE_WHEN_MATCHED');
  const unmatched = clauses.filter((c) => c.matchKind !== 'MERGE_WHEN_MATCHED');
  if (unmatched.some((c) => c.matchKind !== 'MERGE_WHEN_NOT_MATCHED_BY_TARGET')) throw featureNotSupported('WHEN NOT MATCHED BY SOURCE');
  const resolver = catalogResolver(ctx.catalog, path);
  const select = (targets: unknown[], from: unknown[], where: unknown): BoundSelect => bindSelect({
    SelectStmt: { targetList: targets.map((val) => ({ ResTarget: { val } })), fromClause: from, whereClause: where, limitOption: 'LIMIT_OPTION_DEFAULT', op: 'SETOP_NONE' },
  }, resolver, params);

  const column = (name: string | undefined, at: unknown): number => {
    const i = table.columns.findIndex((c) => c.name === name);
    if (i < 0) throw new SqlError(SqlState.UNDEFINED_COLUMN, `column "${name}" of relation "${table.name}" does not exist`, pos(at));
    return i;
  };
  // WHEN MATCHED: [target columns, clause number, each UPDATE's SET values].
  const matchedValues: unknown[] = [];
  const matchedActions: MergeAction[] = matched.map((c) => {
    const at = table.columns.length + 1 + matchedValues.length;
    if (c.commandType === 'CMD_DELETE') return { kind: 'delete', columns: [], defaults: [], at };
    if (c.commandType === 'CMD_NOTHING') return { kind: 'nothing', columns: [], defaults: [], at };
    if (c.commandType !== 'CMD_UPDATE') throw new SqlError(SqlState.SYNTAX_ERROR, 'unexpected action in WHEN MATCHED', pos(c));
    const { columns, defaults, values } = setItems(table, c.targetList);
    matchedValues.push(...values.map((v) => v ?? NULL));
    return { kind: 'update', columns, defaults, at };
  });
  const columnRefs = table.columns.map((c) => ({ ColumnRef: { fields: [{ String: { sval: alias } }, { String: { sval: c.name } }] } }));
  const matchedSelect = matched.length === 0 ? null
    : select([...columnRefs, clauseNumber(matched), ...matchedValues], [target, m.sourceRelation], m.joinCondition);

  // WHEN NOT MATCHED: [clause number, each INSERT's values] over source rows no target row joins.
  const insertValues: unknown[] = [];
  const unmatchedActions: MergeAction[] = unmatched.map((c) => {
    const at = 1 + insertValues.length;
    if (c.commandType === 'CMD_NOTHING') return { kind: 'nothing', columns: [], defaults: [], at };
    const names = list(c.targetList).map((t) => node(t, 'ResTarget')!);
    const columns = names.length === 0 ? table.columns.map((_c, i) => i) : names.map((rt) => column(rt.name, rt));
    const values = list(c.values);
    if (values.length === 0 && names.length === 0 && c.values === undefined) {
      // INSERT DEFAULT VALUES
      return { kind: 'insert', columns: [], defaults: [], at };
    }
    if (values.length !== columns.length) {
      throw new SqlError(SqlState.SYNTAX_ERROR, values.length > columns.length ? 'INSERT has more expressions than target columns' : 'INSERT has more target columns than expressions', pos(c));
    }
    const defaults = values.map((v) => node(v, 'SetToDefault') !== undefined);
    insertValues.push(...values.map((v, i) => (defaults[i] ? NULL : v)));
    return { kind: 'insert', columns, defaults, at };
  });
  const noTarget = { BoolExpr: { boolop: 'NOT_EXPR', args: [{ SubLink: { subLinkType: 'EXISTS_SUBLINK', subselect: { SelectStmt: {
    targetList: [{ ResTarget: { val: int(1) } }], fromClause: [target], whereClause: m.joinCondition, limitOption: 'LIMIT_OPTION_DEFAULT', op: 'SETOP_NONE',
  } } } }] } };
  const unmatchedSelect = unmatched.length === 0 ? null : select([clauseNumber(unmatched), ...insertValues], [m.sourceRelation], noTarget);
  return { tableOid: table.oid, matched: matchedSelect, matchedActions, unmatched: unmatchedSelect, unmatchedActions };
}

/** Phase one of a MERGE: deletes and appends on the nodes; the prepared writes and the command tag. */
export async function prepareMerge(ctx: ServerContext, bound: BoundMerge, matchedRows: AsyncIterable<Datum[][]> | null,
  unmatchedRows: AsyncIterable<Datum[][]> | null, evalCtx: EvalContext): Promise<{ writes: PreparedWrite[]; tag: string }> {
  const table: TableDef | undefined = ctx.catalog.tableByOid(bound.tableOid);
  if (!table) throw new SqlError(SqlState.UNDEFINED_TABLE, 'table was dropped');
  const width = table.columns.length;
  const all = table.columns.map((_c, i) => i);
  const olds: Datum[][] = [];
  const news: (Datum[] | null)[] = [];
  const decided = new Map<string, { outcome: string; index: number }>();
  /** Joined rows per distinct target row: more than the target rows equal to it means one joined twice. */
  const joined: number[] = [];
  if (matchedRows !== null) {
    const outputs = bound.matched!.outputs;
    for await (const chunk of matchedRows) {
      for (const r of chunk) {
        const clause = Number(r[width] ?? 0);
        const action = clause === 0 ? undefined : bound.matchedActions[clause - 1]!;
        if (action === undefined || action.kind === 'nothing') continue;
        const old = r.slice(0, width);
        let key = '';
        for (const v of old) key += `${datumKey(v)}\u0001`;
        let values: Datum[] | null = null;
        if (action.kind === 'update') {
          values = old.slice();
          const types: SqlType[] = table.columns.map((c) => c.type);
          action.columns.forEach((col, i) => {
            values![col] = action.defaults[i] ? DEFAULT_MARKER : r[action.at + i] ?? null;
            types[col] = outputs[action.at + i]!.type;
          });
          values = completeRow(table, all, values, types, evalCtx);
        }
        let outcome = `${clause}\u0002`;
        if (values !== null) for (const v of values) outcome += `${datumKey(v)}\u0001`;
        const before = decided.get(key);
        if (before !== undefined) {
          // Another joined row for an equal target row: a second source row for the same target row
          // (checked below against how many such target rows there are), or a different outcome.
          if (before.outcome !== outcome) throw twice();
          joined[before.index]!++;
          continue;
        }
        decided.set(key, { outcome, index: olds.length });
        joined.push(1);
        olds.push(old);
        news.push(values);
      }
    }
  }
  const inserts: Datum[][] = [];
  if (unmatchedRows !== null) {
    const outputs = bound.unmatched!.outputs;
    for await (const chunk of unmatchedRows) {
      for (const r of chunk) {
        const clause = Number(r[0] ?? 0);
        const action = clause === 0 ? undefined : bound.unmatchedActions[clause - 1]!;
        if (action === undefined || action.kind !== 'insert') continue;
        const values = action.columns.map((_c, i) => (action.defaults[i] ? DEFAULT_MARKER : r[action.at + i] ?? null));
        inserts.push(completeRow(table, action.columns, values, action.columns.map((_c, i) => outputs[action.at + i]!.type), evalCtx));
      }
    }
  }
  const writes: PreparedWrite[] = [];
  let changed = inserts.length;
  try {
    const fresh: Datum[][] = [];
    if (olds.length > 0) {
      const removal = { filter: null, rows: olds, columns: all, types: table.columns.map((c) => c.type), zoneFilters: [] };
      const { write, deletedByRow } = await ctx.dispatcher.prepareModify(table, removal, new Map(), evalCtx);
      writes.push(write);
      (deletedByRow ?? []).forEach((k, i) => {
        if (joined[i]! > k) throw twice();
        changed += k;
        const next = news[i];
        if (next) for (let c = 0; c < k; c++) fresh.push(next);
      });
    }
    fresh.push(...inserts);
    if (fresh.length > 0) writes.push(await ctx.dispatcher.prepareWrite(table, routeRows(ctx, table, fresh), fresh.length));
  } catch (err) {
    await ctx.dispatcher.finishWrites(writes, false);
    throw err;
  }
  return { writes, tag: `MERGE ${changed}` };
}

/** PostgreSQL's error for a target row that more than one source row joins. */
function twice(): SqlError {
  return new SqlError(SqlState.CARDINALITY_VIOLATION, 'MERGE command cannot affect row a second time', { hint: 'Ensure that not more than one source row matches any one target row.' });
}
