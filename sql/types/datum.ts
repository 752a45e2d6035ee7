// The JS value of one SQL value on the leader (results, parameters, literals), by type.
import { Decimal } from './decimal.ts';
import { Interval } from './interval.ts';

/**
 * One SQL value. Which JS type holds it depends on the SQL type:
 * - bool → boolean
 * - int2, int4, oid → number; int8 → bigint
 * - float4, float8 → number
 * - numeric → Decimal (exact)
 * - char, varchar, text, name, unknown → string
 * - date → number of days since 1970-01-01
 * - timestamp, timestamptz → bigint microseconds since 1970-01-01 00:00 (UTC for timestamptz)
 * - interval → Interval
 * - NULL → null
 */
export type Datum = null | boolean | number | bigint | string | Decimal | Interval;

export { Decimal, Interval };
