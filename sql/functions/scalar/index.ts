// The scalar function library: one file per function (or family), registered here by SQL name.
// Core operators (+, =, LIKE, ...) and the first functions live in ../scalar-functions.ts; an entry
// here with the same name replaces that one.
import type { ScalarFunction } from '../scalar-functions.ts';
import { age } from './age.ts';
import { clockTimestamp, statementTimestamp } from './clock-timestamp.ts';
import { atTimeZone, convertTimezone } from './convert-timezone.ts';
import { dateTrunc } from './date-trunc.ts';
import { datePart, extract } from './extract.ts';
import { justifyDays, justifyHours, justifyInterval } from './justify.ts';
import { makeDate, makeTimestamp } from './make-date.ts';
import { dateadd, datediff } from './redshift-dateadd.ts';
import { addMonthsFn, lastDay, monthsBetween } from './redshift-months.ts';
import { decode, greatest, least, nvl, nvl2 } from './conditional.ts';
import * as F from './math-float.ts';
import { div, factorial, gcd, lcm, mod, widthBucket } from './math-integer.ts';
import { abs, ceil, floor, minScale, round, scale, sign, trimScale, trunc } from './math-rounding.ts';
import { exp, ln, log, log10, power, sqrt } from './numeric-transcendental.ts';
import { pgTypeof } from './pg-typeof.ts';
import {
  regexIMatch, regexMatch, regexpCount, regexpInstr, regexpLike, regexpReplace, regexpSubstr, similarToEscape, substring,
} from './regexp-functions.ts';
import {
  bitLength, left, length, lpad, octetLength, overlay, repeat, reverse, right, rpad, startsWith, strpos,
} from './string-basics.ts';
import { btrim, initcap, lower, ltrim, replace, rtrim, splitPart, translate, upper } from './string-case-trim.ts';
import {
  ascii, chr, concat, concatWs, format, likeEscape, md5, quoteIdentFn, quoteLiteralFn, quoteNullable, sha2, toHex,
} from './string-misc.ts';
import { toChar } from './to-char.ts';
import { toDate, toTimestamp } from './to-timestamp.ts';

/** Library functions by lower-case SQL name. */
export const SCALAR_LIBRARY: Record<string, ScalarFunction> = {
  // Dates and times (PostgreSQL).
  extract,
  date_part: datePart,
  date_trunc: dateTrunc,
  to_char: toChar,
  to_date: toDate,
  to_timestamp: toTimestamp,
  make_date: makeDate,
  make_timestamp: makeTimestamp,
  age,
  justify_days: justifyDays,
  justify_hours: justifyHours,
  justify_interval: justifyInterval,
  clock_timestamp: clockTimestamp,
  statement_timestamp: statementTimestamp,
  transaction_timestamp: statementTimestamp,
  // Dates and times (Redshift).
  dateadd,
  date_add: dateadd,
  datediff,
  add_months: addMonthsFn,
  last_day: lastDay,
  months_between: monthsBetween,
  convert_timezone: convertTimezone,
  timezone: atTimeZone,
  // Strings.
  length,
  char_length: length,
  character_length: length,
  octet_length: octetLength,
  bit_length: bitLength,
  strpos,
  position: strpos,
  substring,
  substr: substring,
  overlay,
  left,
  right,
  reverse,
  repeat,
  lpad,
  rpad,
  starts_with: startsWith,
  upper,
  lower,
  initcap,
  btrim,
  ltrim,
  rtrim,
  translate,
  replace,
  split_part: splitPart,
  concat,
  concat_ws: concatWs,
  ascii,
  chr,
  like_escape: likeEscape,
  md5,
  sha2,
  to_hex: toHex,
  quote_ident: quoteIdentFn,
  quote_literal: quoteLiteralFn,
  quote_nullable: quoteNullable,
  format,
  regexp_replace: regexpReplace,
  regexp_count: regexpCount,
  regexp_instr: regexpInstr,
  regexp_substr: regexpSubstr,
  regexp_like: regexpLike,
  // The ~ and ~* operators (!~ and !~* are their negations); the binder maps the symbols here.
  regex_match: regexMatch,
  regex_imatch: regexIMatch,
  similar_to_escape: similarToEscape,
  // Conditional (GREATEST/LEAST arrive as MinMaxExpr; nvl, nvl2 and decode are Redshift's).
  greatest,
  least,
  nvl,
  nvl2,
  decode,
  // Math.
  abs,
  sign,
  ceil,
  ceiling: ceil,
  floor,
  round,
  trunc,
  scale,
  min_scale: minScale,
  trim_scale: trimScale,
  mod,
  div,
  gcd,
  lcm,
  factorial,
  width_bucket: widthBucket,
  sqrt,
  cbrt: F.cbrt,
  exp,
  ln,
  log,
  log10,
  power,
  pow: power,
  pi: F.pi,
  degrees: F.degrees,
  radians: F.radians,
  sin: F.sin,
  cos: F.cos,
  tan: F.tan,
  cot: F.cot,
  asin: F.asin,
  acos: F.acos,
  atan: F.atan,
  atan2: F.atan2,
  sind: F.sindFn,
  cosd: F.cosdFn,
  tand: F.tandFn,
  asind: F.asindFn,
  acosd: F.acosdFn,
  atand: F.atandFn,
  atan2d: F.atan2d,
  sinh: F.sinh,
  cosh: F.cosh,
  tanh: F.tanh,
  random: F.random,
  // Introspection.
  pg_typeof: pgTypeof,
};
