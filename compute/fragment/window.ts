// Window functions over a set of rows: the rows are ordered by PARTITION BY and ORDER BY once per
// distinct (partition, order) pair, then each call runs one pass over each partition.
// Running aggregates (frames from UNBOUNDED PRECEDING) and sliding sums, counts and averages of
// exact types (an inverse removes the row that leaves the frame) stay linear in the rows; so do
// min / max / bool_and / bool_or over frames ending at UNBOUNDED FOLLOWING (accumulated from the end).
// Other frames, and frames with EXCLUDE, aggregate their rows afresh per row. Float sums are
// never slid: PostgreSQL recomputes them too (no inverse), so the rounding is the same.
import { SqlError, SqlState, internalError } from '../../common/errors/index.ts';
import { toTaggedJson } from '../../common/tagged-json.ts';
import type { BoundOrderItem, BoundWindow, FrameBound } from '../../sql/binder/bound-select.ts';
import { toDecimal } from '../../sql/expr/cast.ts';
import { compareDatums } from '../../sql/expr/compare.ts';
import { compareSortValues } from './sort-rows.ts';
import { evaluate } from '../../sql/expr/evaluate.ts';
import type { Expr } from '../../sql/expr/expr.ts';
import { decSub } from '../../sql/expr/numeric-ops.ts';
import { resolveAggregate, type AggState, type AggregateImpl } from '../../sql/functions/aggregates.ts';
import type { EvalContext } from '../../sql/functions/scalar-functions.ts';
import type { Datum } from '../../sql/types/datum.ts';
import { Interval } from '../../sql/types/interval.ts';
import type { SqlType } from '../../sql/types/sql-type.ts';

/** The layout of one ordering: rows sorted, partition and peer-group boundaries per sorted position. */
export interface Ordering {
  /** Original row index at each sorted position. */
  readonly order: Int32Array;
  /** Per sorted position: start and end (exclusive) of its partition and of its peer group, and the peer group's number within the partition. */
  readonly partStart: Int32Array;
  readonly partEnd: Int32Array;
  readonly peerStart: Int32Array;
  readonly peerEnd: Int32Array;
  readonly groupNo: Int32Array;
}

function evalAll(e: Expr, rows: readonly Datum[][], ctx: EvalContext): Datum[] {
  const out = new Array<Datum>(rows.length);
  if (e.kind === 'Column') {
    for (let i = 0; i < rows.length; i++) out[i] = rows[i]![e.index] ?? null;
  } else {
    for (let i = 0; i < rows.length; i++) out[i] = evaluate(e, rows[i]!, ctx);
  }
  return out;
}

function orderRows(rows: readonly Datum[][], partitionBy: readonly Expr[], orderBy: readonly BoundOrderItem[], ctx: EvalContext): Ordering {
  const n = rows.length;
  const pk = partitionBy.map((e) => evalAll(e, rows, ctx));
  const ok = orderBy.map((o) => evalAll(o.expr, rows, ctx));
  const samePartition = (a: number, b: number): number => {
    for (const k of pk) {
      const c = compareSortValues(k[a]!, k[b]!, false, false);
      if (c !== 0) return c;
    }
    return 0;
  };
  const peers = (a: number, b: number): number => {
    for (let j = 0; j < ok.length; j++) {
      const o = orderBy[j]!;
      const c = compareSortValues(ok[j]![a]!, ok[j]![b]!, o.desc, o.nullsFirst);
      if (c !== 0) return c;
    }
    return 0;
  };
  const idx: number[] = new Array<number>(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  if (pk.length > 0 || ok.length > 0) idx.sort((a, b) => samePartition(a, b) || peers(a, b) || a - b);
  return orderingOf(Int32Array.from(idx), (a, b) => samePartition(a, b) === 0, (a, b) => peers(a, b) === 0);
}

/**
 * The partition and peer-group boundaries of rows already sorted (`order`: original row index per
 * sorted position), given when two rows share a partition and when they are peers.
 */
export function orderingOf(order: Int32Array, samePartition: (a: number, b: number) => boolean, samePeers: (a: number, b: number) => boolean): Ordering {
  const n = order.length;
  const partStart = new Int32Array(n);
  const partEnd = new Int32Array(n);
  const peerStart = new Int32Array(n);
  const peerEnd = new Int32Array(n);
  const groupNo = new Int32Array(n);
  let ps = 0;
  while (ps < n) {
    let pe = ps + 1;
    while (pe < n && samePartition(order[pe - 1]!, order[pe]!)) pe++;
    let g = 0;
    let gs = ps;
    while (gs < pe) {
      let ge = gs + 1;
      while (ge < pe && samePeers(order[ge - 1]!, order[ge]!)) ge++;
      for (let s = gs; s < ge; s++) {
        partStart[s] = ps; partEnd[s] = pe; peerStart[s] = gs; peerEnd[s] = ge; groupNo[s] = g;
      }
      g++;
      gs = ge;
    }
    ps = pe;
  }
  return { order, partStart, partEnd, peerStart, peerEnd, groupNo };
}

/**
 * Computes every window call over `rows` and appends its value to each row, in call order (the
 * rows are extended in place and returned).
 */
export function computeWindows(rows: Datum[][], windows: readonly BoundWindow[], ctx: EvalContext, signal?: AbortSignal): Datum[][] {
  const n = rows.length;
  const values = windows.map(() => new Array<Datum>(n));
  const orderings = new Map<string, Ordering>();
  windows.forEach((w, wi) => {
    signal?.throwIfAborted();
    const key = toTaggedJson([w.partitionBy, w.orderBy]);
    let o = orderings.get(key);
    if (o === undefined) orderings.set(key, o = orderRows(rows, w.partitionBy, w.orderBy, ctx));
    computeCall(w, rows, o, values[wi]!, ctx, signal);
  });
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    for (let wi = 0; wi < windows.length; wi++) r.push(values[wi]![i]!);
  }
  return rows;
}

/** A ROWS / GROUPS offset: a non-negative count (22004 / 22013 as PostgreSQL). */
export function countOffset(b: FrameBound, which: 'starting' | 'ending', ctx: EvalContext): number {
  if (b.kind !== 'preceding' && b.kind !== 'following') return 0;
  const v = evaluate(b.offset, [], ctx);
  if (v === null) throw new SqlError(SqlState.NULL_VALUE_NOT_ALLOWED, `frame ${which} offset must not be null`);
  const x = typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)));
  if (x < 0n) throw new SqlError(SqlState.INVALID_PRECEDING_OR_FOLLOWING_SIZE, `frame ${which} offset must not be negative`);
  return x > 2_000_000_000n ? 2_000_000_000 : Number(x);
}

/** A RANGE offset is checked like PostgreSQL's in_range: not null, not negative. */
export function checkRangeOffset(b: FrameBound, which: 'starting' | 'ending', ctx: EvalContext): void {
  if (b.kind !== 'preceding' && b.kind !== 'following') return;
  const v = evaluate(b.offset, [], ctx);
  if (v === null) throw new SqlError(SqlState.NULL_VALUE_NOT_ALLOWED, `frame ${which} offset must not be null`);
  const negative = v instanceof Interval ? v.months < 0 || v.days < 0 || v.micros < 0n
    : typeof v === 'bigint' ? v < 0n : typeof v === 'number' ? v < 0 : toDecimal(v).unscaled < 0n;
  if (negative) throw new SqlError(SqlState.INVALID_PRECEDING_OR_FOLLOWING_SIZE, 'invalid preceding or following size in window function');
}

/** Aggregates whose result does not depend on the order rows are added in. */
const ORDER_FREE = new Set(['count', 'min', 'max', 'bool_and', 'bool_or', 'every']);

/** Subtracts `v` (an argument value) from a running sum of type `t`, when exact; null when not possible. */
function subtract(acc: Datum, v: Datum, t: SqlType): Datum {
  switch (t.id) {
    case 'int8': return (acc as bigint) - (typeof v === 'bigint' ? v : BigInt(v as number));
    case 'numeric': return decSub(toDecimal(acc), toDecimal(v));
    case 'interval': {
      const a = acc as Interval;
      const b = v as Interval;
      return new Interval(a.months - b.months, a.days - b.days, a.micros - b.micros);
    }
    default: throw internalError(`no inverse for a sum of ${t.id}`);
  }
}

/** The type a sliding sum or avg keeps its total in, when rows can leave it exactly; null otherwise. */
function slidingType(w: BoundWindow, impl: AggregateImpl): SqlType | null {
  if (w.fn === 'count') return impl.returns;
  const arg = w.args[0]?.type.id;
  if (w.fn === 'sum' && (impl.returns.id === 'int8' || impl.returns.id === 'numeric' || impl.returns.id === 'interval')) return impl.returns;
  if (w.fn === 'avg' && (arg === 'int2' || arg === 'int4' || arg === 'int8' || arg === 'numeric')) return impl.returns;
  return null;
}

function computeCall(w: BoundWindow, rows: readonly Datum[][], o: Ordering, out: Datum[], ctx: EvalContext, signal?: AbortSignal): void {
  const n = rows.length;
  const { order, partStart, partEnd, peerStart, peerEnd, groupNo } = o;
  const arg = (i: number): Datum[] => evalAll(w.args[i]!, rows, ctx);
  switch (w.fn) {
    case 'row_number':
      for (let s = 0; s < n; s++) out[order[s]!] = BigInt(s - partStart[s]! + 1);
      return;
    case 'rank':
      for (let s = 0; s < n; s++) out[order[s]!] = BigInt(peerStart[s]! - partStart[s]! + 1);
      return;
    case 'dense_rank':
      for (let s = 0; s < n; s++) out[order[s]!] = BigInt(groupNo[s]! + 1);
      return;
    case 'percent_rank':
      for (let s = 0; s < n; s++) {
        const size = partEnd[s]! - partStart[s]!;
        out[order[s]!] = size > 1 ? (peerStart[s]! - partStart[s]!) / (size - 1) : 0;
      }
      return;
    case 'cume_dist':
      for (let s = 0; s < n; s++) out[order[s]!] = (peerEnd[s]! - partStart[s]!) / (partEnd[s]! - partStart[s]!);
      return;
    case 'ntile': {
      const buckets = arg(0);
      let s = 0;
      while (s < n) {
        const ps = s;
        const pe = partEnd[s]!;
        // The bucket count is read at the partition's first row, as PostgreSQL does.
        const nb = buckets[order[ps]!];
        if (nb === null || nb === undefined) {
          for (; s < pe; s++) out[order[s]!] = null;
          continue;
        }
        const k = Number(nb);
        if (k <= 0) throw new SqlError(SqlState.INVALID_ARGUMENT_FOR_NTILE, 'argument of ntile must be greater than zero');
        const total = pe - ps;
        const per = Math.floor(total / k);
        const extra = total % k;
        let bucket = 1;
        let left = per + (extra > 0 ? 1 : 0);
        for (; s < pe; s++) {
          if (left === 0) {
            bucket++;
            left = per + (bucket <= extra ? 1 : 0);
          }
          out[order[s]!] = bucket;
          left--;
        }
      }
      return;
    }
    case 'lag': case 'lead': {
      const x = arg(0);
      const offsets = w.args.length >= 2 ? arg(1) : null;
      const dflt = w.args.length === 3 ? arg(2) : null;
      const sign = w.fn === 'lag' ? -1 : 1;
      for (let s = 0; s < n; s++) {
        const row = order[s]!;
        const off = offsets === null ? 1 : offsets[row];
        if (off === null || off === undefined) { out[row] = null; continue; }
        const t = s + sign * Number(off);
        out[row] = t >= partStart[s]! && t < partEnd[s]! ? x[order[t]!]! : dflt === null ? null : dflt[row]!;
      }
      return;
    }
    default:
      framed(w, rows, o, out, ctx, signal);
  }
}

/** Functions that read the frame: first_value, last_value, nth_value and aggregates. */
function framed(w: BoundWindow, rows: readonly Datum[][], o: Ordering, out: Datum[], ctx: EvalContext, signal?: AbortSignal): void {
  const n = rows.length;
  const { order, partStart, partEnd, peerStart, peerEnd, groupNo } = o;
  const f = w.frame;
  let startOff = 0;
  let endOff = 0;
  let rangeKeys: Datum[] | null = null;
  let startBounds: Datum[] | null = null;
  let endBounds: Datum[] | null = null;
  if (f.mode === 'range') {
    checkRangeOffset(f.start, 'starting', ctx);
    checkRangeOffset(f.end, 'ending', ctx);
    if (f.rangeKey !== null) rangeKeys = evalAll(f.rangeKey, rows, ctx);
    if ((f.start.kind === 'preceding' || f.start.kind === 'following') && f.start.bound) startBounds = evalAll(f.start.bound, rows, ctx);
    if ((f.end.kind === 'preceding' || f.end.kind === 'following') && f.end.bound) endBounds = evalAll(f.end.bound, rows, ctx);
  } else {
    startOff = countOffset(f.start, 'starting', ctx);
    endOff = countOffset(f.end, 'ending', ctx);
  }
  const desc = w.orderBy[0]?.desc ?? false;
  const nullsFirst = w.orderBy[0]?.nullsFirst ?? false;

  // Peer groups of the current partition (GROUPS mode), by number.
  let groupStarts: number[] = [];
  let groupsOf = -1;
  const groupBounds = (s: number): void => {
    if (groupsOf === partStart[s]) return;
    groupsOf = partStart[s]!;
    groupStarts = [];
    for (let t = partStart[s]!; t < partEnd[s]!; t = peerEnd[t]!) groupStarts.push(t);
  };

  /** First position in [lo, hi) whose key is not before `b` (start) / after `b` (end), keys sorted. */
  const search = (lo: number, hi: number, b: Datum, end: boolean): number => {
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareDatums(rangeKeys![order[mid]!]!, b);
      const dir = desc ? -c : c;
      if (end ? dir <= 0 : dir < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  /** The non-null stretch of the partition (RANGE offsets never reach across NULL keys). */
  const nonNull = (s: number): [number, number] => {
    let lo = partStart[s]!;
    let hi = partEnd[s]!;
    if (nullsFirst) {
      while (lo < hi && rangeKeys![order[lo]!] === null) lo = peerEnd[lo]!;
    } else {
      while (hi > lo && rangeKeys![order[hi - 1]!] === null) hi = peerStart[hi - 1]!;
    }
    return [lo, hi];
  };
  const rangeBound = (s: number, bounds: Datum[], end: boolean): number => {
    if (rangeKeys![order[s]!] === null) return end ? peerEnd[s]! : peerStart[s]!;
    const b = bounds[order[s]!]!;
    const [lo, hi] = nonNull(s);
    return search(lo, hi, b, end);
  };
  const clamp = (x: number, s: number): number => Math.max(partStart[s]!, Math.min(partEnd[s]!, x));

  const frameStart = (s: number): number => {
    const b = f.start;
    switch (b.kind) {
      case 'unbounded_preceding': return partStart[s]!;
      case 'current_row': return f.mode === 'rows' ? s : peerStart[s]!;
      case 'unbounded_following': return partEnd[s]!;
      default: {
        const d = b.kind === 'preceding' ? -1 : 1;
        if (f.mode === 'rows') return clamp(s + d * startOff, s);
        if (f.mode === 'groups') {
          groupBounds(s);
          const g = groupNo[s]! + d * startOff;
          return g < 0 ? partStart[s]! : g >= groupStarts.length ? partEnd[s]! : groupStarts[g]!;
        }
        return rangeBound(s, startBounds!, false);
      }
    }
  };
  const frameEnd = (s: number): number => {
    const b = f.end;
    switch (b.kind) {
      case 'unbounded_following': return partEnd[s]!;
      case 'current_row': return f.mode === 'rows' ? s + 1 : peerEnd[s]!;
      case 'unbounded_preceding': return partStart[s]!;
      default: {
        const d = b.kind === 'preceding' ? -1 : 1;
        if (f.mode === 'rows') return clamp(s + d * endOff + 1, s);
        if (f.mode === 'groups') {
          groupBounds(s);
          const g = groupNo[s]! + d * endOff;
          return g < 0 ? partStart[s]! : g >= groupStarts.length ? partEnd[s]! : peerEnd[groupStarts[g]!]!;
        }
        return rangeBound(s, endBounds!, true);
      }
    }
  };
  const excluded = (s: number, t: number): boolean => {
    switch (f.exclude) {
      case 'no_others': return false;
      case 'current_row': return t === s;
      case 'group': return t >= peerStart[s]! && t < peerEnd[s]!;
      case 'ties': return t !== s && t >= peerStart[s]! && t < peerEnd[s]!;
    }
  };

  if (w.fn === 'first_value' || w.fn === 'last_value' || w.fn === 'nth_value') {
    const x = evalAll(w.args[0]!, rows, ctx);
    const nth = w.fn === 'nth_value' ? evalAll(w.args[1]!, rows, ctx) : null;
    for (let s = 0; s < n; s++) {
      const row = order[s]!;
      const fs = frameStart(s);
      const fe = frameEnd(s);
      let want = 1;
      if (nth !== null) {
        const v = nth[row];
        if (v === null || v === undefined) { out[row] = null; continue; }
        want = Number(v);
        if (want <= 0) throw new SqlError(SqlState.INVALID_ARGUMENT_FOR_NTH_VALUE, 'argument of nth_value must be greater than zero');
      }
      let found: Datum = null;
      if (w.fn === 'last_value') {
        for (let t = fe - 1; t >= fs; t--) if (!excluded(s, t)) { found = x[order[t]!]!; break; }
      } else {
        let seen = 0;
        for (let t = fs; t < fe; t++) {
          if (excluded(s, t)) continue;
          if (++seen === want) { found = x[order[t]!]!; break; }
        }
      }
      out[row] = found;
    }
    return;
  }

  const resolved = resolveAggregate(w.fn, w.star ? null : w.args[0]!.type);
  if (!resolved) throw internalError(`window aggregate ${w.fn}`);
  const two = resolved.accumulate2;
  // corr(y, x) and the like see [y, x] pairs as their values.
  const impl: AggregateImpl = two ? { ...resolved, accumulate: (st, v) => two(st, (v as unknown as Datum[])[0]!, (v as unknown as Datum[])[1]!) } : resolved;
  const argv = w.star ? null : evalAll(w.args[0]!, rows, ctx);
  const argx = two ? evalAll(w.args[1]!, rows, ctx) : null;
  const filt = w.filter ? evalAll(w.filter, rows, ctx) : null;
  /** The value row `t` (a sorted position) adds, or undefined when it adds nothing. */
  const input = (t: number): Datum | undefined => {
    const row = order[t]!;
    if (filt !== null && filt[row] !== true) return undefined;
    if (argv === null) return null;
    const v = argv[row]!;
    if (argx !== null) return v === null ? undefined : [v, argx[row]!] as unknown as Datum;
    return v === null && impl.acceptsNull !== true ? undefined : v;
  };
  const fresh = (fs: number, fe: number, s: number): Datum => {
    let st: AggState = impl.init();
    for (let t = fs; t < fe; t++) {
      if (excluded(s, t)) continue;
      const v = input(t);
      if (v !== undefined) st = impl.accumulate(st, v);
    }
    return impl.finalize(st);
  };

  if (f.exclude !== 'no_others') {
    for (let s = 0; s < n; s++) {
      if ((s & 1023) === 0) signal?.throwIfAborted();
      out[order[s]!] = fresh(frameStart(s), frameEnd(s), s);
    }
    return;
  }

  let s = 0;
  while (s < n) {
    const ps = s;
    const pe = partEnd[s]!;
    if (f.start.kind === 'unbounded_preceding') {
      // Running: the frame only grows.
      let st: AggState = impl.init();
      let t = ps;
      for (; s < pe; s++) {
        const fe = frameEnd(s);
        for (; t < fe; t++) {
          const v = input(t);
          if (v !== undefined) st = impl.accumulate(st, v);
        }
        out[order[s]!] = impl.finalize(st);
      }
      continue;
    }
    const sliding = slidingType(w, impl);
    if (sliding !== null) {
      // Sliding with an exact inverse: rows enter at the end, leave at the start.
      let st: AggState = impl.init();
      let kept = 0;
      let lo = ps;
      let hi = ps;
      for (; s < pe; s++) {
        const fe = frameEnd(s);
        const fs = Math.min(frameStart(s), fe);
        for (; hi < fe; hi++) {
          const v = input(hi);
          if (v !== undefined) { st = impl.accumulate(st, v); kept++; }
        }
        // fs <= fe <= hi: every row leaving was added.
        for (; lo < fs; lo++) {
          const v = input(lo);
          if (v === undefined) continue;
          kept--;
          st = kept === 0 ? impl.init() : removeFrom(w.fn, st, v, sliding);
        }
        out[order[s]!] = impl.finalize(st);
      }
      continue;
    }
    if (f.end.kind === 'unbounded_following' && ORDER_FREE.has(w.fn)) {
      // The frame only shrinks from the start: accumulate from the partition's end backwards.
      let st: AggState = impl.init();
      let t = pe;
      for (let q = pe - 1; q >= ps; q--) {
        const fs = frameStart(q);
        for (; t > fs; t--) {
          const v = input(t - 1);
          if (v !== undefined) st = impl.accumulate(st, v);
        }
        out[order[q]!] = impl.finalize(st);
      }
      s = pe;
      continue;
    }
    for (; s < pe; s++) {
      if ((s & 1023) === 0) signal?.throwIfAborted();
      out[order[s]!] = fresh(frameStart(s), frameEnd(s), s);
    }
  }
}

/** Takes one value out of a count, sum or avg state. */
function removeFrom(fn: string, st: AggState, v: Datum, t: SqlType): AggState {
  switch (fn) {
    case 'count': return (st as bigint) - 1n;
    case 'sum': return subtract(st as Datum, v, t);
    case 'avg': {
      const [sum, k] = st as [Datum, bigint];
      return [subtract(sum, v, t), k - 1n];
    }
    default: throw internalError(`no inverse for ${fn}`);
  }
}
