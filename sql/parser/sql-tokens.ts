// PostgreSQL's own lexer (libpg-query scanSync) cut into statements: what Redshift-syntax extraction reads.
import { scanSync } from 'libpg-query';
import type { SourceMap } from './source-map.ts';

/** One significant token (comments are dropped). Offsets are code points into the input. */
export interface SqlToken {
  /**
   * 'word': an unquoted identifier or keyword; 'quoted': a "double-quoted" identifier;
   * 'punct': one of ( ) , ; . ; 'other': anything else (literals, operators, parameters, ...).
   */
  readonly kind: 'word' | 'quoted' | 'punct' | 'other';
  /** The token exactly as written. */
  readonly text: string;
  /** word: lower-cased text; quoted: the identifier (quotes removed, "" unescaped); else the text. */
  readonly value: string;
  /** 0-based code point offset of the first character. */
  readonly cp: number;
  /** 0-based code point offset just past the last character. */
  readonly cpEnd: number;
}

/** The tokens of one statement and the `;` ending it (absent for the last statement). */
export interface TokenSegment {
  readonly tokens: readonly SqlToken[];
  readonly terminator?: SqlToken;
}

const PUNCT = new Set(['(', ')', ',', ';', '.']);

/**
 * Scans `sql` with PostgreSQL's lexer and splits the tokens at `;`. Returns null when the lexer
 * fails (e.g. an unterminated string): the parser then reports that error with its position.
 * Empty statements (`;;`) produce no segment.
 */
export function scanSegments(sql: string, map: SourceMap): TokenSegment[] | null {
  let raw;
  try {
    raw = scanSync(sql).tokens;
  } catch {
    return null;
  }
  const segments: TokenSegment[] = [];
  let current: SqlToken[] = [];
  for (const t of raw) {
    if (t.tokenName === 'SQL_COMMENT' || t.tokenName === 'C_COMMENT') continue;
    const tok = toToken(t.text, t.tokenName, t.keywordKind, map.byteToCp(t.start), map.byteToCp(t.end));
    if (tok.kind === 'punct' && tok.value === ';') {
      if (current.length > 0) segments.push({ tokens: current, terminator: tok });
      current = [];
    } else {
      current.push(tok);
    }
  }
  if (current.length > 0) segments.push({ tokens: current });
  return segments;
}

function toToken(text: string, tokenName: string, keywordKind: number, cp: number, cpEnd: number): SqlToken {
  if (tokenName === 'IDENT') {
    if (text.startsWith('"')) return { kind: 'quoted', text, value: text.slice(1, -1).replaceAll('""', '"'), cp, cpEnd };
    return { kind: 'word', text, value: foldIdentifier(text), cp, cpEnd };
  }
  if (keywordKind !== 0) return { kind: 'word', text, value: foldIdentifier(text), cp, cpEnd };
  if (text.length === 1 && PUNCT.has(text)) return { kind: 'punct', text, value: text, cp, cpEnd };
  return { kind: 'other', text, value: text, cp, cpEnd };
}

/** Case-folds an unquoted identifier the way PostgreSQL does: ASCII A-Z only. */
export function foldIdentifier(text: string): string {
  return text.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

/** True for a token that can name a column or table: a word or a quoted identifier. */
export function isName(t: SqlToken | undefined): t is SqlToken {
  return t !== undefined && (t.kind === 'word' || t.kind === 'quoted');
}

/** True when `t` is the unquoted word `w` (lower case). */
export function isWord(t: SqlToken | undefined, w: string): boolean {
  return t !== undefined && t.kind === 'word' && t.value === w;
}

/** True when `t` is the punctuation `p`. */
export function isPunct(t: SqlToken | undefined, p: string): boolean {
  return t !== undefined && t.kind === 'punct' && t.value === p;
}

/** Index of the `)` matching the `(` at `open`, or -1 when unbalanced. */
export function matchingParen(tokens: readonly SqlToken[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'punct') continue;
    if (t.value === '(') depth++;
    else if (t.value === ')') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}
