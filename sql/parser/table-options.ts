// Reads the PostgreSQL spelling of table design, `WITH (distkey = 'a', sortkey = 'b,c', diststyle = key,
// sortstyle = interleaved)`, into TableAttributes and drops those options from the AST.
import type { Node } from 'libpg-query';
import { SqlError, SqlState } from '../../common/errors/index.ts';
import { list, node, str, strs } from './ast.ts';
import type { AttributePositions } from './redshift-create-table.ts';
import { asDistStyle } from './redshift-create-table.ts';
import { foldIdentifier } from './sql-tokens.ts';
import type { TableAttributes } from './table-attributes.ts';

const OPTION_NAMES = new Set(['distkey', 'sortkey', 'diststyle', 'sortstyle']);

/**
 * Moves the distkey / sortkey / diststyle / sortstyle options of `options` (a DefElem list as in
 * CreateStmt.options) into `attrs`, returning the options that remain. Throws 42601 for bad values
 * or for an attribute also given in Redshift syntax.
 */
export function extractTableOptions(options: Node[] | undefined, attrs: TableAttributes, pos: AttributePositions): Node[] {
  const rest: Node[] = [];
  let sortStyle: { style: 'compound' | 'interleaved'; position: number } | undefined;
  for (const opt of list(options)) {
    const def = node(opt, 'DefElem');
    const name = def?.defname;
    if (def === undefined || name === undefined || !OPTION_NAMES.has(name)) {
      rest.push(opt);
      continue;
    }
    const position = (def.location ?? 0) + 1;
    const value = optionValue(def.arg);
    if (value === undefined) throw optionError(`option "${name}" requires a value`, position);
    switch (name) {
      case 'diststyle': {
        const style = asDistStyle(value.toLowerCase());
        if (style === undefined) {
          throw new SqlError(SqlState.SYNTAX_ERROR, `invalid value for option "diststyle": "${value}"`,
            { position, hint: 'DISTSTYLE must be AUTO, EVEN, KEY or ALL.' });
        }
        if (attrs.distStyle !== undefined) throw redundant(position);
        attrs.distStyle = style;
        pos.distStyle = position;
        break;
      }
      case 'distkey': {
        const cols = columnNames(value, position);
        if (cols.length !== 1) throw optionError('option "distkey" takes exactly one column', position);
        if (attrs.distKey !== undefined) throw redundant(position);
        attrs.distKey = cols[0]!;
        pos.distKey = position;
        break;
      }
      case 'sortkey': {
        if (attrs.sortKey !== undefined) throw redundant(position);
        if (value.trim().toLowerCase() === 'auto') {
          attrs.sortKey = 'auto';
        } else {
          const columns = columnNames(value, position);
          attrs.sortKey = { style: 'compound', columns };
          pos.sortKeyColumns = columns.map(() => position);
        }
        pos.sortKey = position;
        break;
      }
      case 'sortstyle': {
        const v = value.toLowerCase();
        if (v !== 'compound' && v !== 'interleaved') {
          throw optionError(`invalid value for option "sortstyle": "${value}"`, position, 'SORTSTYLE must be COMPOUND or INTERLEAVED.');
        }
        if (sortStyle !== undefined) throw redundant(position);
        sortStyle = { style: v, position };
        break;
      }
    }
  }
  if (sortStyle !== undefined) {
    const key = attrs.sortKey;
    if (key === undefined || key === 'auto') {
      throw optionError('option "sortstyle" needs a sortkey column list', sortStyle.position);
    }
    attrs.sortKey = { style: sortStyle.style, columns: key.columns };
  }
  return rest;
}

/** The text of an option value: 'string', bare word (a TypeName to the grammar), number or boolean. */
function optionValue(arg: Node | undefined): string | undefined {
  if (arg === undefined) return undefined;
  const s = str(arg);
  if (s !== undefined) return s;
  const tn = node(arg, 'TypeName');
  if (tn !== undefined) return strs(tn.names).join('.');
  const i = node(arg, 'Integer');
  if (i !== undefined) return String(i.ival ?? 0);
  const f = node(arg, 'Float');
  if (f !== undefined) return f.fval ?? '0';
  const b = node(arg, 'Boolean');
  if (b !== undefined) return b.boolval === true ? 'true' : 'false';
  return undefined;
}

/** Splits 'a, "B c", d' into identifiers, folding unquoted ones to lower case. */
export function columnNames(value: string, position: number): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    while (i < value.length && value[i] === ' ') i++;
    let name: string;
    if (value[i] === '"') {
      let j = i + 1;
      name = '';
      for (;;) {
        if (j >= value.length) throw optionError(`unterminated quoted identifier in "${value}"`, position);
        if (value[j] === '"') {
          if (value[j + 1] === '"') { name += '"'; j += 2; continue; }
          break;
        }
        name += value[j];
        j++;
      }
      i = j + 1;
    } else {
      let j = i;
      while (j < value.length && value[j] !== ',') j++;
      name = foldIdentifier(value.slice(i, j).trim());
      i = j;
    }
    if (name === '') throw optionError(`invalid column list "${value}"`, position);
    out.push(name);
    while (i < value.length && value[i] === ' ') i++;
    if (i >= value.length) return out;
    if (value[i] !== ',') throw optionError(`invalid column list "${value}"`, position);
    i++;
  }
}

function optionError(message: string, position: number, hint?: string): SqlError {
  return new SqlError(SqlState.SYNTAX_ERROR, message, hint === undefined ? { position } : { position, hint });
}

function redundant(position: number): SqlError {
  return optionError('conflicting or redundant options', position);
}
