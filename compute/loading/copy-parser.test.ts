// Tests for the streaming COPY parser: formats, options, error records, MAXERROR, batches.
import { describe, expect, it } from 'vitest';
import { SqlError } from '../../common/errors/index.ts';
import { Decimal } from '../../sql/types/decimal.ts';
import { daysFromCivil } from '../../sql/types/datetime.ts';
import { T } from '../../sql/types/sql-type.ts';
import type { CopyOptions } from './copy-options.ts';
import { createCopyParser } from './copy-parser.ts';
import { cols, opts, parseAll } from './copy-test-helpers.ts';
import { LoadErrorBudget } from './load-error.ts';
import { normalizeCopyOptions } from './parse-copy-options.ts';

const day = (y: number, m: number, d: number): number => daysFromCivil(y, m, d);
const ts = (iso: string): bigint => BigInt(Date.parse(iso + 'Z')) * 1000n;
const dec = (s: string): Decimal => Decimal.parse(s)!;

/** Redshift-dialect options from option words like ['emptyasnull'], ['maxerror', 2]. */
function redshift(...items: ([string] | [string, string | number])[]): CopyOptions {
  return normalizeCopyOptions(items.map(([name, v]) => ({
    name,
    value: v === undefined ? { kind: 'none' as const } : typeof v === 'number' ? { kind: 'number' as const, value: v, text: String(v) } : { kind: 'string' as const, value: v },
    origin: 'redshift' as const,
  })), { isFrom: true }, { dialect: 'redshift' });
}

function errorOf(fn: () => unknown): SqlError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SqlError) return err;
    throw err;
  }
  throw new Error('expected an error');
}

describe('text format', () => {
  const c = cols(['a', T.int4], ['b', T.text]);

  it('reads values, \\N and escapes', () => {
    const { rows } = parseAll(opts(), c, '1\tplain\n2\t\\N\n3\t\\\\N\n4\ta\\tb\\nc\\x41\\101\\\\\\q\n5\t\n');
    expect(rows).toEqual([[1, 'plain'], [2, null], [3, '\\N'], [4, 'a\tb\ncAA\\q'], [5, '']]);
  });

  it('accepts CRLF and CR line ends, and a last line without one', () => {
    expect(parseAll(opts(), c, '1\ta\r\n2\tb\r\n').rows).toEqual([[1, 'a'], [2, 'b']]);
    expect(parseAll(opts(), c, '1\ta\r2\tb').rows).toEqual([[1, 'a'], [2, 'b']]);
  });

  it('rejects a line end that differs from the first one', () => {
    const err = errorOf(() => parseAll(opts(), c, '1\ta\n2\tb\r\n'));
    expect([err.code, err.message, err.fields.hint]).toEqual(['22P04', 'literal carriage return found in data', 'Use "\\r" to represent carriage return.']);
  });

  it('stops at the end-of-data marker', () => {
    const res = parseAll(opts(), c, '1\ta\n\\.\n2\tb\n');
    expect(res.rows).toEqual([[1, 'a']]);
    expect(res.summary.linesRead).toBe(2);
  });

  it('accepts one trailing delimiter (TPC-H .tbl lines) and nothing more', () => {
    const o = opts(['delimiter', '|']);
    expect(parseAll(o, c, '1|a|\n2|b|\n').rows).toEqual([[1, 'a'], [2, 'b']]);
    expect(parseAll(o, c, '1|a\n').rows).toEqual([[1, 'a']]);
    expect(errorOf(() => parseAll(o, c, '1|a||\n')).message).toBe('extra data after last expected column');
    expect(errorOf(() => parseAll(o, c, '1|a|x\n')).message).toBe('extra data after last expected column');
    expect(errorOf(() => parseAll({ ...o, allowTrailingDelimiter: false }, c, '1|a|\n')).message).toBe('extra data after last expected column');
  });

  it('reads a TPC-H lineitem line', () => {
    const li = cols(['l_orderkey', T.int8], ['l_partkey', T.int4], ['l_suppkey', T.int4], ['l_linenumber', T.int4],
      ['l_quantity', T.numeric(15, 2)], ['l_extendedprice', T.numeric(15, 2)], ['l_discount', T.numeric(15, 2)],
      ['l_tax', T.numeric(15, 2)], ['l_returnflag', T.char(1)], ['l_linestatus', T.char(1)], ['l_shipdate', T.date],
      ['l_commitdate', T.date], ['l_receiptdate', T.date], ['l_shipinstruct', T.char(25)], ['l_shipmode', T.char(10)],
      ['l_comment', T.varchar(44)]);
    const line = '1|155190|7706|1|17|21168.23|0.04|0.02|N|O|1996-03-13|1996-02-12|1996-03-22|DELIVER IN PERSON|TRUCK|egular courts above the|\n';
    const { rows } = parseAll(opts(['delimiter', '|']), li, line);
    expect(rows).toEqual([[1n, 155190, 7706, 1, dec('17.00'), dec('21168.23'), dec('0.04'), dec('0.02'), 'N', 'O',
      day(1996, 3, 13), day(1996, 2, 12), day(1996, 3, 22), 'DELIVER IN PERSON', 'TRUCK', 'egular courts above the']]);
  });
});

describe('types', () => {
  it('converts every vector kind on the fast and the general path', () => {
    const c = cols(['i2', T.int2], ['i8', T.int8], ['f4', T.float4], ['f8', T.float8], ['n', T.numeric(10, 3)], ['big', T.numeric(30, 4)],
      ['u', T.numeric()], ['d', T.date], ['t', T.timestamp], ['tz', T.timestamptz], ['b', T.bool], ['ch', T.char(3)]);
    const { rows } = parseAll(opts(), c,
      '-32768\t9223372036854775807\t1.5\t-2.5e-3\t-12.3456\t123456789012345678901234.56789\t1e-3\t2020-02-29\t2020-02-29 23:59:59.999999\t2020-01-01 00:00:00+02\ttrue\tab \n'
      + ' 7 \t0x10\tNaN\t-Infinity\t 5 \t1\t-0\t01/31/2020\t2020-01-02T03:04:05\t2020-01-01 05:00:00\tf\tx\n');
    expect(rows[0]).toEqual([-32768, 9223372036854775807n, 1.5, -0.0025, dec('-12.346'), new Decimal(1234567890123456789012345679n, 4),
      new Decimal(1n, 3), day(2020, 2, 29), ts('2020-02-29T23:59:59.999') + 999n, ts('2019-12-31T22:00:00'), true, 'ab']);
    expect(rows[1]).toEqual([7, 16n, NaN, -Infinity, dec('5.000'), new Decimal(10000n, 4), new Decimal(0n, 0), day(2020, 1, 31),
      ts('2020-01-02T03:04:05'), ts('2020-01-01T05:00:00'), false, 'x']);
  });

  it('applies the session time zone to timestamptz input without a zone', () => {
    const { rows } = parseAll(opts(), cols(['tz', T.timestamptz]), '2020-01-01 05:00:00\n2020-01-01 05:00:00Z\n', { textIo: { timeZoneOffsetSeconds: 3600 } });
    expect(rows).toEqual([[ts('2020-01-01T04:00:00')], [ts('2020-01-01T05:00:00')]]);
  });

  it('enforces varchar and char lengths in characters', () => {
    const c = cols(['v', T.varchar(3)]);
    expect(parseAll(opts(), c, 'ééé\nab   \n').rows).toEqual([['ééé'], ['ab ']]);
    const err = errorOf(() => parseAll(opts(), c, 'éééé\n'));
    expect([err.code, err.message, err.fields.where]).toEqual(['22001', 'value too long for type character varying(3)', 'COPY t, line 1, column v: "éééé"']);
  });
});

describe('CSV format', () => {
  const c = cols(['a', T.int4], ['b', T.text], ['c', T.text]);

  it('reads quotes, doubled quotes, embedded newlines, NULL vs empty string', () => {
    const { rows } = parseAll(opts(['format', 'csv']), c, '1,"x,""y""","multi\nline"\n2,,""\n3,  sp  ,a"b"c\r\n'.replace('\r\n', '\n'));
    expect(rows).toEqual([[1, 'x,"y"', 'multi\nline'], [2, null, ''], [3, '  sp  ', 'abc']]);
  });

  it('supports QUOTE, ESCAPE and DELIMITER', () => {
    const o = opts(['format', 'csv'], ['quote', "'"], ['escape', '\\'], ['delimiter', ';']);
    expect(parseAll(o, c, "1;'it\\'s';'a;b'\n2;'x\\\\y';''\n").rows).toEqual([[1, "it's", 'a;b'], [2, 'x\\y', '']]);
  });

  it('FORCE_NULL and FORCE_NOT_NULL', () => {
    const o = opts(['format', 'csv'], ['null', 'NULL'], ['force_null', ['b']], ['force_not_null', ['c']]);
    expect(parseAll(o, c, '1,"NULL",NULL\n2,NULL,"NULL"\n').rows).toEqual([[1, null, 'NULL'], [2, null, 'NULL']]);
    expect(errorOf(() => parseAll(opts(['format', 'csv'], ['force_null', ['zz']]), c, '')).code).toBe('42703');
  });

  it('HEADER skips, HEADER match checks the names', () => {
    expect(parseAll(opts(['format', 'csv'], ['header', true]), c, 'x,y,z\n1,a,b\n').rows).toEqual([[1, 'a', 'b']]);
    expect(parseAll(opts(['format', 'csv'], ['header', 'match']), c, 'a,"b",c\n1,a,b\n').rows).toEqual([[1, 'a', 'b']]);
    const err = errorOf(() => parseAll(opts(['format', 'csv'], ['header', 'match'], ['maxerror', 5]), c, 'a,b,x\n1,a,b\n'));
    expect([err.code, err.message, err.fields.where]).toEqual(['22P04', 'column name mismatch in header line field 3: got "x", expected "c"', 'COPY t, line 1: "a,b,x"']);
  });

  it('reports an unterminated quoted field', () => {
    const err = errorOf(() => parseAll(opts(['format', 'csv']), c, '1,"abc\n'));
    expect([err.code, err.message]).toEqual(['22P04', 'unterminated CSV quoted field']);
  });
});

describe('error records and MAXERROR', () => {
  const c = cols(['a!', T.int4], ['b', T.numeric(5, 2)], ['d', T.date]);
  const input = [
    'h1\th2\th3', // line 1: skipped by IGNOREHEADER 1
    '1\t1.5\t2020-01-01', // 2 ok
    'x\t1\t2020-01-01', // 3 bad integer
    '2\t1234.5\t2020-01-01', // 4 numeric overflow
    '3\t1\t2020-13-01', // 5 date out of range
    '\\N\t1\t2020-01-01', // 6 not null
    '4\t1', // 7 missing column
    '5\t1\t2020-01-01\tx', // 8 extra column
    '6\t2\tnot a date', // 9 bad date
    '7\t3\t2020-01-03', // 10 ok
  ].join('\n') + '\n';

  it('records line, column, raw values and SQLSTATE of each bad row', () => {
    const res = parseAll(opts(['ignoreheader', 1], ['maxerror', 7]), c, input, { fileName: 'part-0001.tbl' });
    expect(res.rows).toEqual([[1, dec('1.50'), day(2020, 1, 1)], [7, dec('3.00'), day(2020, 1, 3)]]);
    expect(res.rejected.map((r) => [r.lineNumber, r.columnName, r.code, r.redshiftCode, r.rawFieldValue])).toEqual([
      [3, 'a', '22P02', 1207, 'x'],
      [4, 'b', '22003', 1204, '1234.5'],
      [5, 'd', '22008', 1205, '2020-13-01'],
      [6, 'a', '23502', 1213, '\\N'],
      [7, '', '22P04', 1203, ''],
      [8, '', '22P04', 1202, ''],
      [9, 'd', '22007', 1205, 'not a date'],
    ]);
    const first = res.rejected[0]!;
    expect(first).toMatchObject({ fileName: 'part-0001.tbl', columnType: 'integer', fieldIndex: 1, rawLine: 'x\t1\t2020-01-01', message: 'invalid input syntax for type integer: "x"' });
    expect(res.rejected[1]!.detail).toBe('A field with precision 5, scale 2 must round to an absolute value less than 10^3.');
    expect(res.summary).toMatchObject({ rowsLoaded: 2, rowsRejected: 7, linesRead: 10 });
  });

  it('aborts on bad row MAXERROR + 1', () => {
    const err = errorOf(() => parseAll(opts(['ignoreheader', 1], ['maxerror', 6]), c, input));
    expect(err.code).toBe('22007');
    expect(err.fields.where).toBe('COPY t, line 9, column d: "not a date"');
    expect(err.fields.detail).toContain('MAXERROR 6');
  });

  it('without MAXERROR the first bad row aborts with PostgreSQL\'s context', () => {
    const err = errorOf(() => parseAll(opts(['ignoreheader', 1]), c, input));
    expect([err.code, err.message, err.fields.where]).toEqual(['22P02', 'invalid input syntax for type integer: "x"', 'COPY t, line 3, column a: "x"']);
    const missing = errorOf(() => parseAll(opts(), c, '4\t1\n'));
    expect(missing.fields.where).toBe('COPY t, line 1: "4\t1"');
  });

  it('a shared budget counts bad rows across files', () => {
    const budget = new LoadErrorBudget(1);
    const o = opts(['maxerror', 1]);
    expect(parseAll(o, c, 'x\t1\t2020-01-01\n', { errorBudget: budget }).rejected).toHaveLength(1);
    expect(errorOf(() => parseAll(o, c, '1\t1\t2020-01-01\ny\t1\t2020-01-01\n', { errorBudget: budget })).fields.where).toBe('COPY t, line 2, column a: "y"');
  });

  it('ON_ERROR ignore skips conversion errors only', () => {
    const o = opts(['format', 'csv'], ['on_error', 'ignore']);
    const res = parseAll(o, cols(['a', T.int4], ['b', T.text]), '1,a\nzz,b\n3,c\n');
    expect(res.rows).toEqual([[1, 'a'], [3, 'c']]);
    expect(errorOf(() => parseAll(o, cols(['a', T.int4], ['b', T.text]), '1,a,x\n')).message).toBe('extra data after last expected column');
  });

  it('truncates raw values to 1024 characters', () => {
    const long = 'y'.repeat(3000);
    const res = parseAll(opts(['maxerror', 1]), cols(['a', T.int4]), long + '\n');
    expect(res.rejected[0]!.rawFieldValue).toHaveLength(1024);
    expect(res.rejected[0]!.rawLine).toHaveLength(1024);
  });
});

describe('encoding', () => {
  const c = cols(['a', T.int4], ['b', T.text]);
  const bytes = (...parts: (string | number[])[]): Uint8Array => {
    const out: number[] = [];
    for (const p of parts) out.push(...(typeof p === 'string' ? new TextEncoder().encode(p) : p));
    return new Uint8Array(out);
  };

  it('rejects invalid UTF-8 with 22021', () => {
    const err = errorOf(() => parseAll(opts(), c, bytes('1\tab', [0xff], 'c\n')));
    expect([err.code, err.message]).toEqual(['22021', 'invalid byte sequence for encoding "UTF8": 0xff']);
  });

  it('ACCEPTINVCHARS replaces each invalid byte', () => {
    const res = parseAll(redshift(['acceptinvchars', '^']), c, bytes('1\tab', [0xe2, 0x82], 'c\n2\tok\n'));
    expect(res.rows).toEqual([[1, 'ab^^c'], [2, 'ok']]);
    expect(res.summary.rowsWithReplacedChars).toBe(1);
  });
});

describe('Redshift options', () => {
  it('EMPTYASNULL, BLANKSASNULL, and empty non-character fields as NULL', () => {
    const c = cols(['a', T.int4], ['b', T.varchar(10)], ['c', T.text]);
    expect(parseAll(redshift(['delimiter', '|']), c, '|   |\n').rows).toEqual([[null, '   ', '']]);
    expect(parseAll(redshift(['delimiter', '|'], ['emptyasnull']), c, '|   |\n').rows).toEqual([[null, '   ', null]]);
    expect(parseAll(redshift(['delimiter', '|'], ['blanksasnull']), c, '|   |\n').rows).toEqual([[null, null, '']]);
  });

  it('CSV: an empty field is the empty string for text and NULL for other types', () => {
    const c = cols(['a', T.int4], ['b', T.text], ['c', T.text]);
    expect(parseAll(redshift(['csv']), c, ',,""\n').rows).toEqual([[null, '', '']]);
    expect(parseAll(redshift(['csv'], ['emptyasnull']), c, ',,""\n').rows).toEqual([[null, null, null]]);
  });

  it('TRIMBLANKS and TRUNCATECOLUMNS', () => {
    const c = cols(['v', T.varchar(4)], ['t', T.text]);
    expect(parseAll(redshift(['trimblanks']), c, 'ab  \tcd \n').rows).toEqual([['ab', 'cd']]);
    expect(parseAll(redshift(['truncatecolumns']), c, 'éèêëē\tx\n').rows).toEqual([['éèêë', 'x']]);
  });

  it('FILLRECORD fills missing trailing columns with NULL', () => {
    const c = cols(['a', T.int4], ['b', T.text], ['c', T.date]);
    expect(parseAll(redshift(['fillrecord']), c, '1\n2\tx\n').rows).toEqual([[1, null, null], [2, 'x', null]]);
  });

  it('IGNOREHEADER and IGNOREBLANKLINES count skipped lines', () => {
    const c = cols(['a', T.int4]);
    const res = parseAll(redshift(['ignoreheader', 2], ['ignoreblanklines'], ['maxerror', 1]), c, 'h1\nh2\n1\n\n\nx\n');
    expect(res.rows).toEqual([[1]]);
    expect(res.rejected[0]!.lineNumber).toBe(6);
  });

  it('backslash is literal unless ESCAPE, which makes the next character literal', () => {
    const c = cols(['a', T.text], ['b', T.text]);
    expect(parseAll(redshift(['delimiter', '|']), c, 'a\\tb|c\\\n').rows).toEqual([['a\\tb', 'c\\']]);
    expect(parseAll(redshift(['delimiter', '|'], ['escape']), c, 'a\\|b|c\\\\\\\nd\n').rows).toEqual([['a|b', 'c\\\nd']]);
  });

  it('REMOVEQUOTES strips quotes and keeps delimiters inside them', () => {
    const c = cols(['a', T.text], ['b', T.int4]);
    expect(parseAll(redshift(['delimiter', '|'], ['removequotes']), c, '"a|b"|1\n\'x\'|2\nplain|3\n').rows).toEqual([['a|b', 1], ['x', 2], ['plain', 3]]);
    expect(parseAll(redshift(['removequotes'], ['maxerror', 1]), c, '"open\t1\n').rejected[0]!.message).toBe('unterminated quoted field');
  });

  it('decimals are truncated unless ROUNDEC', () => {
    const c = cols(['n', T.numeric(6, 2)], ['w', T.numeric(30, 2)]);
    expect(parseAll(redshift(), c, '1.239\t-1.239\n').rows).toEqual([[dec('1.23'), dec('-1.23')]]);
    expect(parseAll(redshift(['roundec']), c, '1.235\t-1.235\n').rows).toEqual([[dec('1.24'), dec('-1.24')]]);
    expect(parseAll(opts(), c, '1.235\t-1.235\n').rows).toEqual([[dec('1.24'), dec('-1.24')]]);
  });

  it('DATEFORMAT and TIMEFORMAT patterns, auto and epochs', () => {
    const c = cols(['d', T.date], ['t', T.timestamp]);
    expect(parseAll(redshift(['dateformat', 'MM/DD/YYYY'], ['timeformat', 'DD.MM.YYYY HH12:MI:SS AM']), c, '03/31/2003\t31.03.2003 06:45:05 PM\n').rows)
      .toEqual([[day(2003, 3, 31), ts('2003-03-31T18:45:05')]]);
    expect(parseAll(redshift(['dateformat', 'MON DD, YYYY'], ['timeformat', 'YYYY-MM-DD HH:MI:SS']), c, 'March 31, 2003\t2003-03-31 18:45:05.25\n').rows)
      .toEqual([[day(2003, 3, 31), ts('2003-03-31T18:45:05.250')]]);
    expect(parseAll(redshift(['dateformat', 'auto'], ['timeformat', 'auto']), c, '20030331\t2019-02-11T05:09:12.195Z\n31-Mar-2003\t12/17/1997 07:37:16.00 PST\n').rows)
      .toEqual([[day(2003, 3, 31), ts('2019-02-11T05:09:12.195')], [day(2003, 3, 31), ts('1997-12-17T07:37:16')]]);
    expect(parseAll(redshift(['timeformat', 'epochsecs']), c, '\t1700000000\n').rows).toEqual([[null, 1_700_000_000_000_000n]]);
    expect(parseAll(redshift(['timeformat', 'epochmillisecs']), c, '\t1700000000123\n').rows).toEqual([[null, 1_700_000_000_123_000n]]);
    const bad = parseAll(redshift(['dateformat', 'MM/DD/YYYY'], ['maxerror', 1]), c, '2003-03-31\t\n');
    expect([bad.rejected[0]!.code, bad.rejected[0]!.redshiftCode]).toEqual(['22007', 1205]);
  });

  it('ACCEPTANYDATE loads unparsable dates as NULL', () => {
    const c = cols(['d', T.date], ['t', T.timestamp]);
    expect(parseAll(redshift(['acceptanydate'], ['dateformat', 'YYYY-MM-DD']), c, '00/00/00\t0000-00-00 00:00:00\n').rows).toEqual([[null, null]]);
  });
});

describe('batches', () => {
  it('emits batches of the configured size and one partial batch', () => {
    const lines = Array.from({ length: 25 }, (_, i) => `${i}\tv${i}`).join('\n') + '\n';
    const res = parseAll(opts(), cols(['a', T.int4], ['b', T.text]), lines, { batchRows: 10 });
    expect(res.batches).toBe(3);
    expect(res.rows.map((r) => r[0])).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  it('a bad row does not leave traces in the batch', () => {
    const res = parseAll(opts(['maxerror', 1]), cols(['a', T.text], ['b', T.int4]), 'abc\t1\nlonger text\tx\nz\t3\n', { batchRows: 2 });
    expect(res.rows).toEqual([['abc', 1], ['z', 3]]);
  });

  it('produces typed vectors without per-row objects', () => {
    const batches: import('../batch/batch.ts').Batch[] = [];
    const p = createCopyParser(opts(), cols(['a', T.int4], ['s', T.text], ['n', T.numeric(10, 2)]), { batch: (b) => batches.push(b) }, { tableName: 't' });
    p.write(new TextEncoder().encode('1\tab\t1.5\n\\N\tc\t\\N\n'));
    p.end();
    const [a, s, n] = batches[0]!.columns;
    expect(a).toMatchObject({ kind: 'int32', length: 2 });
    expect(a!.kind === 'int32' && Array.from(a!.values)).toEqual([1, 0]);
    expect(a!.nulls).toEqual(new Uint8Array([0, 1]));
    expect(s!.kind === 'string' && [Array.from(s!.offsets), new TextDecoder().decode(s!.bytes)]).toEqual([[0, 2, 3], 'abc']);
    expect(s!.nulls).toBeNull();
    expect(n!.kind === 'decimal' && [Array.from(n!.values)[0], n!.scale]).toEqual([150, 2]);
  });

  it('refuses column types without a vector layout', () => {
    expect(errorOf(() => createCopyParser(opts(), cols(['i', T.interval]), { batch: () => undefined })).code).toBe('0A000');
  });
});
