// Small builders shared by the codegen tests: typed expression nodes and a session context.
import type { Expr } from '../../sql/expr/expr.ts';
import type { EvalContext } from '../../sql/functions/scalar-functions.ts';
import type { Datum } from '../../sql/types/datum.ts';
import { Decimal } from '../../sql/types/decimal.ts';
import { T, type SqlType } from '../../sql/types/sql-type.ts';
import type { Batch } from '../batch/batch.ts';
import type { Vector } from '../batch/vector.ts';
import { DictionaryStringVector } from '../../storage/vector-ops.ts';

/** A session for tests. */
export const TEST_CTX: EvalContext = {
  user: 'alice', database: 'db', serverVersion: '16.0', statementStartMicros: 1_700_000_000_000_000n, timeZoneOffsetSeconds: 0,
};

/** Column `index` of `types`. */
export const colOf = (types: readonly SqlType[], index: number): Expr => ({ kind: 'Column', index, type: types[index]! });
/** A constant. */
export const lit = (value: Datum, type: SqlType): Expr => ({ kind: 'Const', value, type });
/** A numeric constant as the binder makes it from a literal like 0.05. */
export const num = (text: string): Expr => ({ kind: 'Const', value: Decimal.parse(text)!, type: T.numeric() });
/** A call node (result type given). */
export const fn = (name: string, args: Expr[], type: SqlType = T.bool): Expr => ({ kind: 'Call', fn: name, args, type });
/** A cast node. */
export const cast = (arg: Expr, type: SqlType): Expr => ({ kind: 'Cast', arg, type });
/** Decimal from text. */
export const d = (text: string): Decimal => Decimal.parse(text)!;

/**
 * `b` with every string column re-expressed as codes into its distinct values (as a scan of a
 * dictionary-encoded block delivers it): entries in byte order, NULL rows coded 0.
 */
export function withDictionaryStrings(b: Batch): Batch {
  const columns = b.columns.map((v): Vector => {
    if (v.kind !== 'string' || v.length === 0) return v;
    const values = Array.from({ length: v.length }, (_, i) => v.bytes.subarray(v.offsets[i]!, v.offsets[i + 1]!));
    const key = (x: Uint8Array): string => Buffer.from(x).toString('latin1');
    const distinct = [...new Map(values.filter((_, i) => v.nulls?.[i] !== 1).map((x) => [key(x), x])).values()]
      .sort((x, y) => Buffer.compare(x, y));
    if (distinct.length === 0) distinct.push(new Uint8Array(0));
    const offsets = new Int32Array(distinct.length + 1);
    distinct.forEach((x, j) => { offsets[j + 1] = offsets[j]! + x.length; });
    const bytes = new Uint8Array(offsets[distinct.length]!);
    distinct.forEach((x, j) => bytes.set(x, offsets[j]!));
    const codeOf = new Map(distinct.map((x, j) => [key(x), j]));
    const codes = Int32Array.from(values, (x, i) => (v.nulls?.[i] === 1 ? 0 : codeOf.get(key(x))!));
    return new DictionaryStringVector(v.length, v.nulls, { codes, entries: { kind: 'string', length: distinct.length, nulls: null, offsets, bytes } });
  });
  return { ...b, columns };
}
