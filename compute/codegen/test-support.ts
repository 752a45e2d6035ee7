// Small builders shared by the codegen tests: typed expression nodes and a session context.
import type { Expr } from '../../sql/expr/expr.ts';
import type { EvalContext } from '../../sql/functions/scalar-functions.ts';
import type { Datum } from '../../sql/types/datum.ts';
import { Decimal } from '../../sql/types/decimal.ts';
import { T, type SqlType } from '../../sql/types/sql-type.ts';

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
