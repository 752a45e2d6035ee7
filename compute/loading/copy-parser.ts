// The streaming COPY FROM parser: byte chunks in (split anywhere), typed column batches out.
//
// Input chunks are scanned in place; only an incomplete last record is copied (into `carry`) to
// wait for the next chunk. Each complete record is split into fields (record-scanner.ts), and each
// field is converted straight from its bytes into its column's typed array (column-builder.ts),
// falling back to PostgreSQL's text input functions for unusual text. A bad row becomes a
// LoadErrorRecord: skipped while the MAXERROR budget lasts, else thrown as PostgreSQL would.
import { SqlError, SqlState, internalError, type SqlStateCode } from '../../common/errors/index.ts';
import type { Batch } from '../batch/batch.ts';
import { DEFAULT_TEXT_IO, type TextIoSettings } from '../../sql/types/text-io.ts';
import type { CopyOptions } from './copy-options.ts';
import { ColumnBuilder, Conv, convertFast, convertSlow, decodeText, type ConversionSettings, type CopyColumn } from './column-builder.ts';
import { dateTimeReader, type DateTimeReader } from './date-time-format.ts';
import {
  LoadErrorBudget, RAW_VALUE_LIMIT, budgetExceededError, loadErrorToSqlError, redshiftErrorCode, truncateChars, type LoadErrorRecord,
} from './load-error.ts';
import { F_ESC, F_HIGH, F_QUOTED, F_UNTERMINATED, RecordScanner, Scratch } from './record-scanner.ts';
import { describeInvalidUtf8, findInvalidUtf8, replaceInvalidUtf8 } from './utf8.ts';

export type { CopyColumn } from './column-builder.ts';

/** Rows per batch the parser emits by default. */
export const COPY_BATCH_ROWS = 65_536;

/** Where parsed rows and rejected rows go. */
export interface CopySink {
  /** Each full batch, and the last partial one at end(). The batch's arrays belong to the sink. */
  batch(batch: Batch): void;
  /** Each bad row skipped under MAXERROR / ON_ERROR ignore, in input order. */
  rejected?(record: LoadErrorRecord): void;
}

/** Per-file settings of a parser. */
export interface CopyParserConfig {
  /** Table name for messages (`COPY t, line 3, column c: "x"`). */
  readonly tableName: string;
  /** Input file name for error records ('' or absent for STDIN). */
  readonly fileName?: string;
  /** Rows per emitted batch (default {@link COPY_BATCH_ROWS}). */
  readonly batchRows?: number;
  /** Session TimeZone for timestamptz input without a zone. */
  readonly textIo?: TextIoSettings;
  /** Error budget shared by the parsers of all files of one COPY (default: a new one from options). */
  readonly errorBudget?: LoadErrorBudget;
  /** Records of the file before this input (a chunk cut by record-chunker.ts); line numbers continue from it. */
  readonly startLine?: number;
  /** The input starts the file, so HEADER and IGNOREHEADER apply (default true). */
  readonly atFileStart?: boolean;
  /**
   * Reuse the batch arrays: a batch is valid only until `sink.batch` returns (the sink copies what
   * it keeps). Saves allocating and collecting a batch's worth of memory per batch.
   */
  readonly reuseBatchMemory?: boolean;
}

/** Where the next input of a restarted parser comes from (see {@link CopyParser.restart}). */
export type CopyInputPosition = Pick<CopyParserConfig, 'fileName' | 'startLine' | 'atFileStart'>;

/** Counts of one parser's input. */
export interface CopyParseSummary {
  /** Rows handed to the sink. */
  readonly rowsLoaded: number;
  /** Bad rows skipped (this parser's share). */
  readonly rowsRejected: number;
  /** Line number of the last record read (startLine + records read, header and skipped lines included). */
  readonly linesRead: number;
  /** Rows in which ACCEPTINVCHARS replaced invalid UTF-8. */
  readonly rowsWithReplacedChars: number;
  /** Input bytes consumed. */
  readonly bytesRead: number;
}

/** A streaming COPY FROM parser for one input file (or STDIN). */
export interface CopyParser {
  /** Parses a chunk of input; chunks may split records, quotes and UTF-8 sequences anywhere. */
  write(chunk: Uint8Array): void;
  /** Ends the input: parses the last record, emits the last batch, returns the counts. */
  end(): CopyParseSummary;
  /** After end(): starts a new input (counts reset, buffers kept). */
  restart(position: CopyInputPosition): void;
}

/**
 * Creates a parser for `options` (text or CSV) whose input fields map, in order, onto `columns`.
 * Throws 0A000 for a column type without a vector layout and 42703 for FORCE_NULL/FORCE_NOT_NULL
 * columns not among `columns`.
 */
export function createCopyParser(
  options: CopyOptions, columns: readonly CopyColumn[], sink: CopySink, config: CopyParserConfig = { tableName: 'copy' },
): CopyParser {
  return new StreamingCopyParser(options, columns, sink, config);
}

const LF = 0x0a;
const CR = 0x0d;

class StreamingCopyParser implements CopyParser {
  private readonly cols: ColumnBuilder[];
  private readonly ncols: number;
  private readonly batchRows: number;
  private readonly scanner: RecordScanner;
  private readonly scratch = new Scratch();
  private readonly conv: ConversionSettings;
  private readonly budget: LoadErrorBudget;
  private readonly nullBytes: Uint8Array;
  private readonly forceNull: Uint8Array;
  private readonly forceNotNull: Uint8Array;
  private readonly csv: boolean;
  private readonly redshift: boolean;
  private readonly replacement: number;
  private fileName: string;
  private carry = new Uint8Array(0);
  private carryLen = 0;
  private rows = 0;
  private lineNo = 0;
  private toSkip: number;
  private headerPending: boolean;
  private done = false;
  private ended = false;
  private rowsLoaded = 0;
  private rejected = 0;
  private replacedRows = 0;
  private rowReplaced = false;
  private bytesRead = 0;

  constructor(private readonly opts: CopyOptions, columns: readonly CopyColumn[], private readonly sink: CopySink,
    private readonly config: CopyParserConfig) {
    if (opts.format === 'binary') throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, 'COPY format BINARY is not supported');
    this.batchRows = config.batchRows ?? COPY_BATCH_ROWS;
    this.cols = columns.map((c) => new ColumnBuilder(c, this.batchRows));
    this.ncols = columns.length;
    this.scanner = new RecordScanner(opts);
    this.csv = opts.format === 'csv';
    this.redshift = opts.dialect === 'redshift';
    this.fileName = config.fileName ?? '';
    this.nullBytes = new TextEncoder().encode(opts.nullString);
    this.replacement = opts.acceptInvChars === null ? -1 : opts.acceptInvChars.charCodeAt(0);
    this.forceNull = columnFlags(opts.forceNull, columns, config.tableName);
    this.forceNotNull = columnFlags(opts.forceNotNull, columns, config.tableName);
    const dateReader: DateTimeReader | null = opts.dateFormat === null ? null : dateTimeReader(opts.dateFormat);
    const timeReader: DateTimeReader | null = opts.timeFormat === null ? null : dateTimeReader(opts.timeFormat);
    const df = opts.dateFormat?.toUpperCase() ?? null;
    const tf = opts.timeFormat?.toUpperCase() ?? null;
    this.conv = {
      roundDecimals: opts.roundDecimals,
      truncateColumns: opts.truncateColumns,
      trimBlanks: opts.trimBlanks,
      dateReader,
      timeReader,
      isoDateFastPath: df === null || df === 'AUTO' || df === 'YYYY-MM-DD',
      isoTimeFastPath: tf === null || tf === 'AUTO' || tf === 'YYYY-MM-DD HH:MI:SS' || tf === 'YYYY-MM-DD HH24:MI:SS',
      textIo: config.textIo ?? DEFAULT_TEXT_IO,
    };
    this.budget = config.errorBudget ?? new LoadErrorBudget(opts.maxErrors, opts.errorScope);
    this.toSkip = 0;
    this.headerPending = false;
    this.position(config);
  }

  private position(p: CopyInputPosition): void {
    const atStart = p.atFileStart !== false;
    this.toSkip = atStart ? this.opts.ignoreHeader : 0;
    this.headerPending = atStart && this.opts.header !== false;
    this.lineNo = p.startLine ?? 0;
    this.fileName = p.fileName ?? '';
  }

  restart(p: CopyInputPosition): void {
    if (!this.ended) throw internalError('COPY parser restarted before end()');
    this.position(p);
    this.carryLen = 0;
    this.rows = 0;
    this.done = false;
    this.ended = false;
    this.rowsLoaded = 0;
    this.rejected = 0;
    this.replacedRows = 0;
    this.rowReplaced = false;
    this.bytesRead = 0;
    this.scanner.resetLineEnding();
  }

  write(chunk: Uint8Array): void {
    if (this.ended) throw internalError('COPY parser written after end()');
    this.bytesRead += chunk.length;
    if (this.done || chunk.length === 0) return;
    if (this.carryLen === 0) {
      const used = this.parse(chunk, chunk.length, false);
      if (!this.done && used < chunk.length) this.appendCarry(chunk.subarray(used));
      return;
    }
    this.appendCarry(chunk);
    // A record left over from earlier chunks cannot end in a chunk without a line break.
    if (chunk.indexOf(LF) < 0 && chunk.indexOf(CR) < 0) return;
    const used = this.parse(this.carry, this.carryLen, false);
    this.carry.copyWithin(0, used, this.carryLen);
    this.carryLen -= used;
    if (this.done) this.carryLen = 0;
  }

  end(): CopyParseSummary {
    if (!this.ended) {
      this.ended = true;
      if (!this.done && this.carryLen > 0) this.parse(this.carry, this.carryLen, true);
      this.carryLen = 0;
      this.flush();
    }
    return {
      rowsLoaded: this.rowsLoaded,
      rowsRejected: this.rejected,
      linesRead: this.lineNo,
      rowsWithReplacedChars: this.replacedRows,
      bytesRead: this.bytesRead,
    };
  }

  private appendCarry(bytes: Uint8Array): void {
    const need = this.carryLen + bytes.length;
    if (need > this.carry.length) {
      const grown = new Uint8Array(Math.max(need, this.carry.length * 2, 4096));
      grown.set(this.carry.subarray(0, this.carryLen));
      this.carry = grown;
    }
    this.carry.set(bytes, this.carryLen);
    this.carryLen = need;
  }

  /** Parses complete records of b[0, end); returns the offset of the first unparsed byte. */
  private parse(b: Uint8Array, end: number, final: boolean): number {
    let pos = 0;
    const scanner = this.scanner;
    while (pos < end) {
      const next = scanner.scan(b, pos, end, final);
      if (next < 0) break;
      this.record(b, pos);
      pos = next;
      if (this.done) return end;
    }
    return pos;
  }

  /** Handles the record the scanner just found, starting at b[recStart]. */
  private record(b: Uint8Array, recStart: number): void {
    const sc = this.scanner;
    this.lineNo++;
    const nf = sc.nFields;
    const recEnd = sc.recordEnd;
    if (sc.eolError !== null) {
      this.rowError(b, recStart, recEnd, SqlState.BAD_COPY_FILE_FORMAT, sc.eolError, -1, 0, 0, false, undefined, sc.eolHint ?? undefined);
      return;
    }
    if (sc.endMarkerActive && b[recStart] === 0x5c && recEnd - recStart >= 2 && b[recStart + 1] === 0x2e) {
      if (recEnd - recStart === 2) { this.done = true; return; }
      this.fatal(b, recStart, recEnd, 'end-of-copy marker is not alone on its line');
    }
    if (this.toSkip > 0) { this.toSkip--; return; }
    if (this.headerPending) {
      this.headerPending = false;
      if (this.opts.header === 'match') this.checkHeader(b, recStart, recEnd, nf);
      return;
    }
    if (this.opts.ignoreBlankLines && recEnd === recStart) return;

    if ((sc.fieldFlags[nf - 1]! & F_UNTERMINATED) !== 0 && this.csv) {
      this.rowError(b, recStart, recEnd, SqlState.BAD_COPY_FILE_FORMAT, 'unterminated CSV quoted field', -1, 0, 0, false);
      return;
    }
    let nUse = nf;
    const ncols = this.ncols;
    if (nf === ncols + 1 && this.opts.allowTrailingDelimiter && sc.fieldStart[ncols] === sc.fieldEnd[ncols]) nUse = ncols;
    if (nUse > ncols) {
      this.rowError(b, recStart, recEnd, SqlState.BAD_COPY_FILE_FORMAT, 'extra data after last expected column', -1, 0, 0, false);
      return;
    }
    const row = this.rows;
    this.rowReplaced = false;
    let colIdx = 0;
    try {
      // PostgreSQL checks the encoding of every field while splitting the line, before converting any.
      if (this.replacement < 0) {
        for (; colIdx < nUse; colIdx++) this.checkEncoding(b, colIdx);
        colIdx = 0;
      }
      for (; colIdx < ncols; colIdx++) {
        if (colIdx >= nUse) {
          // Checked column by column, as PostgreSQL does: an earlier field's bad value is reported first.
          if (!this.opts.fillRecord) throw new SqlError(SqlState.BAD_COPY_FILE_FORMAT, `missing data for column "${this.cols[colIdx]!.column.name}"`);
          this.putNull(colIdx, row);
          continue;
        }
        this.field(b, colIdx, row);
      }
    } catch (err) {
      if (!(err instanceof SqlError)) throw err;
      const s = sc.fieldStart[colIdx] ?? recStart;
      const e = sc.fieldEnd[colIdx] ?? recStart;
      const conversion = err.code !== SqlState.CHARACTER_NOT_IN_REPERTOIRE && err.code !== SqlState.BAD_COPY_FILE_FORMAT
        && err.code !== SqlState.NOT_NULL_VIOLATION;
      // Format errors (field count, quotes) concern the whole line.
      this.rowError(b, recStart, recEnd, err.code, err.message, err.code === SqlState.BAD_COPY_FILE_FORMAT ? -1 : colIdx,
        s, e, conversion, err.fields.detail, err.fields.hint);
      return;
    }
    if (this.rowReplaced) this.replacedRows++;
    this.rows = row + 1;
    if (this.rows === this.batchRows) this.flush();
  }

  /** Converts field `colIdx` of the current record into row `row`; throws SqlError for a bad value. */
  private field(b: Uint8Array, colIdx: number, row: number): void {
    const sc = this.scanner;
    const col = this.cols[colIdx]!;
    const s = sc.fieldStart[colIdx]!;
    const e = sc.fieldEnd[colIdx]!;
    const flags = sc.fieldFlags[colIdx]!;
    if ((flags & F_UNTERMINATED) !== 0) {
      throw new SqlError(SqlState.BAD_COPY_FILE_FORMAT, this.csv ? 'unterminated CSV quoted field' : 'unterminated quoted field');
    }
    // NULL: the raw text equals the null marker (CSV: unquoted, unless FORCE_NOT_NULL).
    if (this.isNullMarker(b, s, e) && (!this.csv || ((flags & F_QUOTED) === 0 && this.forceNotNull[colIdx] === 0))) {
      this.putNull(colIdx, row);
      return;
    }
    let vb = b;
    let vs = s;
    let ve = e;
    if ((flags & (F_ESC | F_QUOTED)) !== 0) {
      ve = sc.unescape(b, s, e, flags, this.scratch);
      vb = this.scratch.buf;
      vs = 0;
      if (this.csv && this.forceNull[colIdx] === 1 && this.isNullMarker(vb, 0, ve)) {
        this.putNull(colIdx, row);
        return;
      }
    }
    if ((flags & (F_HIGH | F_ESC)) !== 0) {
      const bad = findInvalidUtf8(vb, vs, ve);
      if (bad >= 0) {
        if (this.replacement < 0) this.checkEncoding(b, colIdx); // throws 22021
        if (vb === b) {
          const out = this.scratch.ensure(ve - vs);
          out.set(b.subarray(vs, ve));
          vb = out;
          ve -= vs;
          vs = 0;
        }
        replaceInvalidUtf8(vb, vs, ve, this.replacement);
        this.rowReplaced = true;
      }
    }
    if (col.isString) {
      if (ve === vs ? this.opts.emptyAsNull : this.opts.blanksAsNull && isBlank(vb, vs, ve)) {
        this.putNull(colIdx, row);
        return;
      }
    } else if (ve === vs && this.redshift) {
      // Redshift loads an empty field of a non-character column as NULL.
      this.putNull(colIdx, row);
      return;
    }
    if (convertFast(col, row, vb, vs, ve, this.conv)) return;
    try {
      convertSlow(col, row, decodeText(vb, vs, ve), this.conv);
    } catch (err) {
      if (this.opts.acceptAnyDate && err instanceof SqlError
        && (col.conv === Conv.DATE || col.conv === Conv.TIMESTAMP || col.conv === Conv.TIMESTAMPTZ)) {
        this.putNull(colIdx, row);
        return;
      }
      throw err;
    }
  }

  /** Throws 22021 when field `colIdx` (after un-escaping) is not valid UTF-8; NULL markers are not checked. */
  private checkEncoding(b: Uint8Array, colIdx: number): void {
    const sc = this.scanner;
    const flags = sc.fieldFlags[colIdx]!;
    if ((flags & (F_HIGH | F_ESC)) === 0) return;
    const s = sc.fieldStart[colIdx]!;
    const e = sc.fieldEnd[colIdx]!;
    if (this.isNullMarker(b, s, e) && (!this.csv || (flags & F_QUOTED) === 0)) return;
    let vb = b;
    let vs = s;
    let ve = e;
    if ((flags & (F_ESC | F_QUOTED)) !== 0) {
      ve = sc.unescape(b, s, e, flags, this.scratch);
      vb = this.scratch.buf;
      vs = 0;
    }
    const bad = findInvalidUtf8(vb, vs, ve);
    if (bad >= 0) {
      // Like PostgreSQL, show the bytes the sequence should have had, even past the field.
      const limit = vb === b ? b.length : ve;
      throw new SqlError(SqlState.CHARACTER_NOT_IN_REPERTOIRE, `invalid byte sequence for encoding "UTF8": ${describeInvalidUtf8(vb, bad, limit)}`);
    }
  }

  private putNull(colIdx: number, row: number): void {
    const col = this.cols[colIdx]!;
    if (col.column.notNull) {
      throw new SqlError(SqlState.NOT_NULL_VIOLATION,
        `null value in column "${col.column.name}" of relation "${this.config.tableName}" violates not-null constraint`);
    }
    col.setNull(row);
  }

  private isNullMarker(b: Uint8Array, s: number, e: number): boolean {
    const nb = this.nullBytes;
    if (e - s !== nb.length) return false;
    for (let k = 0; k < nb.length; k++) if (b[s + k] !== nb[k]) return false;
    return true;
  }

  /** HEADER MATCH: the header's fields must be the column names, in order (22P04 otherwise). */
  private checkHeader(b: Uint8Array, recStart: number, recEnd: number, nf: number): void {
    const sc = this.scanner;
    if (nf !== this.ncols) this.fatal(b, recStart, recEnd, `wrong number of fields in header line: got ${nf}, expected ${this.ncols}`);
    for (let k = 0; k < nf; k++) {
      const s = sc.fieldStart[k]!;
      const e = sc.fieldEnd[k]!;
      const flags = sc.fieldFlags[k]!;
      const expected = this.cols[k]!.column.name;
      if (this.isNullMarker(b, s, e) && (!this.csv || (flags & F_QUOTED) === 0)) {
        this.fatal(b, recStart, recEnd, `column name mismatch in header line field ${k + 1}: got null value ("${this.opts.nullString}"), expected "${expected}"`);
      }
      let name: string;
      if ((flags & (F_ESC | F_QUOTED)) !== 0) name = decodeText(this.scratch.buf, 0, sc.unescape(b, s, e, flags, this.scratch));
      else name = decodeText(b, s, e);
      if (name !== expected) this.fatal(b, recStart, recEnd, `column name mismatch in header line field ${k + 1}: got "${name}", expected "${expected}"`);
    }
  }

  /** A 22P04 that no error budget covers (header mismatch, corrupt end marker). */
  private fatal(b: Uint8Array, recStart: number, recEnd: number, message: string): never {
    const rec = this.makeRecord(b, recStart, recEnd, SqlState.BAD_COPY_FILE_FORMAT, message, -1, 0, 0, false);
    throw loadErrorToSqlError(this.config.tableName, rec);
  }

  private makeRecord(b: Uint8Array, recStart: number, recEnd: number, code: SqlStateCode, message: string, colIdx: number,
    s: number, e: number, conversion: boolean, detail?: string, hint?: string, fieldIdx = colIdx): LoadErrorRecord {
    const col = colIdx >= 0 ? this.cols[colIdx] : undefined;
    return {
      fileName: this.fileName,
      lineNumber: this.lineNo,
      columnName: col?.column.name ?? '',
      columnType: col?.typeName ?? '',
      columnLength: col !== undefined && col.maxChars >= 0 ? col.maxChars : 0,
      fieldIndex: fieldIdx >= 0 ? fieldIdx + 1 : 0,
      rawFieldValue: col !== undefined ? truncateChars(decodeText(b, s, e), RAW_VALUE_LIMIT) : '',
      rawLine: truncateChars(decodeText(b, recStart, Math.min(recEnd, recStart + RAW_VALUE_LIMIT * 4)), RAW_VALUE_LIMIT),
      code,
      redshiftCode: redshiftErrorCode(code, col?.column.type.id ?? '', message),
      message,
      ...(detail !== undefined ? { detail } : {}),
      ...(hint !== undefined ? { hint } : {}),
      conversion,
    };
  }

  /** Records a bad row: skipped while the budget lasts, else thrown. */
  private rowError(b: Uint8Array, recStart: number, recEnd: number, code: SqlStateCode, message: string, colIdx: number,
    s: number, e: number, conversion: boolean, detail?: string, hint?: string, fieldIdx = colIdx): void {
    const rec = this.makeRecord(b, recStart, recEnd, code, message, colIdx, s, e, conversion, detail, hint, fieldIdx);
    if (this.budget.trySkip(rec)) {
      this.rejected++;
      this.sink.rejected?.(rec);
      return;
    }
    throw budgetExceededError(this.config.tableName, this.budget.maxErrors, this.budget.scope, rec);
  }

  private flush(): void {
    if (this.rows === 0) return;
    const n = this.rows;
    const reuse = this.config.reuseBatchMemory === true;
    const columns = this.cols.map((c) => c.finish(n, reuse));
    this.rows = 0;
    this.rowsLoaded += n;
    this.sink.batch({ length: n, columns, selection: null });
    if (reuse) for (const c of this.cols) c.recycle(n);
  }
}

function isBlank(b: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i < e; i++) {
    const c = b[i]!;
    if (c !== 0x20 && c !== 0x09) return false;
  }
  return true;
}

/** 1 per column named in a FORCE_NULL / FORCE_NOT_NULL list ('*': all). */
function columnFlags(names: readonly string[] | '*', columns: readonly CopyColumn[], table: string): Uint8Array {
  const flags = new Uint8Array(columns.length);
  if (names === '*') { flags.fill(1); return flags; }
  for (const name of names) {
    const idx = columns.findIndex((c) => c.name === name);
    if (idx < 0) throw new SqlError(SqlState.UNDEFINED_COLUMN, `column "${name}" of relation "${table}" does not exist`);
    flags[idx] = 1;
  }
  return flags;
}
