// Binds expression ASTs to typed Exprs: name resolution, literal typing, implicit casts,
// operator and function resolution, parameter type inference, aggregate collection.
import { SqlError, SqlState, featureNotSupported, undefinedColumn, undefinedFunction } from '../../common/errors/index.ts';
import {
  constValue, errorPosition, list, location, node, nodeTag, str, strs, typeNameParts, type Node, type NodeOf,
} from '../parser/index.ts';
import type { Expr } from '../expr/expr.ts';
import { AGGREGATE_NAMES, ORDERED_AGGREGATES, TWO_ARGUMENT_AGGREGATES, resolveAggregate } from '../functions/aggregates.ts';
import { toTaggedJson } from '../../common/tagged-json.ts';
import { castDatum } from '../expr/cast.ts';
import type { Datum } from '../types/datum.ts';
import { SCALAR_FUNCTIONS, comparableType, functionKey } from '../functions/scalar-functions.ts';
import { Decimal } from '../types/decimal.ts';
import { formatTypeName, isNumericType, T, type SqlType } from '../types/sql-type.ts';
import { parseDatum } from '../types/text-io.ts';
import { resolveTypeName } from './resolve-type.ts';
import { bindWindowCall } from './bind-window.ts';
import { chooseFunction, inlineFunction } from './user-functions.ts';
import { AGG_PLACEHOLDER_BASE, type AggregateCall, type BindContext, type ScopeColumn } from './scope.ts';

const OPERATORS: Record<string, string> = {
  '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '%': 'mod',
  '=': 'eq', '<>': 'ne', '!=': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge',
  '||': 'concat_op', '~~': 'like', '~~*': 'ilike', '~': 'regex_match', '~*': 'regex_imatch',
};

/** Negated operators, bound as NOT of their positive form. */
const NEGATED_OPERATORS: Record<string, string> = { '!~': '~', '!~*': '~*', '!~~': '~~', '!~~*': '~~*' };

/** Redshift functions whose first argument is a bare date part name: dateadd(month, 1, d). */
const DATEPART_FIRST_ARG = new Set(['dateadd', 'datediff', 'date_add', 'date_part', 'datepart', 'date_trunc']);

const FUNCTION_ALIASES: Record<string, string> = {
  substr: 'substring', character_length: 'char_length', position: 'strpos', trim: 'btrim',
  ceiling: 'ceil', datepart: 'date_part',
};

/** Functions whose value depends on when they run, never folded at bind time. */
export const VOLATILE_FUNCTIONS = new Set(['now', 'current_timestamp', 'current_date', 'getdate', 'sysdate']);

function pos(n: unknown): { position?: number } {
  const p = errorPosition(location(n));
  return p === undefined ? {} : { position: p };
}

function sameType(a: SqlType, b: SqlType): boolean {
  return a.id === b.id;
}

/**
 * Converts `e` to type `to`: unknown literals are parsed, unknown parameters take the type,
 * anything else gets a Cast node. `at` is the AST node for error positions.
 */
export function coerce(e: Expr, to: SqlType, ctx: BindContext, at?: unknown): Expr {
  if (sameType(e.type, to) && !(to.id === 'numeric' && to.precision !== undefined)) return e;
  if (e.kind === 'Const' && e.type.id === 'unknown') {
    if (e.value === null) return { kind: 'Const', value: null, type: to };
    try {
      const value = parseDatum(to, e.value as string);
      // A timestamptz literal without an offset means the session's zone: read when the statement runs.
      if (to.id === 'timestamptz') return { kind: 'Cast', arg: { kind: 'Const', value: e.value, type: T.text }, type: to };
      return { kind: 'Const', value, type: to };
    } catch (err) {
      if (err instanceof SqlError && at !== undefined) throw new SqlError(err.code, err.message, { ...err.fields, ...pos(at) });
      throw err;
    }
  }
  if (e.kind === 'Param' && e.type.id === 'unknown') {
    ctx.params[e.index] = to;
    return { kind: 'Param', index: e.index, type: to };
  }
  if (e.kind === 'Const' && e.value === null) return { kind: 'Const', value: null, type: to };
  if (sameType(e.type, to) && to.id !== 'numeric') return e;
  return { kind: 'Cast', arg: e, type: to };
}

/** An ORDER BY item's direction and resolved NULL placement: ASC defaults to NULLS LAST, DESC to NULLS FIRST. */
export function sortDirection(sb: NodeOf<'SortBy'>): { desc: boolean; nullsFirst: boolean } {
  const desc = sb.sortby_dir === 'SORTBY_DESC';
  return { desc, nullsFirst: sb.sortby_nulls === 'SORTBY_NULLS_FIRST' ? true : sb.sortby_nulls === 'SORTBY_NULLS_LAST' ? false : desc };
}

/** Binds a call of scalar function / operator `fn` on bound args, choosing its signature. */
export function bindCall(fn: string, args: Expr[], ctx: BindContext, at: unknown, displayName = fn): Expr {
  const f = SCALAR_FUNCTIONS[fn];
  if (!f) throw undefinedFunction(`${displayName}(${args.map((a) => formatTypeName(a.type)).join(', ')})`, pos(at).position);
  const resolved = f.resolve(args.map((a) => a.type));
  if (!resolved) {
    if (fn in OPERATOR_NAMES) {
      const [l, r] = args;
      throw new SqlError(SqlState.UNDEFINED_FUNCTION,
        r ? `operator does not exist: ${formatTypeName(l!.type)} ${OPERATOR_NAMES[fn]} ${formatTypeName(r.type)}` : `operator does not exist: ${OPERATOR_NAMES[fn]} ${formatTypeName(l!.type)}`,
        { hint: 'No operator matches the given name and argument types. You might need to add explicit type casts.', ...pos(at) });
    }
    throw undefinedFunction(`${displayName}(${args.map((a) => formatTypeName(a.type)).join(', ')})`, pos(at).position);
  }
  const cast = args.map((a, i) => coerce(a, resolved.args[i] ?? a.type, ctx, at));
  return { kind: 'Call', fn, args: cast, type: resolved.returns };
}

const OPERATOR_NAMES: Record<string, string> = {
  add: '+', sub: '-', mul: '*', div: '/', mod: '%', eq: '=', ne: '<>', lt: '<', le: '<=', gt: '>', ge: '>=', concat_op: '||', like: '~~', ilike: '~~*', neg: '-',
};

/** Finds a column by (optionally qualified) name; 42703 / 42702 / 42P01 like PostgreSQL. */
export function resolveColumn(fields: string[], scope: readonly ScopeColumn[], at: unknown): number {
  const name = fields[fields.length - 1]!;
  const table = fields.length >= 2 ? fields[fields.length - 2]! : null;
  let found = -1;
  for (let i = 0; i < scope.length; i++) {
    const c = scope[i]!;
    if (c.name !== name) continue;
    if (table !== null && c.table !== table) continue;
    if (table === null && c.merged) continue;
    if (found >= 0) throw new SqlError(SqlState.AMBIGUOUS_COLUMN, `column reference "${name}" is ambiguous`, pos(at));
    found = i;
  }
  if (found < 0) {
    if (table !== null && !scope.some((c) => c.table === table)) {
      throw new SqlError(SqlState.UNDEFINED_TABLE, `missing FROM-clause entry for table "${table}"`, pos(at));
    }
    throw undefinedColumn(table !== null ? `${table}.${name}` : name, pos(at).position);
  }
  return found;
}

function bindConst(n: unknown): Expr {
  const c = constValue(n);
  if (!c) throw featureNotSupported(`constant ${JSON.stringify(n)}`);
  switch (c.kind) {
    case 'null': return { kind: 'Const', value: null, type: T.unknown };
    case 'integer': return { kind: 'Const', value: c.value, type: T.int4 };
    case 'numeric': {
      if (/^\d+$/.test(c.text)) {
        const v = BigInt(c.text);
        if (v <= 9223372036854775807n) return { kind: 'Const', value: v, type: T.int8 };
      }
      return { kind: 'Const', value: Decimal.parse(c.text)!, type: T.numeric() };
    }
    case 'string': return { kind: 'Const', value: c.value, type: T.unknown };
    case 'boolean': return { kind: 'Const', value: c.value, type: T.bool };
    case 'bitstring': throw featureNotSupported('bit string literals', pos(n));
  }
}

const INTERVAL_FIELD_UNITS: [number, string][] = [[1 << 12, 'second'], [1 << 11, 'minute'], [1 << 10, 'hour'], [1 << 3, 'day'], [1 << 1, 'month'], [1 << 2, 'year']];

function bindTypeCast(n: unknown, ctx: BindContext): Expr {
  const tc = node(n, 'TypeCast')!;
  const target = resolveTypeName(tc.typeName);
  let arg = bindExpr(tc.arg, ctx);
  // interval '90' day: a bare number takes the unit of the field qualifier.
  if (target.id === 'interval' && arg.kind === 'Const' && arg.type.id === 'unknown' && typeof arg.value === 'string' && /^\s*[+-]?\d+(\.\d+)?\s*$/.test(arg.value)) {
    const mods = typeNameParts(tc.typeName).typmods;
    const first = mods.length > 0 ? constValue(mods[0]) : undefined;
    if (first?.kind === 'integer') {
      const unit = INTERVAL_FIELD_UNITS.find(([mask]) => (first.value & mask) !== 0)?.[1];
      if (unit) arg = { ...arg, value: `${arg.value.trim()} ${unit}` };
    }
  }
  if (arg.kind === 'Const' && arg.type.id === 'unknown') return coerce(arg, target, ctx, tc.arg);
  if (arg.kind === 'Param' && arg.type.id === 'unknown') return coerce(arg, target, ctx, tc.arg);
  if (arg.type.id === target.id && JSON.stringify(arg.type) === JSON.stringify(target)) return arg;
  return { kind: 'Cast', arg, type: target };
}

function bindAExpr(n: unknown, ctx: BindContext): Expr {
  const a = node(n, 'A_Expr')!;
  const op = strs(a.name)[strs(a.name).length - 1] ?? '';
  switch (a.kind) {
    case 'AEXPR_OP': {
      if (a.lexpr === undefined) {
        const r = bindExpr(a.rexpr, ctx);
        if (op === '-') {
          if (r.kind === 'Const' && typeof r.value === 'number' && r.type.id === 'int4') return { ...r, value: -r.value };
          if (r.kind === 'Const' && typeof r.value === 'bigint') {
            // -2147483648 is an int4 literal in PostgreSQL: the sign folds into the constant.
            return -r.value === -2147483648n ? { kind: 'Const', value: -2147483648, type: T.int4 } : { ...r, value: -r.value };
          }
          if (r.kind === 'Const' && r.value instanceof Decimal) return { ...r, value: new Decimal(-r.value.unscaled, r.value.scale) };
          return bindCall('neg', [r], ctx, n);
        }
        if (op === '+') return r;
        throw featureNotSupported(`prefix operator ${op}`, pos(n));
      }
      const positive = NEGATED_OPERATORS[op];
      const fn = OPERATORS[positive ?? op];
      if (!fn) throw new SqlError(SqlState.UNDEFINED_FUNCTION, `operator does not exist: ${op}`, pos(n));
      const l = bindExpr(a.lexpr, ctx);
      const r = bindExpr(a.rexpr, ctx);
      const call = bindCall(fn, [l, r], ctx, n);
      return positive ? { kind: 'Not', arg: call, type: T.bool } : call;
    }
    case 'AEXPR_LIKE': case 'AEXPR_ILIKE': {
      const l = bindExpr(a.lexpr, ctx);
      const r = bindExpr(a.rexpr, ctx);
      const negated = op.startsWith('!');
      const call = bindCall(a.kind === 'AEXPR_LIKE' ? 'like' : 'ilike', [l, r], ctx, n);
      return negated ? { kind: 'Not', arg: call, type: T.bool } : call;
    }
    case 'AEXPR_IN': {
      const l = bindExpr(a.lexpr, ctx);
      const items = list(a.rexpr).map((x) => bindExpr(x, ctx));
      let t: SqlType = l.type;
      for (const it of items) {
        const c = comparableType(t, it.type);
        if (!c) throw new SqlError(SqlState.DATATYPE_MISMATCH, `operator does not exist: ${formatTypeName(t)} = ${formatTypeName(it.type)}`, pos(n));
        t = c;
      }
      if (t.id === 'unknown') t = T.text;
      return { kind: 'InList', arg: coerce(l, t, ctx, a.lexpr), list: items.map((it, i) => coerce(it, t, ctx, list(a.rexpr)[i])), negated: op === '<>', type: T.bool };
    }
    case 'AEXPR_BETWEEN': case 'AEXPR_NOT_BETWEEN': {
      const x = bindExpr(a.lexpr, ctx);
      const [lo, hi] = list(a.rexpr);
      const low = bindExpr(lo, ctx);
      const high = bindExpr(hi, ctx);
      if (a.kind === 'AEXPR_BETWEEN') return { kind: 'And', args: [bindCall('ge', [x, low], ctx, n), bindCall('le', [x, high], ctx, n)], type: T.bool };
      return { kind: 'Or', args: [bindCall('lt', [x, low], ctx, n), bindCall('gt', [x, high], ctx, n)], type: T.bool };
    }
    case 'AEXPR_SIMILAR': {
      // The grammar already wrapped the pattern in similar_to_escape(pattern [, escape]).
      const l = bindExpr(a.lexpr, ctx);
      const r = bindExpr(a.rexpr, ctx);
      const call = bindCall('regex_match', [l, r], ctx, n);
      return op === '!~' ? { kind: 'Not', arg: call, type: T.bool } : call;
    }
    case 'AEXPR_NULLIF': {
      const l = bindExpr(a.lexpr, ctx);
      const r = bindExpr(a.rexpr, ctx);
      return bindCall('nullif', [l, r], ctx, n);
    }
    case 'AEXPR_DISTINCT': case 'AEXPR_NOT_DISTINCT': {
      const l = bindExpr(a.lexpr, ctx);
      const r = bindExpr(a.rexpr, ctx);
      const eq = bindCall('eq', [l, r], ctx, n);
      const lNull: Expr = { kind: 'IsNull', arg: l, negated: false, type: T.bool };
      const rNull: Expr = { kind: 'IsNull', arg: r, negated: false, type: T.bool };
      // NOT DISTINCT: both null, or neither null and equal.
      const same: Expr = {
        kind: 'Case', type: T.bool,
        whens: [
          { when: { kind: 'And', args: [lNull, rNull], type: T.bool }, then: { kind: 'Const', value: true, type: T.bool } },
          { when: { kind: 'Or', args: [lNull, rNull], type: T.bool }, then: { kind: 'Const', value: false, type: T.bool } },
        ],
        otherwise: eq,
      };
      return a.kind === 'AEXPR_NOT_DISTINCT' ? same : { kind: 'Not', arg: same, type: T.bool };
    }
    default:
      throw featureNotSupported(`operator form ${String(a.kind)}`, pos(n));
  }
}

function bindFuncCall(n: unknown, ctx: BindContext): Expr {
  const f = node(n, 'FuncCall')!;
  const names = strs(f.funcname);
  const raw = names[names.length - 1]!.toLowerCase();
  if (f.over !== undefined) return bindWindowCall(n, ctx);
  if (AGGREGATE_NAMES.has(raw)) {
    if (ctx.aggregates === null) {
      throw new SqlError(SqlState.GROUPING_ERROR, `aggregate functions are not allowed in ${ctx.clause}`, pos(n));
    }
    const aggCtx = { ...ctx, aggregates: ctx.aggregates };
    const call = bindAggregateCall(n, raw, aggCtx);
    if (f.agg_filter !== undefined) filterAggregate(ctx.aggregates, call, f.agg_filter, ctx);
    return call;
  }
  if (f.agg_filter !== undefined) throw new SqlError(SqlState.WRONG_OBJECT_TYPE, `FILTER specified, but ${raw} is not an aggregate function`, pos(n));
  return bindScalarCall(n, raw, ctx);
}

/** An aggregate call: its placeholder column, the call added to ctx.aggregates. */
function bindAggregateCall(n: unknown, raw: string, ctx: BindContext & { aggregates: AggregateCall[] }): Expr {
  const f = node(n, 'FuncCall')!;
  if (ORDERED_AGGREGATES.has(raw)) return bindOrderedAggregate(n, raw, ctx);
  const argNodes = list(f.args);
  if (TWO_ARGUMENT_AGGREGATES.has(raw)) {
    if (argNodes.length !== 2) throw undefinedFunction(`${raw}(${f.agg_star ? '*' : `${argNodes.length} arguments`})`, pos(n).position);
    const inner: BindContext = { ...ctx, aggregates: null, windows: null, clause: 'aggregate function calls' };
    const [y, x] = twoArguments(raw, argNodes.map((a) => bindExpr(a, inner)), argNodes, inner, n);
    if (f.agg_distinct) throw featureNotSupported(`${raw}(DISTINCT ...)`, pos(n));
    const type = resolveAggregate(raw, T.float8)!.returns;
    ctx.aggregates.push({ name: raw, arg: y!, arg2: x!, distinct: false, type });
    return { kind: 'Column', index: AGG_PLACEHOLDER_BASE + ctx.aggregates.length - 1, type };
  }
  if (f.agg_star) {
    if (raw !== 'count') throw new SqlError(SqlState.SYNTAX_ERROR, `${raw}(*) specified, but ${raw} is not an aggregate function`, pos(n));
  } else if (argNodes.length !== 1) {
    throw undefinedFunction(`${raw}(${argNodes.length} arguments)`, pos(n).position);
  }
  // Aggregate arguments see the input rows, and may not contain aggregates themselves.
  const inner: BindContext = { ...ctx, aggregates: null, windows: null, clause: 'aggregate function calls' };
  let arg = f.agg_star ? null : bindExpr(argNodes[0], inner);
  if (arg && arg.type.id === 'unknown') arg = coerce(arg, T.text, ctx, argNodes[0]);
  const impl = resolveAggregate(raw, arg ? arg.type : null);
  if (!impl) throw undefinedFunction(`${raw}(${arg ? formatTypeName(arg.type) : '*'})`, pos(n).position);
  if (arg && impl.argType && impl.argType.id !== arg.type.id) arg = coerce(arg, impl.argType, ctx, argNodes[0]);
  const aggs = ctx.aggregates;
  aggs.push({ name: raw, arg, distinct: f.agg_distinct === true, type: impl.returns });
  return { kind: 'Column', index: AGG_PLACEHOLDER_BASE + aggs.length - 1, type: impl.returns };
}

/**
 * `agg(x) FILTER (WHERE cond)`: the aggregate sees `CASE WHEN cond THEN x END`, and every aggregate
 * here skips NULL arguments (count(*) becomes a count of `CASE WHEN cond THEN 1 END`).
 */
function filterAggregate(aggs: AggregateCall[], call: Expr, filterNode: unknown, ctx: BindContext): void {
  const inner: BindContext = { ...ctx, aggregates: null, windows: null, clause: 'FILTER' };
  let cond = bindExpr(filterNode, inner);
  if (cond.type.id === 'unknown') cond = coerce(cond, T.bool, inner, filterNode);
  if (cond.type.id !== 'bool') {
    throw new SqlError(SqlState.DATATYPE_MISMATCH, `argument of FILTER must be type boolean, not type ${formatTypeName(cond.type)}`, pos(filterNode));
  }
  if (call.kind !== 'Column') throw new SqlError(SqlState.INTERNAL_ERROR, 'FILTER on an aggregate without a placeholder');
  const i = call.index - AGG_PLACEHOLDER_BASE;
  const a = aggs[i]!;
  const when = (e: Expr): Expr => ({ kind: 'Case', whens: [{ when: cond, then: e }], otherwise: null, type: e.type });
  aggs[i] = { ...a, arg: when(a.arg ?? { kind: 'Const', value: 1, type: T.int4 }) };
}

/** A call of a user-defined function (inlined) or of a built-in scalar function. */
function bindScalarCall(n: unknown, raw: string, ctx: BindContext): Expr {
  const f = node(n, 'FuncCall')!;
  const names = strs(f.funcname);
  // A user-defined SQL function of that name: its body, inlined.
  const udfs = ctx.functions && !(names.length > 1 && names[0] === 'pg_catalog') ? ctx.functions(names.length > 1 ? names[names.length - 2] : undefined, raw) : [];
  if (udfs.length > 0) {
    const args = list(f.args).map((a) => bindExpr(a, ctx));
    const chosen = chooseFunction(udfs, args);
    if (!chosen) throw undefinedFunction(`${raw}(${args.map((a) => formatTypeName(a.type)).join(', ')})`, pos(n).position);
    return inlineFunction(chosen, args, ctx, n);
  }
  const name = functionKey(FUNCTION_ALIASES[raw] ?? raw);
  const argNodes = list(f.args);
  const args = argNodes.map((a, i) => {
    // dateadd(month, 1, d): Redshift writes the date part as a bare word.
    if (i === 0 && DATEPART_FIRST_ARG.has(raw)) {
      const cref = node(a, 'ColumnRef');
      const fields = cref ? strs(cref.fields) : [];
      if (fields.length === 1 && !ctx.scope.some((c) => c.name === fields[0])) return { kind: 'Const' as const, value: fields[0]!, type: T.unknown };
    }
    return bindExpr(a, ctx);
  });
  return bindCall(name, args, ctx, n, raw);
}

/** corr(y, x) and the other aggregates of two double precision arguments: both coerced, or 42883. */
export function twoArguments(name: string, args: readonly Expr[], argNodes: readonly unknown[], ctx: BindContext, at: unknown): Expr[] {
  if (!args.every((a) => isNumericType(a.type) || a.type.id === 'unknown')) {
    throw undefinedFunction(`${name}(${args.map((a) => formatTypeName(a.type)).join(', ')})`, pos(at).position);
  }
  return args.map((a, i) => coerce(a, T.float8, ctx, argNodes[i]));
}

/**
 * string_agg(x, delimiter [ORDER BY x]), LISTAGG(x [, delimiter]) [WITHIN GROUP (ORDER BY x)],
 * percentile_cont / percentile_disc(fraction) WITHIN GROUP (ORDER BY x), median(x): one aggregated
 * value, constants as options; ordering by anything but the value itself is not supported yet.
 */
function bindOrderedAggregate(n: unknown, name: string, ctx: BindContext): Expr {
  const f = node(n, 'FuncCall')!;
  const aggs = ctx.aggregates!;
  const args = list(f.args);
  const order = list(f.agg_order);
  const percentile = name === 'percentile_cont' || name === 'percentile_disc' || name === 'approx_percentile_disc';
  const inner: BindContext = { ...ctx, aggregates: null, windows: null, clause: 'aggregate function calls' };
  if (f.agg_distinct) throw featureNotSupported(`${name}(DISTINCT ...)`, pos(n));
  if (percentile !== (f.agg_within_group === true) && !(name === 'listagg' && f.agg_within_group)) {
    throw new SqlError(SqlState.WRONG_OBJECT_TYPE, percentile ? `WITHIN GROUP is required for ordered-set aggregate ${name}` : `${name} is not an ordered-set aggregate, so it cannot have WITHIN GROUP`, pos(n));
  }
  const arity = name === 'string_agg' ? [2, 2] : name === 'listagg' ? [1, 2] : [1, 1];
  if (!percentile && order.length > 1) throw featureNotSupported(`${name} ordered by more than one expression`, pos(n));
  if (args.length < arity[0]! || args.length > arity[1]! || (percentile && order.length !== 1) || order.length > 1) {
    throw undefinedFunction(`${name}(${args.length} arguments${order.length > 0 ? ` ORDER BY ${order.length} items` : ''})`, pos(n).position);
  }
  const valueNode = percentile ? node(order[0], 'SortBy')!.node : args[0];
  let value = bindExpr(valueNode, inner);
  const wanted = name === 'string_agg' || name === 'listagg' ? T.text : name === 'percentile_disc' || name === 'approx_percentile_disc' ? null : T.float8;
  if (value.type.id === 'unknown') value = coerce(value, T.text, inner, valueNode);
  if (wanted !== null) value = coerce(value, wanted, inner, valueNode);
  let desc: boolean | null = null;
  // string_agg / LISTAGG ordered by another expression: that key travels as the second argument.
  let key: Expr | null = null;
  let nullsFirst = false;
  if (order.length === 1) {
    const sb = node(order[0], 'SortBy')!;
    ({ desc, nullsFirst } = sortDirection(sb));
    if (!percentile) {
      const bound = bindExpr(sb.node, inner);
      const sameValue = (() => {
        try {
          return toTaggedJson(coerce(bound, value.type, inner, sb.node)) === toTaggedJson(value);
        } catch {
          return false;
        }
      })();
      if (!sameValue) key = bound.type.id === 'unknown' ? coerce(bound, T.text, inner, sb.node) : bound;
    }
  }
  const constant = (a: unknown, type: SqlType): Datum => {
    const e = bindExpr(a, { ...inner, scope: [], clause: `the constant argument of ${name}` });
    if (e.kind !== 'Const') throw featureNotSupported(`a ${name} argument that is not a constant`, pos(a));
    return e.type.id === 'unknown' ? (coerce(e, type, inner, a) as Extract<Expr, { kind: 'Const' }>).value : castDatum(e.value, e.type, type, { timeZoneOffsetSeconds: 0 });
  };
  const extra = percentile ? constant(args[0], T.float8) : name === 'median' ? null : args[1] !== undefined ? constant(args[1], T.text) : '';
  const options: Datum[] = key === null ? [extra, desc] : [extra, desc, nullsFirst];
  const impl = resolveAggregate(name, value.type, options);
  if (!impl) throw undefinedFunction(`${name}(${formatTypeName(value.type)})`, pos(n).position);
  aggs.push({ name, arg: value, ...(key === null ? {} : { arg2: key }), distinct: false, type: impl.returns, options });
  return { kind: 'Column', index: AGG_PLACEHOLDER_BASE + aggs.length - 1, type: impl.returns };
}

const SVF: Record<string, string> = {
  SVFOP_CURRENT_DATE: 'current_date', SVFOP_CURRENT_TIMESTAMP: 'now', SVFOP_CURRENT_TIMESTAMP_N: 'now',
  SVFOP_LOCALTIMESTAMP: 'getdate', SVFOP_LOCALTIMESTAMP_N: 'getdate', SVFOP_CURRENT_USER: 'current_user',
  SVFOP_SESSION_USER: 'session_user', SVFOP_USER: 'current_user', SVFOP_CURRENT_ROLE: 'current_user',
  SVFOP_CURRENT_SCHEMA: 'current_schema', SVFOP_CURRENT_CATALOG: 'current_database',
};

/** Redshift's SYSDATE and GETDATE written without parentheses, when no column has that name. */
function bareFunction(fields: string[], ctx: BindContext, at: unknown): Expr | undefined {
  if (fields.length !== 1 || (fields[0] !== 'sysdate' && fields[0] !== 'getdate')) return undefined;
  return bindCall(fields[0], [], ctx, at);
}

/** Binds one expression AST in `ctx`. */
export function bindExpr(n: unknown, ctx: BindContext): Expr {
  const tag = nodeTag(n);
  switch (tag) {
    case 'ColumnRef': {
      const fields = strs(node(n, 'ColumnRef')!.fields);
      if (fields[fields.length - 1] === '*') throw new SqlError(SqlState.SYNTAX_ERROR, 'row expansion via "*" is not supported here', pos(n));
      let idx: number;
      try {
        idx = resolveColumn(fields, ctx.scope, n);
      } catch (err) {
        // A name the subquery does not have may belong to the enclosing query: a correlated reference.
        const outer = ctx.outer;
        if (!(err instanceof SqlError) || (err.code !== SqlState.UNDEFINED_COLUMN && err.code !== SqlState.UNDEFINED_TABLE)) throw err;
        if (!outer) {
          const bare = bareFunction(fields, ctx, n);
          if (bare) return bare;
          throw err;
        }
        let o: number;
        try {
          o = resolveColumn(fields, outer, n);
        } catch {
          const bare = bareFunction(fields, ctx, n);
          if (bare) return bare;
          // A query further out has it: PostgreSQL's answer needs decorrelation through two levels.
          if ((ctx.farther ?? []).some((f) => { try { resolveColumn(fields, f, n); return true; } catch { return false; } })) {
            throw featureNotSupported(`a reference to "${fields.join('.')}" two or more query levels out (a correlated subquery inside a correlated subquery)`, pos(n));
          }
          throw err;
        }
        return { kind: 'Outer', index: o, type: outer[o]!.type };
      }
      return { kind: 'Column', index: idx, type: ctx.scope[idx]!.type };
    }
    case 'A_Const': return bindConst(n);
    case 'ParamRef': {
      const number = node(n, 'ParamRef')!.number ?? 0;
      if (number < 1 || number > 65535) throw new SqlError(SqlState.UNDEFINED_PARAMETER, `there is no parameter $${number}`, pos(n));
      while (ctx.params.length < number) ctx.params.push(T.unknown);
      return { kind: 'Param', index: number - 1, type: ctx.params[number - 1]! };
    }
    case 'TypeCast': return bindTypeCast(n, ctx);
    case 'A_Expr': return bindAExpr(n, ctx);
    case 'BoolExpr': {
      const b = node(n, 'BoolExpr')!;
      const args = list(b.args).map((x) => coerce(bindExpr(x, ctx), T.bool, ctx, x));
      for (const [i, a] of args.entries()) {
        if (a.type.id !== 'bool') throw new SqlError(SqlState.DATATYPE_MISMATCH, `argument of ${b.boolop === 'NOT_EXPR' ? 'NOT' : b.boolop === 'AND_EXPR' ? 'AND' : 'OR'} must be type boolean, not type ${formatTypeName(a.type)}`, pos(list(b.args)[i]));
      }
      if (b.boolop === 'NOT_EXPR') return { kind: 'Not', arg: args[0]!, type: T.bool };
      return { kind: b.boolop === 'AND_EXPR' ? 'And' : 'Or', args, type: T.bool };
    }
    case 'NullTest': {
      const t = node(n, 'NullTest')!;
      return { kind: 'IsNull', arg: bindExpr(t.arg, ctx), negated: t.nulltesttype === 'IS_NOT_NULL', type: T.bool };
    }
    case 'BooleanTest': {
      const t = node(n, 'BooleanTest')!;
      const arg = coerce(bindExpr(t.arg, ctx), T.bool, ctx, t.arg);
      const k = (v: boolean): Expr => ({ kind: 'Const', value: v, type: T.bool });
      switch (t.booltesttype) {
        case 'IS_TRUE': return bindCall('coalesce', [arg, k(false)], ctx, n);
        case 'IS_NOT_TRUE': return { kind: 'Not', arg: bindCall('coalesce', [arg, k(false)], ctx, n), type: T.bool };
        case 'IS_FALSE': return bindCall('coalesce', [{ kind: 'Not', arg, type: T.bool }, k(false)], ctx, n);
        case 'IS_NOT_FALSE': return bindCall('coalesce', [arg, k(true)], ctx, n);
        case 'IS_UNKNOWN': return { kind: 'IsNull', arg, negated: false, type: T.bool };
        default: return { kind: 'IsNull', arg, negated: true, type: T.bool };
      }
    }
    case 'FuncCall': return bindFuncCall(n, ctx);
    case 'SQLValueFunction': {
      const op = String(node(n, 'SQLValueFunction')!.op);
      const fn = SVF[op];
      if (!fn) throw featureNotSupported(op, pos(n));
      return bindCall(fn, [], ctx, n);
    }
    case 'MinMaxExpr': {
      const m = node(n, 'MinMaxExpr')!;
      const args = list(m.args).map((x) => bindExpr(x, ctx));
      return bindCall(m.op === 'IS_GREATEST' ? 'greatest' : 'least', args, ctx, n);
    }
    case 'CoalesceExpr': {
      const args = list(node(n, 'CoalesceExpr')!.args).map((x) => bindExpr(x, ctx));
      return bindCall('coalesce', args, ctx, n);
    }
    case 'CaseExpr': {
      const c = node(n, 'CaseExpr')!;
      const operand = c.arg !== undefined ? bindExpr(c.arg, ctx) : null;
      const whens = list(c.args).map((w) => {
        const cw = node(w, 'CaseWhen')!;
        const when = operand ? bindCall('eq', [operand, bindExpr(cw.expr, ctx)], ctx, w) : coerce(bindExpr(cw.expr, ctx), T.bool, ctx, cw.expr);
        return { when, then: bindExpr(cw.result, ctx) };
      });
      const otherwise = c.defresult !== undefined ? bindExpr(c.defresult, ctx) : null;
      let t: SqlType = T.unknown;
      for (const r of [...whens.map((w) => w.then), ...(otherwise ? [otherwise] : [])]) {
        if (r.type.id === 'unknown') continue;
        const common = t.id === 'unknown' ? r.type : comparableType(t, r.type);
        if (!common) throw new SqlError(SqlState.DATATYPE_MISMATCH, `CASE types ${formatTypeName(t)} and ${formatTypeName(r.type)} cannot be matched`, pos(n));
        t = common.id === 'numeric' && (t.id !== r.type.id) ? T.numeric() : common;
      }
      if (t.id === 'unknown') t = T.text;
      return {
        kind: 'Case', type: t,
        whens: whens.map((w) => ({ when: w.when, then: coerce(w.then, t, ctx, n) })),
        otherwise: otherwise ? coerce(otherwise, t, ctx, n) : null,
      };
    }
    case 'GroupingFunc': {
      // grouping(keys...): a bit mask per grouping set, resolved once the sets are known (grouping-sets.ts).
      if (ctx.aggregates === null) throw new SqlError(SqlState.GROUPING_ERROR, `grouping operations are not allowed in ${ctx.clause}`, pos(n));
      const inner: BindContext = { ...ctx, aggregates: null, windows: null, clause: 'GROUPING' };
      return { kind: 'Call', fn: 'grouping', args: list(node(n, 'GroupingFunc')!.args).map((a) => bindExpr(a, inner)), type: T.int4 };
    }
    case 'SubLink':
      if (!ctx.sublinks) throw featureNotSupported(`subqueries in ${ctx.clause}`, pos(n));
      return ctx.sublinks.bindSublink(n, ctx);
    case 'A_ArrayExpr': throw featureNotSupported('arrays', pos(n));
    default:
      throw featureNotSupported(`expression ${tag ?? typeof n}`, pos(n));
  }
}

/** PostgreSQL's default output column name for a target expression (FigureColname). */
export function figureColumnName(n: unknown): string {
  switch (nodeTag(n)) {
    case 'ColumnRef': {
      const f = strs(node(n, 'ColumnRef')!.fields);
      return f[f.length - 1] === '*' ? '?column?' : f[f.length - 1]!;
    }
    case 'FuncCall': {
      const names = strs(node(n, 'FuncCall')!.funcname);
      return names[names.length - 1]!;
    }
    case 'TypeCast': {
      const tc = node(n, 'TypeCast')!;
      const inner = figureColumnName(tc.arg);
      if (inner !== '?column?') return inner;
      const names = typeNameParts(tc.typeName).names;
      const last = names[names.length - 1]!;
      return TYPE_DISPLAY[last] ?? last;
    }
    case 'CaseExpr': return 'case';
    case 'CoalesceExpr': return 'coalesce';
    case 'A_Expr': return node(n, 'A_Expr')!.kind === 'AEXPR_NULLIF' ? 'nullif' : '?column?';
    case 'SQLValueFunction': {
      const op = String(node(n, 'SQLValueFunction')!.op);
      return op.replace(/^SVFOP_/, '').replace(/_N$/, '').toLowerCase();
    }
    default: return '?column?';
  }
}

const TYPE_DISPLAY: Record<string, string> = { bpchar: 'bpchar' };

/** The string value of a node if it is a String (e.g. an alias). */
export function nameOf(n: Node | string | undefined): string | undefined {
  return str(n);
}
