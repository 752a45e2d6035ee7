// COPY TO output: rows or batches as PostgreSQL text or CSV bytes, with its escaping and quoting rules.
import { featureNotSupported } from '../../common/errors/index.ts';
import type { Batch } from '../batch/batch.ts';
import { datumAt } from '../batch/row-conversion.ts';
import type { Datum } from '../../sql/types/datum.ts';
import type { SqlType } from '../../sql/types/sql-type.ts';
import { DEFAULT_TEXT_IO, formatDatum, type TextIoSettings } from '../../sql/types/text-io.ts';
import type { CopyOptions } from './copy-options.ts';

/** One output column: its name (for HEADER) and type (for text output). */
export interface CopyOutputColumn {
  readonly name: string;
  readonly type: SqlType;
}

/** Settings of one {@link formatCopyRows} call. */
export interface FormatCopySettings {
  /** Write the header line first (pass true for the first batch only, when options.header is set). */
  readonly header?: boolean;
  readonly textIo?: TextIoSettings;
}

const encoder = new TextEncoder();

/**
 * Formats rows (Datum arrays, or a batch honoring its selection vector) as COPY TO output:
 * - text: NULL as the null string (`\N`), backslash, delimiter, and \b \f \n \r \t \v escaped with a
 *   backslash, other bytes as they are;
 * - CSV: NULL as the null string unquoted; a value is quoted when FORCE_QUOTE names its column, it
 *   equals the null string, contains the delimiter, quote, CR or LF, or is `\.` alone on a line;
 *   inside quotes the quote and escape characters are preceded by the escape character.
 * Every line ends with '\n'. Throws 0A000 for BINARY.
 */
export function formatCopyRows(
  rows: Batch | readonly (readonly Datum[])[], columns: readonly CopyOutputColumn[], options: CopyOptions,
  settings: FormatCopySettings = {},
): Uint8Array {
  if (options.format === 'binary') throw featureNotSupported('COPY format BINARY');
  const textIo = settings.textIo ?? DEFAULT_TEXT_IO;
  const csv = options.format === 'csv';
  const delim = String.fromCharCode(options.delimiter);
  const forceQuote = columns.map((c) => options.forceQuote === '*' || options.forceQuote.includes(c.name));
  const single = columns.length === 1;
  let out = '';
  if (settings.header === true) {
    out += columns.map((c) => (csv ? csvField(c.name, false, single, options) : textField(c.name, delim))).join(delim) + '\n';
  }
  const ncols = columns.length;
  const line = (get: (colIdx: number) => Datum): void => {
    for (let colIdx = 0; colIdx < ncols; colIdx++) {
      if (colIdx > 0) out += delim;
      const text = formatDatum(columns[colIdx]!.type, get(colIdx), textIo);
      if (text === null) out += options.nullString;
      else out += csv ? csvField(text, forceQuote[colIdx]!, single, options) : textField(text, delim);
    }
    out += '\n';
  };
  if (Array.isArray(rows)) {
    for (const row of rows as readonly (readonly Datum[])[]) line((c) => row[c] ?? null);
  } else {
    const batch = rows as Batch;
    const vectors = batch.columns;
    if (batch.selection !== null) {
      for (const r of batch.selection) line((c) => datumAt(vectors[c]!, r));
    } else {
      for (let r = 0; r < batch.length; r++) line((c) => datumAt(vectors[c]!, r));
    }
  }
  return encoder.encode(out);
}

/** The header line alone (for a COPY TO whose first batch is written elsewhere). */
export function formatCopyHeader(columns: readonly CopyOutputColumn[], options: CopyOptions): Uint8Array {
  return formatCopyRows([], columns, options, { header: true });
}

const TEXT_ESCAPES: Record<string, string> = { '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };

/** PostgreSQL's CopyAttributeOutText. */
function textField(s: string, delim: string): string {
  let needs = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x5c || s[i] === delim) { needs = true; break; }
  }
  if (!needs) return s;
  let out = '';
  for (const ch of s) {
    const esc = TEXT_ESCAPES[ch];
    if (esc !== undefined) out += esc;
    else if (ch === '\\' || ch === delim) out += '\\' + ch;
    else out += ch;
  }
  return out;
}

/** PostgreSQL's CopyAttributeOutCSV. */
function csvField(s: string, force: boolean, single: boolean, options: CopyOptions): string {
  const delim = String.fromCharCode(options.delimiter);
  const quote = String.fromCharCode(options.quote);
  const escape = String.fromCharCode(options.escape);
  let useQuote = force || s === options.nullString || (single && s === '\\.');
  if (!useQuote) {
    for (let i = 0; i < s.length; i++) {
      const ch = s[i]!;
      if (ch === delim || ch === quote || ch === '\n' || ch === '\r') { useQuote = true; break; }
    }
  }
  if (!useQuote) return s;
  let out = quote;
  for (const ch of s) {
    if (ch === quote || ch === escape) out += escape;
    out += ch;
  }
  return out + quote;
}
