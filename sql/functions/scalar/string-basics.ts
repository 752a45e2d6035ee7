// Character-counting string functions: length family, strpos, substring(from/for), overlay,
// left/right, reverse, repeat, lpad/rpad, starts_with (PostgreSQL counts characters, not bytes).
import { SqlError, SqlState } from '../../../common/errors/index.ts';
import { T } from '../../types/sql-type.ts';
import type { ScalarFunction } from '../scalar-functions.ts';
import { EXTRA_STATE, chars, int, resolveBy, sig, str } from './common.ts';

const charCount = (s: string): number => {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++;
  }
  return n;
};

/** length(text) / char_length(text) → int4 characters. */
export const length: ScalarFunction = { resolve: resolveBy([sig(['text'], T.int4)]), evaluate: ([s]) => charCount(str(s)) };
/** octet_length(text) → bytes in UTF-8. */
export const octetLength: ScalarFunction = { resolve: resolveBy([sig(['text'], T.int4)]), evaluate: ([s]) => Buffer.byteLength(str(s)) };
/** bit_length(text) → 8 × bytes. */
export const bitLength: ScalarFunction = { resolve: resolveBy([sig(['text'], T.int4)]), evaluate: ([s]) => 8 * Buffer.byteLength(str(s)) };

/** strpos(string, substring) → 1-based character position, 0 when absent (also position(sub in s)). */
export const strpos: ScalarFunction = {
  resolve: resolveBy([sig(['text', 'text'], T.int4)]),
  evaluate([s, sub]) {
    const idx = str(s).indexOf(str(sub));
    return idx < 0 ? 0 : charCount(str(s).slice(0, idx)) + 1;
  },
};

/** Characters [start, start + count) of s with SQL's 1-based, clamp-at-edges rules; count undefined = to the end. */
export function sqlSubstring(s: string, start: number, count?: number): string {
  const cs = chars(s);
  if (count === undefined) return cs.slice(Math.max(start - 1, 0)).join('');
  if (count < 0) throw new SqlError(EXTRA_STATE.SUBSTRING_ERROR, 'negative substring length not allowed');
  const end = start - 1 + count;
  return cs.slice(Math.max(start - 1, 0), Math.max(end, 0)).join('');
}

/** overlay(s placing r from start [for count]). */
export const overlay: ScalarFunction = {
  resolve: resolveBy([sig(['text', 'text', 'int4', 'int4'], T.text), sig(['text', 'text', 'int4'], T.text)]),
  evaluate([s, r, start, count]) {
    const n = count === undefined ? charCount(str(r)) : int(count);
    if (n < 0) throw new SqlError(EXTRA_STATE.SUBSTRING_ERROR, 'negative substring length not allowed');
    return sqlSubstring(str(s), 1, Math.max(int(start) - 1, 0)) + str(r) + sqlSubstring(str(s), int(start) + n);
  },
};

/** left(s, n): first n characters; negative n drops the last |n|. */
export const left: ScalarFunction = {
  resolve: resolveBy([sig(['text', 'int4'], T.text)]),
  evaluate([s, n]) {
    const cs = chars(str(s));
    const k = int(n);
    return (k >= 0 ? cs.slice(0, k) : cs.slice(0, Math.max(cs.length + k, 0))).join('');
  },
};

/** right(s, n): last n characters; negative n drops the first |n|. */
export const right: ScalarFunction = {
  resolve: resolveBy([sig(['text', 'int4'], T.text)]),
  evaluate([s, n]) {
    const cs = chars(str(s));
    const k = int(n);
    return (k >= 0 ? cs.slice(Math.max(cs.length - k, 0)) : cs.slice(Math.min(-k, cs.length))).join('');
  },
};

/** reverse(s). */
export const reverse: ScalarFunction = { resolve: resolveBy([sig(['text'], T.text)]), evaluate: ([s]) => chars(str(s)).reverse().join('') };

/** repeat(s, n): '' for n ≤ 0. */
export const repeat: ScalarFunction = {
  resolve: resolveBy([sig(['text', 'int4'], T.text)]),
  evaluate([s, n]) {
    const k = int(n);
    if (k <= 0) return '';
    if (str(s).length * k > 256 * 1024 * 1024) throw new SqlError(SqlState.PROGRAM_LIMIT_EXCEEDED, 'requested length too large');
    return str(s).repeat(k);
  },
};

function pad(leftSide: boolean): ScalarFunction {
  return {
    resolve: resolveBy([sig(['text', 'int4', 'text'], T.text), sig(['text', 'int4'], T.text)]),
    evaluate([s, n, f]) {
      const len = int(n);
      const fill = f === undefined ? ' ' : str(f);
      const cs = chars(str(s));
      if (len <= 0) return '';
      if (cs.length >= len || fill === '') return cs.slice(0, len).join('');
      const fc = chars(fill);
      const need = len - cs.length;
      let padding = '';
      for (let i = 0; i < need; i++) padding += fc[i % fc.length]!;
      return leftSide ? padding + cs.join('') : cs.join('') + padding;
    },
  };
}

/** lpad(s, n [, fill]): pads on the left, or truncates to n characters. */
export const lpad = pad(true);
/** rpad(s, n [, fill]): pads on the right, or truncates to n characters. */
export const rpad = pad(false);

/** starts_with(s, prefix) → bool. */
export const startsWith: ScalarFunction = {
  resolve: resolveBy([sig(['text', 'text'], T.bool)]),
  evaluate: ([s, p]) => str(s).startsWith(str(p)),
};
