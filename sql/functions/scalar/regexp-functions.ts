// The POSIX-regex functions: regexp_replace, regexp_count, regexp_instr, regexp_substr,
// regexp_like, the ~ / ~* operators (regex_match, regex_imatch), substring's regex and SIMILAR
// forms, and similar_to_escape. Positions count characters, as PostgreSQL does.
import { SqlError, SqlState } from '../../../common/errors/index.ts';
import { T } from '../../types/sql-type.ts';
import type { ScalarFunction } from '../scalar-functions.ts';
import { int, resolveBy, sig, str } from './common.ts';
import { expandReplacement, parseFlags, pgRegex, similarToRegex } from './pg-regex.ts';
import { sqlSubstring } from './string-basics.ts';

/** UTF-16 index of character position `cp` (0-based) in s. */
function indexOfChar(s: string, cp: number): number {
  let i = 0;
  for (let k = 0; k < cp && i < s.length; k++) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
  }
  return i;
}

/** Character count of s[0, index). */
function charsBefore(s: string, index: number): number {
  let n = 0;
  for (let i = 0; i < index; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++;
  }
  return n;
}

function checkPositive(v: number, name: string): number {
  if (v <= 0) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `invalid value for parameter "${name}": ${v}`);
  return v;
}

/** All matches of a pattern from UTF-16 index `from`. */
function matchesFrom(s: string, re: RegExp, from: number): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  re.lastIndex = from;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    out.push(m);
    if (m[0] === '') re.lastIndex++;
  }
  return out;
}

/** regexp_replace(s, pattern, replacement [, start [, n]] [, flags]). */
export const regexpReplace: ScalarFunction = {
  resolve: resolveBy([
    sig(['text', 'text', 'text'], T.text), sig(['text', 'text', 'text', 'text'], T.text),
    sig(['text', 'text', 'text', 'int4'], T.text), sig(['text', 'text', 'text', 'int4', 'int4'], T.text),
    sig(['text', 'text', 'text', 'int4', 'int4', 'text'], T.text),
  ]),
  evaluate(args) {
    const s = str(args[0]);
    const hasStart = typeof args[3] === 'number';
    const flagText = hasStart ? (args[5] as string | undefined) ?? '' : (args[3] as string | undefined) ?? '';
    const flags = parseFlags(flagText, true, 'regexp_replace');
    const start = hasStart ? checkPositive(int(args[3]), 'start') : 1;
    // Without n: the 'g' flag decides; with n: 0 = all, else only the n-th match.
    const n = args[4] !== undefined ? int(args[4]) : hasStart ? (flags.global ? 0 : 1) : flags.global ? 0 : 1;
    if (n < 0) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `invalid value for parameter "n": ${n}`);
    const re = pgRegex(str(args[1]), flags, true);
    const from = indexOfChar(s, start - 1);
    const repl = str(args[2]);
    let count = 0;
    let out = s.slice(0, from);
    let last = from;
    for (const m of matchesFrom(s, re, from)) {
      count++;
      if (n !== 0 && count !== n) continue;
      out += s.slice(last, m.index) + expandReplacement(repl, m);
      last = m.index + m[0].length;
      if (n !== 0) break;
    }
    return out + s.slice(last);
  },
};

/** regexp_count(s, pattern [, start [, flags]]) → int. */
export const regexpCount: ScalarFunction = {
  resolve: resolveBy([sig(['text', 'text'], T.int4), sig(['text', 'text', 'int4'], T.int4), sig(['text', 'text', 'int4', 'text'], T.int4)]),
  evaluate([s, p, start, f]) {
    const from = indexOfChar(str(s), checkPositive(start === undefined ? 1 : int(start), 'start') - 1);
    const re = pgRegex(str(p), parseFlags(f === undefined ? '' : str(f), false, 'regexp_count'), true);
    return matchesFrom(str(s), re, from).length;
  },
};

/** The n-th match from `start`, or undefined. */
function nthMatch(s: string, pattern: string, start: number, n: number, flags: string, fn: string): RegExpExecArray | undefined {
  const re = pgRegex(pattern, parseFlags(flags, false, fn), true);
  const from = indexOfChar(s, checkPositive(start, 'start') - 1);
  return matchesFrom(s, re, from)[checkPositive(n, 'n') - 1];
}

/** regexp_instr(s, pattern [, start [, n [, endoption [, flags [, subexpr]]]]]) → int. */
export const regexpInstr: ScalarFunction = {
  resolve: resolveBy([
    sig(['text', 'text'], T.int4), sig(['text', 'text', 'int4'], T.int4), sig(['text', 'text', 'int4', 'int4'], T.int4),
    sig(['text', 'text', 'int4', 'int4', 'int4'], T.int4), sig(['text', 'text', 'int4', 'int4', 'int4', 'text'], T.int4),
    sig(['text', 'text', 'int4', 'int4', 'int4', 'text', 'int4'], T.int4),
  ]),
  evaluate([s, p, start, n, endOption, f, sub]) {
    const eo = endOption === undefined ? 0 : int(endOption);
    if (eo !== 0 && eo !== 1) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `invalid value for parameter "endoption": ${eo}`);
    const flags = f === undefined ? '' : str(f);
    const m = nthMatch(str(s), str(p), start === undefined ? 1 : int(start), n === undefined ? 1 : int(n), flags, 'regexp_instr');
    if (m === undefined) return 0;
    let k = sub === undefined ? 0 : int(sub);
    if (k < 0) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `invalid value for parameter "subexpr": ${k}`);
    if (flags.includes('e') && k === 0 && m.length > 1) k = 1;
    if (k >= m.length) return 0;
    const text = m[k];
    if (text === undefined) return 0;
    const at = k === 0 ? m.index : m.index + m[0].indexOf(text);
    return charsBefore(str(s), at) + 1 + (eo === 1 ? [...text].length : 0);
  },
};

/** regexp_substr(s, pattern [, start [, n [, flags [, subexpr]]]]) → text or NULL ('e' flag: Redshift's first subexpression). */
export const regexpSubstr: ScalarFunction = {
  resolve: resolveBy([
    sig(['text', 'text'], T.text), sig(['text', 'text', 'int4'], T.text), sig(['text', 'text', 'int4', 'int4'], T.text),
    sig(['text', 'text', 'int4', 'int4', 'text'], T.text), sig(['text', 'text', 'int4', 'int4', 'text', 'int4'], T.text),
  ]),
  evaluate([s, p, start, n, f, sub]) {
    const flags = f === undefined ? '' : str(f);
    const m = nthMatch(str(s), str(p), start === undefined ? 1 : int(start), n === undefined ? 1 : int(n), flags, 'regexp_substr');
    if (m === undefined) return null;
    let k = sub === undefined ? 0 : int(sub);
    if (k < 0) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `invalid value for parameter "subexpr": ${k}`);
    if (flags.includes('e') && k === 0 && m.length > 1) k = 1;
    return k < m.length ? m[k] ?? null : null;
  },
};

function matcher(ci: boolean): ScalarFunction {
  return {
    resolve: resolveBy([sig(['text', 'text'], T.bool)]),
    evaluate: ([s, p]) => pgRegex(str(p), parseFlags(ci ? 'i' : '', false, 'regex'), false).test(str(s)),
  };
}

/** s ~ pattern. */
export const regexMatch = matcher(false);
/** s ~* pattern. */
export const regexIMatch = matcher(true);

/** regexp_like(s, pattern [, flags]) → bool. */
export const regexpLike: ScalarFunction = {
  resolve: resolveBy([sig(['text', 'text'], T.bool), sig(['text', 'text', 'text'], T.bool)]),
  evaluate: ([s, p, f]) => pgRegex(str(p), parseFlags(f === undefined ? '' : str(f), false, 'regexp_like'), false).test(str(s)),
};

/** similar_to_escape(pattern [, escape]) → the regex SIMILAR TO matches with (non-strict in escape). */
export const similarToEscape: ScalarFunction = {
  resolve: resolveBy([sig(['text'], T.text), sig(['text', 'text'], T.text)]),
  evaluate: ([p, e]) => similarToRegex(str(p), e === undefined ? null : str(e)),
};

/**
 * substring(s, start [, count]), substring(s, pattern) (regex: the first parenthesized part, else
 * the match) and substring(s, pattern, escape) (SIMILAR: the part between escape-quote markers).
 */
export const substring: ScalarFunction = {
  resolve: resolveBy([
    sig(['text', 'int4'], T.text), sig(['text', 'int4', 'int4'], T.text), sig(['text', 'text'], T.text), sig(['text', 'text', 'text'], T.text),
  ]),
  evaluate([s, a, b]) {
    if (typeof a === 'number') return sqlSubstring(str(s), a, b === undefined ? undefined : int(b));
    if (b === undefined) {
      const m = pgRegex(str(a), parseFlags('', false, 'substring'), false).exec(str(s));
      if (m === null) return null;
      return m.length > 1 ? m[1] ?? null : m[0];
    }
    const esc = str(b);
    const marker = esc + '"';
    const parts = esc === '' ? [str(a)] : str(a).split(marker);
    if (parts.length !== 1 && parts.length !== 3) {
      throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, 'SQL regular expression may not contain more than two escape-double-quote separators');
    }
    const conv = (x: string): string => similarToRegex(x, esc).slice(4, -2);
    const source = parts.length === 1 ? `^(?:${conv(parts[0]!)})$` : `^(?:${conv(parts[0]!)}?)(${conv(parts[1]!)})(?:${conv(parts[2]!)})$`;
    const m = pgRegex(source, parseFlags('', false, 'substring'), false).exec(str(s));
    if (m === null) return null;
    return m.length > 1 ? m[1] ?? null : m[0];
  },
};
