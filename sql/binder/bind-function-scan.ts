// Set-returning functions in FROM: generate_series over integers, numerics and timestamps (dates
// go through timestamptz, as PostgreSQL resolves them), computed on the leader.
import { SqlError, SqlState, featureNotSupported, undefinedFunction } from '../../common/errors/index.ts';
import { errorPosition, list, location, node, strs } from '../parser/index.ts';
import type { Expr } from '../expr/expr.ts';
import { formatTypeName, T, type SqlType } from '../types/sql-type.ts';
import { bindCall, bindExpr, coerce } from './bind-expr.ts';
import type { SelectSource } from './bound-select.ts';
import type { BindContext, ScopeColumn } from './scope.ts';

function pos(n: unknown): { position?: number } {
  const p = errorPosition(location(n));
  return p === undefined ? {} : { position: p };
}

const TIMES = new Set(['date', 'timestamp', 'timestamptz']);

/** The series' value type from its start and stop (and step) types, as PostgreSQL resolves generate_series. */
function seriesType(args: readonly Expr[]): SqlType | null {
  const ids = args.slice(0, 2).map((a) => a.type.id);
  if (ids.some((id) => TIMES.has(id))) {
    if (args.length !== 3) return null;
    return ids.every((id) => id === 'timestamp' || id === 'unknown') ? T.timestamp : T.timestamptz;
  }
  let t: SqlType = T.int4;
  for (const a of args) {
    switch (a.type.id) {
      case 'int2': case 'int4': case 'unknown': break;
      case 'int8': if (t.id === 'int4') t = T.int8; break;
      case 'numeric': t = T.numeric(); break;
      default: return null;
    }
  }
  return t;
}

/** Binds `FROM generate_series(...) [AS alias [(column)]]`: the source and its one column. */
export function bindFunctionScan(item: unknown, params: SqlType[]): { source: SelectSource; scope: ScopeColumn[] } {
  const rf = node(item, 'RangeFunction')!;
  if (rf.lateral) throw featureNotSupported('LATERAL', pos(item));
  if (rf.ordinality) throw featureNotSupported('WITH ORDINALITY', pos(item));
  const fns = list(rf.functions);
  const fc = fns.length === 1 && !rf.is_rowsfrom ? node(list(fns[0])[0], 'FuncCall') : undefined;
  if (!fc) throw featureNotSupported('ROWS FROM and function calls other than generate_series in FROM', pos(item));
  const names = strs(fc.funcname);
  const name = names[names.length - 1]!.toLowerCase();
  if (name !== 'generate_series') throw featureNotSupported(`the function ${name} in FROM (only generate_series)`, pos(item));
  const ctx: BindContext = { scope: [], params, aggregates: null, clause: 'functions in FROM' };
  const args = list(fc.args).map((a) => bindExpr(a, ctx));
  const type = args.length === 2 || args.length === 3 ? seriesType(args) : null;
  if (type === null) throw undefinedFunction(`generate_series(${args.map((a) => formatTypeName(a.type)).join(', ')})`, pos(item).position);
  const stepType = type.id === 'timestamp' || type.id === 'timestamptz' ? T.interval : type;
  const start = coerce(args[0]!, type, ctx, item);
  const stop = coerce(args[1]!, type, ctx, item);
  const step = args.length === 3 ? coerce(args[2]!, stepType, ctx, item) : { kind: 'Const', value: type.id === 'int8' ? 1n : 1, type } as Expr;
  if (step.type.id !== stepType.id) throw undefinedFunction(`generate_series(${args.map((a) => formatTypeName(a.type)).join(', ')})`, pos(item).position);
  const next = bindCall('add', [{ kind: 'Column', index: 0, type }, { kind: 'Column', index: 1, type: stepType }], ctx, item);
  if (next.type.id !== type.id) throw new SqlError(SqlState.INTERNAL_ERROR, `generate_series: ${formatTypeName(type)} + step is ${formatTypeName(next.type)}`);
  const alias = rf.alias?.aliasname ?? null;
  const column = strs(rf.alias?.colnames)[0] ?? alias ?? 'generate_series';
  return {
    source: { kind: 'series', start, stop, step, next, type },
    scope: [{ name: column, table: alias ?? 'generate_series', type, tableOid: 0, attnum: 0 }],
  };
}
