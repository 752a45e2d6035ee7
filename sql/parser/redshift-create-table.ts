// Finds Redshift's DISTSTYLE / DISTKEY / SORTKEY / ENCODE / BACKUP in a CREATE TABLE (or CTAS) token
// stream, records them as TableAttributes and marks their text for removal before parsing.
import { SqlState } from '../../common/errors/index.ts';
import type { ExtractionContext } from './extraction-context.ts';
import { isName, isPunct, isWord, matchingParen, type SqlToken, type TokenSegment } from './sql-tokens.ts';
import { emptyTableAttributes, type DistStyle, type TableAttributes } from './table-attributes.ts';

/** 1-based code point positions of the attributes found, for errors raised after parsing. */
export interface AttributePositions {
  distStyle?: number;
  distKey?: number;
  sortKey?: number;
  /** One per sortKey column, in order. */
  sortKeyColumns: number[];
  backup?: number;
  encodeAuto?: number;
  /** Column name → position of its ENCODE. */
  encodings: Record<string, number>;
}

/** What one CREATE TABLE statement yielded. */
export interface ExtractedCreateTable {
  readonly attributes: TableAttributes;
  readonly positions: AttributePositions;
}

const CREATE_MODIFIERS = new Set(['global', 'local', 'temp', 'temporary', 'unlogged']);
const TABLE_CONSTRAINT_STARTS = new Set(['constraint', 'primary', 'unique', 'check', 'foreign', 'like', 'exclude']);
const DIST_STYLES: ReadonlySet<string> = new Set<DistStyle>(['auto', 'even', 'key', 'all']);

/** The distribution style named by `value`, if it is one. */
export function asDistStyle(value: string): DistStyle | undefined {
  return DIST_STYLES.has(value) ? (value as DistStyle) : undefined;
}

/**
 * Extracts the Redshift attributes of `seg` when it is a CREATE TABLE (including CREATE TABLE ... AS);
 * undefined for any other statement. Attributes it cannot read are left in the text, so the
 * PostgreSQL parser reports them as syntax errors at their own position.
 */
export function extractCreateTable(seg: TokenSegment, ctx: ExtractionContext): ExtractedCreateTable | undefined {
  const toks = seg.tokens;
  if (!isWord(toks[0], 'create')) return undefined;
  let i = 1;
  while (toks[i] !== undefined && toks[i]!.kind === 'word' && CREATE_MODIFIERS.has(toks[i]!.value)) i++;
  if (!isWord(toks[i], 'table')) return undefined;
  i++;
  if (isWord(toks[i], 'if') && isWord(toks[i + 1], 'not') && isWord(toks[i + 2], 'exists')) i += 3;
  if (!isName(toks[i])) return undefined;
  i++;
  while (isPunct(toks[i], '.') && isName(toks[i + 1])) i += 2;

  const out: ExtractedCreateTable = { attributes: emptyTableAttributes(), positions: { sortKeyColumns: [], encodings: {} } };
  if (isPunct(toks[i], '(')) {
    const close = matchingParen(toks, i);
    if (close < 0) return out; // unbalanced: the parser reports it
    extractColumnAttributes(seg, i + 1, close, ctx, out);
    i = close + 1;
  }
  extractTableAttributes(seg, i, ctx, out);
  return out;
}

/** Column-level `ENCODE x`, `DISTKEY`, `SORTKEY` inside the table element list toks[from, to). */
function extractColumnAttributes(seg: TokenSegment, from: number, to: number, ctx: ExtractionContext, out: ExtractedCreateTable): void {
  const toks = seg.tokens;
  let start = from;
  while (start < to) {
    // One table element: up to the next depth-0 comma.
    let end = start;
    let depth = 0;
    while (end < to) {
      const t = toks[end]!;
      if (t.kind === 'punct') {
        if (t.value === '(') depth++;
        else if (t.value === ')') depth--;
        else if (t.value === ',' && depth === 0) break;
      }
      end++;
    }
    const first = toks[start];
    const isColumn = isName(first) && !(first.kind === 'word' && TABLE_CONSTRAINT_STARTS.has(first.value));
    if (isColumn) extractOneColumn(seg, start, end, ctx, out);
    start = end + 1;
  }
}

/** Attributes of the column definition toks[start, end): name, type, then anything. */
function extractOneColumn(seg: TokenSegment, start: number, end: number, ctx: ExtractionContext, out: ExtractedCreateTable): void {
  const toks = seg.tokens;
  const column = toks[start]!.value;
  const attrs = out.attributes;
  const pos = out.positions;
  let depth = 0;
  // Start after the name and the type's first token: a column or type may itself be called "encode".
  for (let j = start + 2; j < end; j++) {
    const t = toks[j]!;
    if (t.kind === 'punct') {
      if (t.value === '(') depth++;
      else if (t.value === ')') depth--;
      continue;
    }
    if (depth !== 0 || t.kind !== 'word') continue;
    const next = toks[j + 1];
    const nextIsParen = isPunct(next, '(') || isPunct(next, '.');
    if (t.value === 'encode' && j + 1 < end && isName(next) && !isPunct(toks[j + 2], '(')) {
      if (pos.encodings[column] !== undefined) ctx.fail(redundant(ctx, t));
      attrs.columnEncodings[column] = next.value.toLowerCase();
      pos.encodings[column] = t.cp + 1;
      ctx.blank(toks, j, j + 1);
      j++;
    } else if (t.value === 'distkey' && !nextIsParen) {
      if (attrs.distKey !== undefined) {
        ctx.fail(ctx.errorAt(SqlState.INVALID_TABLE_DEFINITION, 'multiple DISTKEY columns are not allowed', t));
      }
      attrs.distKey = column;
      pos.distKey = t.cp + 1;
      ctx.blank(toks, j, j);
    } else if (t.value === 'sortkey' && !nextIsParen) {
      if (attrs.sortKey !== undefined) {
        ctx.fail(ctx.errorAt(SqlState.INVALID_TABLE_DEFINITION, 'only one column can be marked SORTKEY',
          t, 'Use a table-level SORTKEY (col, ...) for a sort key of several columns.'));
      }
      attrs.sortKey = { style: 'compound', columns: [column] };
      pos.sortKey = t.cp + 1;
      pos.sortKeyColumns = [toks[start]!.cp + 1];
      ctx.blank(toks, j, j);
    }
  }
}

/** Table-level attributes from toks[from] up to a depth-0 AS (CTAS) or the end of the statement. */
function extractTableAttributes(seg: TokenSegment, from: number, ctx: ExtractionContext, out: ExtractedCreateTable): void {
  const toks = seg.tokens;
  const attrs = out.attributes;
  const pos = out.positions;
  let depth = 0;
  for (let i = from; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.kind === 'punct') {
      if (t.value === '(') depth++;
      else if (t.value === ')') depth--;
      continue;
    }
    if (depth !== 0 || t.kind !== 'word') continue;
    if (t.value === 'as') return; // CREATE TABLE ... AS query: attributes come before AS
    const next = toks[i + 1];
    switch (t.value) {
      case 'diststyle': {
        if (!isName(next)) break;
        const style = next.kind === 'word' ? asDistStyle(next.value) : undefined;
        if (style === undefined) {
          ctx.fail(ctx.syntaxErrorAt(seg, i + 1, 'DISTSTYLE must be AUTO, EVEN, KEY or ALL.'));
        } else {
          if (attrs.distStyle !== undefined) ctx.fail(redundant(ctx, t));
          attrs.distStyle = style;
          pos.distStyle = t.cp + 1;
        }
        ctx.blank(toks, i, i + 1);
        i++;
        break;
      }
      case 'distkey': {
        const list = readColumnList(seg, i + 1, ctx);
        if (list === undefined) break;
        ctx.blank(toks, i, list.close);
        if (list.columns.length === 0) { i = list.close; break; } // error already recorded
        if (list.columns.length !== 1) {
          ctx.fail(ctx.syntaxErrorAt(seg, list.secondComma, 'DISTKEY takes exactly one column.'));
        }
        if (attrs.distKey !== undefined) ctx.fail(redundant(ctx, t));
        attrs.distKey = list.columns[0]!;
        pos.distKey = list.positions[0]!;
        i = list.close;
        break;
      }
      case 'compound':
      case 'interleaved':
      case 'sortkey': {
        const style = t.value === 'interleaved' ? 'interleaved' : 'compound';
        const kw = t.value === 'sortkey' ? i : i + 1;
        if (!isWord(toks[kw], 'sortkey')) break;
        if (isWord(toks[kw + 1], 'auto')) {
          if (kw !== i) ctx.fail(ctx.syntaxErrorAt(seg, kw + 1, 'SORTKEY AUTO takes no COMPOUND or INTERLEAVED.'));
          if (attrs.sortKey !== undefined) ctx.fail(redundant(ctx, t));
          attrs.sortKey = 'auto';
          pos.sortKey = t.cp + 1;
          ctx.blank(toks, i, kw + 1);
          i = kw + 1;
          break;
        }
        const list = readColumnList(seg, kw + 1, ctx);
        if (list === undefined) break;
        if (attrs.sortKey !== undefined) ctx.fail(redundant(ctx, t));
        attrs.sortKey = { style, columns: list.columns };
        pos.sortKey = t.cp + 1;
        pos.sortKeyColumns = list.positions;
        ctx.blank(toks, i, list.close);
        i = list.close;
        break;
      }
      case 'encode': {
        if (!isWord(next, 'auto')) break;
        if (attrs.encodeAuto !== undefined) ctx.fail(redundant(ctx, t));
        attrs.encodeAuto = true;
        pos.encodeAuto = t.cp + 1;
        ctx.blank(toks, i, i + 1);
        i++;
        break;
      }
      case 'backup': {
        if (!isWord(next, 'yes') && !isWord(next, 'no')) break;
        if (attrs.backup !== undefined) ctx.fail(redundant(ctx, t));
        attrs.backup = next!.value === 'yes';
        pos.backup = t.cp + 1;
        ctx.blank(toks, i, i + 1);
        i++;
        break;
      }
      default:
        break;
    }
  }
}

/** A parenthesized column name list read by {@link readColumnList}. */
export interface ColumnList {
  readonly columns: string[];
  /** 1-based positions of the names. */
  readonly positions: number[];
  /** Token index of the closing parenthesis. */
  readonly close: number;
  /** Token index of the second comma-separated item's comma (for "one column only" errors). */
  readonly secondComma: number;
}

/**
 * Reads `( name [, name ...] )` starting at toks[open]. Returns undefined when toks[open] is not
 * `(` or the parenthesis is unbalanced (left to the parser); records a syntax error (and still
 * returns the list) when an item is not a plain name.
 */
export function readColumnList(seg: TokenSegment, open: number, ctx: ExtractionContext): ColumnList | undefined {
  const toks = seg.tokens;
  if (!isPunct(toks[open], '(')) return undefined;
  const close = matchingParen(toks, open);
  if (close < 0) return undefined;
  const columns: string[] = [];
  const positions: number[] = [];
  let secondComma = -1;
  let i = open + 1;
  for (;;) {
    const t = toks[i];
    if (!isName(t) || i >= close) {
      ctx.fail(ctx.syntaxErrorAt(seg, i));
      break;
    }
    columns.push(t.value);
    positions.push(t.cp + 1);
    i++;
    if (i === close) break;
    if (!isPunct(toks[i], ',')) {
      ctx.fail(ctx.syntaxErrorAt(seg, i));
      break;
    }
    if (secondComma < 0) secondComma = i;
    i++;
  }
  return { columns, positions, close, secondComma };
}

function redundant(ctx: ExtractionContext, t: SqlToken) {
  return ctx.errorAt(SqlState.SYNTAX_ERROR, 'conflicting or redundant options', t);
}
