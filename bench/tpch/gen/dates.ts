// TPC-H date constants (clause 4.2.2.12) as days since 1970-01-01, and preformatted 'YYYY-MM-DD' bytes.

/** Days since 1970-01-01 of a calendar date. */
export function epochDay(year: number, month: number, day: number): number {
  return Math.round(Date.UTC(year, month - 1, day) / 86_400_000);
}

/** STARTDATE: 1992-01-01. */
export const START_DATE = epochDay(1992, 1, 1);
/** CURRENTDATE: 1995-06-17 (returnflag and linestatus are relative to it). */
export const CURRENT_DATE = epochDay(1995, 6, 17);
/** ENDDATE: 1998-12-31. */
export const END_DATE = epochDay(1998, 12, 31);
/** Last order date: ENDDATE - 151 days. */
export const LAST_ORDER_DATE = END_DATE - 151;

/** First day covered by the formatted table (room for refresh data and query parameters). */
const TABLE_FIRST = epochDay(1990, 1, 1);
const TABLE_LAST = epochDay(2000, 12, 31);

/** 'YYYY-MM-DD' of an epoch day. */
export function formatDate(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/** All dates 1990..2000 formatted back to back, 10 bytes each. */
const DATE_BYTES: Buffer = (() => {
  const count = TABLE_LAST - TABLE_FIRST + 1;
  const buf = Buffer.allocUnsafe(count * 10);
  for (let dayIdx = 0; dayIdx < count; dayIdx++) buf.write(formatDate(TABLE_FIRST + dayIdx), dayIdx * 10, 'latin1');
  return buf;
})();

/** The preformatted bytes and the offset of `day` in them (10 bytes at that offset). */
export function dateBytesOffset(day: number): number {
  if (day < TABLE_FIRST || day > TABLE_LAST) throw new RangeError(`date ${day} outside the TPC-H date table`);
  return (day - TABLE_FIRST) * 10;
}

/** The shared buffer {@link dateBytesOffset} points into. */
export function dateBytes(): Buffer {
  return DATE_BYTES;
}
