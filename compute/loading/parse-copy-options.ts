// Turns a CopyStmt's options (PostgreSQL DefElems) plus lifted Redshift option words into one CopyOptions.
import type { CopyStmt, Node } from 'libpg-query';
import { SqlError, SqlState, featureNotSupported, syntaxError } from '../../common/errors/index.ts';
import { isNode, list, node, str } from '../../sql/parser/ast.ts';
import {
  DOUBLE_QUOTE,
  type CopyCompression, type CopyDialect, type CopyFormat, type CopyOptions, type RawCopyOption, type RawCopyValue,
} from './copy-options.ts';

/** Options that only Redshift has; any of them makes the statement use Redshift's conversion rules. */
const REDSHIFT_ONLY = new Set([
  'ignoreheader', 'emptyasnull', 'blanksasnull', 'trimblanks', 'truncatecolumns', 'acceptinvchars', 'fillrecord',
  'maxerror', 'dateformat', 'timeformat', 'acceptanydate', 'removequotes', 'compupdate', 'statupdate', 'noload',
  'gzip', 'lzop', 'bzip2', 'zstd', 'lz4', 'ignoreblanklines', 'roundec', 'explicit_ids', 'region', 'iam_role',
  'credentials', 'access_key_id', 'secret_access_key', 'session_token', 'manifest', 'fixedwidth', 'json', 'avro',
  'parquet', 'orc', 'shapefile', 'readratio',
]);

/** Where the data comes from, for checks that depend on it. */
export interface CopySourceInfo {
  readonly isFrom: boolean;
  /** The file name as written (undefined for STDIN/STDOUT). */
  readonly fileName?: string;
  readonly isProgram?: boolean;
}

/** Settings of {@link parseCopyOptions}. */
export interface ParseCopyOptionsSettings {
  /** Force a dialect; by default 'redshift' when any Redshift-only option is present. */
  readonly dialect?: CopyDialect;
}

/**
 * Normalizes a COPY statement's options: the CopyStmt's DefElems (`WITH (...)` and legacy
 * `CSV HEADER DELIMITER ','` syntax) plus the options {@link extractRedshiftCopyOptions} lifted out
 * of the statement text. Throws PostgreSQL's errors: 42601 (unknown or repeated option, bad value),
 * 22023 (bad delimiter/null/format), 0A000 (unsupported format, source or compression).
 */
export function parseCopyOptions(
  stmt: CopyStmt, redshift: readonly RawCopyOption[] = [], settings: ParseCopyOptionsSettings = {},
): CopyOptions {
  const raw: RawCopyOption[] = [];
  for (const opt of list(stmt.options)) raw.push(rawFromDefElem(opt));
  raw.push(...redshift);
  const source: CopySourceInfo = {
    isFrom: stmt.is_from === true,
    ...(stmt.filename !== undefined ? { fileName: stmt.filename } : {}),
    isProgram: stmt.is_program === true,
  };
  return normalizeCopyOptions(raw, source, settings);
}

/** Reads one DefElem node into a {@link RawCopyOption}. */
export function rawFromDefElem(n: Node): RawCopyOption {
  const d = node(n, 'DefElem');
  if (d === undefined) throw syntaxError('invalid COPY option');
  const position = d.location !== undefined && d.location >= 0 ? d.location + 1 : undefined;
  return {
    name: (d.defname ?? '').toLowerCase(),
    value: rawValue(d.arg),
    ...(position !== undefined ? { position } : {}),
    origin: 'postgres',
  };
}

function rawValue(arg: Node | undefined): RawCopyValue {
  if (arg === undefined) return { kind: 'none' };
  const s = node(arg, 'String');
  if (s !== undefined) return { kind: 'string', value: s.sval ?? '' };
  const i = node(arg, 'Integer');
  if (i !== undefined) return { kind: 'number', value: i.ival ?? 0, text: String(i.ival ?? 0) };
  const f = node(arg, 'Float');
  if (f !== undefined) return { kind: 'number', value: Number(f.fval ?? '0'), text: f.fval ?? '0' };
  const b = node(arg, 'Boolean');
  if (b !== undefined) return { kind: 'boolean', value: b.boolval === true };
  if (isNode(arg, 'A_Star')) return { kind: 'star' };
  if (isNode(arg, 'List') || Array.isArray(arg)) {
    return { kind: 'list', items: list(arg).map((item) => str(item) ?? '') };
  }
  const tn = node(arg, 'TypeName');
  if (tn !== undefined) return { kind: 'string', value: list(tn.names).map((x) => str(x) ?? '').join('.') };
  return { kind: 'none' };
}

interface Draft {
  format?: CopyFormat;
  delimiter?: string;
  nullString?: string;
  header?: boolean | 'match';
  quote?: string;
  escape?: string;
  forceQuote?: readonly string[] | '*';
  forceNotNull?: readonly string[] | '*';
  forceNull?: readonly string[] | '*';
  encoding?: string;
  freeze?: boolean;
  onError?: 'stop' | 'ignore';
  rejectLimit?: number;
  logVerbosity?: 'default' | 'verbose' | 'silent';
  ignoreHeader?: number;
  emptyAsNull?: boolean;
  blanksAsNull?: boolean;
  trimBlanks?: boolean;
  truncateColumns?: boolean;
  acceptInvChars?: string;
  fillRecord?: boolean;
  maxErrors?: number;
  dateFormat?: string;
  timeFormat?: string;
  acceptAnyDate?: boolean;
  removeQuotes?: boolean;
  backslashEscape?: boolean;
  compUpdate?: 'on' | 'off' | 'preset';
  statUpdate?: boolean;
  noLoad?: boolean;
  compression?: CopyCompression;
  ignoreBlankLines?: boolean;
  roundDecimals?: boolean;
  explicitIds?: boolean;
}

/** Validates raw options into CopyOptions (see {@link parseCopyOptions}). */
export function normalizeCopyOptions(
  raw: readonly RawCopyOption[], source: CopySourceInfo, settings: ParseCopyOptionsSettings = {},
): CopyOptions {
  if (source.isProgram === true) throw featureNotSupported(`COPY ${source.isFrom ? 'FROM' : 'TO'} PROGRAM`);
  const fileName = source.fileName ?? '';
  if (/^s3:\/\//i.test(fileName)) throw featureNotSupported('COPY from Amazon S3', { hint: 'Copy the files to the server and name them with a local path.' });
  if (/^(dynamodb|emr|ssh):\/\//i.test(fileName)) throw featureNotSupported(`COPY from ${fileName.split(':')[0]!.toUpperCase()}`);
  const d: Draft = {};
  const seen = new Set<string>();
  let redshiftSyntax = false;
  /** Marks `key` as set; a second setting is PostgreSQL's "conflicting or redundant options". */
  const once = (key: string, opt: RawCopyOption): void => {
    if (seen.has(key)) {
      throw new SqlError(SqlState.SYNTAX_ERROR, 'conflicting or redundant options', opt.position !== undefined ? { position: opt.position } : {});
    }
    seen.add(key);
  };
  for (const opt of raw) {
    if (opt.origin === 'redshift' || REDSHIFT_ONLY.has(opt.name)) redshiftSyntax = true;
    applyOption(d, opt, once);
  }
  const dialect: CopyDialect = settings.dialect ?? (redshiftSyntax ? 'redshift' : 'postgres');
  return finish(d, source, dialect);
}

type Once = (key: string, opt: RawCopyOption) => void;

function applyOption(d: Draft, opt: RawCopyOption, once: Once): void {
  const v = opt.value;
  switch (opt.name) {
    case 'format': {
      once('format', opt);
      const f = stringArg(opt).toLowerCase();
      if (f === 'text' || f === 'csv' || f === 'binary') d.format = f;
      else if (f === 'json' || f === 'avro' || f === 'parquet' || f === 'orc' || f === 'shapefile' || f === 'fixedwidth') {
        throw featureNotSupported(`COPY format ${f.toUpperCase()}`, pos(opt));
      } else throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `COPY format "${f}" not recognized`, pos(opt));
      return;
    }
    case 'csv': // Redshift `CSV [QUOTE [AS] 'x']` and PostgreSQL legacy `CSV` (parsed to format)
      once('format', opt);
      d.format = 'csv';
      return;
    case 'binary':
      once('format', opt);
      d.format = 'binary';
      return;
    case 'fixedwidth': case 'json': case 'avro': case 'parquet': case 'orc': case 'shapefile':
      throw featureNotSupported(`COPY format ${opt.name.toUpperCase()}`, pos(opt));
    case 'freeze': once('freeze', opt); d.freeze = booleanArg(opt); return;
    case 'delimiter': once('delimiter', opt); d.delimiter = stringArg(opt); return;
    case 'null': once('null', opt); d.nullString = stringArg(opt); return;
    case 'default':
      throw featureNotSupported('COPY option DEFAULT', pos(opt));
    case 'header': {
      once('header', opt);
      if (v.kind === 'string' && v.value.toLowerCase() === 'match') { d.header = 'match'; return; }
      const b = booleanValue(v);
      if (b === undefined) throw new SqlError(SqlState.SYNTAX_ERROR, `${opt.name} requires a Boolean value or "match"`, pos(opt));
      d.header = b;
      return;
    }
    case 'quote': once('quote', opt); d.quote = stringArg(opt); return;
    case 'escape':
      once('escape', opt);
      // Redshift's ESCAPE takes no argument: backslash becomes an escape character.
      if (v.kind === 'none') d.backslashEscape = true;
      else d.escape = stringArg(opt);
      return;
    case 'force_quote': once('force_quote', opt); d.forceQuote = columnList(opt); return;
    case 'force_not_null': once('force_not_null', opt); d.forceNotNull = columnList(opt); return;
    case 'force_null': once('force_null', opt); d.forceNull = columnList(opt); return;
    case 'encoding': {
      once('encoding', opt);
      const e = stringArg(opt).toUpperCase().replace(/[-_]/g, '');
      if (e !== 'UTF8' && e !== 'UNICODE' && e !== 'SQLASCII') {
        if (/^(UTF16(LE|BE)?|LATIN\d|WIN\d+|ISO8859\d+|EUC\w+|SJIS|GBK|BIG5|KOI8\w*)$/.test(e)) {
          throw featureNotSupported(`COPY ENCODING ${stringArg(opt)}`, pos(opt));
        }
        throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `argument to option "${opt.name}" must be a valid encoding name`, pos(opt));
      }
      d.encoding = 'UTF8';
      return;
    }
    case 'on_error': {
      once('on_error', opt);
      const s = stringArg(opt).toLowerCase();
      if (s !== 'stop' && s !== 'ignore') throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `COPY ON_ERROR "${s}" not recognized`, pos(opt));
      d.onError = s;
      return;
    }
    case 'reject_limit': {
      once('reject_limit', opt);
      const n = integerArg(opt);
      if (n <= 0) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `REJECT_LIMIT (${n}) must be greater than zero`, pos(opt));
      d.rejectLimit = n;
      return;
    }
    case 'log_verbosity': {
      once('log_verbosity', opt);
      const s = stringArg(opt).toLowerCase();
      if (s !== 'default' && s !== 'verbose' && s !== 'silent') throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `COPY LOG_VERBOSITY "${s}" not recognized`, pos(opt));
      d.logVerbosity = s;
      return;
    }
    // Redshift data conversion and format parameters.
    case 'ignoreheader': once(opt.name, opt); d.ignoreHeader = nonNegative(opt); return;
    case 'maxerror': once(opt.name, opt); d.maxErrors = Math.min(nonNegative(opt), 100_000); return;
    case 'emptyasnull': once(opt.name, opt); d.emptyAsNull = flagArg(opt); return;
    case 'blanksasnull': once(opt.name, opt); d.blanksAsNull = flagArg(opt); return;
    case 'trimblanks': once(opt.name, opt); d.trimBlanks = flagArg(opt); return;
    case 'truncatecolumns': once(opt.name, opt); d.truncateColumns = flagArg(opt); return;
    case 'fillrecord': once(opt.name, opt); d.fillRecord = flagArg(opt); return;
    case 'acceptanydate': once(opt.name, opt); d.acceptAnyDate = flagArg(opt); return;
    case 'removequotes': once(opt.name, opt); d.removeQuotes = flagArg(opt); return;
    case 'ignoreblanklines': once(opt.name, opt); d.ignoreBlankLines = flagArg(opt); return;
    case 'roundec': once(opt.name, opt); d.roundDecimals = flagArg(opt); return;
    case 'explicit_ids': once(opt.name, opt); d.explicitIds = flagArg(opt); return;
    case 'noload': once(opt.name, opt); d.noLoad = flagArg(opt); return;
    case 'acceptinvchars': {
      once(opt.name, opt);
      const ch = v.kind === 'none' ? '?' : stringArg(opt);
      if (ch.length !== 1 || ch.charCodeAt(0) === 0 || ch.charCodeAt(0) > 0x7f) {
        throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, 'ACCEPTINVCHARS replacement character must be a single ASCII character other than NUL', pos(opt));
      }
      d.acceptInvChars = ch;
      return;
    }
    case 'dateformat': {
      once(opt.name, opt);
      d.dateFormat = stringArg(opt);
      return;
    }
    case 'timeformat': {
      once(opt.name, opt);
      d.timeFormat = stringArg(opt);
      return;
    }
    case 'compupdate': {
      once(opt.name, opt);
      const s = v.kind === 'none' ? 'on' : onOffArg(opt, ['on', 'off', 'preset', 'true', 'false']);
      d.compUpdate = s === 'true' ? 'on' : s === 'false' ? 'off' : (s as 'on' | 'off' | 'preset');
      return;
    }
    case 'statupdate': {
      once(opt.name, opt);
      const s = v.kind === 'none' ? 'on' : onOffArg(opt, ['on', 'off', 'true', 'false']);
      d.statUpdate = s === 'on' || s === 'true';
      return;
    }
    case 'gzip': case 'zstd': case 'lz4': case 'bzip2': case 'lzop': {
      once('compression', opt);
      if (opt.name === 'lzop') throw featureNotSupported('LZOP compression', pos(opt));
      d.compression = opt.name;
      return;
    }
    case 'compression': {
      once('compression', opt);
      const c = stringArg(opt).toLowerCase();
      if (c === 'gzip' || c === 'zstd' || c === 'lz4' || c === 'bzip2' || c === 'none' || c === 'auto') d.compression = c;
      else throw featureNotSupported(`${c.toUpperCase()} compression`, pos(opt));
      return;
    }
    // Authorization and S3 settings: harmless for local files, so accepted and ignored.
    case 'region': case 'iam_role': case 'credentials': case 'access_key_id': case 'secret_access_key':
    case 'session_token': case 'readratio':
      once(opt.name, opt);
      return;
    case 'manifest':
      throw featureNotSupported('COPY with MANIFEST', pos(opt));
    default:
      throw new SqlError(SqlState.SYNTAX_ERROR, `option "${opt.name}" not recognized`, pos(opt));
  }
}

function finish(d: Draft, source: CopySourceInfo, dialect: CopyDialect): CopyOptions {
  const format: CopyFormat = d.format ?? 'text';
  const binary = format === 'binary';
  const csv = format === 'csv';
  // PostgreSQL's ProcessCopyOptions checks, in its order and with its messages.
  if (binary && d.delimiter !== undefined) throw syntaxErr('cannot specify DELIMITER in BINARY mode');
  if (binary && d.nullString !== undefined) throw syntaxErr('cannot specify NULL in BINARY mode');
  if (binary) throw featureNotSupported('COPY format BINARY');
  const delimiter = d.delimiter ?? (csv ? ',' : '\t');
  // Redshift's NULL AS default is \N in CSV too: there an empty char field is '' (EMPTYASNULL makes it NULL).
  const nullString = d.nullString ?? (csv && dialect === 'postgres' ? '' : '\\N');
  if (byteLength(delimiter) !== 1) throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, 'COPY delimiter must be a single one-byte character');
  if (delimiter === '\r' || delimiter === '\n') throw invalidParam('COPY delimiter cannot be newline or carriage return');
  if (nullString.includes('\r') || nullString.includes('\n')) throw invalidParam('COPY null representation cannot use newline or carriage return');
  if (!csv && '\\.abcdefghijklmnopqrstuvwxyz0123456789'.includes(delimiter)) throw invalidParam(`COPY delimiter cannot be "${delimiter}"`);
  if (d.header === 'match' && !source.isFrom) throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, 'cannot use "match" with HEADER in COPY TO');
  if (!csv && d.quote !== undefined) throw requiresCsv('QUOTE');
  const quote = d.quote ?? '"';
  if (csv && byteLength(quote) !== 1) throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, 'COPY quote must be a single one-byte character');
  if (csv && delimiter === quote) throw invalidParam('COPY delimiter and quote must be different');
  if (!csv && d.escape !== undefined) throw requiresCsv('ESCAPE');
  const escape = d.escape ?? quote;
  if (csv && byteLength(escape) !== 1) throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, 'COPY escape must be a single one-byte character');
  if (!csv && d.forceQuote !== undefined) throw requiresCsv('FORCE_QUOTE');
  if (d.forceQuote !== undefined && source.isFrom) throw cannotUseWith('FORCE_QUOTE', 'COPY FROM');
  if (!csv && d.forceNotNull !== undefined) throw requiresCsv('FORCE_NOT_NULL');
  if (d.forceNotNull !== undefined && !source.isFrom) throw cannotUseWith('FORCE_NOT_NULL', 'COPY TO');
  if (!csv && d.forceNull !== undefined) throw requiresCsv('FORCE_NULL');
  if (d.forceNull !== undefined && !source.isFrom) throw cannotUseWith('FORCE_NULL', 'COPY TO');
  if (nullString.includes(delimiter)) throw invalidParam('COPY delimiter character must not appear in the NULL specification');
  if (csv && nullString.includes(quote)) throw invalidParam('CSV quote character must not appear in the NULL specification');
  if (d.freeze === true && !source.isFrom) throw cannotUseWith('FREEZE', 'COPY TO');
  if (d.rejectLimit !== undefined && d.onError !== 'ignore') {
    throw invalidParam('COPY REJECT_LIMIT requires ON_ERROR to be set to IGNORE');
  }
  // Redshift's own conflicts.
  if (csv && (d.removeQuotes === true || d.backslashEscape === true)) {
    throw syntaxErr('CSV cannot be used with REMOVEQUOTES or ESCAPE');
  }
  if (d.maxErrors !== undefined && d.onError !== undefined) throw syntaxErr('MAXERROR cannot be used with ON_ERROR');
  const maxErrors = d.maxErrors ?? (d.onError === 'ignore' ? d.rejectLimit ?? Number.MAX_SAFE_INTEGER : 0);
  return {
    dialect,
    format,
    isFrom: source.isFrom,
    delimiter: delimiter.charCodeAt(0),
    nullString,
    header: d.header ?? false,
    ignoreHeader: d.ignoreHeader ?? 0,
    quote: csv ? quote.charCodeAt(0) : DOUBLE_QUOTE,
    escape: csv ? escape.charCodeAt(0) : DOUBLE_QUOTE,
    backslashEscapes: dialect === 'postgres' || d.backslashEscape === true,
    forceNotNull: d.forceNotNull ?? [],
    forceNull: d.forceNull ?? [],
    forceQuote: d.forceQuote ?? [],
    emptyAsNull: d.emptyAsNull ?? false,
    blanksAsNull: d.blanksAsNull ?? false,
    trimBlanks: d.trimBlanks ?? false,
    truncateColumns: d.truncateColumns ?? false,
    acceptInvChars: d.acceptInvChars ?? null,
    fillRecord: d.fillRecord ?? false,
    ignoreBlankLines: d.ignoreBlankLines ?? false,
    removeQuotes: d.removeQuotes ?? false,
    acceptAnyDate: d.acceptAnyDate ?? false,
    roundDecimals: d.roundDecimals ?? dialect === 'postgres',
    dateFormat: d.dateFormat ?? null,
    timeFormat: d.timeFormat ?? null,
    maxErrors,
    errorScope: d.onError === 'ignore' ? 'conversion' : 'all',
    allowTrailingDelimiter: true,
    compression: d.compression ?? 'auto',
    compUpdate: d.compUpdate ?? null,
    statUpdate: d.statUpdate ?? null,
    noLoad: d.noLoad ?? false,
    explicitIds: d.explicitIds ?? false,
    freeze: d.freeze ?? false,
    logVerbosity: d.logVerbosity ?? 'default',
  };
}

/** Default CopyOptions for a dialect and format, as if no options were written. */
export function defaultCopyOptions(format: CopyFormat = 'text', isFrom = true, dialect: CopyDialect = 'postgres'): CopyOptions {
  return normalizeCopyOptions([{ name: 'format', value: { kind: 'string', value: format }, origin: 'postgres' }], { isFrom }, { dialect });
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

function pos(opt: RawCopyOption): { position?: number } {
  return opt.position !== undefined ? { position: opt.position } : {};
}

function syntaxErr(message: string): SqlError {
  return new SqlError(SqlState.SYNTAX_ERROR, message);
}

function invalidParam(message: string): SqlError {
  return new SqlError(SqlState.INVALID_PARAMETER_VALUE, message);
}

function requiresCsv(option: string): SqlError {
  return new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `COPY ${option} requires CSV mode`);
}

function cannotUseWith(option: string, what: string): SqlError {
  return new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `COPY ${option} cannot be used with ${what}`);
}

/** PostgreSQL's defGetString: strings as is, numbers as written; a missing argument is 42601. */
function stringArg(opt: RawCopyOption): string {
  const v = opt.value;
  switch (v.kind) {
    case 'string': return v.value;
    case 'number': return v.text;
    case 'boolean': return v.value ? 'true' : 'false';
    case 'star': return '*';
    case 'list': return v.items.join(',');
    case 'none': throw new SqlError(SqlState.SYNTAX_ERROR, `${opt.name} requires a parameter`, pos(opt));
  }
}

function integerArg(opt: RawCopyOption): number {
  const v = opt.value;
  if (v.kind === 'number' && Number.isInteger(v.value)) return v.value;
  if (v.kind === 'string' && /^\s*[+-]?\d+\s*$/.test(v.value)) return Number(v.value);
  throw new SqlError(SqlState.SYNTAX_ERROR, `${opt.name} requires an integer value`, pos(opt));
}

function nonNegative(opt: RawCopyOption): number {
  const n = integerArg(opt);
  if (n < 0) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `${opt.name.toUpperCase()} must not be negative`, pos(opt));
  return n;
}

/** PostgreSQL's defGetBoolean rules: no argument is true; 0/1, true/false, on/off, yes/no. */
function booleanValue(v: RawCopyValue): boolean | undefined {
  switch (v.kind) {
    case 'none': return true;
    case 'boolean': return v.value;
    case 'number': return v.value === 0 ? false : v.value === 1 ? true : undefined;
    case 'string': {
      const s = v.value.toLowerCase();
      if (s === 'true' || s === 'on' || s === 'yes' || s === 't' || s === 'y') return true;
      if (s === 'false' || s === 'off' || s === 'no' || s === 'f' || s === 'n') return false;
      return undefined;
    }
    default: return undefined;
  }
}

function booleanArg(opt: RawCopyOption): boolean {
  const b = booleanValue(opt.value);
  if (b === undefined) throw new SqlError(SqlState.SYNTAX_ERROR, `${opt.name} requires a Boolean value`, pos(opt));
  return b;
}

/** A Redshift flag such as EMPTYASNULL (no argument), also accepted as `emptyasnull true` in WITH (...). */
function flagArg(opt: RawCopyOption): boolean {
  return booleanArg(opt);
}

function onOffArg(opt: RawCopyOption, allowed: readonly string[]): string {
  const v = opt.value;
  const s = v.kind === 'boolean' ? (v.value ? 'true' : 'false') : stringArg(opt).toLowerCase();
  if (!allowed.includes(s)) throw new SqlError(SqlState.SYNTAX_ERROR, `${opt.name.toUpperCase()} requires one of ${allowed.join(', ').toUpperCase()}`, pos(opt));
  return s;
}

function columnList(opt: RawCopyOption): readonly string[] | '*' {
  const v = opt.value;
  if (v.kind === 'star') return '*';
  if (v.kind === 'list') return v.items;
  throw new SqlError(SqlState.SYNTAX_ERROR, `argument to option "${opt.name}" must be a list of column names`, pos(opt));
}

