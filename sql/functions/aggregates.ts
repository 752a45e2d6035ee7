// Aggregate functions in two phases: accumulate on each slice, merge partial states on the leader,
// finalize once. States are plain Datums or small arrays so they cross the wire as tagged JSON.
import { SqlError, SqlState, numericOutOfRange } from '../../common/errors/index.ts';
import { toDecimal } from '../expr/cast.ts';
import { compareDatums, datumKey } from '../expr/compare.ts';
import { HyperLogLog } from '../../common/sketch/hyperloglog.ts';
import { QuantileSketch } from '../../common/sketch/quantile-sketch.ts';
import { fmix32 } from '../../common/sketch/value-hash.ts';
import { decAdd, decDiv, decMul, decSub } from '../expr/numeric-ops.ts';
import { Decimal } from '../types/decimal.ts';
import type { Datum } from '../types/datum.ts';
import { Interval } from '../types/interval.ts';
import { T, isNumericType, type SqlType } from '../types/sql-type.ts';

/** A partial aggregate state: a Datum or an array of them. */
export type AggState = Datum | Datum[];

/** One aggregate function for one argument type. */
export interface AggregateImpl {
  readonly returns: SqlType;
  /** The argument is converted to this type before accumulate (null for count(*)). */
  readonly argType: SqlType | null;
  /** accumulate sees NULL arguments too (single_value counts them as rows). */
  readonly acceptsNull?: boolean;
  init(): AggState;
  /** Adds one non-null value (count(*) gets null for every row). */
  accumulate(state: AggState, v: Datum): AggState;
  /**
   * Aggregates of two arguments (corr(y, x), string_agg(v, d ORDER BY key)): adds one row whose
   * first argument is not NULL (the second may be).
   */
  accumulate2?(state: AggState, y: Datum, x: Datum): AggState;
  merge(a: AggState, b: AggState): AggState;
  finalize(state: AggState): Datum;
}

/** Aggregate names we know (for telling aggregates from scalar functions while binding). */
export const AGGREGATE_NAMES = new Set(['count', 'sum', 'avg', 'min', 'max', 'bool_and', 'bool_or', 'every',
  'stddev', 'stddev_samp', 'stddev_pop', 'variance', 'var_samp', 'var_pop', 'approx_count_distinct',
  ...['string_agg', 'listagg', 'percentile_cont', 'percentile_disc', 'median', 'approx_percentile_disc'],
  ...['corr', 'covar_pop', 'covar_samp', 'regr_avgx', 'regr_avgy', 'regr_count', 'regr_intercept', 'regr_r2', 'regr_slope', 'regr_sxx', 'regr_sxy', 'regr_syy']]);

/** Aggregates of two float8 arguments, (Y, X) in that order: statistics of the rows where neither is NULL. */
export const TWO_ARGUMENT_AGGREGATES = new Set(['corr', 'covar_pop', 'covar_samp', 'regr_avgx', 'regr_avgy', 'regr_count', 'regr_intercept', 'regr_r2', 'regr_slope', 'regr_sxx', 'regr_sxy', 'regr_syy']);

/** Aggregates over their values in order: every value is kept per group and sorted at the end. */
export const ORDERED_AGGREGATES = new Set(['string_agg', 'listagg', 'percentile_cont', 'percentile_disc', 'median', 'approx_percentile_disc']);

const INT8_MIN = -9223372036854775808n;
const INT8_MAX = 9223372036854775807n;

function addAny(a: Datum, b: Datum, t: SqlType): Datum {
  if (a === null) return b;
  if (b === null) return a;
  switch (t.id) {
    case 'int8': {
      const r = (a as bigint) + (b as bigint);
      if (r < INT8_MIN || r > INT8_MAX) throw numericOutOfRange('bigint');
      return r;
    }
    case 'numeric': return decAdd(toDecimal(a), toDecimal(b));
    case 'float4': return Math.fround((a as number) + (b as number));
    case 'float8': return (a as number) + (b as number);
    case 'interval': {
      const x = a as Interval, y = b as Interval;
      return new Interval(x.months + y.months, x.days + y.days, x.micros + y.micros);
    }
    default: throw new SqlError(SqlState.INTERNAL_ERROR, `cannot add ${t.id}`);
  }
}

/** The sum's result type for an argument type (PostgreSQL's). */
function sumType(arg: SqlType): SqlType | undefined {
  switch (arg.id) {
    case 'int2': case 'int4': return T.int8;
    case 'int8': case 'numeric': return T.numeric();
    case 'float4': return T.float4;
    case 'float8': case 'unknown': return T.float8;
    case 'interval': return T.interval;
    default: return undefined;
  }
}

/** Converts an argument value to the accumulator's representation. */
function widen(v: Datum, to: SqlType): Datum {
  if (v === null) return null;
  if (to.id === 'int8' && typeof v === 'number') return BigInt(v);
  if (to.id === 'numeric' && !(v instanceof Decimal)) return toDecimal(v);
  return v;
}

/** Combines two single_value states ([rows, value]); a second row is an error. */
function singleValue(a: readonly [bigint, Datum], b: readonly [bigint, Datum]): [bigint, Datum] {
  const rows = a[0] + b[0];
  if (rows > 1n) throw new SqlError(SqlState.CARDINALITY_VIOLATION, 'more than one row returned by a subquery used as an expression');
  return [rows, a[0] > 0n ? a[1] : b[1]];
}

/** Resolves `name(argType)` (argType null for count(*)); undefined when no such aggregate exists. */
export function resolveAggregate(name: string, argType: SqlType | null, options?: readonly Datum[]): AggregateImpl | undefined {
  switch (name) {
    case 'count':
      return {
        returns: T.int8, argType,
        init: () => 0n,
        accumulate: (s) => (s as bigint) + 1n,
        merge: (a, b) => (a as bigint) + (b as bigint),
        finalize: (s) => s as bigint,
      };
    case 'sum': {
      if (!argType) return undefined;
      const st = sumType(argType);
      if (!st) return undefined;
      return {
        returns: st, argType,
        init: () => null,
        accumulate: (s, v) => addAny(s as Datum, widen(v, st), st),
        merge: (a, b) => addAny(a as Datum, b as Datum, st),
        finalize: (s) => s as Datum,
      };
    }
    case 'avg': {
      if (!argType || !(isNumericType(argType) || argType.id === 'unknown')) return undefined;
      const isFloat = argType.id === 'float4' || argType.id === 'float8' || argType.id === 'unknown';
      const acc: SqlType = isFloat ? T.float8 : T.numeric();
      return {
        returns: isFloat ? T.float8 : T.numeric(), argType,
        init: () => [null, 0n],
        accumulate: (s, v) => {
          const [sum, n] = s as [Datum, bigint];
          return [addAny(sum, isFloat ? Number(v) : widen(v, acc), acc), n + 1n];
        },
        merge: (a, b) => {
          const [s1, n1] = a as [Datum, bigint];
          const [s2, n2] = b as [Datum, bigint];
          return [addAny(s1, s2, acc), n1 + n2];
        },
        finalize: (s) => {
          const [sum, n] = s as [Datum, bigint];
          if (n === 0n || sum === null) return null;
          if (isFloat) return (sum as number) / Number(n);
          return decDiv(toDecimal(sum), new Decimal(n, 0));
        },
      };
    }
    case 'min': case 'max': {
      if (!argType) return undefined;
      const sign = name === 'min' ? -1 : 1;
      const pick = (a: Datum, b: Datum): Datum => (a === null ? b : b === null ? a : compareDatums(b, a) * sign > 0 ? b : a);
      return {
        returns: argType.id === 'unknown' ? T.text : argType, argType,
        init: () => null,
        accumulate: (s, v) => pick(s as Datum, v),
        merge: (a, b) => pick(a as Datum, b as Datum),
        finalize: (s) => s as Datum,
      };
    }
    case 'single_value': {
      // Internal (not callable from SQL): the value of a scalar subquery without an aggregate,
      // decorrelated into a grouped join; more than one row in a group is PostgreSQL's 21000.
      if (!argType) return undefined;
      return {
        returns: argType.id === 'unknown' ? T.text : argType, argType, acceptsNull: true,
        init: () => [0n, null],
        accumulate: (s, v) => singleValue(s as [bigint, Datum], [1n, v]),
        merge: (a, b) => singleValue(a as [bigint, Datum], b as [bigint, Datum]),
        finalize: (s) => (s as [bigint, Datum])[1],
      };
    }
    case 'bool_and': case 'every': case 'bool_or': {
      if (!argType || argType.id !== 'bool') return undefined;
      const isAnd = name !== 'bool_or';
      const comb = (a: Datum, b: Datum): Datum => (a === null ? b : b === null ? a : isAnd ? (a as boolean) && (b as boolean) : (a as boolean) || (b as boolean));
      return {
        returns: T.bool, argType,
        init: () => null,
        accumulate: (s, v) => comb(s as Datum, v),
        merge: (a, b) => comb(a as Datum, b as Datum),
        finalize: (s) => s as Datum,
      };
    }
    case 'string_agg': case 'listagg': case 'percentile_cont': case 'percentile_disc': case 'median':
      return argType ? orderedAggregate(name, argType, options ?? []) : undefined;
    case 'approx_percentile_disc':
      return argType ? approximatePercentile(argType, options ?? []) : undefined;
    case 'approx_count_distinct': {
      // Redshift's APPROXIMATE COUNT(DISTINCT x): a HyperLogLog sketch per group and slice, merged.
      if (!argType) return undefined;
      return {
        returns: T.int8, argType,
        init: () => new HllState() as unknown as AggState,
        accumulate: (st, v) => {
          (st as unknown as HllState).sketch.add(hashValue(v));
          return st;
        },
        merge: (a, b) => {
          const x = HllState.of(a);
          x.sketch.merge(HllState.of(b).sketch);
          return x as unknown as AggState;
        },
        finalize: (st) => BigInt(Math.round(HllState.of(st).sketch.estimate())),
      };
    }
    case 'stddev': case 'stddev_samp': case 'stddev_pop': case 'variance': case 'var_samp': case 'var_pop':
      return argType ? varianceAggregate(name, argType) : undefined;
    case 'corr': case 'covar_pop': case 'covar_samp': case 'regr_avgx': case 'regr_avgy': case 'regr_count':
    case 'regr_intercept': case 'regr_r2': case 'regr_slope': case 'regr_sxx': case 'regr_sxy': case 'regr_syy':
      return argType?.id === 'float8' ? regressionAggregate(name) : undefined;
    default:
      return undefined;
  }
}

/**
 * variance / var_samp / var_pop / stddev / stddev_samp / stddev_pop as PostgreSQL computes them:
 * exact numerics from (N, sum x, sum x^2) for integer and numeric arguments (numeric_stddev_internal:
 * (N * sum x^2 - (sum x)^2) / (N * (N - 1)) at the division's scale, its square root rounded at the
 * same scale); for floats, Youngs-Cramer's running (N, Sx, Sxx) and PostgreSQL's way of combining two.
 */
function varianceAggregate(name: string, argType: SqlType): AggregateImpl | undefined {
  const sample = !name.endsWith('_pop');
  const root = name.startsWith('stddev');
  if (argType.id === 'float4' || argType.id === 'float8' || argType.id === 'unknown') {
    return {
      returns: T.float8, argType,
      init: () => [0, 0, 0],
      accumulate: (st, v) => {
        const [n0, sx0, sxx0] = st as number[];
        const x = Number(v);
        const n = n0! + 1;
        const sx = sx0! + x;
        let sxx = sxx0!;
        if (n0! > 0) {
          const tmp = x * n - sx;
          sxx += (tmp * tmp) / (n * n0!);
          if (!Number.isFinite(sx) || !Number.isFinite(sxx)) {
            if (Number.isFinite(sx0!) && Number.isFinite(x)) throw numericOutOfRange('value');
            sxx = NaN;
          }
        } else if (!Number.isFinite(x)) {
          sxx = NaN;
        }
        return [n, sx, sxx];
      },
      merge: (a, b) => {
        const [n1, sx1, sxx1] = a as number[];
        const [n2, sx2, sxx2] = b as number[];
        if (n1 === 0) return [n2!, sx2!, sxx2!];
        if (n2 === 0) return [n1!, sx1!, sxx1!];
        const n = n1! + n2!;
        const tmp = sx1! / n1! - sx2! / n2!;
        return [n, sx1! + sx2!, sxx1! + sxx2! + (n1! * n2! * tmp * tmp) / n];
      },
      finalize: (st) => {
        const [n, , sxx] = st as number[];
        if (n === 0 || (sample && n! <= 1)) return null;
        const variance = sxx! / (sample ? n! - 1 : n!);
        return root ? Math.sqrt(variance) : variance;
      },
    };
  }
  if (!['int2', 'int4', 'int8', 'numeric'].includes(argType.id)) return undefined;
  return {
    returns: T.numeric(), argType,
    init: () => [0n, new Decimal(0n, 0), new Decimal(0n, 0)],
    accumulate: (st, v) => {
      const [n, sx, sxx] = st as [bigint, Decimal, Decimal];
      const x = toDecimal(v);
      return [n + 1n, decAdd(sx, x), decAdd(sxx, decMul(x, x))];
    },
    merge: (a, b) => {
      const [n1, sx1, sxx1] = a as [bigint, Decimal, Decimal];
      const [n2, sx2, sxx2] = b as [bigint, Decimal, Decimal];
      return [n1 + n2, decAdd(sx1, sx2), decAdd(sxx1, sxx2)];
    },
    finalize: (st) => {
      const [n, sx, sxx] = st as [bigint, Decimal, Decimal];
      if (n === 0n || (sample && n <= 1n)) return null;
      const nd = new Decimal(n, 0);
      const numerator = decSub(decMul(nd, sxx), decMul(sx, sx));
      if (numerator.unscaled <= 0n) return new Decimal(0n, 0);
      const variance = decDiv(numerator, new Decimal(sample ? n * (n - 1n) : n * n, 0));
      return root ? sqrtAtScale(variance) : variance;
    },
  };
}

/**
 * corr, covar_pop / covar_samp and the regr_* family over (Y, X) pairs, as PostgreSQL computes them
 * (float8_regr_accum / float8_regr_combine): Youngs-Cramer's running state [N, Sx, Sxx, Sy, Syy, Sxy]
 * where Sxx, Syy and Sxy are sums of squared (cross) deviations from the running means, so no
 * result is a difference of two large sums.
 */
function regressionAggregate(name: string): AggregateImpl {
  const update = (st: AggState, y: Datum, x: Datum): AggState => {
    if (x === null) return st;
    const [n0, sx0, sxx0, sy0, syy0, sxy0] = st as number[] as [number, number, number, number, number, number];
    const vx = Number(x), vy = Number(y);
    const n = n0 + 1;
    const sx = sx0 + vx, sy = sy0 + vy;
    let sxx = sxx0, syy = syy0, sxy = sxy0;
    if (n0 > 0) {
      const tx = vx * n - sx, ty = vy * n - sy;
      const scale = 1 / (n * n0);
      sxx += tx * tx * scale;
      syy += ty * ty * scale;
      sxy += tx * ty * scale;
      // Finite inputs with an infinite result overflowed; an infinite input makes its sums NaN.
      if (!Number.isFinite(sx) || !Number.isFinite(sxx)) {
        if (Number.isFinite(sx0) && Number.isFinite(vx)) throw numericOutOfRange('value');
        sxx = NaN;
      }
      if (!Number.isFinite(sy) || !Number.isFinite(syy)) {
        if (Number.isFinite(sy0) && Number.isFinite(vy)) throw numericOutOfRange('value');
        syy = NaN;
      }
      if (!Number.isFinite(sxy) && !Number.isNaN(sxy)) {
        if (Number.isFinite(sx0) && Number.isFinite(vx) && Number.isFinite(sy0) && Number.isFinite(vy)) throw numericOutOfRange('value');
        sxy = NaN;
      }
    } else {
      if (!Number.isFinite(vx)) sxx = sxy = NaN;
      if (!Number.isFinite(vy)) syy = sxy = NaN;
    }
    return [n, sx, sxx, sy, syy, sxy];
  };
  const finish = (st: AggState): Datum => {
    const [n, sx, sxx, sy, syy, sxy] = st as number[] as [number, number, number, number, number, number];
    if (name === 'regr_count') return BigInt(n);
    if (n < 1 || (name === 'covar_samp' && n < 2)) return null;
    switch (name) {
      case 'regr_sxx': return sxx;
      case 'regr_syy': return syy;
      case 'regr_sxy': return sxy;
      case 'regr_avgx': return sx / n;
      case 'regr_avgy': return sy / n;
      case 'covar_pop': return sxy / n;
      case 'covar_samp': return sxy / (n - 1);
      case 'corr': return sxx === 0 || syy === 0 ? null : sxy / Math.sqrt(sxx * syy);
      case 'regr_r2': return sxx === 0 ? null : syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
      case 'regr_slope': return sxx === 0 ? null : sxy / sxx;
      case 'regr_intercept': return sxx === 0 ? null : (sy - (sx * sxy) / sxx) / n;
      default: throw new SqlError(SqlState.INTERNAL_ERROR, `unknown aggregate ${name}`);
    }
  };
  return {
    returns: name === 'regr_count' ? T.int8 : T.float8, argType: T.float8,
    init: () => [0, 0, 0, 0, 0, 0],
    accumulate: () => { throw new SqlError(SqlState.INTERNAL_ERROR, `${name} takes two arguments`); },
    accumulate2: update,
    merge: (a, b) => {
      const [n1, sx1, sxx1, sy1, syy1, sxy1] = a as number[] as [number, number, number, number, number, number];
      const [n2, sx2, sxx2, sy2, syy2, sxy2] = b as number[] as [number, number, number, number, number, number];
      if (n1 === 0) return b;
      if (n2 === 0) return a;
      const n = n1 + n2;
      const dx = sx1 / n1 - sx2 / n2, dy = sy1 / n1 - sy2 / n2;
      return [n, sx1 + sx2, sxx1 + sxx2 + (n1 * n2 * dx * dx) / n, sy1 + sy2, syy1 + syy2 + (n1 * n2 * dy * dy) / n, sxy1 + sxy2 + (n1 * n2 * dx * dy) / n];
    },
    finalize: finish,
  };
}

/** The square root of a non-negative decimal, rounded half up at the decimal's own scale (PostgreSQL's sqrt_var). */
function sqrtAtScale(d: Decimal): Decimal {
  // sqrt(u / 10^s) * 10^s = sqrt(u * 10^s); round(sqrt(y)) = floor((floor(2 sqrt(y)) + 1) / 2).
  const y = d.unscaled * 10n ** BigInt(d.scale);
  return new Decimal((isqrt(4n * y) + 1n) >> 1n, d.scale);
}

/** floor(sqrt(n)) of a non-negative bigint: Newton's method from a power of two above the root. */
function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** A 32-bit hash of a value, equal for equal values on every slice (FNV-1a of its key, mixed). */
function hashValue(v: Datum): number {
  const key = datumKey(v);
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return fmix32(h >>> 0);
}

/** approx_count_distinct's state: a sketch, sent between processes as base64 registers. */
class HllState {
  constructor(readonly sketch: HyperLogLog = new HyperLogLog()) {}

  /** The state, or one rebuilt from its tagged-JSON form ({ hll: base64 }). */
  static of(st: AggState | unknown): HllState {
    if (st instanceof HllState) return st;
    const hll = (st as { hll?: unknown } | null)?.hll;
    if (typeof hll !== 'string') throw new SqlError(SqlState.INTERNAL_ERROR, 'approx_count_distinct: bad partial state');
    return new HllState(new HyperLogLog(new Uint8Array(Buffer.from(hll, 'base64'))));
  }

  toJSON(): { hll: string } {
    return { hll: Buffer.from(this.sketch.registers).toString('base64') };
  }
}

/**
 * Redshift's APPROXIMATE PERCENTILE_DISC(f) WITHIN GROUP (ORDER BY x [DESC]): a quantile sketch per
 * group on each slice (common/sketch/quantile-sketch.ts), merged on the leader; exact while a group
 * has at most about a thousand values, within about 0.5% of the rank beyond.
 */
function approximatePercentile(argType: SqlType, options: readonly Datum[]): AggregateImpl {
  const order = options[1] === true ? (a: Datum, b: Datum): number => compareDatums(b, a) : compareDatums;
  const of = (st: AggState | unknown): QuantileSketch<Datum> => {
    if (st instanceof QuantileState) return st.sketch;
    const kll = (st as { kll?: { n?: unknown; levels?: unknown } } | null)?.kll;
    if (!kll || typeof kll.n !== 'number' || !Array.isArray(kll.levels)) throw new SqlError(SqlState.INTERNAL_ERROR, 'approximate percentile: bad partial state');
    return new QuantileSketch<Datum>(order, kll.levels as Datum[][], kll.n);
  };
  return {
    returns: argType.id === 'unknown' ? T.text : argType, argType,
    init: () => new QuantileState(new QuantileSketch<Datum>(order)) as unknown as AggState,
    accumulate: (st, v) => {
      of(st).add(v);
      return st;
    },
    merge: (a, b) => {
      const x = of(a);
      x.merge(of(b));
      return new QuantileState(x) as unknown as AggState;
    },
    finalize: (st) => {
      const f = options[0];
      if (f === null || f === undefined) return null;
      const fraction = Number(f);
      if (!(fraction >= 0 && fraction <= 1)) throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, `percentile value ${fraction} is not between 0 and 1`);
      return of(st).quantile(fraction) ?? null;
    },
  };
}

/** An approximate percentile's state: a sketch, sent between processes as its levels. */
class QuantileState {
  constructor(readonly sketch: QuantileSketch<Datum>) {}

  toJSON(): { kll: { n: number; levels: Datum[][] } } {
    return { kll: { n: this.sketch.count, levels: this.sketch.levels } };
  }
}

/**
 * string_agg / listagg (values joined by a delimiter), percentile_cont (linear interpolation, as
 * float8), percentile_disc (the first value at or past the fraction) and Redshift's median
 * (percentile_cont(0.5)): the group's non-NULL values are kept, then sorted once (`options[1]`
 * true for DESC) when the group is finished.
 */
function orderedAggregate(name: string, argType: SqlType, options: readonly Datum[]): AggregateImpl | undefined {
  const desc = options[1] === true;
  const collect = { init: (): AggState => [], accumulate: (st: AggState, v: Datum): AggState => { (st as Datum[]).push(v); return st; }, merge: (a: AggState, b: AggState): AggState => (a as Datum[]).concat(b as Datum[]) };
  const sorted = (st: AggState): Datum[] => {
    const vals = (st as Datum[]).slice().sort(compareDatums);
    return desc ? vals.reverse() : vals;
  };
  if (name === 'string_agg' || name === 'listagg') {
    if (argType.id !== 'text') return undefined;
    const delimiter = options[0] === null || options[0] === undefined ? '' : String(options[0]);
    const ordered = options[1] !== undefined && options[1] !== null;
    if (options.length > 2) {
      // Ordered by another expression: [key, value] pairs, sorted by key (stable) at the end.
      const nullsFirst = options[2] === true;
      const byKey = (a: Datum[], b: Datum[]): number => {
        const x = a[0]!, y = b[0]!;
        if (x === null || y === null) return x === y ? 0 : (x === null) === nullsFirst ? -1 : 1;
        return desc ? compareDatums(y, x) : compareDatums(x, y);
      };
      return {
        returns: T.text, argType, ...collect,
        accumulate2: (st, v, k) => { (st as unknown as Datum[][]).push([k, v]); return st; },
        finalize: (st) => {
          const pairs = (st as unknown as Datum[][]).slice().sort(byKey);
          return pairs.length === 0 ? null : pairs.map((p) => p[1]).join(delimiter);
        },
      };
    }
    return {
      returns: T.text, argType, ...collect,
      finalize: (st) => ((st as Datum[]).length === 0 ? null : (ordered ? sorted(st) : (st as Datum[])).join(delimiter)),
    };
  }
  const fraction = name === 'median' ? 0.5 : options[0];
  const check = (): number | null => {
    if (fraction === null || fraction === undefined) return null;
    const f = Number(fraction);
    if (!(f >= 0 && f <= 1)) throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, `percentile value ${f} is not between 0 and 1`);
    return f;
  };
  if (name === 'percentile_disc') {
    return {
      returns: argType, argType, ...collect,
      finalize: (st) => {
        const f = check();
        const vals = sorted(st);
        if (f === null || vals.length === 0) return null;
        return vals[Math.max(Math.ceil(f * vals.length) - 1, 0)]!;
      },
    };
  }
  if (argType.id !== 'float8') return undefined;
  return {
    returns: T.float8, argType, ...collect,
    finalize: (st) => {
      const f = check();
      const vals = sorted(st) as number[];
      if (f === null || vals.length === 0) return null;
      const pos = f * (vals.length - 1);
      const lo = Math.floor(pos);
      const hi = Math.ceil(pos);
      return lo === hi ? vals[lo]! : vals[lo]! + (vals[hi]! - vals[lo]!) * (pos - lo);
    },
  };
}
