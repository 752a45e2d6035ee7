// Reads Redshift's ALTER TABLE forms that PostgreSQL has no grammar for (ALTER DISTSTYLE / DISTKEY /
// SORTKEY / ENCODE AUTO, ALTER COLUMN c ENCODE e) straight from the tokens.
import { SqlState } from '../../common/errors/index.ts';
import type { QualifiedName } from './ast.ts';
import type { ExtractionContext } from './extraction-context.ts';
import { asDistStyle, readColumnList } from './redshift-create-table.ts';
import { isName, isPunct, isWord, type TokenSegment } from './sql-tokens.ts';
import type { DistStyle, SortKeySpec } from './table-attributes.ts';

/** The change one Redshift ALTER TABLE asks for. */
export type AlterTableAttributesAction =
  /** ALTER DISTSTYLE {AUTO|EVEN|ALL} or ALTER DISTSTYLE KEY DISTKEY col (distKey set iff KEY). */
  | { readonly kind: 'DistStyle'; readonly distStyle: DistStyle; readonly distKey?: string }
  /** ALTER DISTKEY col (implies DISTSTYLE KEY). */
  | { readonly kind: 'DistKey'; readonly column: string }
  /** ALTER [COMPOUND|INTERLEAVED] SORTKEY (cols) | ALTER SORTKEY AUTO | ALTER SORTKEY NONE. */
  | { readonly kind: 'SortKey'; readonly sortKey: SortKeySpec | 'auto' | 'none' }
  /** ALTER ENCODE AUTO. */
  | { readonly kind: 'EncodeAuto' }
  /** ALTER COLUMN c ENCODE e [, ALTER COLUMN d ENCODE f ...]: column → encoding, lower-cased. */
  | { readonly kind: 'ColumnEncodings'; readonly columnEncodings: Record<string, string> };

/** A Redshift attribute ALTER TABLE read from tokens (before the parser, which cannot read it). */
export interface ExtractedAlterTable {
  readonly table: QualifiedName;
  readonly ifExists: boolean;
  readonly action: AlterTableAttributesAction;
  /** 0-based code point offset of the table name (error positions: +1). */
  readonly tableLocation: number;
}

const ATTRIBUTE_WORDS = new Set(['diststyle', 'distkey', 'sortkey', 'compound', 'interleaved', 'encode']);
/** Words after `ALTER [COLUMN] c` in PostgreSQL's ALTER COLUMN forms: `ALTER sortkey TYPE int` is one. */
const PG_COLUMN_ACTIONS = new Set(['type', 'set', 'drop', 'add', 'reset', 'restart', 'options']);

/**
 * Reads `seg` when it is `ALTER TABLE [IF EXISTS] [ONLY] name ALTER <Redshift attribute> ...`;
 * undefined for every other statement (PostgreSQL's ALTER TABLE forms go to the parser). Marks the
 * whole statement for removal; a malformed attribute clause records a syntax error.
 */
export function extractAlterTable(seg: TokenSegment, ctx: ExtractionContext): ExtractedAlterTable | undefined {
  const toks = seg.tokens;
  if (!isWord(toks[0], 'alter') || !isWord(toks[1], 'table')) return undefined;
  let i = 2;
  let ifExists = false;
  if (isWord(toks[i], 'if') && isWord(toks[i + 1], 'exists')) { ifExists = true; i += 2; }
  if (isWord(toks[i], 'only')) i++;
  const nameParts: string[] = [];
  const tableLocation = toks[i]?.cp ?? -1;
  if (!isName(toks[i])) return undefined;
  nameParts.push(toks[i]!.value);
  i++;
  while (isPunct(toks[i], '.') && isName(toks[i + 1])) { nameParts.push(toks[i + 1]!.value); i += 2; }
  if (!isWord(toks[i], 'alter')) return undefined;
  const what = toks[i + 1];
  const isColumnEncode = isWord(what, 'column') ? isWord(toks[i + 3], 'encode') : isName(what) && isWord(toks[i + 2], 'encode');
  if (!isColumnEncode && !(what !== undefined && what.kind === 'word' && ATTRIBUTE_WORDS.has(what.value))) return undefined;
  const after = toks[i + 2];
  if (!isColumnEncode && after !== undefined && after.kind === 'word' && PG_COLUMN_ACTIONS.has(after.value)) return undefined;

  ctx.blank(toks, 0, toks.length - 1);
  const table = qualifiedName(nameParts);
  const action = isColumnEncode ? readColumnEncodings(seg, i, ctx) : readAttributeAction(seg, i + 1, ctx);
  if (action === undefined) return undefined;
  return { table, ifExists, action, tableLocation };
}

function qualifiedName(parts: string[]): QualifiedName {
  const name = parts[parts.length - 1]!;
  if (parts.length === 1) return { name };
  if (parts.length === 2) return { schema: parts[0]!, name };
  return { catalog: parts[parts.length - 3]!, schema: parts[parts.length - 2]!, name };
}

/** Reads the action starting at the word after ALTER (toks[i]) to the end of the statement. */
function readAttributeAction(seg: TokenSegment, i: number, ctx: ExtractionContext): AlterTableAttributesAction | undefined {
  const toks = seg.tokens;
  const word = toks[i]!.value;
  let action: AlterTableAttributesAction | undefined;
  let next: number;
  switch (word) {
    case 'diststyle': {
      const style = toks[i + 1]?.kind === 'word' ? asDistStyle(toks[i + 1]!.value) : undefined;
      if (style === undefined) return fail(seg, i + 1, ctx, 'DISTSTYLE must be AUTO, EVEN, KEY or ALL.');
      next = i + 2;
      if (style === 'key') {
        if (!isWord(toks[next], 'distkey')) return fail(seg, next, ctx, 'ALTER DISTSTYLE KEY needs DISTKEY column.');
        if (!isName(toks[next + 1])) return fail(seg, next + 1, ctx);
        action = { kind: 'DistStyle', distStyle: 'key', distKey: toks[next + 1]!.value };
        next += 2;
      } else {
        action = { kind: 'DistStyle', distStyle: style };
      }
      break;
    }
    case 'distkey': {
      if (!isName(toks[i + 1])) return fail(seg, i + 1, ctx);
      action = { kind: 'DistKey', column: toks[i + 1]!.value };
      next = i + 2;
      break;
    }
    case 'compound':
    case 'interleaved':
    case 'sortkey': {
      const kw = word === 'sortkey' ? i : i + 1;
      if (!isWord(toks[kw], 'sortkey')) return fail(seg, kw, ctx);
      const after = toks[kw + 1];
      if (kw === i && (isWord(after, 'auto') || isWord(after, 'none'))) {
        action = { kind: 'SortKey', sortKey: after!.value === 'auto' ? 'auto' : 'none' };
        next = kw + 2;
        break;
      }
      const list = readColumnList(seg, kw + 1, ctx);
      if (list === undefined) return fail(seg, kw + 1, ctx);
      action = { kind: 'SortKey', sortKey: { style: word === 'interleaved' ? 'interleaved' : 'compound', columns: list.columns } };
      next = list.close + 1;
      break;
    }
    case 'encode': {
      if (!isWord(toks[i + 1], 'auto')) return fail(seg, i + 1, ctx, 'Only ALTER ENCODE AUTO is supported at table level.');
      action = { kind: 'EncodeAuto' };
      next = i + 2;
      break;
    }
    default:
      return undefined;
  }
  if (next < toks.length) return fail(seg, next, ctx);
  return action;
}

/** ALTER [COLUMN] c ENCODE e [, ALTER [COLUMN] d ENCODE f ...] starting at the first ALTER (toks[i]). */
function readColumnEncodings(seg: TokenSegment, i: number, ctx: ExtractionContext): AlterTableAttributesAction | undefined {
  const toks = seg.tokens;
  const columnEncodings: Record<string, string> = {};
  for (;;) {
    if (!isWord(toks[i], 'alter')) return fail(seg, i, ctx);
    i++;
    if (isWord(toks[i], 'column')) i++;
    if (!isName(toks[i])) return fail(seg, i, ctx);
    const column = toks[i]!.value;
    if (!isWord(toks[i + 1], 'encode')) return fail(seg, i + 1, ctx);
    if (!isName(toks[i + 2])) return fail(seg, i + 2, ctx);
    if (columnEncodings[column] !== undefined) {
      ctx.fail(ctx.errorAt(SqlState.SYNTAX_ERROR, 'conflicting or redundant options', toks[i]!));
    }
    columnEncodings[column] = toks[i + 2]!.value.toLowerCase();
    i += 3;
    if (i >= toks.length) return { kind: 'ColumnEncodings', columnEncodings };
    if (!isPunct(toks[i], ',')) return fail(seg, i, ctx);
    i++;
  }
}

function fail(seg: TokenSegment, idx: number, ctx: ExtractionContext, hint?: string): undefined {
  ctx.fail(ctx.syntaxErrorAt(seg, idx, hint));
  return undefined;
}
