// clock_timestamp() (the time it is called), statement_timestamp() and transaction_timestamp()
// (the statement's start, as now()).
import { T } from '../../types/sql-type.ts';
import type { ScalarFunction } from '../scalar-functions.ts';
import { resolveBy, sig } from './common.ts';

/** clock_timestamp() → timestamptz: changes during the statement. */
export const clockTimestamp: ScalarFunction = {
  resolve: resolveBy([sig([], T.timestamptz)]),
  evaluate: () => BigInt(Date.now()) * 1000n,
};

/** statement_timestamp() / transaction_timestamp() → timestamptz: the statement start. */
export const statementTimestamp: ScalarFunction = {
  resolve: resolveBy([sig([], T.timestamptz)]),
  evaluate: (_a, _t, ctx) => ctx.statementStartMicros,
};
