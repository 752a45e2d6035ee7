// Unit names of extract/date_part/date_trunc as PostgreSQL spells them (its deltatktbl and
// datetktbl), plus the Redshift date parts of dateadd/datediff.

/** A canonical date/time unit. */
export type DateUnit =
  | 'microseconds' | 'milliseconds' | 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month'
  | 'quarter' | 'year' | 'decade' | 'century' | 'millennium' | 'epoch' | 'julian'
  | 'dow' | 'isodow' | 'doy' | 'isoyear' | 'timezone' | 'timezone_hour' | 'timezone_minute';

const PG_UNITS: Record<string, DateUnit> = {
  c: 'century', cent: 'century', centuries: 'century', century: 'century',
  d: 'day', day: 'day', days: 'day',
  dec: 'decade', decade: 'decade', decades: 'decade', decs: 'decade',
  h: 'hour', hour: 'hour', hours: 'hour', hr: 'hour', hrs: 'hour',
  m: 'minute', min: 'minute', mins: 'minute', minute: 'minute', minutes: 'minute',
  microsecon: 'microseconds', us: 'microseconds', usec: 'microseconds', usecs: 'microseconds', useconds: 'microseconds',
  mil: 'millennium', mils: 'millennium', millennia: 'millennium', millennium: 'millennium',
  millisecon: 'milliseconds', ms: 'milliseconds', msec: 'milliseconds', msecs: 'milliseconds', mseconds: 'milliseconds',
  mon: 'month', mons: 'month', month: 'month', months: 'month',
  qtr: 'quarter', quarter: 'quarter',
  s: 'second', sec: 'second', second: 'second', seconds: 'second', secs: 'second',
  timezone: 'timezone', timezone_h: 'timezone_hour', timezone_m: 'timezone_minute',
  w: 'week', week: 'week', weeks: 'week',
  y: 'year', year: 'year', years: 'year', yr: 'year', yrs: 'year',
  epoch: 'epoch', j: 'julian', jd: 'julian', julian: 'julian',
  dow: 'dow', isodow: 'isodow', doy: 'doy', isoyear: 'isoyear',
};

/**
 * PostgreSQL's unit lookup: lower-cased, cut to 10 characters (TOKMAXLEN) like its tables.
 * Undefined for unknown names (callers raise 22023 "unit ... not recognized").
 */
export function pgUnit(name: string): DateUnit | undefined {
  return PG_UNITS[name.toLowerCase().slice(0, 10)];
}

const REDSHIFT_PARTS: Record<string, DateUnit> = {
  millennium: 'millennium', millennia: 'millennium', mil: 'millennium', mils: 'millennium',
  century: 'century', centuries: 'century', c: 'century', cent: 'century', cents: 'century',
  decade: 'decade', decades: 'decade', dec: 'decade', decs: 'decade',
  epoch: 'epoch',
  year: 'year', years: 'year', y: 'year', yr: 'year', yrs: 'year',
  quarter: 'quarter', quarters: 'quarter', qtr: 'quarter', qtrs: 'quarter',
  month: 'month', months: 'month', mon: 'month', mons: 'month',
  week: 'week', weeks: 'week', w: 'week',
  dayofweek: 'dow', dow: 'dow', dw: 'dow', weekday: 'dow',
  dayofyear: 'doy', doy: 'doy', dy: 'doy', yearday: 'doy',
  day: 'day', days: 'day', d: 'day',
  hour: 'hour', hours: 'hour', h: 'hour', hr: 'hour', hrs: 'hour',
  minute: 'minute', minutes: 'minute', m: 'minute', min: 'minute', mins: 'minute',
  second: 'second', seconds: 'second', s: 'second', sec: 'second', secs: 'second',
  millisecond: 'milliseconds', milliseconds: 'milliseconds', ms: 'milliseconds', msec: 'milliseconds',
  msecs: 'milliseconds', msecond: 'milliseconds', mseconds: 'milliseconds', millisec: 'milliseconds',
  millisecs: 'milliseconds', millisecon: 'milliseconds',
  microsecond: 'microseconds', microseconds: 'microseconds', microsec: 'microseconds', microsecs: 'microseconds',
  microsecond_: 'microseconds', usecond: 'microseconds', useconds: 'microseconds', us: 'microseconds',
  usec: 'microseconds', usecs: 'microseconds',
  timezone: 'timezone', timezone_hour: 'timezone_hour', timezone_minute: 'timezone_minute',
};

/** Redshift's date part names and abbreviations (dateadd, datediff, date_part). */
export function redshiftPart(name: string): DateUnit | undefined {
  return REDSHIFT_PARTS[name.toLowerCase().trim()];
}
