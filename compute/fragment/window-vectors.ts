// Window functions over column vectors: the fast path of window.ts for what analysts write most.
// Keys become unsigned 32-bit ranks in ORDER BY order (NULLs placed), sorted by a stable LSD radix
// sort. Ranking and offset functions, and count / sum / avg / min / max over ROWS frames or
// peer-based RANGE / GROUPS frames, are computed in typed arrays: exact sums from prefix sums
// (scaled integers in float64 while their magnitudes stay within 2^53), min / max / lag / lead /
// first / last / nth_value as the index of the row whose value they take. What it does not cover
// (other types, RANGE offsets, EXCLUDE, FILTER, float sums over sliding frames, ...) returns null,
// and the caller runs window.ts, the reference, instead.
import { toTaggedJson } from '../../common/tagged-json.ts';
import type { BoundWindow, FrameBound } from '../../sql/binder/bound-select.ts';
import { compareCodePoints } from '../../sql/expr/compare.ts';
import { evaluate } from '../../sql/expr/evaluate.ts';
import type { Expr } from '../../sql/expr/expr.ts';
import { decDiv } from '../../sql/expr/numeric-ops.ts';
import type { EvalContext } from '../../sql/functions/scalar-functions.ts';
import { Decimal, roundDiv } from '../../sql/types/decimal.ts';
import type { Datum } from '../../sql/types/datum.ts';
import { Interval } from '../../sql/types/interval.ts';
import type { SqlType } from '../../sql/types/sql-type.ts';
import { layoutOf } from '../../storage/column-kind.ts';
import { gatherOrNull, zeroVector } from '../../storage/vector-ops.ts';
import type { BigDecimalVector, Float64Vector, Int32Vector, Int64Vector, Vector } from '../batch/vector.ts';
import { checkRangeOffset, countOffset, orderingOf, type Ordering } from './window.ts';

const SAFE = 2 ** 53;
const RANK_MAX = 0xffff_fffe;
const decoder = new TextDecoder();

/** Numbers of a numeric vector (scaled integers for decimals), or null for other kinds / unsafe int8. */
function numbersOf(v: Vector): { values: ArrayLike<number>; integral: boolean } | null {
  switch (v.kind) {
    case 'bool': case 'int32': return { values: v.values, integral: true };
    case 'decimal': return { values: v.values, integral: true };
    case 'float64': {
      for (let i = 0; i < v.length; i++) if (Number.isNaN(v.values[i]!) && (v.nulls === null || v.nulls[i] === 0)) return null;
      return { values: v.values, integral: false };
    }
    case 'int64': {
      const out = new Float64Array(v.length);
      for (let i = 0; i < v.length; i++) {
        const x = Number(v.values[i]!);
        if (Math.abs(x) >= SAFE) return null;
        out[i] = x;
      }
      return { values: out, integral: true };
    }
    default: return null;
  }
}

/**
 * A key column as unsigned ranks whose ascending order is the key's ORDER BY order, NULLs first or
 * last; equal ranks exactly for equal values. `ordered` false (PARTITION BY) only needs equality.
 */
function ranksOf(v: Vector, desc: boolean, nullsFirst: boolean, ordered: boolean): Uint32Array | null {
  const n = v.length;
  const nulls = v.nulls;
  const isNull = (i: number): boolean => nulls !== null && nulls[i] !== 0;
  const raw = new Float64Array(n);
  let top: number;
  if (v.kind === 'string') {
    const strs = new Array<string>(n);
    const ids = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      if (isNull(i)) continue;
      const s = decoder.decode(v.bytes.subarray(v.offsets[i]!, v.offsets[i + 1]!));
      strs[i] = s;
      if (!ids.has(s)) ids.set(s, ids.size);
    }
    if (ordered) {
      const sorted = [...ids.keys()].sort(compareCodePoints);
      sorted.forEach((s, r) => ids.set(s, r));
    }
    for (let i = 0; i < n; i++) if (!isNull(i)) raw[i] = ids.get(strs[i]!)!;
    top = ids.size - 1;
  } else {
    const nums = numbersOf(v);
    if (nums === null) return null;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      if (isNull(i)) continue;
      const x = nums.values[i]!;
      if (x < min) min = x;
      if (x > max) max = x;
    }
    if (nums.integral && max - min <= RANK_MAX - 1) {
      for (let i = 0; i < n; i++) if (!isNull(i)) raw[i] = nums.values[i]! - min;
      top = max - min;
    } else {
      // Dense ranks of the distinct values (-0 and 0 are one value, as in PostgreSQL).
      const vals = new Float64Array(n);
      let k = 0;
      for (let i = 0; i < n; i++) if (!isNull(i)) vals[k++] = nums.values[i]! + 0;
      const sorted = vals.subarray(0, k).sort();
      let u = 0;
      for (let i = 0; i < k; i++) if (i === 0 || sorted[i] !== sorted[u - 1]) sorted[u++] = sorted[i]!;
      const uniq = sorted.subarray(0, u);
      for (let i = 0; i < n; i++) {
        if (isNull(i)) continue;
        const x = nums.values[i]! + 0;
        let lo = 0;
        let hi = u - 1;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (uniq[mid]! < x) lo = mid + 1; else hi = mid;
        }
        raw[i] = lo;
      }
      top = u - 1;
    }
  }
  if (top > RANK_MAX - 1) return null;
  const out = new Uint32Array(n);
  const nullRank = nullsFirst ? 0 : top + 2;
  for (let i = 0; i < n; i++) out[i] = isNull(i) ? nullRank : (desc ? top - raw[i]! : raw[i]!) + 1;
  return out;
}

/** Row indexes sorted by `keys` (most significant first), stable: a least-significant-digit radix sort on 16-bit digits. */
function radixOrder(n: number, keys: readonly Uint32Array[]): Int32Array {
  let idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  let tmp = new Int32Array(n);
  const counts = new Int32Array(65537);
  for (let k = keys.length - 1; k >= 0; k--) {
    const key = keys[k]!;
    let max = 0;
    for (let i = 0; i < n; i++) if (key[i]! > max) max = key[i]!;
    for (let shift = 0; shift < 32 && (shift === 0 || max >>> shift > 0); shift += 16) {
      counts.fill(0);
      for (let i = 0; i < n; i++) counts[((key[idx[i]!]! >>> shift) & 0xffff) + 1]!++;
      for (let d = 1; d <= 65536; d++) counts[d]! += counts[d - 1]!;
      for (let i = 0; i < n; i++) {
        const r = idx[i]!;
        tmp[counts[(key[r]! >>> shift) & 0xffff]!++] = r;
      }
      const t = idx; idx = tmp; tmp = t;
    }
  }
  return idx;
}

function columnOf(e: Expr, cols: readonly Vector[]): Vector | null {
  return e.kind === 'Column' ? cols[e.index] ?? null : null;
}

function constOf(e: Expr | undefined, ctx: EvalContext): { value: unknown } | null {
  if (e === undefined) return { value: undefined };
  return e.kind === 'Const' ? { value: evaluate(e, [], ctx) } : null;
}

/** The ordering of one (PARTITION BY, ORDER BY), or null when a key does not rank. */
function orderingFor(w: BoundWindow, cols: readonly Vector[], n: number): Ordering | null {
  const keys: Uint32Array[] = [];
  for (const p of w.partitionBy) {
    const v = columnOf(p, cols);
    const r = v && ranksOf(v, false, false, false);
    if (!r) return null;
    keys.push(r);
  }
  const parts = keys.length;
  for (const o of w.orderBy) {
    const v = columnOf(o.expr, cols);
    const r = v && ranksOf(v, o.desc, o.nullsFirst, true);
    if (!r) return null;
    keys.push(r);
  }
  const order = keys.length === 0 ? Int32Array.from({ length: n }, (_, i) => i) : radixOrder(n, keys);
  const same = (from: number, to: number) => (a: number, b: number): boolean => {
    for (let k = from; k < to; k++) if (keys[k]![a] !== keys[k]![b]) return false;
    return true;
  };
  return orderingOf(order, same(0, parts), same(parts, keys.length));
}

/** Each sorted position's frame [fs, fe), or null for frames this path leaves to window.ts. */
function framesOf(w: BoundWindow, o: Ordering, ctx: EvalContext, cols: readonly Vector[]): { fs: Int32Array; fe: Int32Array } | null {
  const f = w.frame;
  const offset = (k: string): boolean => k === 'preceding' || k === 'following';
  if (f.exclude !== 'no_others' || (f.mode === 'groups' && (offset(f.start.kind) || offset(f.end.kind)))) return null;
  if (f.mode === 'range' && (offset(f.start.kind) || offset(f.end.kind))) return rangeFrames(w, o, ctx, cols);
  const so = countOffset(f.start, 'starting', ctx);
  const eo = countOffset(f.end, 'ending', ctx);
  const { partStart, partEnd, peerStart, peerEnd } = o;
  const n = partStart.length;
  const fs = new Int32Array(n);
  const fe = new Int32Array(n);
  const rows = f.mode === 'rows';
  for (let s = 0; s < n; s++) {
    const ps = partStart[s]!;
    const pe = partEnd[s]!;
    switch (f.start.kind) {
      case 'unbounded_preceding': fs[s] = ps; break;
      case 'current_row': fs[s] = rows ? s : peerStart[s]!; break;
      case 'preceding': fs[s] = Math.max(ps, Math.min(pe, s - so)); break;
      case 'following': fs[s] = Math.max(ps, Math.min(pe, s + so)); break;
      case 'unbounded_following': fs[s] = pe; break;
    }
    switch (f.end.kind) {
      case 'unbounded_following': fe[s] = pe; break;
      case 'current_row': fe[s] = rows ? s + 1 : peerEnd[s]!; break;
      case 'preceding': fe[s] = Math.max(ps, Math.min(pe, s - eo + 1)); break;
      case 'following': fe[s] = Math.max(ps, Math.min(pe, s + eo + 1)); break;
      case 'unbounded_preceding': fe[s] = ps; break;
    }
    if (fs[s]! > fe[s]!) fs[s] = fe[s]!;
  }
  return { fs, fe };
}

const MICROS_PER_DAY = 86_400_000_000;

/**
 * The ORDER BY key as numbers in the unit a RANGE offset moves it by (scaled integers for decimals,
 * microseconds for dates and timestamps) and the offset converted to that unit; null when the key
 * or the offset does not fit (numerics past 2^53, intervals with months, finer offsets than the key).
 */
function rangeUnits(w: BoundWindow, cols: readonly Vector[], offsetOf: (b: FrameBound) => Datum): { keys: ArrayLike<number>; nulls: Uint8Array | null; start: number; end: number } | null {
  const v = columnOf(w.orderBy[0]!.expr, cols);
  if (v === null) return null;
  const type = w.orderBy[0]!.expr.type.id;
  const nums = numbersOf(v);
  if (nums === null || v.kind === 'bool') return null;
  let keys: ArrayLike<number> = nums.values;
  let convert: (d: Datum) => number | null;
  if (type === 'date' || type === 'timestamp' || type === 'timestamptz') {
    if (type === 'date') keys = Float64Array.from(nums.values as ArrayLike<number>, (d) => d * MICROS_PER_DAY);
    convert = (d) => (d instanceof Interval && d.months === 0 ? d.days * MICROS_PER_DAY + Number(d.micros) : null);
  } else if (v.kind === 'decimal') {
    const scale = v.scale;
    convert = (d) => {
      const x = d instanceof Decimal ? d : null;
      return x === null || x.scale > scale ? null : Number(x.unscaled) * 10 ** (scale - x.scale);
    };
  } else {
    convert = (d) => (typeof d === 'number' ? d : typeof d === 'bigint' ? Number(d) : null);
  }
  const bound = (b: FrameBound): number | null => (b.kind === 'preceding' || b.kind === 'following' ? convert(offsetOf(b)) : 0);
  const start = bound(w.frame.start);
  const end = bound(w.frame.end);
  if (start === null || end === null || !Number.isFinite(start) || !Number.isFinite(end)) return null;
  return { keys, nulls: v.nulls, start, end };
}

/** RANGE frames with offsets: each row's frame is found by binary search on the sorted key. */
function rangeFrames(w: BoundWindow, o: Ordering, ctx: EvalContext, cols: readonly Vector[]): { fs: Int32Array; fe: Int32Array } | null {
  const f = w.frame;
  checkRangeOffset(f.start, 'starting', ctx);
  checkRangeOffset(f.end, 'ending', ctx);
  const units = rangeUnits(w, cols, (b) => evaluate((b as { offset: Expr }).offset, [], ctx));
  if (units === null) return null;
  const { keys, nulls } = units;
  const { order, partStart, partEnd, peerStart, peerEnd } = o;
  const desc = w.orderBy[0]!.desc;
  const nullsFirst = w.orderBy[0]!.nullsFirst;
  const n = order.length;
  const isNull = (s: number): boolean => nulls !== null && nulls[order[s]!] !== 0;
  const key = (s: number): number => keys[order[s]!]!;
  const fs = new Int32Array(n);
  const fe = new Int32Array(n);
  /** First position in [lo, hi) not before `b` (end: not at or before it), in the key's order. */
  const search = (lo: number, hi: number, b: number, end: boolean): number => {
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = key(mid) - b;
      const dir = desc ? -c : c;
      if (end ? dir <= 0 : dir < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const side = (b: FrameBound, s: number, lo: number, hi: number, isEnd: boolean, off: number): number => {
    switch (b.kind) {
      case 'unbounded_preceding': return partStart[s]!;
      case 'unbounded_following': return partEnd[s]!;
      case 'current_row': return isEnd ? peerEnd[s]! : peerStart[s]!;
      default: {
        if (isNull(s)) return isEnd ? peerEnd[s]! : peerStart[s]!;
        // key - offset for PRECEDING in ascending order; the other way round when descending.
        const down = (b.kind === 'preceding') !== desc;
        return search(lo, hi, down ? key(s) - off : key(s) + off, isEnd);
      }
    }
  };
  for (let s = 0; s < n; s++) {
    // The partition's non-NULL stretch: offsets never reach across NULL keys.
    let lo = partStart[s]!;
    let hi = partEnd[s]!;
    if (nullsFirst) { while (lo < hi && isNull(lo)) lo = peerEnd[lo]!; } else { while (hi > lo && isNull(hi - 1)) hi = peerStart[hi - 1]!; }
    fs[s] = side(f.start, s, lo, hi, false, units.start);
    fe[s] = side(f.end, s, lo, hi, true, units.end);
    if (fs[s]! > fe[s]!) fs[s] = fe[s]!;
  }
  return { fs, fe };
}

/** A vector of `type` for n rows, NULL where `isNull` is (or later becomes) 1; see {@link finished}. */
function resultVector(type: SqlType, n: number, isNull: Uint8Array): Vector {
  return zeroVector(layoutOf(type), n, isNull);
}

/** The vector without a NULL array when no row is NULL. */
function finished(v: Vector): Vector {
  const nulls = v.nulls;
  return nulls !== null && nulls.indexOf(1) < 0 ? { ...v, nulls: null } as Vector : v;
}

/**
 * Every window call over the columns `cols` (n rows, no selection), as one result vector per call
 * in the input's row order; null when a call is outside this fast path.
 */
export function windowVectors(cols: readonly Vector[], n: number, windows: readonly BoundWindow[], ctx: EvalContext): Vector[] | null {
  const orderings = new Map<string, Ordering>();
  const out: Vector[] = [];
  for (const w of windows) {
    const key = toTaggedJson([w.partitionBy, w.orderBy]);
    let o = orderings.get(key);
    if (o === undefined) {
      const made = orderingFor(w, cols, n);
      if (made === null) return null;
      orderings.set(key, o = made);
    }
    const v = callVector(w, cols, n, o, ctx);
    if (v === null) return null;
    out.push(v);
  }
  return out;
}

function callVector(w: BoundWindow, cols: readonly Vector[], n: number, o: Ordering, ctx: EvalContext): Vector | null {
  const { order, partStart, partEnd, peerStart, peerEnd, groupNo } = o;
  const isNull = new Uint8Array(n);
  switch (w.fn) {
    case 'row_number': case 'rank': case 'dense_rank': {
      const v = resultVector(w.type, n, isNull);
      const values = (v as Int64Vector).values;
      for (let s = 0; s < n; s++) {
        const x = w.fn === 'row_number' ? s - partStart[s]! : w.fn === 'rank' ? peerStart[s]! - partStart[s]! : groupNo[s]!;
        values[order[s]!] = BigInt(x + 1);
      }
      return finished(v);
    }
    case 'percent_rank': case 'cume_dist': {
      const v = resultVector(w.type, n, isNull);
      const values = (v as Float64Vector).values;
      for (let s = 0; s < n; s++) {
        const size = partEnd[s]! - partStart[s]!;
        values[order[s]!] = w.fn === 'cume_dist' ? (peerEnd[s]! - partStart[s]!) / size : size > 1 ? (peerStart[s]! - partStart[s]!) / (size - 1) : 0;
      }
      return finished(v);
    }
    case 'ntile': {
      const c = constOf(w.args[0], ctx);
      if (c === null || c.value === null || typeof c.value !== 'number' || c.value <= 0) return null;
      const k = c.value;
      const v = resultVector(w.type, n, isNull);
      const values = (v as Int32Vector).values;
      for (let s = 0; s < n; s++) {
        const ps = partStart[s]!;
        const total = partEnd[s]! - ps;
        const per = Math.floor(total / k);
        const extra = total % k;
        // Position p of the partition: the first `extra` buckets hold per + 1 rows.
        const p = s - ps;
        const big = extra * (per + 1);
        values[order[s]!] = p < big ? Math.floor(p / (per + 1)) + 1 : extra + Math.floor((p - big) / per) + 1;
      }
      return finished(v);
    }
    case 'lag': case 'lead': {
      const x = columnOf(w.args[0]!, cols);
      const off = constOf(w.args[1], ctx);
      const dflt = constOf(w.args[2], ctx);
      if (x === null || off === null || dflt === null || (dflt.value !== undefined && dflt.value !== null)) return null;
      if (off.value === null) return gatherOrNull(x, new Int32Array(n).fill(-1), n);
      const d = (off.value === undefined ? 1 : Number(off.value)) * (w.fn === 'lag' ? -1 : 1);
      const idx = new Int32Array(n);
      for (let s = 0; s < n; s++) {
        const t = s + d;
        idx[order[s]!] = t >= partStart[s]! && t < partEnd[s]! ? order[t]! : -1;
      }
      return gatherOrNull(x, idx, n);
    }
    default:
      return framedVector(w, cols, n, o, ctx);
  }
}

function framedVector(w: BoundWindow, cols: readonly Vector[], n: number, o: Ordering, ctx: EvalContext): Vector | null {
  if (w.filter !== null) return null;
  const frames = framesOf(w, o, ctx, cols);
  if (frames === null) return null;
  const { fs, fe } = frames;
  const { order } = o;
  const isNull = new Uint8Array(n);
  if (w.fn === 'first_value' || w.fn === 'last_value' || w.fn === 'nth_value') {
    const x = columnOf(w.args[0]!, cols);
    const nth = w.fn === 'nth_value' ? constOf(w.args[1], ctx) : { value: 1 };
    if (x === null || nth === null || typeof nth.value !== 'number' || nth.value <= 0) return null;
    const want = nth.value;
    const idx = new Int32Array(n);
    for (let s = 0; s < n; s++) {
      const t = w.fn === 'last_value' ? fe[s]! - 1 : fs[s]! + want - 1;
      idx[order[s]!] = t >= fs[s]! && t < fe[s]! ? order[t]! : -1;
    }
    return gatherOrNull(x, idx, n);
  }
  if (w.fn === 'count' && w.star) {
    const v = resultVector(w.type, n, isNull);
    for (let s = 0; s < n; s++) (v as Int64Vector).values[order[s]!] = BigInt(fe[s]! - fs[s]!);
    return finished(v);
  }
  const arg = w.args[0] === undefined ? null : columnOf(w.args[0], cols);
  if (arg === null) return null;
  const argNulls = arg.nulls;
  // Non-null inputs before each sorted position.
  const counts = new Int32Array(n + 1);
  for (let s = 0; s < n; s++) counts[s + 1] = counts[s]! + (argNulls !== null && argNulls[order[s]!] !== 0 ? 0 : 1);
  if (w.fn === 'count') {
    const v = resultVector(w.type, n, isNull);
    for (let s = 0; s < n; s++) (v as Int64Vector).values[order[s]!] = BigInt(counts[fe[s]!]! - counts[fs[s]!]!);
    return finished(v);
  }
  const nums = numbersOf(arg);
  if (nums === null || arg.kind === 'bool') return null;
  const vals = nums.values;
  const valueAt = (s: number): number => vals[order[s]!]!;
  const present = (s: number): boolean => argNulls === null || argNulls[order[s]!] === 0;
  if (w.fn === 'min' || w.fn === 'max') {
    const sign = w.fn === 'min' ? -1 : 1;
    const idx = new Int32Array(n);
    const better = (a: number, b: number): boolean => b < 0 || (valueAt(a) - valueAt(b)) * sign > 0;
    // A running frame (from UNBOUNDED PRECEDING) continues the previous row's answer; others scan their frame.
    const running = w.frame.start.kind === 'unbounded_preceding';
    let best = -1;
    let t = 0;
    for (let s = 0; s < n; s++) {
      if (!running || s === 0 || o.partStart[s] !== o.partStart[s - 1]) { best = -1; t = fs[s]!; }
      for (; t < fe[s]!; t++) if (present(t) && better(t, best)) best = t;
      idx[order[s]!] = best < 0 ? -1 : order[best]!;
    }
    return gatherOrNull(arg, idx, n);
  }
  if (w.fn !== 'sum' && w.fn !== 'avg') return null;
  const scale = arg.kind === 'decimal' ? arg.scale : 0;
  const totals = new Float64Array(n);
  if (nums.integral) {
    let abs = 0;
    for (let s = 0; s < n; s++) if (present(s)) abs += Math.abs(valueAt(s));
    if (abs >= SAFE) return null;
    const prefix = new Float64Array(n + 1);
    for (let s = 0; s < n; s++) prefix[s + 1] = prefix[s]! + (present(s) ? valueAt(s) : 0);
    for (let s = 0; s < n; s++) totals[s] = prefix[fe[s]!]! - prefix[fs[s]!]!;
  } else {
    // Floats add in frame order, as PostgreSQL does: running frames continue, others start afresh.
    if (arg.kind !== 'float64' || w.type.id === 'float4') return null;
    const running = w.frame.start.kind === 'unbounded_preceding';
    let acc = 0;
    let upTo = 0;
    for (let s = 0; s < n; s++) {
      if (!running || s === 0 || o.partStart[s] !== o.partStart[s - 1]) { acc = 0; upTo = fs[s]!; }
      for (; upTo < fe[s]!; upTo++) if (present(upTo)) acc += valueAt(upTo);
      totals[s] = acc;
    }
  }
  const v = resultVector(w.type, n, isNull);
  for (let s = 0; s < n; s++) {
    const row = order[s]!;
    const cnt = counts[fe[s]!]! - counts[fs[s]!]!;
    if (cnt === 0) { isNull[row] = 1; continue; }
    const total = totals[s]!;
    switch (v.kind) {
      case 'int64': v.values[row] = BigInt(total); break;
      case 'float64': v.values[row] = w.fn === 'avg' ? total / cnt : total; break;
      case 'bigdecimal': {
        const bv = v as BigDecimalVector;
        if (w.fn === 'avg') {
          avgInto(bv, row, total, scale, cnt);
        } else {
          bv.values[row] = BigInt(total);
          bv.scales[row] = scale;
        }
        break;
      }
      default: return null;
    }
  }
  return finished(v);
}

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const POW10N: bigint[] = [];
function pow10n(k: number): bigint {
  while (POW10N.length <= k) POW10N.push(10n ** BigInt(POW10N.length));
  return POW10N[k]!;
}

/** PostgreSQL's weight (base-10000 digit groups) and first group of a positive integer below 2^53. */
function weightOf(x: number): [number, number] {
  let digits = 1;
  while (digits < 16 && x >= POW10[digits]!) digits++;
  const weight = Math.floor((digits - 1) / 4);
  return [weight, Math.floor(x / 10000 ** weight)];
}

/**
 * avg = total / 10^scale / cnt as PostgreSQL's numeric division (select_div_scale), straight from
 * the integers; a quotient below 1 in magnitude takes the general path (decDiv).
 */
function avgInto(v: BigDecimalVector, row: number, total: number, scale: number, cnt: number): void {
  const whole = Math.floor(Math.abs(total) / POW10[scale]!);
  if (whole === 0) {
    const d = decDiv(new Decimal(BigInt(total), scale), new Decimal(BigInt(cnt), 0));
    v.values[row] = d.unscaled;
    v.scales[row] = d.scale;
    return;
  }
  const [w1, f1] = weightOf(whole);
  const [w2, f2] = weightOf(cnt);
  let qweight = w1 - w2;
  if (f1 <= f2) qweight--;
  const rscale = Math.min(Math.max(16 - qweight * 4, scale, 0), 1000);
  v.values[row] = roundDiv(BigInt(total) * pow10n(rscale - scale), BigInt(cnt));
  v.scales[row] = rscale;
}
