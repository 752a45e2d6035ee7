// pg_typeof(any) → the name of its argument's type, as PostgreSQL's regtype output prints it.
import type { Datum } from '../../types/datum.ts';
import { Decimal } from '../../types/decimal.ts';
import { Interval } from '../../types/interval.ts';
import { T, formatTypeName, type SqlType } from '../../types/sql-type.ts';
import type { ScalarFunction } from '../scalar-functions.ts';
import type { TypedEvaluate } from './common.ts';

/** The type a datum most likely has, when the evaluator did not pass argument types. */
function guess(v: Datum): SqlType {
  if (v === null) return T.unknown;
  if (typeof v === 'boolean') return T.bool;
  if (typeof v === 'bigint') return T.int8;
  if (typeof v === 'number') return Number.isInteger(v) ? T.int4 : T.float8;
  if (v instanceof Decimal) return T.numeric();
  if (v instanceof Interval) return T.interval;
  return T.text;
}

const evaluate: TypedEvaluate = ([v], _rt, _ctx, argTypes) => {
  const t = argTypes?.[0] ?? guess(v ?? null);
  // regtype prints the type without modifiers.
  return formatTypeName({ id: t.id });
};

/** pg_typeof(x) → text (regtype in PostgreSQL; the text is the same). */
export const pgTypeof: ScalarFunction = {
  strict: false,
  resolve: (types) => (types.length === 1 ? { args: [types[0]!.id === 'unknown' ? T.unknown : types[0]!], returns: T.text } : undefined),
  evaluate,
};
