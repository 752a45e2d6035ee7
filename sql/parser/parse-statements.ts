// The SQL entry: splits a query string into statements and parses each with PostgreSQL's grammar
// (libpg-query), after lifting out Redshift table-design syntax the grammar does not know.
import { parseSync, type Node } from 'libpg-query';
import type { QualifiedName } from './ast.ts';
import { isObject, list, node } from './ast.ts';
import { ExtractionContext } from './extraction-context.ts';
import { assertParserReady } from './init-parser.ts';
import { toParseError } from './parse-error.ts';
import { extractAlterTable, type AlterTableAttributesAction, type ExtractedAlterTable } from './redshift-alter-table.ts';
import { extractCreateTable, type ExtractedCreateTable } from './redshift-create-table.ts';
import { SourceMap } from './source-map.ts';
import { scanSegments } from './sql-tokens.ts';
import { originalOffset, rewriteQuerySyntax } from './query-rewrites.ts';
import type { TableAttributes } from './table-attributes.ts';
import { extractTableOptions } from './table-options.ts';
import { validateTableAttributes } from './validate-table-attributes.ts';

/** Where a statement sits in the input given to {@link parseStatements}. */
interface StatementSource {
  /** The statement's own text (from its first token; without the terminating `;` or trailing blanks). */
  readonly text: string;
  /** JS string index of `text` in the input. */
  readonly offset: number;
  /** 0-based code point offset of `text` in the input (the unit of AST locations). */
  readonly location: number;
}

/** A statement PostgreSQL's grammar parsed. */
export interface SqlStatement extends StatementSource {
  readonly kind: 'Sql';
  /**
   * The statement node, e.g. `{ SelectStmt: {...} }`. Every `location` inside is a 0-based code
   * point offset into the whole input (PostgreSQL error position = location + 1). For CREATE TABLE
   * the distkey / sortkey / diststyle / sortstyle WITH options are removed (see `attributes`).
   */
  readonly ast: Node;
  /** Present exactly for CreateStmt and CreateTableAsStmt: the table design, validated. */
  readonly attributes?: TableAttributes;
}

/** A Redshift ALTER TABLE that changes table design (no PostgreSQL AST exists for it). */
export interface AlterTableAttributesStatement extends StatementSource, ExtractedAlterTable {
  readonly kind: 'AlterTableAttributes';
  readonly action: AlterTableAttributesAction;
  readonly table: QualifiedName;
}

/** One statement of a query string. */
export type ParsedStatement = SqlStatement | AlterTableAttributesStatement;

/**
 * Quick filters: Redshift syntax needs lifting out only from CREATE/ALTER TABLE statements using one
 * of these words. They spare big DML strings the lexer pass (about 1 s per MB).
 */
const REDSHIFT_WORDS = /\b(?:distkey|sortkey|diststyle|encode|backup)\b/i;
const DDL_VERB = /\b(?:create|alter)\b/i;
const TABLE_WORD = /\btable\b/i;

/**
 * Parses a query string as PostgreSQL's simple-query protocol does: the whole string at once, one
 * entry per statement in order, empty statements (`;;`, comment-only) dropped, so '' gives [].
 * Any syntax error fails the whole string: SqlError 42601 with PostgreSQL's message and its
 * 1-based character `position` in `sql`. Redshift attributes are validated here too (42601, 42P16,
 * 42703 with positions). Requires {@link initParser} to have finished.
 */
export function parseStatements(sql: string): ParsedStatement[] {
  assertParserReady();
  const map = new SourceMap(sql);
  const ctx = new ExtractionContext(map.cpCount);
  const creates = new Map<number, ExtractedCreateTable>();
  const alters: AlterTableAttributesStatement[] = [];
  let text = sql;
  if (REDSHIFT_WORDS.test(sql) && DDL_VERB.test(sql) && TABLE_WORD.test(sql)) {
    const segments = scanSegments(sql, map);
    if (segments !== null) {
      for (const seg of segments) {
        const first = seg.tokens[0]!;
        const create = extractCreateTable(seg, ctx);
        if (create !== undefined) {
          creates.set(first.cp, create);
          continue;
        }
        const alter = extractAlterTable(seg, ctx);
        if (alter !== undefined) {
          const last = seg.tokens[seg.tokens.length - 1]!;
          alters.push({ kind: 'AlterTableAttributes', ...alter, ...source(sql, map, first.cp, last.cpEnd) });
        }
      }
      text = blankOut(sql, map, ctx.blanks);
    }
  }

  // QUALIFY becomes a reserved WINDOW definition (query-rewrites.ts); offsets map back through `edits`.
  const qualify = rewriteQuerySyntax(text);
  const edits = qualify?.edits ?? [];
  if (qualify !== null) text = qualify.text;

  let raw: unknown[] = [];
  if (text.trim() !== '') {
    try {
      raw = list(parseSync(text).stmts);
    } catch (err) {
      const parseErr = toParseError(err);
      const attrErr = ctx.error;
      const parsePos = parseErr.fields.position ?? Number.MAX_SAFE_INTEGER;
      // Report whichever error comes first in the text, as a single-pass parser would.
      if (attrErr !== undefined && (attrErr.fields.position ?? 0) < parsePos) throw attrErr;
      throw parseErr;
    }
  }
  if (ctx.error !== undefined) throw ctx.error;

  // Blanking keeps code point offsets, but not byte offsets where non-ASCII text was blanked.
  const parsedMap = text === sql ? map : new SourceMap(text);
  const out: ParsedStatement[] = [];
  for (const rawStmt of raw) {
    if (!isObject(rawStmt)) continue;
    const ast = rawStmt['stmt'];
    if (!isObject(ast)) continue;
    const startByte = numberField(rawStmt, 'stmt_location');
    const lenBytes = numberField(rawStmt, 'stmt_len');
    const start = originalOffset(parsedMap.byteToCp(startByte), edits);
    const end = originalOffset(lenBytes === 0 ? parsedMap.cpCount : parsedMap.byteToCp(startByte + lenBytes), edits);
    if (!parsedMap.isAscii) convertLocations(ast, parsedMap);
    const stmt: SqlStatement = { kind: 'Sql', ast: ast as Node, ...source(sql, map, start, end) }; // ast: a parser Node (see ast.ts)
    out.push(withAttributes(stmt, creates.get(start)));
  }
  if (alters.length > 0) {
    out.push(...alters);
    out.sort((a, b) => a.location - b.location);
  }
  return out;
}

/** The statement's table design (Redshift syntax plus WITH options), validated; others pass through. */
function withAttributes(stmt: SqlStatement, extracted: ExtractedCreateTable | undefined): SqlStatement {
  const create = node(stmt.ast, 'CreateStmt');
  const ctas = node(stmt.ast, 'CreateTableAsStmt');
  if (create === undefined && (ctas === undefined || ctas.objtype !== 'OBJECT_TABLE')) return stmt;
  const found = extracted ?? { attributes: { columnEncodings: {} }, positions: { sortKeyColumns: [], encodings: {} } };
  const attributes = found.attributes;
  let columns: string[] | null = null;
  if (create !== undefined) {
    const rest = extractTableOptions(create.options, attributes, found.positions);
    if (rest.length > 0) create.options = rest; else delete create.options;
    columns = knownColumns(create.tableElts, create.inhRelations, create.ofTypename !== undefined || create.partbound !== undefined);
  } else if (ctas?.into !== undefined) {
    const rest = extractTableOptions(ctas.into.options, attributes, found.positions);
    if (rest.length > 0) ctas.into.options = rest; else delete ctas.into.options;
  }
  validateTableAttributes(attributes, found.positions, columns);
  if (columns !== null) {
    const known = new Set(columns);
    for (const col of Object.keys(attributes.columnEncodings)) {
      // Column ENCODE sits on its own column definition, so it always names a known column.
      if (!known.has(col)) delete attributes.columnEncodings[col];
    }
  }
  return { ...stmt, attributes };
}

/** Column names of a CREATE TABLE, or null when some come from elsewhere (LIKE, INHERITS, OF, PARTITION OF). */
function knownColumns(tableElts: Node[] | undefined, inhRelations: Node[] | undefined, fromElsewhere: boolean): string[] | null {
  if (fromElsewhere || list(inhRelations).length > 0) return null;
  const names: string[] = [];
  for (const elt of list(tableElts)) {
    if (node(elt, 'TableLikeClause') !== undefined) return null;
    const col = node(elt, 'ColumnDef');
    if (col?.colname !== undefined) names.push(col.colname);
  }
  return names;
}

function source(sql: string, map: SourceMap, startCp: number, endCp: number): StatementSource {
  const offset = map.cpToIndex(startCp);
  const text = sql.slice(offset, map.cpToIndex(endCp)).trimEnd();
  return { text, offset, location: startCp };
}

function numberField(o: Record<string, unknown>, key: string): number {
  const v = o[key];
  return typeof v === 'number' ? v : 0;
}

/** Replaces the code points of every span with spaces (line breaks kept), so offsets stay put. */
function blankOut(sql: string, map: SourceMap, spans: ReadonlyArray<readonly [number, number]>): string {
  if (spans.length === 0) return sql;
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  let out = '';
  let copied = 0; // JS index up to which `sql` was copied
  for (const [startCp, endCp] of sorted) {
    const start = Math.max(map.cpToIndex(startCp), copied);
    const end = map.cpToIndex(endCp);
    if (end <= start) continue;
    out += sql.slice(copied, start);
    for (const ch of sql.slice(start, end)) out += ch === '\n' || ch === '\r' ? ch : ' ';
    copied = end;
  }
  return out + sql.slice(copied);
}

const LOCATION_KEYS = new Set(['location', 'stmt_location', 'list_start', 'list_end', 'rexpr_list_start', 'rexpr_list_end', 'name_location']);

/** Rewrites every byte-offset field of the AST into a code point offset (non-ASCII input only). */
function convertLocations(n: unknown, map: SourceMap): void {
  if (Array.isArray(n)) {
    for (const item of n) convertLocations(item, map);
    return;
  }
  if (!isObject(n)) return;
  for (const key in n) {
    const v = n[key];
    if (typeof v === 'number') {
      if (v >= 0 && LOCATION_KEYS.has(key)) n[key] = map.byteToCp(v);
    } else if (typeof v === 'object' && v !== null) {
      convertLocations(v, map);
    }
  }
}
