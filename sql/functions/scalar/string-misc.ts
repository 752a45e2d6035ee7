// concat, concat_ws, ascii, chr, md5, Redshift's sha2, to_hex, quote_ident, quote_literal,
// quote_nullable and format(%s %I %L).
import { createHash } from 'node:crypto';
import { SqlError, SqlState } from '../../../common/errors/index.ts';
import type { Datum } from '../../types/datum.ts';
import { T } from '../../types/sql-type.ts';
import type { ScalarFunction } from '../scalar-functions.ts';
import { int, resolveBy, sig, str } from './common.ts';

/** concat(any...): NULLs are skipped. Arguments are cast to text by the binder. */
export const concat: ScalarFunction = {
  strict: false,
  resolve: (types) => (types.length === 0 ? undefined : { args: types.map(() => T.text), returns: T.text }),
  evaluate: (args) => args.map((a) => (a === null ? '' : str(a))).join(''),
};

/** concat_ws(separator, any...): NULL separator gives NULL; NULL values are skipped. */
export const concatWs: ScalarFunction = {
  strict: false,
  resolve: (types) => (types.length < 2 ? undefined : { args: types.map(() => T.text), returns: T.text }),
  evaluate([sep, ...rest]) {
    if (sep === null) return null;
    return rest.filter((a) => a !== null).map((a) => str(a)).join(str(sep));
  },
};

/** ascii(s): code point of the first character, 0 for ''. */
export const ascii: ScalarFunction = {
  resolve: resolveBy([sig(['text'], T.int4)]),
  evaluate: ([s]) => str(s).codePointAt(0) ?? 0,
};

/** chr(code) → one character; 0 and out-of-range codes raise 54000 as in PostgreSQL. */
export const chr: ScalarFunction = {
  resolve: resolveBy([sig(['int4'], T.text)]),
  evaluate([c]) {
    const n = int(c);
    if (n === 0) throw new SqlError(SqlState.PROGRAM_LIMIT_EXCEEDED, 'null character not permitted');
    if (n < 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) {
      throw new SqlError(SqlState.PROGRAM_LIMIT_EXCEEDED, `requested character too large for encoding: ${n}`);
    }
    return String.fromCodePoint(n);
  },
};

/** md5(s) → hex digest of its UTF-8 bytes. */
/**
 * like_escape(pattern, escape): the pattern rewritten for LIKE's default escape (backslash), which is
 * how `x LIKE p ESCAPE e` binds (as in PostgreSQL). An empty escape makes backslashes literal; any
 * other escape must be one character (22025).
 */
export const likeEscape: ScalarFunction = {
  resolve: resolveBy([sig(['text', 'text'], T.text)]),
  evaluate([p, e]) {
    const pattern = str(p);
    const esc = [...str(e)];
    if (esc.length === 0) return pattern.replaceAll('\\', '\\\\');
    if (esc.length !== 1) throw new SqlError(SqlState.INVALID_ESCAPE_SEQUENCE, 'invalid escape string', { hint: 'Escape string must be empty or one character.' });
    const escape = esc[0]!;
    if (escape === '\\') return pattern;
    let out = '';
    let afterEscape = false;
    for (const c of pattern) {
      if (c === escape && !afterEscape) { out += '\\'; afterEscape = true; }
      else if (c === '\\') { out += afterEscape ? '\\' : '\\\\'; afterEscape = false; }
      else { out += c; afterEscape = false; }
    }
    return out;
  },
};

export const md5: ScalarFunction = {
  resolve: resolveBy([sig(['text'], T.text)]),
  evaluate: ([s]) => createHash('md5').update(str(s), 'utf8').digest('hex'),
};

/** sha2(s, bits) (Redshift): hex SHA-224/256/384/512; 0 means 256. */
export const sha2: ScalarFunction = {
  resolve: resolveBy([sig(['text', 'int4'], T.text)]),
  evaluate([s, b]) {
    const bits = int(b) === 0 ? 256 : int(b);
    if (![224, 256, 384, 512].includes(bits)) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `sha2: invalid bit length ${bits}`);
    return createHash(`sha${bits}`).update(str(s), 'utf8').digest('hex');
  },
};

/** to_hex(int4 | int8): negative int4 values print as their 32-bit two's complement. */
export const toHex: ScalarFunction = {
  resolve: resolveBy([sig(['int4'], T.text), sig(['int8'], T.text)]),
  evaluate([v]) {
    if (typeof v === 'bigint') return (v < 0n ? v + (1n << 64n) : v).toString(16);
    const n = v as number;
    return (n < 0 ? n + 2 ** 32 : n).toString(16);
  },
};

const RESERVED = new Set(['all', 'analyse', 'analyze', 'and', 'any', 'array', 'as', 'asc', 'asymmetric', 'both', 'case', 'cast',
  'check', 'collate', 'column', 'constraint', 'create', 'current_catalog', 'current_date', 'current_role', 'current_time',
  'current_timestamp', 'current_user', 'default', 'deferrable', 'desc', 'distinct', 'do', 'else', 'end', 'except', 'false',
  'fetch', 'for', 'foreign', 'from', 'grant', 'group', 'having', 'in', 'initially', 'intersect', 'into', 'lateral', 'leading',
  'limit', 'localtime', 'localtimestamp', 'not', 'null', 'offset', 'on', 'only', 'or', 'order', 'placing', 'primary',
  'references', 'returning', 'select', 'session_user', 'some', 'symmetric', 'system_user', 'table', 'then', 'to', 'trailing', 'true',
  'union', 'unique', 'user', 'using', 'variadic', 'when', 'where', 'window', 'with', 'authorization', 'binary', 'collation',
  'concurrently', 'cross', 'current_schema', 'freeze', 'full', 'ilike', 'inner', 'is', 'isnull', 'join', 'left', 'like',
  'natural', 'notnull', 'outer', 'overlaps', 'right', 'similar', 'tablesample', 'verbose']);

/** quote_ident's rule: quotes unless all lower-case letters, digits, _ (not leading digit) and not reserved. */
export function quoteIdent(s: string): string {
  if (/^[a-z_][a-z0-9_$]*$/.test(s) && !RESERVED.has(s)) return s;
  return `"${s.replaceAll('"', '""')}"`;
}

/** quote_literal's rule: doubles quotes, and uses E'' with doubled backslashes when there are backslashes. */
export function quoteLiteral(s: string): string {
  const body = s.replaceAll("'", "''");
  return s.includes('\\') ? `E'${body.replaceAll('\\', '\\\\')}'` : `'${body}'`;
}

/** quote_ident(s). */
export const quoteIdentFn: ScalarFunction = { resolve: resolveBy([sig(['text'], T.text)]), evaluate: ([s]) => quoteIdent(str(s)) };
/** quote_literal(s): NULL in, NULL out. */
export const quoteLiteralFn: ScalarFunction = {
  resolve: (types) => (types.length === 1 ? { args: [T.text], returns: T.text } : undefined),
  evaluate: ([s]) => quoteLiteral(str(s)),
};
/** quote_nullable(s): 'NULL' for NULL. */
export const quoteNullable: ScalarFunction = {
  strict: false,
  resolve: (types) => (types.length === 1 ? { args: [T.text], returns: T.text } : undefined),
  evaluate: ([s]) => (s === null ? 'NULL' : quoteLiteral(str(s))),
};

/** format(fmt, args...): %s, %I, %L, %% with optional n$ positions and width (- for left). */
export const format: ScalarFunction = {
  strict: false,
  resolve: (types) => (types.length >= 1 && types[0]!.id !== 'bool' ? { args: types.map(() => T.text), returns: T.text } : undefined),
  evaluate([f, ...args]) {
    if (f === null) return null;
    const fmt = str(f);
    let out = '';
    let next = 0;
    for (let i = 0; i < fmt.length; i++) {
      const c = fmt[i]!;
      if (c !== '%') { out += c; continue; }
      const m = /^(?:(\d+)\$)?(-)?(\d+)?([sIL%])/.exec(fmt.slice(i + 1));
      if (m === null) {
        if (i + 1 >= fmt.length) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, 'unterminated format() type specifier', { hint: 'For a single "%" use "%%".' });
        throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `unrecognized format() type specifier "${fmt[i + 1]}"`, { hint: 'For a single "%" use "%%".' });
      }
      i += m[0].length;
      if (m[4] === '%') { out += '%'; continue; }
      const idx = m[1] !== undefined ? Number(m[1]) - 1 : next;
      next = idx + 1;
      if (idx < 0 || idx >= args.length) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, 'too few arguments for format()');
      const v: Datum = args[idx] ?? null;
      let text: string;
      if (m[4] === 's') text = v === null ? '' : str(v);
      else if (m[4] === 'I') {
        if (v === null) throw new SqlError(SqlState.NULL_VALUE_NOT_ALLOWED, 'null values cannot be formatted as an SQL identifier');
        text = quoteIdent(str(v));
      } else text = v === null ? 'NULL' : quoteLiteral(str(v));
      const width = m[3] !== undefined ? Number(m[3]) : 0;
      out += m[2] === '-' ? text.padEnd(width, ' ') : text.padStart(width, ' ');
    }
    return out;
  },
};
