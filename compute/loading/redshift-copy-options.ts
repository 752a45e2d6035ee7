// Lifts Redshift's COPY option words (IGNOREHEADER 1 MAXERROR 10 ...) out of a COPY statement's text,
// token-aware, so that PostgreSQL's grammar can parse what remains.
import { SqlError, SqlState } from '../../common/errors/index.ts';
import { assertParserReady } from '../../sql/parser/init-parser.ts';
import { SourceMap } from '../../sql/parser/source-map.ts';
import { isPunct, isWord, scanSegments, type SqlToken } from '../../sql/parser/sql-tokens.ts';
import type { RawCopyOption, RawCopyValue } from './copy-options.ts';

/** What {@link extractRedshiftCopyOptions} returns. */
export interface ExtractedCopyOptions {
  /**
   * The statement with the lifted option words replaced by spaces (line breaks kept), so every
   * character keeps its position: parse it with parseStatements and give the CopyStmt plus
   * `options` to parseCopyOptions. Equal to the input when nothing was lifted.
   */
  readonly text: string;
  /** The lifted options, in order, with 1-based character positions in the input. */
  readonly options: readonly RawCopyOption[];
}

/** Option words that PostgreSQL's legacy COPY grammar also accepts after the file name. */
const PG_LEGACY = new Set(['binary', 'freeze', 'delimiter', 'null', 'csv', 'header', 'quote', 'escape', 'force', 'encoding']);

/** Redshift options without an argument. */
const FLAGS = new Set([
  'emptyasnull', 'blanksasnull', 'trimblanks', 'truncatecolumns', 'fillrecord', 'acceptanydate', 'removequotes',
  'noload', 'gzip', 'lzop', 'bzip2', 'zstd', 'lz4', 'ignoreblanklines', 'roundec', 'explicit_ids', 'manifest',
  'encrypted', 'header', 'binary', 'freeze', 'shapefile', 'parquet', 'orc',
]);
/** Redshift options with one string argument (optionally after AS). */
const STRING_ARG = new Set([
  'delimiter', 'null', 'quote', 'dateformat', 'timeformat', 'region', 'credentials', 'iam_role', 'access_key_id',
  'secret_access_key', 'session_token', 'fixedwidth', 'encoding', 'master_symmetric_key',
]);
/** Redshift options with an integer argument (optionally after AS). */
const INT_ARG = new Set(['ignoreheader', 'maxerror', 'readratio']);

/**
 * Splits one COPY statement into PostgreSQL-parsable text and the Redshift options written after
 * the source (`FROM 'file'` / `FROM STDIN`). When everything after the source is PostgreSQL syntax
 * (`WITH (...)`, or legacy `CSV HEADER DELIMITER ','`), nothing is lifted and PostgreSQL's parser
 * reports its own errors. Otherwise all option words up to an optional WHERE are lifted, in both
 * dialects' spelling. An unknown option word is 42601 `syntax error at or near "x"` with its position.
 * Statements that are not COPY come back unchanged. Requires initParser() to have finished.
 */
export function extractRedshiftCopyOptions(sql: string): ExtractedCopyOptions {
  assertParserReady();
  if (!/^\s*copy\b/i.test(sql.replace(/^(\s*(--[^\n]*\n|\/\*[\s\S]*?\*\/))*/, ''))) return { text: sql, options: [] };
  const map = new SourceMap(sql);
  const segments = scanSegments(sql, map);
  if (segments === null || segments.length === 0) return { text: sql, options: [] };
  const toks = segments[0]!.tokens;
  if (!isWord(toks[0], 'copy')) return { text: sql, options: [] };
  const tailStart = findTail(toks);
  if (tailStart < 0 || tailStart >= toks.length) return { text: sql, options: [] };
  if (isPunct(toks[tailStart], '(') || (isWord(toks[tailStart], 'with') && isPunct(toks[tailStart + 1], '('))) {
    return { text: sql, options: [] };
  }
  let tailEnd = toks.length;
  for (let i = tailStart; i < toks.length; i++) {
    if (isWord(toks[i], 'where')) { tailEnd = i; break; }
  }
  const reader = new OptionReader(toks, tailStart, tailEnd, map.cpCount);
  const options = reader.readAll();
  if (!reader.sawRedshift) return { text: sql, options: [] };
  const text = blank(sql, map, toks[tailStart]!.cp, toks[tailEnd - 1]!.cpEnd);
  return { text, options };
}

/** Index of the first token after the COPY source (FROM 'x' | FROM STDIN | TO STDOUT | ... PROGRAM 'x'). */
function findTail(toks: readonly SqlToken[]): number {
  let depth = 0;
  for (let i = 1; i < toks.length; i++) {
    const t = toks[i]!;
    if (isPunct(t, '(')) depth++;
    else if (isPunct(t, ')')) depth--;
    else if (depth === 0 && (isWord(t, 'from') || isWord(t, 'to'))) {
      let j = i + 1;
      if (isWord(toks[j], 'program')) j++;
      return j + 1;
    }
  }
  return -1;
}

/** Replaces code points [startCp, endCp) of `sql` by spaces, keeping line breaks. */
function blank(sql: string, map: SourceMap, startCp: number, endCp: number): string {
  const start = map.cpToIndex(startCp);
  const end = map.cpToIndex(endCp);
  let mid = '';
  for (const ch of sql.slice(start, end)) mid += ch === '\n' || ch === '\r' ? ch : ' ';
  return sql.slice(0, start) + mid + sql.slice(end);
}

/** Reads option items from a token range in the union of both dialects' COPY option grammars. */
class OptionReader {
  private i: number;
  /** True once a word PostgreSQL's legacy grammar does not have was read. */
  sawRedshift = false;
  private readonly out: RawCopyOption[] = [];

  constructor(
    private readonly toks: readonly SqlToken[],
    start: number,
    private readonly end: number,
    private readonly inputCpCount: number,
  ) {
    this.i = start;
  }

  readAll(): RawCopyOption[] {
    if (isWord(this.toks[this.i], 'with')) this.i++;
    while (this.i < this.end) {
      const t = this.toks[this.i]!;
      if (isPunct(t, ',')) { this.i++; continue; }
      if (t.kind !== 'word') throw this.syntaxError(this.i);
      this.readItem(t);
    }
    return this.out;
  }

  private readItem(t: SqlToken): void {
    const word = t.value;
    const position = t.cp + 1;
    if (!PG_LEGACY.has(word)) this.sawRedshift = true;
    this.i++;
    switch (word) {
      case 'format': {
        this.skipAs();
        const f = this.toks[this.i];
        if (f === undefined || f.kind !== 'word' || this.i >= this.end) throw this.syntaxError(this.i);
        this.i++;
        if (f.value === 'csv') { this.readCsv(position); return; }
        if (f.value === 'json' || f.value === 'avro' || f.value === 'fixedwidth') this.optionalString();
        this.push('format', { kind: 'string', value: f.value }, position);
        return;
      }
      case 'csv': this.readCsv(position); return;
      case 'json': case 'avro': {
        this.skipAs();
        this.optionalString();
        this.push('format', { kind: 'string', value: word }, position);
        return;
      }
      case 'escape': {
        // PostgreSQL: ESCAPE [AS] 'x' (CSV escape); Redshift: ESCAPE alone (backslash escapes).
        const hasArg = isWord(this.toks[this.i], 'as') || this.isString(this.i);
        if (!hasArg) this.sawRedshift = true;
        if (hasArg) { this.skipAs(); this.push('escape', this.readString(), position, 'postgres'); } else this.push('escape', { kind: 'none' }, position);
        return;
      }
      case 'force': { this.readForce(position); return; }
      case 'acceptinvchars': {
        this.skipAs();
        this.push(word, this.isString(this.i) ? this.readString() : { kind: 'none' }, position);
        return;
      }
      case 'compupdate': case 'statupdate': {
        const v = this.toks[this.i];
        if (v !== undefined && this.i < this.end && v.kind === 'word' && ['on', 'off', 'true', 'false', 'preset'].includes(v.value)) {
          this.i++;
          this.push(word, { kind: 'string', value: v.value }, position);
        } else this.push(word, { kind: 'none' }, position);
        return;
      }
      case 'encoding': {
        this.skipAs();
        const v = this.toks[this.i];
        if (v !== undefined && this.i < this.end && (v.kind === 'word' || v.kind === 'quoted')) {
          this.i++;
          this.push(word, { kind: 'string', value: v.text }, position, 'postgres');
        } else this.push(word, this.readString(), position, 'postgres');
        return;
      }
      case 'iam_role': {
        if (isWord(this.toks[this.i], 'default')) { this.i++; this.push(word, { kind: 'string', value: 'default' }, position); return; }
        this.push(word, this.readString(), position);
        return;
      }
      default:
        break;
    }
    if (FLAGS.has(word)) {
      this.push(word, { kind: 'none' }, position, PG_LEGACY.has(word) ? 'postgres' : 'redshift');
      return;
    }
    if (STRING_ARG.has(word)) {
      this.skipAs();
      this.push(word, this.readString(), position, PG_LEGACY.has(word) ? 'postgres' : 'redshift');
      return;
    }
    if (INT_ARG.has(word)) {
      this.skipAs();
      this.push(word, this.readInteger(), position);
      return;
    }
    throw this.syntaxError(this.i - 1);
  }

  /** `CSV [QUOTE [AS] 'x']` (Redshift) or a bare legacy `CSV`. */
  private readCsv(position: number): void {
    this.push('format', { kind: 'string', value: 'csv' }, position, 'postgres');
  }

  /** PostgreSQL legacy `FORCE QUOTE cols|*`, `FORCE NOT NULL cols|*`, `FORCE NULL cols|*`. */
  private readForce(position: number): void {
    let name: string;
    if (isWord(this.toks[this.i], 'quote')) { name = 'force_quote'; this.i++; }
    else if (isWord(this.toks[this.i], 'not') && isWord(this.toks[this.i + 1], 'null')) { name = 'force_not_null'; this.i += 2; }
    else if (isWord(this.toks[this.i], 'null')) { name = 'force_null'; this.i++; }
    else throw this.syntaxError(this.i);
    const t = this.toks[this.i];
    if (t !== undefined && this.i < this.end && t.kind === 'other' && t.text === '*') {
      this.i++;
      this.push(name, { kind: 'star' }, position, 'postgres');
      return;
    }
    const paren = isPunct(t, '(');
    if (paren) this.i++;
    const items: string[] = [];
    for (;;) {
      const c = this.toks[this.i];
      if (c === undefined || this.i >= this.end || (c.kind !== 'word' && c.kind !== 'quoted')) throw this.syntaxError(this.i);
      items.push(c.value);
      this.i++;
      if (isPunct(this.toks[this.i], ',') && this.i < this.end) {
        // Without parentheses a comma could also separate options; a column name follows it only
        // when the next token is not an option word with an argument.
        if (!paren && this.isOptionStart(this.i + 1)) break;
        this.i++;
        continue;
      }
      break;
    }
    if (paren) {
      if (!isPunct(this.toks[this.i], ')')) throw this.syntaxError(this.i);
      this.i++;
    }
    this.push(name, { kind: 'list', items }, position, 'postgres');
  }

  private isOptionStart(idx: number): boolean {
    const t = this.toks[idx];
    if (t === undefined || t.kind !== 'word') return false;
    return FLAGS.has(t.value) || STRING_ARG.has(t.value) || INT_ARG.has(t.value) || PG_LEGACY.has(t.value);
  }

  private skipAs(): void {
    if (isWord(this.toks[this.i], 'as') && this.i < this.end) this.i++;
  }

  private isString(idx: number): boolean {
    const t = this.toks[idx];
    return t !== undefined && idx < this.end && t.kind === 'other' && isStringLiteral(t.text);
  }

  private optionalString(): void {
    if (this.isString(this.i)) this.i++;
  }

  private readString(): RawCopyValue {
    if (!this.isString(this.i)) throw this.syntaxError(this.i);
    const t = this.toks[this.i]!;
    this.i++;
    return { kind: 'string', value: decodeStringLiteral(t.text) };
  }

  private readInteger(): RawCopyValue {
    let sign = 1;
    let t = this.toks[this.i];
    if (t !== undefined && t.kind === 'other' && t.text === '-') { sign = -1; this.i++; t = this.toks[this.i]; }
    if (t === undefined || this.i >= this.end) throw this.syntaxError(this.i);
    const text = t.kind === 'other' && isStringLiteral(t.text) ? decodeStringLiteral(t.text) : t.text;
    if (!/^\d+$/.test(text)) throw this.syntaxError(this.i);
    this.i++;
    const value = sign * Number(text);
    return { kind: 'number', value, text: String(value) };
  }

  private push(name: string, value: RawCopyValue, position: number, origin: 'postgres' | 'redshift' = 'redshift'): void {
    this.out.push({ name, value, position, origin });
  }

  private syntaxError(idx: number): SqlError {
    const t = idx < this.end ? this.toks[idx] : undefined;
    if (t === undefined) {
      const last = this.toks[this.end - 1];
      const where = this.end < this.toks.length ? this.toks[this.end]! : undefined;
      if (where !== undefined) return new SqlError(SqlState.SYNTAX_ERROR, `syntax error at or near "${where.text}"`, { position: where.cp + 1 });
      return new SqlError(SqlState.SYNTAX_ERROR, 'syntax error at end of input', { position: (last?.cpEnd ?? this.inputCpCount) + 1 });
    }
    return new SqlError(SqlState.SYNTAX_ERROR, `syntax error at or near "${t.text}"`, { position: t.cp + 1 });
  }
}

function isStringLiteral(text: string): boolean {
  return /^([eE]|[nN]|[uU]&)?'/.test(text) || /^\$[A-Za-z_0-9]*\$/.test(text);
}

const SIMPLE_ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** The value of a SQL string literal token: '...', E'...' (backslash escapes), N'...', $tag$...$tag$. */
export function decodeStringLiteral(text: string): string {
  const dollar = /^(\$[A-Za-z_0-9]*\$)([\s\S]*)\1$/.exec(text);
  if (dollar !== null) return dollar[2]!;
  let body = text;
  let escapes = false;
  if (/^[eE]'/.test(body)) { escapes = true; body = body.slice(1); }
  else if (/^[nN]'/.test(body)) body = body.slice(1);
  else if (/^[uU]&'/.test(body)) body = body.slice(2);
  body = body.slice(1, -1).replaceAll("''", "'");
  if (!escapes) return body;
  return body.replace(/\\(x[0-9A-Fa-f]{1,2}|[0-7]{1,3}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)/gs, (_m, e: string) => {
    const c = e[0]!;
    if (c === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (c === 'u' || c === 'U') return String.fromCodePoint(parseInt(e.slice(1), 16));
    if (c >= '0' && c <= '7') return String.fromCharCode(parseInt(e, 8) & 0xff);
    return SIMPLE_ESCAPES[c] ?? c;
  });
}
