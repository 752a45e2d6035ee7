// make_date(y, m, d) and make_timestamp(y, m, d, h, mi, s): dates and timestamps from fields,
// negative years meaning BC, with PostgreSQL's 22008 range errors.
import { SqlError, SqlState } from '../../../common/errors/index.ts';
import { daysFromCivil } from '../../types/datetime.ts';
import { T } from '../../types/sql-type.ts';
import type { ScalarFunction } from '../scalar-functions.ts';
import { US_PER_DAY, checkTimestamp, daysInMonth, int, num, resolveBy, sig } from './common.ts';

/** Day number of y-m-d where a negative y is that year BC; 22008 when a field is out of range. */
export function dateFromFields(y: number, m: number, d: number): number {
  const astro = y < 0 ? y + 1 : y;
  if (y === 0 || m < 1 || m > 12 || d < 1 || d > daysInMonth(astro, m)) {
    throw new SqlError(SqlState.DATETIME_FIELD_OVERFLOW, `date field value out of range: ${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
  }
  return daysFromCivil(astro, m, d);
}

/** make_date(year int, month int, day int) → date. */
export const makeDate: ScalarFunction = {
  resolve: resolveBy([sig(['int4', 'int4', 'int4'], T.date)]),
  evaluate: ([y, m, d]) => dateFromFields(int(y), int(m), int(d)),
};

/** make_timestamp(year, month, day, hour, min int, sec double precision) → timestamp. */
export const makeTimestamp: ScalarFunction = {
  resolve: resolveBy([sig(['int4', 'int4', 'int4', 'int4', 'int4', 'float8'], T.timestamp)]),
  evaluate([y, m, d, h, mi, s]) {
    const days = dateFromFields(int(y), int(m), int(d));
    const sec = num(s);
    const us = Math.round(sec * 1e6);
    if (int(h) < 0 || int(h) > 24 || int(mi) < 0 || int(mi) > 59 || sec < 0 || sec > 60 || Number.isNaN(sec)
      || (int(h) === 24 && (int(mi) > 0 || sec > 0))) {
      throw new SqlError(SqlState.DATETIME_FIELD_OVERFLOW, `time field value out of range: ${int(h)}:${String(int(mi)).padStart(2, '0')}:${String(sec).padStart(2, '0')}`);
    }
    return checkTimestamp(BigInt(days) * US_PER_DAY + BigInt(int(h)) * 3_600_000_000n + BigInt(int(mi)) * 60_000_000n + BigInt(us));
  },
};
