// Window functions: binding `fn(...) OVER (...)` and named WINDOW definitions, and splitting a
// SELECT that has them into the query up to HAVING (the window input) and the rest over its rows.
import { SqlError, SqlState, undefinedFunction } from '../../common/errors/index.ts';
import { toTaggedJson } from '../../common/tagged-json.ts';
import { errorPosition, list, location, node, strs, type NodeOf } from '../parser/index.ts';
import { QUALIFY_WINDOW } from '../parser/query-rewrites.ts';
import { mapChildren, mapExpr, walkExpr, type Expr } from '../expr/expr.ts';
import { AGGREGATE_NAMES, TWO_ARGUMENT_AGGREGATES, resolveAggregate } from '../functions/aggregates.ts';
import { SCALAR_FUNCTIONS, comparableType, functionKey } from '../functions/scalar-functions.ts';
import { formatTypeName, T, type SqlType } from '../types/sql-type.ts';
import { bindCall, bindExpr, coerce, sortDirection, twoArguments } from './bind-expr.ts';
import type { BoundOrderItem, BoundSelect, BoundWindow, FrameBound, WindowFrame } from './bound-select.ts';
import { WINDOW_PLACEHOLDER_BASE, type BindContext, type ScopeColumn, type WindowCollector } from './scope.ts';

/** Functions that exist only as window functions. */
export const WINDOW_FUNCTIONS = new Set([
  'row_number', 'rank', 'dense_rank', 'percent_rank', 'cume_dist', 'ntile', 'lag', 'lead', 'first_value', 'last_value', 'nth_value',
]);

// PostgreSQL's FRAMEOPTION_* bits (nodes/parsenodes.h), as libpg-query reports them.
const F_NONDEFAULT = 0x1;
const F_ROWS = 0x4;
const F_GROUPS = 0x8;
const F_BETWEEN = 0x10;
const F_END_UNBOUNDED_FOLLOWING = 0x100;
const F_START_CURRENT_ROW = 0x200;
const F_START_OFFSET_PRECEDING = 0x800;
const F_END_OFFSET_PRECEDING = 0x1000;
const F_START_OFFSET_FOLLOWING = 0x2000;
const F_END_OFFSET_FOLLOWING = 0x4000;
const F_EXCLUDE_CURRENT_ROW = 0x8000;
const F_EXCLUDE_GROUP = 0x10000;
const F_EXCLUDE_TIES = 0x20000;

type WindowDef = NodeOf<'WindowDef'>;

function pos(n: unknown): { position?: number } {
  const p = errorPosition(location(n));
  return p === undefined ? {} : { position: p };
}

function windowingError(message: string, at?: unknown): SqlError {
  return new SqlError(SqlState.WINDOWING_ERROR, message, pos(at));
}

/**
 * The WINDOW clause's definitions by name (42P20 for a name defined twice), and the QUALIFY
 * condition the parser carried in as a reserved definition (query-rewrites.ts), if any.
 */
export function windowDefinitions(clause: unknown): { defs: Map<string, WindowDef>; qualify: unknown } {
  const defs = new Map<string, WindowDef>();
  let qualify: unknown;
  for (const d of list(clause)) {
    const w = node(d, 'WindowDef')!;
    const name = w.name!;
    if (name === QUALIFY_WINDOW) {
      qualify = list(w.partitionClause)[0];
      continue;
    }
    if (defs.has(name)) throw windowingError(`window "${name}" is already defined`, d);
    defs.set(name, w);
  }
  return { defs, qualify };
}

/** A window specification with references to named windows resolved. */
interface Spec {
  readonly partition: readonly unknown[];
  readonly order: readonly unknown[];
  readonly frameOptions: number;
  readonly startOffset: unknown;
  readonly endOffset: unknown;
}

function lookup(name: string, defs: ReadonlyMap<string, unknown>, at: unknown): WindowDef {
  const d = defs.get(name) as WindowDef | undefined;
  if (d === undefined) throw new SqlError(SqlState.UNDEFINED_OBJECT, `window "${name}" does not exist`, pos(at));
  return d;
}

/** A definition's own clauses, on top of the window it names (`w AS (base ORDER BY ...)`). */
function specOf(d: WindowDef, defs: ReadonlyMap<string, unknown>, at: unknown): Spec {
  const own: Spec = {
    partition: list(d.partitionClause), order: list(d.orderClause),
    frameOptions: d.frameOptions ?? 0, startOffset: d.startOffset, endOffset: d.endOffset,
  };
  if (d.refname === undefined) return own;
  const base = specOf(lookup(d.refname, defs, at), defs, at);
  if (own.partition.length > 0) throw windowingError(`cannot override PARTITION BY clause of window "${d.refname}"`, at);
  if (own.order.length > 0 && base.order.length > 0) throw windowingError(`cannot override ORDER BY clause of window "${d.refname}"`, at);
  if ((base.frameOptions & F_NONDEFAULT) !== 0) throw windowingError(`cannot copy window "${d.refname}" because it has a frame clause`, at);
  return { ...own, partition: base.partition, order: own.order.length > 0 ? own.order : base.order };
}

/** The specification of `OVER w` (the named window as is) or `OVER (...)`. */
function resolveOver(over: WindowDef, defs: ReadonlyMap<string, unknown>, at: unknown): Spec {
  if (over.name !== undefined) return specOf(lookup(over.name, defs, at), defs, at);
  return specOf(over, defs, at);
}

/** RANGE offsets: the type ORDER BY keys compare in and the offset's type, by the key's type. */
function rangeTypes(key: SqlType): { key: SqlType; offset: SqlType } | null {
  switch (key.id) {
    case 'int2': case 'int4': case 'int8': return { key: T.int8, offset: T.int8 };
    case 'numeric': return { key: T.numeric(), offset: T.numeric() };
    case 'float4': case 'float8': return { key: T.float8, offset: T.float8 };
    case 'date': case 'timestamp': return { key: T.timestamp, offset: T.interval };
    case 'timestamptz': return { key: T.timestamptz, offset: T.interval };
    case 'interval': return { key: T.interval, offset: T.interval };
    default: return null;
  }
}

function bindFrame(spec: Spec, orderBy: readonly BoundOrderItem[], ctx: BindContext, at: unknown): WindowFrame {
  const o = spec.frameOptions;
  const mode = (o & F_ROWS) !== 0 ? 'rows' : (o & F_GROUPS) !== 0 ? 'groups' : 'range';
  if (mode === 'groups' && orderBy.length === 0) throw windowingError('GROUPS mode requires an ORDER BY clause', at);
  const modeName = mode.toUpperCase();
  const hasOffset = (o & (F_START_OFFSET_PRECEDING | F_START_OFFSET_FOLLOWING | F_END_OFFSET_PRECEDING | F_END_OFFSET_FOLLOWING)) !== 0;
  let types: { key: SqlType; offset: SqlType } | null = null;
  let rangeKey: Expr | null = null;
  if (mode === 'range' && hasOffset) {
    if (orderBy.length !== 1) throw windowingError('RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column', at);
    types = rangeTypes(orderBy[0]!.expr.type);
    if (types === null) {
      throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED,
        `RANGE with offset PRECEDING/FOLLOWING is not supported for column type ${formatTypeName(orderBy[0]!.expr.type)}`, pos(at));
    }
    rangeKey = coerce(orderBy[0]!.expr, types.key, ctx, at);
  }
  const offsetCtx: BindContext = { ...ctx, aggregates: null, windows: null, clause: `window ${modeName}` };
  const bound = (kind: 'preceding' | 'following', n: unknown): FrameBound => {
    const raw = bindExpr(n, offsetCtx);
    let variable = false;
    walkExpr(raw, (x) => { if (x.kind === 'Column' || x.kind === 'Outer') variable = true; });
    if (variable) throw new SqlError(SqlState.INVALID_COLUMN_REFERENCE, `argument of ${modeName} must not contain variables`, pos(n));
    const offset = coerce(raw, types ? types.offset : T.int8, offsetCtx, n);
    if (types === null || rangeKey === null) return { kind, offset, bound: null };
    // key - offset for PRECEDING in ascending order; the other way round when descending.
    const down = (kind === 'preceding') !== orderBy[0]!.desc;
    return { kind, offset, bound: bindCall(down ? 'sub' : 'add', [rangeKey, offset], offsetCtx, n) };
  };
  const start: FrameBound = (o & F_START_OFFSET_PRECEDING) !== 0 ? bound('preceding', spec.startOffset)
    : (o & F_START_OFFSET_FOLLOWING) !== 0 ? bound('following', spec.startOffset)
      : (o & F_START_CURRENT_ROW) !== 0 ? { kind: 'current_row' }
        : { kind: 'unbounded_preceding' };
  let end: FrameBound = { kind: 'current_row' };
  if ((o & F_BETWEEN) !== 0) {
    end = (o & F_END_OFFSET_PRECEDING) !== 0 ? bound('preceding', spec.endOffset)
      : (o & F_END_OFFSET_FOLLOWING) !== 0 ? bound('following', spec.endOffset)
        : (o & F_END_UNBOUNDED_FOLLOWING) !== 0 ? { kind: 'unbounded_following' }
          : { kind: 'current_row' };
  }
  const exclude = (o & F_EXCLUDE_CURRENT_ROW) !== 0 ? 'current_row' : (o & F_EXCLUDE_GROUP) !== 0 ? 'group' : (o & F_EXCLUDE_TIES) !== 0 ? 'ties' : 'no_others';
  return { mode, start, end, exclude, rangeKey };
}

function bindOrder(items: readonly unknown[], ctx: BindContext): BoundOrderItem[] {
  return items.map((s) => {
    const sb = node(s, 'SortBy')!;
    let expr = bindExpr(sb.node, ctx);
    if (expr.type.id === 'unknown') expr = coerce(expr, T.text, ctx, sb.node);
    return { expr, ...sortDirection(sb) };
  });
}

/** Binds `fn(...) OVER ...`, records it in ctx.windows and returns its placeholder column. */
export function bindWindowCall(n: unknown, ctx: BindContext): Expr {
  const f = node(n, 'FuncCall')!;
  const names = strs(f.funcname);
  const fn = names[names.length - 1]!.toLowerCase();
  const collector: WindowCollector | null | undefined = ctx.windows;
  if (!collector) {
    if (ctx.clause === 'window function calls') throw windowingError('window function calls cannot be nested', n);
    if (ctx.clause === 'aggregate function calls') throw new SqlError(SqlState.GROUPING_ERROR, 'aggregate function calls cannot contain window function calls', pos(n));
    throw windowingError(`window functions are not allowed in ${ctx.clause}`, n);
  }
  const isAggregate = AGGREGATE_NAMES.has(fn);
  if (!isAggregate && !WINDOW_FUNCTIONS.has(fn)) {
    if (SCALAR_FUNCTIONS[functionKey(fn)] !== undefined) {
      throw new SqlError(SqlState.WRONG_OBJECT_TYPE, `OVER specified, but ${fn} is not a window function nor an aggregate function`, pos(n));
    }
    throw undefinedFunction(`${fn}(${list(f.args).length === 0 ? '' : '...'})`, pos(n).position);
  }
  if (f.agg_distinct === true) throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, 'DISTINCT is not implemented for window functions', pos(n));
  if (f.agg_order !== undefined) throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, 'aggregate ORDER BY is not implemented for window functions', pos(n));
  const inner: BindContext = { ...ctx, windows: null, clause: 'window function calls' };
  const spec = resolveOver(f.over!, collector.defs, n);
  const partitionBy = spec.partition.map((p) => {
    const e = bindExpr(p, inner);
    return e.type.id === 'unknown' ? coerce(e, T.text, inner, p) : e;
  });
  const orderBy = bindOrder(spec.order, inner);
  const frame = bindFrame(spec, orderBy, inner, f.over);

  const argNodes = list(f.args);
  let args = argNodes.map((a) => bindExpr(a, inner));
  const arity = (lo: number, hi: number): void => {
    if (args.length < lo || args.length > hi) undefinedSignature(fn, args, n);
  };
  let type: SqlType;
  let filter: Expr | null = null;
  if (f.agg_filter !== undefined) {
    if (!isAggregate) throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, 'FILTER is not implemented for non-aggregate window functions', pos(n));
    filter = coerce(bindExpr(f.agg_filter, { ...inner, clause: 'FILTER' }), T.bool, inner, f.agg_filter);
    if (filter.type.id !== 'bool') throw new SqlError(SqlState.DATATYPE_MISMATCH, `argument of FILTER must be type boolean, not type ${formatTypeName(filter.type)}`, pos(f.agg_filter));
  }
  const value = (e: Expr, at: unknown): Expr => (e.type.id === 'unknown' ? coerce(e, T.text, inner, at) : e);
  switch (fn) {
    case 'row_number': case 'rank': case 'dense_rank':
      arity(0, 0);
      type = T.int8;
      break;
    case 'percent_rank': case 'cume_dist':
      arity(0, 0);
      type = T.float8;
      break;
    case 'ntile':
      arity(1, 1);
      args = [coerce(args[0]!, T.int4, inner, argNodes[0])];
      if (args[0]!.type.id !== 'int4') undefinedSignature(fn, args, n);
      type = T.int4;
      break;
    case 'lag': case 'lead': {
      arity(1, 3);
      let x = value(args[0]!, argNodes[0]);
      type = x.type;
      const out: Expr[] = [x];
      if (args.length >= 2) out.push(coerce(args[1]!, T.int4, inner, argNodes[1]));
      if (args.length === 3) {
        let d = args[2]!;
        if (d.type.id !== 'unknown' && d.type.id !== type.id) {
          const common = comparableType(type, d.type);
          if (!common) undefinedSignature(fn, args, n);
          type = common;
          x = coerce(x, type, inner, argNodes[0]);
          out[0] = x;
        }
        d = coerce(d, type, inner, argNodes[2]);
        out.push(d);
      }
      args = out;
      break;
    }
    case 'first_value': case 'last_value':
      arity(1, 1);
      args = [value(args[0]!, argNodes[0])];
      type = args[0]!.type;
      break;
    case 'nth_value':
      arity(2, 2);
      args = [value(args[0]!, argNodes[0]), coerce(args[1]!, T.int4, inner, argNodes[1])];
      type = args[0]!.type;
      break;
    default: {
      // An aggregate over the frame.
      if (f.agg_star === true) {
        if (fn !== 'count') throw new SqlError(SqlState.SYNTAX_ERROR, `${fn}(*) specified, but ${fn} is not an aggregate function`, pos(n));
        args = [];
      } else if (TWO_ARGUMENT_AGGREGATES.has(fn)) {
        arity(2, 2);
        args = twoArguments(fn, args, argNodes, inner, n);
      } else {
        arity(1, 1);
        args = [value(args[0]!, argNodes[0])];
      }
      const impl = resolveAggregate(fn, args.length === 0 ? null : args[0]!.type);
      if (!impl) undefinedSignature(fn, args, n);
      if (args.length === 1 && impl.argType && impl.argType.id !== args[0]!.type.id) args = [coerce(args[0]!, impl.argType, inner, argNodes[0])];
      type = impl.returns;
    }
  }
  collector.calls.push({ fn, args, star: f.agg_star === true, filter, partitionBy, orderBy, frame, type });
  return { kind: 'Column', index: WINDOW_PLACEHOLDER_BASE + collector.calls.length - 1, type };
}

function undefinedSignature(fn: string, args: readonly Expr[], at: unknown): never {
  throw undefinedFunction(`${fn}(${args.map((a) => formatTypeName(a.type)).join(', ')})`, pos(at).position);
}

/** True when `e` contains a window function's placeholder. */
export function hasWindow(e: Expr): boolean {
  let found = false;
  walkExpr(e, (x) => { if (x.kind === 'Column' && x.index >= WINDOW_PLACEHOLDER_BASE) found = true; });
  return found;
}

/**
 * A copy of a window call with `fn` applied to each of its expressions (as whole trees); to the
 * frame offsets too unless `offsets` is false (they are constants, never columns of the input).
 */
export function mapWindowExprs(w: BoundWindow, fn: (e: Expr) => Expr, offsets = true): BoundWindow {
  const b = (x: FrameBound): FrameBound => (x.kind === 'preceding' || x.kind === 'following'
    ? { kind: x.kind, offset: offsets ? fn(x.offset) : x.offset, bound: x.bound ? fn(x.bound) : null }
    : x);
  return {
    ...w,
    args: w.args.map(fn),
    filter: w.filter ? fn(w.filter) : null,
    partitionBy: w.partitionBy.map(fn),
    orderBy: w.orderBy.map((o) => ({ ...o, expr: fn(o.expr) })),
    frame: { ...w.frame, start: b(w.frame.start), end: b(w.frame.end), rangeKey: w.frame.rangeKey ? fn(w.frame.rangeKey) : null },
  };
}

/** The parts of a SELECT with window functions, bound over its input (or, when it aggregates, over [groups..., aggregates...]). */
export interface WindowedParts extends Pick<BoundSelect, 'outputs' | 'outputColumns' | 'orderBy' | 'distinct' | 'limit' | 'offset'> {
  /** The query up to HAVING: source, WHERE, GROUP BY, aggregates, HAVING. */
  readonly base: Pick<BoundSelect, 'source' | 'inputScope' | 'where' | 'aggregate' | 'having'>;
  readonly calls: readonly BoundWindow[];
  /** QUALIFY: a condition over the outputs and window results. */
  readonly qualify: Expr | null;
}

/**
 * Splits a SELECT with window functions in two: the query up to HAVING, whose outputs are every
 * window-free expression the rest needs (window arguments, PARTITION BY and ORDER BY keys, output
 * parts), and over its rows a 'window' source adding one column per call, on which the outputs,
 * QUALIFY, DISTINCT, ORDER BY and LIMIT run.
 */
export function splitWindows(p: WindowedParts): BoundSelect {
  const cols: Expr[] = [];
  const keys: string[] = [];
  const lift = (e: Expr): Expr => {
    if (e.kind === 'Const' || e.kind === 'Param') return e;
    const k = toTaggedJson(e);
    let i = keys.indexOf(k);
    if (i < 0) {
      i = cols.length;
      keys.push(k);
      cols.push(e);
    }
    return { kind: 'Column', index: i, type: e.type };
  };
  // Window-free subtrees become input columns; placeholders stay until the input width is known.
  const outer = (e: Expr): Expr => {
    if (!hasWindow(e)) return lift(e);
    if (e.kind === 'Column') return e;
    return mapChildren(e, outer);
  };
  const calls = p.calls.map((w) => mapWindowExprs(w, (e) => (e.kind === 'Const' ? e : lift(e)), false));
  const outputs0 = p.outputs.map(outer);
  const order0 = p.orderBy.map((o) => ({ ...o, expr: outer(o.expr) }));
  const qualify0 = p.qualify ? outer(p.qualify) : null;
  // The input needs a column to carry its rows (`SELECT row_number() OVER () FROM t`).
  if (cols.length === 0) cols.push({ kind: 'Const', value: true, type: T.bool });
  const width = cols.length;
  const place = (e: Expr): Expr => mapExpr(e, (x) => (x.kind === 'Column' && x.index >= WINDOW_PLACEHOLDER_BASE
    ? { kind: 'Column', index: width + x.index - WINDOW_PLACEHOLDER_BASE, type: x.type }
    : x));
  const inputColumns: ScopeColumn[] = cols.map((e, i) => ({ name: `?column${i}?`, table: null, type: e.type, tableOid: 0, attnum: 0 }));
  const input: BoundSelect = {
    ...p.base, outputs: cols, outputColumns: inputColumns,
    orderBy: [], distinct: false, limit: null, offset: null, correlated: [],
  };
  const windowColumns: ScopeColumn[] = calls.map((w) => ({ name: w.fn, table: null, type: w.type, tableOid: 0, attnum: 0 }));
  return {
    source: { kind: 'window', select: input, windows: calls },
    inputScope: [...inputColumns, ...windowColumns],
    where: qualify0 ? place(qualify0) : null,
    aggregate: null,
    having: null,
    outputs: outputs0.map(place),
    outputColumns: p.outputColumns,
    orderBy: order0.map((o) => ({ ...o, expr: place(o.expr) })),
    distinct: p.distinct,
    limit: p.limit,
    offset: p.offset,
    correlated: [],
  };
}
