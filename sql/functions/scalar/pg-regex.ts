// PostgreSQL regular expressions (ARE) and flags translated to JavaScript RegExp: POSIX classes,
// \m \M \y \Y \A \Z, whole-string ^ $ and '.' matching newlines unless newline-sensitive (n/m).
import { SqlError, SqlState } from '../../../common/errors/index.ts';
import { EXTRA_STATE } from './common.ts';

// Letters: ASCII, Latin-1, Latin Extended, Greek and Cyrillic (the regexes run without the u flag).
const LETTERS = 'A-Za-z\\u00aa\\u00b5\\u00ba\\u00c0-\\u00d6\\u00d8-\\u00f6\\u00f8-\\u02af\\u0370-\\u03ff\\u0400-\\u052f';
const CLASSES: Record<string, string> = {
  alpha: LETTERS, digit: '0-9', alnum: LETTERS + '0-9', upper: 'A-Z\\u00c0-\\u00d6\\u00d8-\\u00de', lower: 'a-z\\u00df-\\u00f6\\u00f8-\\u00ff', space: '\\s',
  punct: '!-\\/:-@\\[-`{-~', xdigit: '0-9A-Fa-f', word: '\\w', blank: ' \\t', cntrl: '\\x00-\\x1f\\x7f', print: '\\x20-\\x7e\\u00a0-\\uffff',
  graph: '\\x21-\\x7e\\u00a1-\\uffff',
};

function translatePattern(p: string, expanded: boolean): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (inClass) {
      if (c === '[' && p[i + 1] === ':') {
        const end = p.indexOf(':]', i + 2);
        const cls = end < 0 ? undefined : CLASSES[p.slice(i + 2, end)];
        if (cls !== undefined) { out += cls; i = end + 1; continue; }
      }
      if (c === ']' && !out.endsWith('[') && !out.endsWith('[^')) inClass = false;
      out += c === '\\' ? c + (p[++i] ?? '') : c;
      continue;
    }
    if (expanded && /\s/.test(c)) continue;
    if (expanded && c === '#') { while (i < p.length && p[i] !== '\n') i++; continue; }
    if (c === '[') {
      inClass = true;
      out += c;
      if (p[i + 1] === '^') { out += '^'; i++; }
      if (p[i + 1] === ']') { out += '\\]'; i++; }
      continue;
    }
    if (c === '\\') {
      const n = p[i + 1];
      i++;
      switch (n) {
        case 'm': out += '\\b(?=\\w)'; break;
        case 'M': out += '\\b(?<=\\w)'; break;
        case 'y': out += '\\b'; break;
        case 'Y': out += '\\B'; break;
        case 'A': out += '(?<![\\s\\S])'; break;
        case 'Z': out += '(?![\\s\\S])'; break;
        case undefined: throw new SqlError(EXTRA_STATE.INVALID_REGULAR_EXPRESSION, 'invalid regular expression: invalid escape \\ sequence');
        default: out += '\\' + n;
      }
      continue;
    }
    out += c;
  }
  return out;
}

/** Parsed flag letters of the regexp functions. */
export interface RegexFlags {
  readonly global: boolean;
  readonly js: string;
  /** Redshift's 'e': return the first parenthesized subexpression. */
  readonly extract: boolean;
}

/** Parses PostgreSQL (and Redshift) flag letters; 22023 for unknown ones. */
export function parseFlags(flags: string, allowGlobal: boolean, fn: string): RegexFlags {
  let ci = false;
  let newline = false;
  let global = false;
  let extract = false;
  let expanded = false;
  for (const f of flags) {
    switch (f) {
      case 'i': ci = true; break;
      case 'c': ci = false; break;
      case 'n': case 'm': newline = true; break;
      case 's': newline = false; break;
      case 'p': case 'w': newline = true; break;
      case 'x': expanded = true; break;
      case 't': expanded = false; break;
      case 'g':
        if (!allowGlobal) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `${fn}() does not support the "global" option`);
        global = true;
        break;
      case 'e': extract = true; break;
      default: throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `invalid regular expression option: "${f}"`);
    }
  }
  return { global, extract, js: (ci ? 'i' : '') + (newline ? 'm' : 's') + (expanded ? 'x' : '') };
}

const cache = new Map<string, RegExp>();

/** The JS RegExp for a PostgreSQL pattern (cached); 2201B when it does not compile. */
export function pgRegex(pattern: string, flags: RegexFlags, global: boolean): RegExp {
  const key = `${flags.js}${global ? 'g' : ''}/${pattern}`;
  let re = cache.get(key);
  if (re !== undefined) {
    re.lastIndex = 0;
    return re;
  }
  const expanded = flags.js.includes('x');
  try {
    re = new RegExp(translatePattern(pattern, expanded), flags.js.replace('x', '') + (global ? 'g' : ''));
  } catch (err) {
    throw new SqlError(EXTRA_STATE.INVALID_REGULAR_EXPRESSION, `invalid regular expression: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (cache.size > 500) cache.clear();
  cache.set(key, re);
  return re;
}

/** A PostgreSQL replacement string for one match: \\1..\\9 are groups, \\& the match, \\\\ a backslash. */
export function expandReplacement(r: string, m: RegExpExecArray): string {
  let out = '';
  for (let i = 0; i < r.length; i++) {
    const c = r[i]!;
    if (c === '\\' && i + 1 < r.length) {
      const n = r[i + 1]!;
      if (n >= '1' && n <= '9') { out += m[Number(n)] ?? ''; i++; continue; }
      if (n === '&') { out += m[0]; i++; continue; }
      if (n === '\\') { out += '\\'; i++; continue; }
    }
    out += c;
  }
  return out;
}

/** The regex PostgreSQL's similar_to_escape builds from a SQL SIMILAR TO pattern. */
export function similarToRegex(pattern: string, escape: string | null): string {
  if (escape !== null && [...escape].length > 1) {
    throw new SqlError(EXTRA_STATE.INVALID_ESCAPE_SEQUENCE, 'invalid escape string', { hint: 'Escape string must be empty or one character.' });
  }
  const esc = escape === null ? '\\' : escape;
  let out = '^(?:';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (esc !== '' && c === esc && i + 1 < pattern.length) {
      const n = pattern[++i]!;
      out += /[A-Za-z0-9]/.test(n) ? n : '\\' + n;
      continue;
    }
    if (inClass) { if (c === ']') inClass = false; out += c; continue; }
    switch (c) {
      case '%': out += '.*'; break;
      case '_': out += '.'; break;
      case '[': inClass = true; out += c; break;
      case '.': case '^': case '$': out += '\\' + c; break;
      default: out += c;
    }
  }
  return out + ')$';
}
