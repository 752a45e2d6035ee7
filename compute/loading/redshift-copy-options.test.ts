// Tests for lifting Redshift COPY option words out of the statement text.
import { beforeAll, describe, expect, it } from 'vitest';
import { SqlError } from '../../common/errors/index.ts';
import { initParser, parseStatements } from '../../sql/parser/index.ts';
import { decodeStringLiteral, extractRedshiftCopyOptions } from './redshift-copy-options.ts';

beforeAll(async () => {
  await initParser();
});

describe('extractRedshiftCopyOptions', () => {
  it('leaves PostgreSQL syntax alone', () => {
    for (const sql of [
      "COPY t FROM '/x' WITH (FORMAT csv, HEADER)",
      "COPY t (a, b) FROM STDIN CSV HEADER DELIMITER ','",
      "COPY (SELECT 1) TO STDOUT",
      "COPY t FROM '/x' WITH (FORMAT csv) WHERE a > 1",
      'SELECT 1',
    ]) {
      expect(extractRedshiftCopyOptions(sql)).toEqual({ text: sql, options: [] });
    }
  });

  it('lifts options, keeping every other character in place', () => {
    const sql = "COPY s.t (a, b) FROM '/data/x.tbl' IGNOREHEADER 1 DELIMITER '|' MAXERROR AS 10;";
    const { text, options } = extractRedshiftCopyOptions(sql);
    const lifted = "IGNOREHEADER 1 DELIMITER '|' MAXERROR AS 10";
    expect(text).toBe("COPY s.t (a, b) FROM '/data/x.tbl' " + ' '.repeat(lifted.length) + ';');
    expect(text.length).toBe(sql.length);
    expect(parseStatements(text)).toHaveLength(1);
    expect(options).toEqual([
      { name: 'ignoreheader', value: { kind: 'number', value: 1, text: '1' }, position: 36, origin: 'redshift' },
      { name: 'delimiter', value: { kind: 'string', value: '|' }, position: 51, origin: 'postgres' },
      { name: 'maxerror', value: { kind: 'number', value: 10, text: '10' }, position: 65, origin: 'redshift' },
    ]);
  });

  it('keeps strings, quoted identifiers and escape strings intact', () => {
    const sql = `COPY "My Table" FROM '/x y/it''s.csv' CREDENTIALS 'aws_access_key_id=A;aws_secret_access_key=B' DELIMITER E'\\t' NULL AS 'maxerror 5' CSV QUOTE AS '''' DATEFORMAT 'auto'`;
    const { text, options } = extractRedshiftCopyOptions(sql);
    expect(text.startsWith(`COPY "My Table" FROM '/x y/it''s.csv'`)).toBe(true);
    expect(text.trimEnd()).toBe(`COPY "My Table" FROM '/x y/it''s.csv'`);
    expect(options.map((o) => [o.name, o.value.kind === 'string' ? o.value.value : o.value.kind])).toEqual([
      ['credentials', 'aws_access_key_id=A;aws_secret_access_key=B'], ['delimiter', '\t'], ['null', 'maxerror 5'],
      ['format', 'csv'], ['quote', "'"], ['dateformat', 'auto'],
    ]);
  });

  it('keeps a multi-byte file name and reports code point positions', () => {
    const sql = "COPY t FROM '/données/été.tbl' BLANKSASNULL FROBNICATE";
    let err: unknown;
    try { extractRedshiftCopyOptions(sql); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(SqlError);
    expect((err as SqlError).code).toBe('42601');
    expect((err as SqlError).message).toBe('syntax error at or near "FROBNICATE"');
    expect((err as SqlError).fields.position).toBe(sql.indexOf('FROBNICATE') + 1);
  });

  it('reports a missing argument at the end of input', () => {
    let err: unknown;
    try { extractRedshiftCopyOptions("COPY t FROM '/x' IGNOREHEADER"); } catch (e) { err = e; }
    expect((err as SqlError).code).toBe('42601');
    expect((err as SqlError).message).toBe('syntax error at end of input');
  });

  it('reads both ESCAPE forms', () => {
    expect(extractRedshiftCopyOptions("COPY t FROM '/x' ESCAPE GZIP").options.map((o) => [o.name, o.value.kind])).toEqual([['escape', 'none'], ['gzip', 'none']]);
    expect(extractRedshiftCopyOptions("COPY t FROM '/x' CSV ESCAPE AS '\\' EMPTYASNULL").options.map((o) => [o.name, o.value.kind])).toEqual([['format', 'string'], ['escape', 'string'], ['emptyasnull', 'none']]);
  });

  it('decodes SQL string literals', () => {
    expect(decodeStringLiteral("'it''s'")).toBe("it's");
    expect(decodeStringLiteral("E'a\\tb\\x41\\101\\\\'")).toBe('a\tbAA\\');
    expect(decodeStringLiteral('$$a|b$$')).toBe('a|b');
  });
});
