// Differential test: the same COPY statements and inputs through PGlite (real PostgreSQL) and our parser.
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlError } from '../../common/errors/index.ts';
import { initParser, node, parseStatements } from '../../sql/parser/index.ts';
import type { Datum } from '../../sql/types/datum.ts';
import { T, type SqlType } from '../../sql/types/sql-type.ts';
import { formatDatum } from '../../sql/types/text-io.ts';
import type { CopyOptions } from './copy-options.ts';
import type { CopyColumn } from './copy-parser.ts';
import { parseAll } from './copy-test-helpers.ts';
import { formatCopyRows } from './format-copy-rows.ts';
import { defaultCopyOptions, parseCopyOptions } from './parse-copy-options.ts';

let db: PGlite;

beforeAll(async () => {
  await initParser();
  db = await PGlite.create();
  await db.exec("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'");
}, 60_000);

afterAll(async () => {
  await db.close();
});

const TYPES: Record<string, SqlType> = {
  int: T.int4, smallint: T.int2, bigint: T.int8, text: T.text, date: T.date, timestamp: T.timestamp,
  timestamptz: T.timestamptz, float8: T.float8, real: T.float4, boolean: T.bool,
};

/** Our column list for a DDL column list like 'a int not null, b numeric(10,2)'. */
function columnsOf(ddl: string): CopyColumn[] {
  return ddl.split(/,(?![^(]*\))/).map((def) => {
    const m = /^\s*(\w+)\s+([\w ]+?(?:\(\d+(?:,\d+)?\))?)(\s+not null)?\s*$/i.exec(def);
    if (m === null) throw new Error(`bad column ${def}`);
    const t = m[2]!.toLowerCase();
    let type: SqlType | undefined = TYPES[t];
    const num = /^numeric\((\d+),(\d+)\)$/.exec(t);
    if (num !== null) type = T.numeric(Number(num[1]), Number(num[2]));
    const vc = /^varchar\((\d+)\)$/.exec(t);
    if (vc !== null) type = T.varchar(Number(vc[1]));
    const ch = /^char\((\d+)\)$/.exec(t);
    if (ch !== null) type = T.char(Number(ch[1]));
    if (type === undefined) throw new Error(`type ${t}`);
    return { name: m[1]!, type, notNull: m[3] !== undefined };
  });
}

type Outcome = { ok: true; rows: string[] } | { ok: false; code: string; message: string };

async function pgOutcome(ddl: string, withClause: string, data: Uint8Array): Promise<Outcome> {
  await db.exec(`DROP TABLE IF EXISTS t; CREATE TABLE t (${ddl})`);
  try {
    await db.query(`COPY t FROM '/dev/blob' ${withClause}`, [], { blob: new Blob([data]) });
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return { ok: false, code: e.code ?? '?', message: e.message ?? '' };
  }
  const cols = columnsOf(ddl).map((c) => `${c.name}::text`).join(', ');
  const res = await db.query<Record<string, string | null>>(`SELECT ${cols} FROM t`, [], { rowMode: 'object' });
  return { ok: true, rows: res.rows.map((r) => Object.values(r).map((v) => v ?? 'NULL').join('|')) };
}

function ourOutcome(ddl: string, withClause: string, data: Uint8Array): Outcome {
  const columns = columnsOf(ddl);
  try {
    const stmt = parseStatements(`COPY t FROM '/dev/blob' ${withClause}`)[0]!;
    if (stmt.kind !== 'Sql') throw new Error('not sql');
    const copy = node(stmt.ast, 'CopyStmt')!;
    // The trailing-delimiter extension is off here: PostgreSQL rejects such rows.
    const options: CopyOptions = { ...parseCopyOptions(copy), allowTrailingDelimiter: false };
    const { rows } = parseAll(options, columns, data);
    return { ok: true, rows: rows.map((r) => r.map((v, i) => show(columns[i]!.type, v)).join('|')) };
  } catch (err) {
    if (!(err instanceof SqlError)) throw err;
    return { ok: false, code: err.code, message: err.message };
  }
}

/** Our value as PostgreSQL's `::text` prints it (boolean as true/false, char without padding). */
function show(t: SqlType, v: Datum): string {
  if (v === null) return 'NULL';
  if (t.id === 'bool') return v === true ? 'true' : 'false';
  if (t.id === 'char') return String(v);
  return formatDatum(t, v) ?? 'NULL';
}

async function compare(ddl: string, withClause: string, input: string | Uint8Array, checkMessage = true): Promise<Outcome> {
  const data = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  const pg = await pgOutcome(ddl, withClause, data);
  const ours = ourOutcome(ddl, withClause, data);
  const label = `${withClause} ${JSON.stringify(new TextDecoder().decode(data))}`;
  if (pg.ok) expect(ours, label).toEqual(pg);
  else {
    expect(ours.ok, `${label}: PostgreSQL failed with ${pg.code} ${pg.message}`).toBe(false);
    if (!ours.ok) {
      expect(ours.code, `${label}: ${pg.message} vs ${ours.message}`).toBe(pg.code);
      if (checkMessage) expect(ours.message, label).toBe(pg.message);
    }
  }
  return pg;
}

describe('COPY FROM against PostgreSQL (PGlite)', () => {
  const ALL = 'a int, b text, c numeric(12,3), d date, e timestamp, f float8, g varchar(5), h boolean, i bigint, j char(3)';

  it('text format: values, NULLs, escapes', async () => {
    await compare(ALL, '', '1\thello\t1.5\t2020-01-02\t2020-01-02 03:04:05.123456\t1.25\tabc\tt\t9007199254740993\tab\n'
      + '\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\n'
      + '-7\ta\\tb\\nc\\\\d\\x41\\101\\q\t-0.0005\t1999-12-31\t1999-12-31 23:59:59\t-1e10\tx  \tfalse\t-42\tx\n'
      + ' 12 \t\t 2.5 \t2000-02-29\t2000-02-29T01:02:03\tNaN\t\tyes\t0\t\n');
  });

  it('text format: custom delimiter and NULL string', async () => {
    await compare('a int, b text, c text', "WITH (DELIMITER '|', NULL '')", '1|x|\n2||y\n3|a\\|b|z\n');
    await compare('a int, b text, c text', "DELIMITER ',' NULL 'nil'", '1,nil,x\n2,\\N,nil\n');
  });

  it('text format: line endings', async () => {
    await compare('a int, b text', '', '1\ta\r\n2\tb\r\n');
    await compare('a int, b text', '', '1\ta\r2\tb\r');
    await compare('a int, b text', '', '1\ta\n2\tb\r\n');
    await compare('a int, b text', '', '1\ta\r\n2\tb\n');
    await compare('a int, b text', '', '1\tx\\\ny\n');
    await compare('a int, b text', '', '1\ta');
  });

  it('text format: end-of-data marker', async () => {
    await compare('a int, b text', '', '1\ta\n\\.\n2\tb\n');
    await compare('a int, b text', '', '1\ta\n\\.x\n');
  });

  it('field count and type errors', async () => {
    await compare(ALL, '', '1\tx\n');
    await compare('a int, b text', '', '1\tx\ty\n');
    await compare('a int, b text', '', '1\tx\t\n');
    await compare('a int, b text', '', 'x\ty\n');
    await compare('a int, b text', '', '99999999999\ty\n');
    await compare('a smallint', '', '40000\n');
    await compare('a bigint', '', '99999999999999999999\n');
    await compare('c numeric(5,2)', '', '1234.5\n');
    await compare('c numeric(5,2)', '', '999.995\n');
    await compare('c numeric(5,2)', '', '1.2.3\n');
    await compare('d date', '', '2020-13-01\n');
    await compare('d date', '', '2020-02-30\n');
    await compare('d date', '', 'tomorrowish\n');
    await compare('e timestamp', '', '2020-01-01 25:00:00\n');
    await compare('g varchar(3)', '', 'abcd\n');
    await compare('g varchar(3)', '', 'abc   \n');
    await compare('j char(2)', '', 'abc\n');
    await compare('h boolean', '', 'maybe\n');
    await compare('f float8', '', '1e999\n');
    await compare('a int not null, b text', '', '\\N\tx\n');
    await compare('a int, b text', '', '\n');
  });

  it('invalid UTF-8', async () => {
    await compare('a int, b text', '', new Uint8Array([0x31, 0x09, 0xff, 0x0a]));
    await compare('a int, b text', '', new Uint8Array([0x31, 0x09, 0x5c, 0x78, 0x66, 0x66, 0x0a]));
    await compare('a int, b text', '', new Uint8Array([0x31, 0x09, 0xe2, 0x82, 0x0a]));
    await compare('a int, b text', '', new Uint8Array([0x31, 0x09, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0x0a]));
  });

  it('CSV format', async () => {
    const ddl = 'a int, b text, c text';
    await compare(ddl, 'WITH (FORMAT csv)', '1,"x,y",z\n2,,""\n3,"a""b","multi\nline"\n4,  sp  ," q "\n');
    await compare(ddl, 'CSV HEADER', 'a,b,c\n1,x,y\n');
    await compare(ddl, 'WITH (FORMAT csv, HEADER match)', 'a,b,c\n1,x,y\n');
    await compare(ddl, 'WITH (FORMAT csv, HEADER match)', 'a,b,x\n1,x,y\n');
    await compare(ddl, 'WITH (FORMAT csv, HEADER match)', 'a,b\n1,x,y\n');
    await compare(ddl, "WITH (FORMAT csv, NULL 'NULL', FORCE_NULL (b), FORCE_NOT_NULL (c))", '1,"NULL",NULL\n2,NULL,""\n');
    await compare(ddl, 'WITH (FORMAT csv, FORCE_NULL *)', '1,"",x\n');
    await compare(ddl, "WITH (FORMAT csv, QUOTE '''', ESCAPE '\\', DELIMITER ';')", "1;'it\\'s';'a;b'\n2;'x\\\\y';\n");
    await compare(ddl, 'WITH (FORMAT csv)', '1,"unterminated\n');
    await compare(ddl, 'WITH (FORMAT csv)', '1,a"b"c,d\n');
    await compare(ddl, 'WITH (FORMAT csv)', '1,x,y\r\n2,"a\r\nb",c\r\n');
    await compare(ddl, 'WITH (FORMAT csv)', '1,x,y\n2,a,b\r\n');
    await compare(ddl, 'WITH (FORMAT csv)', '1,x,y\n\\.\n');
    await compare(ddl, 'WITH (FORMAT csv)', '1,x,y,z\n');
  });

  it('option validation errors', async () => {
    const ddl = 'a int, b text';
    for (const w of [
      "WITH (DELIMITER '||')", "WITH (DELIMITER 'a')", "WITH (QUOTE 'x')", "WITH (FORMAT csv, QUOTE ',')",
      'WITH (FORMAT csv, HEADER true, HEADER false)', 'WITH (FORMAT csv, foo 1)', 'WITH (FORMAT xml)',
      'WITH (FORMAT csv, HEADER 3)', "WITH (FORMAT csv, NULL ',')", 'WITH (FORCE_NULL (b))', 'WITH (FORMAT csv, FORCE_QUOTE (b))',
      "WITH (ESCAPE 'x')", "WITH (FORMAT csv, ESCAPE 'ab')", "WITH (FORMAT csv, NULL E'a\\nb')", "WITH (FORMAT csv, NULL '\"')",
      "WITH (DELIMITER E'\\n')", 'WITH (FORMAT csv, FORCE_NULL (zz))', "WITH (ENCODING 'nonsense')", 'WITH (REJECT_LIMIT 3)',
      'WITH (ON_ERROR maybe)',
    ]) {
      await compare(ddl, w, '1\tx\n');
    }
  });

  it('ON_ERROR ignore and REJECT_LIMIT', async () => {
    await compare('a int, b text', 'WITH (FORMAT csv, ON_ERROR ignore)', '1,a\nzz,b\n3,c\n');
    await compare('a int, b text', 'WITH (FORMAT csv, ON_ERROR ignore, REJECT_LIMIT 1)', '1,a\nzz,b\nyy,c\n');
    await compare('a int, b text', 'WITH (FORMAT csv, ON_ERROR ignore)', '1,a\n3,c,d\n', false);
  });

  it('random text-format inputs give the same rows or the same SQLSTATE', async () => {
    let seed = 12345;
    const rand = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    const pools: Record<string, string[]> = {
      a: ['1', '-2', ' 3', '4 ', '+5', '2147483647', '2147483648', 'x', '', '\\N', '0x1', '1.0', '007'],
      b: ['plain', '', '\\N', 'a\\tb', 'tab\\\\', '\\x4a', '\\101', 'sp ace', 'é', 'nul\\0x', '\\\\N', 'q"q', "it's"],
      c: ['1.5', '-0.0005', '123456789.1234', '1e3', '.5', '5.', 'abc', '', ' 7 ', '1234567890123', '-0', 'NaN'],
      d: ['2020-01-02', '2020-1-2', '1999-12-31', '2020-02-30', '20200102', 'x', '', '0001-01-01', '2020-01-02 BC'],
      e: ['2020-01-02 03:04:05', '2020-01-02T03:04:05.5', '2020-01-02', '2020-01-02 24:00:00', '2020-01-02 03:04', 'bad'],
      g: ['abc', 'abcde', 'abcdef', 'ab   ', 'abcde  ', 'éèêëē', ''],
    };
    const names = Object.keys(pools);
    const ddl = 'a int, b text, c numeric(12,3), d date, e timestamp, g varchar(5)';
    let mismatches = 0;
    for (let caseIdx = 0; caseIdx < 200; caseIdx++) {
      const lines: string[] = [];
      const nLines = 1 + rand(3);
      for (let l = 0; l < nLines; l++) lines.push(names.map((n) => pools[n]![rand(pools[n]!.length)]!).join('\t'));
      const input = lines.join('\n') + '\n';
      const pg = await compare(ddl, '', input);
      if (!pg.ok) mismatches++;
    }
    // Most random cases hit at least one bad value; both sides must agree on which.
    expect(mismatches).toBeGreaterThan(40);
  });
});

describe('COPY TO against PostgreSQL (PGlite)', () => {
  const ddl = 'a int, b text, c numeric(10,2), d date, e timestamp, f float8, h boolean, j char(3)';

  beforeAll(async () => {
    await db.exec(`DROP TABLE IF EXISTS out_t; CREATE TABLE out_t (${ddl});
      INSERT INTO out_t VALUES
        (1, 'a,b', 1.5, '2020-01-02', '2020-01-02 03:04:05.5', 0.1, true, 'x'),
        (2, '', -0.25, NULL, NULL, -1e300, false, ''),
        (NULL, NULL, NULL, '1999-12-31', '1999-12-31 23:59:59', 'NaN', NULL, NULL),
        (4, ' spaced ', 0, '2000-02-29', '2000-02-29 00:00:00', 1e-7, true, 'abc'),
        (5, 'q"q', 3, NULL, NULL, 'Infinity', NULL, 'q'),
        (6, E'line\nbreak\r\ttab', 4, NULL, NULL, 2, NULL, NULL),
        (7, E'\\.', 5, NULL, NULL, 3, NULL, NULL),
        (8, E'back\\slash|pipe', 6, NULL, NULL, 4, NULL, NULL),
        (9, E'ctl\x01é€', 7, NULL, NULL, 5, NULL, NULL),
        (10, 'N', 8, NULL, NULL, 6, NULL, NULL)`);
  });

  async function pgCopyTo(withClause: string, select = 'out_t'): Promise<string> {
    const res = await db.query(`COPY ${select} TO '/dev/blob' ${withClause}`);
    return res.blob === undefined ? '' : await res.blob.text();
  }

  it.each([
    [''],
    ["WITH (DELIMITER '|', NULL 'NULL', HEADER)"],
    ['WITH (FORMAT csv)'],
    ['WITH (FORMAT csv, HEADER)'],
    ["WITH (FORMAT csv, FORCE_QUOTE *, NULL 'N')"],
    ["WITH (FORMAT csv, FORCE_QUOTE (b, j), DELIMITER ';', QUOTE '''', ESCAPE '\\')"],
  ])('formats like PostgreSQL: %s', async (withClause) => {
    const columns = columnsOf(ddl);
    // Read the rows back from PostgreSQL's own text output, then format them our way.
    const data = new TextEncoder().encode(await pgCopyTo(''));
    const { rows } = parseAll(defaultCopyOptions('text'), columns, data);
    const stmt = parseStatements(`COPY out_t TO '/dev/blob' ${withClause}`)[0]!;
    if (stmt.kind !== 'Sql') throw new Error('not sql');
    const options = parseCopyOptions(node(stmt.ast, 'CopyStmt')!);
    const ours = new TextDecoder().decode(formatCopyRows(rows, columns, options, { header: options.header !== false }));
    expect(ours).toBe(await pgCopyTo(withClause));
  });

  it('quotes a lone \\. in single-column CSV', async () => {
    const data = new TextEncoder().encode(await pgCopyTo('', '(SELECT b FROM out_t)'));
    const columns = columnsOf('b text');
    const { rows } = parseAll(defaultCopyOptions('text'), columns, data);
    const ours = new TextDecoder().decode(formatCopyRows(rows, columns, defaultCopyOptions('csv', false)));
    expect(ours).toBe(await pgCopyTo('WITH (FORMAT csv)', '(SELECT b FROM out_t)'));
  });
});
