// Tests for COPY option normalization: PostgreSQL WITH lists, legacy syntax, Redshift options, validation.
import { beforeAll, describe, expect, it } from 'vitest';
import { SqlError } from '../../common/errors/index.ts';
import { initParser, node, parseStatements } from '../../sql/parser/index.ts';
import type { CopyOptions } from './copy-options.ts';
import { defaultCopyOptions, parseCopyOptions } from './parse-copy-options.ts';
import { extractRedshiftCopyOptions } from './redshift-copy-options.ts';

beforeAll(async () => {
  await initParser();
});

/** Options of a COPY statement in either dialect, through extraction, the parser and normalization. */
function optionsOf(sql: string): CopyOptions {
  const { text, options } = extractRedshiftCopyOptions(sql);
  const stmt = parseStatements(text)[0]!;
  if (stmt.kind !== 'Sql') throw new Error('not a SQL statement');
  const copy = node(stmt.ast, 'CopyStmt');
  if (copy === undefined) throw new Error('not COPY');
  return parseCopyOptions(copy, options);
}

function errorOf(sql: string): SqlError {
  try {
    optionsOf(sql);
  } catch (err) {
    if (err instanceof SqlError) return err;
    throw err;
  }
  throw new Error(`no error for ${sql}`);
}

describe('parseCopyOptions: PostgreSQL syntax', () => {
  it('defaults for text and CSV', () => {
    const text = optionsOf("COPY t FROM '/data/t.tbl'");
    expect(text).toMatchObject({ dialect: 'postgres', format: 'text', delimiter: 9, nullString: '\\N', header: false, backslashEscapes: true, maxErrors: 0, roundDecimals: true, isFrom: true });
    const csv = optionsOf("COPY t FROM STDIN WITH (FORMAT csv)");
    expect(csv).toMatchObject({ format: 'csv', delimiter: 44, nullString: '', quote: 34, escape: 34 });
    expect(defaultCopyOptions('csv').nullString).toBe('');
  });

  it('reads a full WITH list', () => {
    const o = optionsOf("COPY t FROM '/x' WITH (FORMAT csv, DELIMITER '|', NULL 'NA', HEADER match, QUOTE '''', ESCAPE '\\', FORCE_NULL (a, b), FORCE_NOT_NULL *, ENCODING 'UTF8', FREEZE)");
    expect(o).toMatchObject({ format: 'csv', delimiter: 124, nullString: 'NA', header: 'match', quote: 39, escape: 92, forceNull: ['a', 'b'], forceNotNull: '*', freeze: true });
  });

  it('reads legacy syntax', () => {
    const o = optionsOf("COPY t (a, b) FROM '/x' CSV HEADER DELIMITER ';' NULL AS 'nil' QUOTE AS '\"' FORCE NOT NULL a, b");
    expect(o).toMatchObject({ format: 'csv', header: true, delimiter: 59, nullString: 'nil', forceNotNull: ['a', 'b'] });
    const to = optionsOf("COPY t TO STDOUT WITH CSV FORCE QUOTE *");
    expect(to).toMatchObject({ isFrom: false, forceQuote: '*' });
  });

  it('ON_ERROR ignore and REJECT_LIMIT map onto the error budget', () => {
    expect(optionsOf("COPY t FROM '/x' WITH (ON_ERROR ignore)")).toMatchObject({ maxErrors: Number.MAX_SAFE_INTEGER, errorScope: 'conversion' });
    expect(optionsOf("COPY t FROM '/x' WITH (ON_ERROR ignore, REJECT_LIMIT 5)")).toMatchObject({ maxErrors: 5, errorScope: 'conversion' });
  });

  it.each([
    ["COPY t FROM '/x' WITH (DELIMITER '||')", '0A000', 'COPY delimiter must be a single one-byte character'],
    ["COPY t FROM '/x' WITH (DELIMITER 'a')", '22023', 'COPY delimiter cannot be "a"'],
    ["COPY t FROM '/x' WITH (QUOTE 'x')", '0A000', 'COPY QUOTE requires CSV mode'],
    ["COPY t FROM '/x' WITH (FORMAT csv, QUOTE ',')", '22023', 'COPY delimiter and quote must be different'],
    ["COPY t FROM '/x' WITH (FORMAT csv, HEADER true, HEADER false)", '42601', 'conflicting or redundant options'],
    ["COPY t FROM '/x' WITH (FORMAT csv, foo 1)", '42601', 'option "foo" not recognized'],
    ["COPY t FROM '/x' WITH (FORMAT xml)", '22023', 'COPY format "xml" not recognized'],
    ["COPY t FROM '/x' WITH (FORMAT binary)", '0A000', 'COPY format BINARY is not supported'],
    ["COPY t FROM '/x' WITH (FORMAT binary, DELIMITER ',')", '42601', 'cannot specify DELIMITER in BINARY mode'],
    ["COPY t FROM '/x' WITH (FORMAT csv, HEADER 3)", '42601', 'header requires a Boolean value or "match"'],
    ["COPY t TO '/x' WITH (FORMAT csv, HEADER match)", '0A000', 'cannot use "match" with HEADER in COPY TO'],
    ["COPY t FROM '/x' WITH (FORCE_NULL (b))", '0A000', 'COPY FORCE_NULL requires CSV mode'],
    ["COPY t FROM '/x' WITH (FORMAT csv, FORCE_QUOTE (b))", '0A000', 'COPY FORCE_QUOTE cannot be used with COPY FROM'],
    ["COPY t TO '/x' WITH (FORMAT csv, FORCE_NULL (b))", '0A000', 'COPY FORCE_NULL cannot be used with COPY TO'],
    ["COPY t FROM '/x' WITH (NULL E'a\\nb')", '22023', 'COPY null representation cannot use newline or carriage return'],
    ["COPY t FROM '/x' WITH (FORMAT csv, NULL '\"')", '22023', 'CSV quote character must not appear in the NULL specification'],
    ["COPY t FROM '/x' WITH (DELIMITER '|', NULL 'a|b')", '22023', 'COPY delimiter character must not appear in the NULL specification'],
    ["COPY t FROM '/x' WITH (REJECT_LIMIT 3)", '22023', 'COPY REJECT_LIMIT requires ON_ERROR to be set to IGNORE'],
    ["COPY t FROM '/x' WITH (ENCODING 'LATIN1')", '0A000', 'COPY ENCODING LATIN1 is not supported'],
    ["COPY t FROM PROGRAM 'gunzip -c x'", '0A000', 'COPY FROM PROGRAM is not supported'],
    ["COPY t FROM 's3://bucket/key' IAM_ROLE 'arn:aws:iam::1:role/r'", '0A000', 'COPY from Amazon S3 is not supported'],
  ])('%s → %s', (sql, code, message) => {
    const err = errorOf(sql);
    expect(err.code).toBe(code);
    expect(err.message).toBe(message);
  });

  it('reports positions of bad options', () => {
    const err = errorOf("COPY t FROM '/x' WITH (FORMAT csv, foo 1)");
    expect(err.fields.position).toBe(36);
  });
});

describe('parseCopyOptions: Redshift syntax', () => {
  it('reads the data format and conversion parameters', () => {
    const o = optionsOf("COPY t FROM '/data/part.csv.gz' IAM_ROLE 'arn:aws:iam::0:role/x' REGION 'us-east-1' CSV QUOTE AS '''' IGNOREHEADER 1 MAXERROR 10 "
      + "EMPTYASNULL BLANKSASNULL TRIMBLANKS TRUNCATECOLUMNS ACCEPTINVCHARS AS '^' FILLRECORD DATEFORMAT 'MM/DD/YYYY' TIMEFORMAT AS 'epochsecs' "
      + 'ACCEPTANYDATE IGNOREBLANKLINES ROUNDEC EXPLICIT_IDS COMPUPDATE OFF STATUPDATE ON GZIP NOLOAD');
    expect(o).toMatchObject({
      dialect: 'redshift', format: 'csv', quote: 39, ignoreHeader: 1, maxErrors: 10, emptyAsNull: true, blanksAsNull: true,
      trimBlanks: true, truncateColumns: true, acceptInvChars: '^', fillRecord: true, dateFormat: 'MM/DD/YYYY',
      timeFormat: 'epochsecs', acceptAnyDate: true, ignoreBlankLines: true, roundDecimals: true, explicitIds: true,
      compUpdate: 'off', statUpdate: true, compression: 'gzip', noLoad: true, errorScope: 'all',
    });
  });

  it('uses Redshift conversion rules: literal backslashes unless ESCAPE, truncated decimals unless ROUNDEC', () => {
    const o = optionsOf("COPY t FROM '/x.tbl' DELIMITER '|' IGNOREHEADER 0");
    expect(o).toMatchObject({ dialect: 'redshift', delimiter: 124, backslashEscapes: false, roundDecimals: false, nullString: '\\N' });
    expect(optionsOf("COPY t FROM '/x.tbl' DELIMITER AS '|' ESCAPE REMOVEQUOTES")).toMatchObject({ backslashEscapes: true, removeQuotes: true });
    expect(optionsOf("COPY t FROM '/x' FORMAT AS CSV ACCEPTINVCHARS")).toMatchObject({ format: 'csv', acceptInvChars: '?' });
    expect(optionsOf("COPY t FROM '/x' NULL AS 'NULL' ZSTD")).toMatchObject({ nullString: 'NULL', compression: 'zstd' });
    expect(optionsOf("COPY t FROM '/x' LZ4 COMPUPDATE PRESET")).toMatchObject({ compression: 'lz4', compUpdate: 'preset' });
  });

  it('accepts Redshift option names inside WITH (...)', () => {
    expect(optionsOf("COPY t FROM '/x' WITH (maxerror 3, ignoreheader 2)")).toMatchObject({ dialect: 'redshift', maxErrors: 3, ignoreHeader: 2 });
  });

  it.each([
    ["COPY t FROM '/x' FIXEDWIDTH 'a:1,b:2'", '0A000'],
    ["COPY t FROM '/x' LZOP", '0A000'],
    ["COPY t FROM '/x' FORMAT AS JSON 'auto'", '0A000'],
    ["COPY t FROM '/x' FORMAT PARQUET", '0A000'],
    ["COPY t FROM '/x' MANIFEST", '0A000'],
    ["COPY t FROM '/x' CSV REMOVEQUOTES", '42601'],
    ["COPY t FROM '/x' MAXERROR 1 MAXERROR 2", '42601'],
    ["COPY t FROM '/x' ACCEPTINVCHARS 'ab'", '22023'],
    ["COPY t FROM '/x' IGNOREHEADER 'x'", '42601'],
  ])('%s → %s', (sql, code) => {
    expect(errorOf(sql).code).toBe(code);
  });
});
