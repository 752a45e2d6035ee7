// The normalized options of one COPY statement (PostgreSQL and Redshift syntax alike) and their raw form.

/** Data format of the COPY stream. */
export type CopyFormat = 'text' | 'csv' | 'binary';

/** Compression of the input file; 'auto' picks one from the file name's extension. */
export type CopyCompression = 'auto' | 'none' | 'gzip' | 'zstd' | 'lz4' | 'bzip2';

/**
 * Which system's conversion rules apply where PostgreSQL and Redshift differ:
 * - text format backslashes: PostgreSQL escapes (`\t`, `\N`, octal, hex) vs. Redshift literal unless ESCAPE;
 * - an empty field in a non-string column: PostgreSQL 22P02 vs. Redshift NULL;
 * - numeric input with more fraction digits than the scale: PostgreSQL rounds vs. Redshift truncates (ROUNDEC rounds);
 * - an empty string field: PostgreSQL keeps '' (text format) vs. Redshift keeps '' unless EMPTYASNULL.
 * 'redshift' is chosen when the statement uses any Redshift-only option.
 */
export type CopyDialect = 'postgres' | 'redshift';

/** Which bad rows MAXERROR / REJECT_LIMIT may skip. */
export type CopyErrorScope =
  /** Every row-level error (Redshift MAXERROR). */
  | 'all'
  /** Only data type conversion errors (PostgreSQL ON_ERROR ignore); malformed rows still abort. */
  | 'conversion';

/** Everything a COPY statement says about the data, validated, with defaults filled in. */
export interface CopyOptions {
  readonly dialect: CopyDialect;
  readonly format: CopyFormat;
  /** COPY FROM (true) or COPY TO (false). */
  readonly isFrom: boolean;
  /** Field delimiter: one byte (tab for text, ',' for CSV by default). */
  readonly delimiter: number;
  /** The NULL marker as written (`\N` for text, '' for CSV by default). */
  readonly nullString: string;
  /** PostgreSQL HEADER: skip (true) or check ('match') the first line; on COPY TO, write one. */
  readonly header: boolean | 'match';
  /** Redshift IGNOREHEADER n: records skipped at the start of each file (after which HEADER is not applied). */
  readonly ignoreHeader: number;
  /** CSV quote byte (default '"'). Also the quote of Redshift `CSV QUOTE AS`. */
  readonly quote: number;
  /** CSV escape byte inside quotes (default: the quote). */
  readonly escape: number;
  /** Text format: backslash sequences are escapes (PostgreSQL always; Redshift with ESCAPE). */
  readonly backslashEscapes: boolean;
  /** CSV COPY FROM: columns whose unquoted null-marker value is a value, not NULL ('*' = all). */
  readonly forceNotNull: readonly string[] | '*';
  /** CSV COPY FROM: columns whose quoted null-marker value is NULL too ('*' = all). */
  readonly forceNull: readonly string[] | '*';
  /** CSV COPY TO: columns always quoted ('*' = all). */
  readonly forceQuote: readonly string[] | '*';
  /** Redshift EMPTYASNULL: an empty char/varchar field loads as NULL. */
  readonly emptyAsNull: boolean;
  /** Redshift BLANKSASNULL: a char/varchar field of only white space loads as NULL. */
  readonly blanksAsNull: boolean;
  /** Redshift TRIMBLANKS: trailing white space is removed from varchar/text values. */
  readonly trimBlanks: boolean;
  /** Redshift TRUNCATECOLUMNS: char/varchar values are cut to the declared length (in characters). */
  readonly truncateColumns: boolean;
  /** Redshift ACCEPTINVCHARS: the replacement character for each byte of invalid UTF-8, or null to reject. */
  readonly acceptInvChars: string | null;
  /** Redshift FILLRECORD: missing trailing columns load as NULL. */
  readonly fillRecord: boolean;
  /** Redshift IGNOREBLANKLINES: empty lines are skipped (they still count in line numbers). */
  readonly ignoreBlankLines: boolean;
  /** Redshift REMOVEQUOTES (text format): surrounding '…' or "…" are removed, delimiters inside kept. */
  readonly removeQuotes: boolean;
  /** Redshift ACCEPTANYDATE: an unparsable date/timestamp loads as NULL. */
  readonly acceptAnyDate: boolean;
  /** Numeric input with too many fraction digits is rounded (PostgreSQL; Redshift ROUNDEC) rather than truncated. */
  readonly roundDecimals: boolean;
  /** DATEFORMAT: null = PostgreSQL rules (ISO, with 'auto' as fallback), 'auto', or a pattern like 'MM/DD/YYYY'. */
  readonly dateFormat: string | null;
  /** TIMEFORMAT: null = PostgreSQL rules, 'auto', 'epochsecs', 'epochmillisecs', or a pattern. */
  readonly timeFormat: string | null;
  /** Bad rows skipped before the load aborts (Redshift MAXERROR, PostgreSQL REJECT_LIMIT); 0 = abort on the first. */
  readonly maxErrors: number;
  /** Which errors count against maxErrors (others abort at once). */
  readonly errorScope: CopyErrorScope;
  /**
   * Colonnade extension: a row with exactly one extra, empty, unquoted field at the end (TPC-H .tbl
   * files end every line with the delimiter) is accepted. PostgreSQL would report 22P04.
   */
  readonly allowTrailingDelimiter: boolean;
  /** Input compression ('auto': by the file name's extension). */
  readonly compression: CopyCompression;
  /** Redshift COMPUPDATE: null when not given. Accepted; encodings are the storage layer's business. */
  readonly compUpdate: 'on' | 'off' | 'preset' | null;
  /** Redshift STATUPDATE: null when not given. */
  readonly statUpdate: boolean | null;
  /** Redshift NOLOAD: parse and report errors, store nothing. */
  readonly noLoad: boolean;
  /** Redshift EXPLICIT_IDS: values for IDENTITY columns come from the file. */
  readonly explicitIds: boolean;
  /** PostgreSQL FREEZE (accepted, no effect). */
  readonly freeze: boolean;
  /** PostgreSQL LOG_VERBOSITY ('default' | 'verbose' | 'silent'). */
  readonly logVerbosity: 'default' | 'verbose' | 'silent';
}

/** A parsed option value, before validation. */
export type RawCopyValue =
  | { readonly kind: 'none' }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly value: number; readonly text: string }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'list'; readonly items: readonly string[] }
  | { readonly kind: 'star' };

/** One option as written, from PostgreSQL DefElems or Redshift option words. */
export interface RawCopyOption {
  /** Lower-case option name in PostgreSQL spelling ('force_not_null') or the Redshift word ('ignoreheader'). */
  readonly name: string;
  readonly value: RawCopyValue;
  /** 1-based character position of the option in the statement text (PostgreSQL's error position). */
  readonly position?: number;
  /** Where it was written: a PostgreSQL option (WITH list or legacy syntax) or a Redshift option word. */
  readonly origin: 'postgres' | 'redshift';
}

/** The default CSV quote byte ('"'). */
export const DOUBLE_QUOTE = 0x22;
