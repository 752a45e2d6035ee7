// upper, lower, initcap (PostgreSQL's word rule: letters after a non-alphanumeric start a word),
// btrim/ltrim/rtrim with an optional character set, translate, replace, split_part.
import { SqlError, SqlState } from '../../../common/errors/index.ts';
import { T } from '../../types/sql-type.ts';
import type { ScalarFunction } from '../scalar-functions.ts';
import { chars, int, resolveBy, sig, str } from './common.ts';

const unaryText = (fn: (s: string) => string): ScalarFunction => ({ resolve: resolveBy([sig(['text'], T.text)]), evaluate: ([s]) => fn(str(s)) });

/** upper(s). */
export const upper = unaryText((s) => s.toUpperCase());
/** lower(s). */
export const lower = unaryText((s) => s.toLowerCase());

const ALNUM = /[\p{L}\p{N}]/u;

/** initcap(s): first letter of each alphanumeric run upper-cased, the rest lower-cased. */
export const initcap = unaryText((s) => {
  let out = '';
  let inWord = false;
  for (const c of s) {
    out += inWord ? c.toLowerCase() : c.toUpperCase();
    inWord = ALNUM.test(c);
  }
  return out;
});

function trim(leftSide: boolean, rightSide: boolean): ScalarFunction {
  return {
    resolve: resolveBy([sig(['text'], T.text), sig(['text', 'text'], T.text)]),
    evaluate([s, set]) {
      const cs = chars(str(s));
      const drop = new Set(chars(set === undefined ? ' ' : str(set)));
      let a = 0;
      let b = cs.length;
      if (leftSide) while (a < b && drop.has(cs[a]!)) a++;
      if (rightSide) while (b > a && drop.has(cs[b - 1]!)) b--;
      return cs.slice(a, b).join('');
    },
  };
}

/** btrim(s [, characters]) (also trim(both ... from s)). */
export const btrim = trim(true, true);
/** ltrim(s [, characters]). */
export const ltrim = trim(true, false);
/** rtrim(s [, characters]). */
export const rtrim = trim(false, true);

/** translate(s, from, to): each character of `from` becomes the one at the same place in `to`, or is deleted. */
export const translate: ScalarFunction = {
  resolve: resolveBy([sig(['text', 'text', 'text'], T.text)]),
  evaluate([s, from, to]) {
    const f = chars(str(from));
    const t = chars(str(to));
    const map = new Map<string, string>();
    for (let i = 0; i < f.length; i++) if (!map.has(f[i]!)) map.set(f[i]!, t[i] ?? '');
    let out = '';
    for (const c of str(s)) out += map.get(c) ?? c;
    return out;
  },
};

/** replace(s, from, to): every occurrence; an empty `from` changes nothing. */
export const replace: ScalarFunction = {
  resolve: resolveBy([sig(['text', 'text', 'text'], T.text)]),
  evaluate: ([s, f, r]) => (str(f) === '' ? str(s) : str(s).split(str(f)).join(str(r))),
};

/** split_part(s, delimiter, n): field n (1-based; negative counts from the end, PostgreSQL 14+). */
export const splitPart: ScalarFunction = {
  resolve: resolveBy([sig(['text', 'text', 'int4'], T.text)]),
  evaluate([s, d, n]) {
    const k = int(n);
    if (k === 0) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, 'field position must not be zero');
    const parts = str(s) === '' ? [] : str(d) === '' ? [str(s)] : str(s).split(str(d));
    const idx = k > 0 ? k - 1 : parts.length + k;
    return parts[idx] ?? '';
  },
};
