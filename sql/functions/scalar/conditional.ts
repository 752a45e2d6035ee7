// greatest/least (PostgreSQL: NULLs ignored) and Redshift's nvl, nvl2 and decode.
import { compareDatums } from '../../expr/compare.ts';
import type { Datum } from '../../types/datum.ts';
import type { SqlType } from '../../types/sql-type.ts';
import type { Resolved, ScalarFunction } from '../scalar-functions.ts';
import { commonType } from './common-type.ts';

function same(types: readonly SqlType[]): Resolved | undefined {
  const t = commonType(types);
  return t === undefined ? undefined : { args: types.map(() => t), returns: t };
}

function extreme(sign: 1 | -1): ScalarFunction {
  return {
    strict: false,
    resolve: (types) => (types.length === 0 ? undefined : same(types)),
    evaluate(args) {
      let best: Datum = null;
      for (const a of args) if (a !== null && (best === null || sign * compareDatums(a, best) > 0)) best = a;
      return best;
    },
  };
}

/** greatest(v, ...): the largest non-NULL value. */
export const greatest = extreme(1);
/** least(v, ...): the smallest non-NULL value. */
export const least = extreme(-1);

/** nvl(a, b, ...) (Redshift): the first non-NULL argument, like coalesce. */
export const nvl: ScalarFunction = {
  strict: false,
  resolve: (types) => (types.length < 2 ? undefined : same(types)),
  evaluate: (args) => args.find((a) => a !== null) ?? null,
};

/** nvl2(x, ifNotNull, ifNull) (Redshift). */
export const nvl2: ScalarFunction = {
  strict: false,
  resolve(types) {
    if (types.length !== 3) return undefined;
    const t = commonType([types[1]!, types[2]!]);
    return t === undefined ? undefined : { args: [types[0]!.id === 'unknown' ? { id: 'text' } : types[0]!, t, t], returns: t };
  },
  evaluate: ([x, a, b]) => (x !== null ? a! : b!),
};

/**
 * decode(expr, search1, result1, ..., [default]) (Redshift): the result of the first search equal
 * to expr (NULL matches NULL), else default or NULL.
 */
export const decode: ScalarFunction = {
  strict: false,
  resolve(types) {
    if (types.length < 3) return undefined;
    const searches = [types[0]!];
    const results: SqlType[] = [];
    for (let i = 1; i + 1 < types.length; i += 2) { searches.push(types[i]!); results.push(types[i + 1]!); }
    if (types.length % 2 === 0) results.push(types[types.length - 1]!);
    const st = commonType(searches);
    const rt = commonType(results);
    if (st === undefined || rt === undefined) return undefined;
    const args = types.map((_, i) => (i === 0 || (i % 2 === 1 && i + 1 < types.length) ? st : rt));
    return { args, returns: rt };
  },
  evaluate(args) {
    const x = args[0] ?? null;
    let i = 1;
    for (; i + 1 < args.length; i += 2) {
      const s = args[i] ?? null;
      if ((x === null && s === null) || (x !== null && s !== null && compareDatums(x, s) === 0)) return args[i + 1] ?? null;
    }
    return i < args.length ? args[i] ?? null : null;
  },
};
