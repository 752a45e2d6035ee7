// Statement splitting, locations and syntax errors, checked against real PostgreSQL (PGlite).
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlError } from '../../common/errors/index.ts';
import { location, node, list } from './ast.ts';
import { initParser } from './init-parser.ts';
import { parseStatements, type SqlStatement } from './parse-statements.ts';
import { splitStatements } from './split-statements.ts';

function sqlStmts(sql: string): SqlStatement[] {
  return parseStatements(sql).map((s) => {
    if (s.kind !== 'Sql') throw new Error(`unexpected ${s.kind}`);
    return s;
  });
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

beforeAll(async () => {
  await initParser();
});

describe('parseStatements', () => {
  it('returns [] for empty and comment-only input', () => {
    expect(parseStatements('')).toEqual([]);
    expect(parseStatements('   \n ')).toEqual([]);
    expect(parseStatements('-- nothing\n/* at all */ ;; ;')).toEqual([]);
  });

  it('splits statements with their own text and offset', () => {
    const sql = "select 1; /* c */ select ';' as x ;\n\n  insert into t values (1) -- tail\n";
    const stmts = sqlStmts(sql);
    expect(stmts.map((s) => s.text)).toEqual(['select 1', "select ';' as x", 'insert into t values (1) -- tail']);
    for (const s of stmts) expect(sql.slice(s.offset, s.offset + s.text.length)).toBe(s.text);
    expect(Object.keys(stmts[2]!.ast)).toEqual(['InsertStmt']);
  });

  it('gives AST locations as code points and offsets as JS indices for non-ASCII input', () => {
    const sql = "select '😀é' as a; select zz from t";
    const [first, second] = sqlStmts(sql);
    expect(first!.text).toBe("select '😀é' as a");
    // "select '😀é' as a; " is 18 code points but 19 UTF-16 units (the emoji is a surrogate pair).
    expect(second!.location).toBe(18);
    expect(second!.offset).toBe(19);
    expect(second!.text).toBe('select zz from t');
    const sel = node(second!.ast, 'SelectStmt')!;
    const target = node(list(sel.targetList)[0], 'ResTarget')!;
    expect(location(target.val)).toBe(25); // code point offset of "zz"
    expect([...sql].slice(25, 27).join('')).toBe('zz');
  });

  it('keeps ; inside strings, dollar quotes and BEGIN ATOMIC bodies', () => {
    const sql = "select 'a;b'; select $$x;y$$; create function f() returns int language sql begin atomic select 1; end; select 3";
    expect(splitStatements(sql)).toEqual([
      "select 'a;b'",
      'select $$x;y$$',
      'create function f() returns int language sql begin atomic select 1; end',
      'select 3',
    ]);
  });

  it('parses CREATE INDEX', () => {
    expect(Object.keys(sqlStmts('create index i on t (a)')[0]!.ast)).toEqual(['IndexStmt']);
  });

});

describe('syntax errors match PostgreSQL', () => {
  let pg: PGlite;
  beforeAll(async () => {
    pg = await PGlite.create();
  });
  afterAll(async () => {
    await pg.close();
  });

  const cases = [
    'selec 1',
    'select 1 from',
    'select 1 from   ',
    'select 1; select 2 frm t; select 3',
    "select 'éé' frm t",
    "select '😀' as x;\n select 1 from from",
    "select 'unterminated",
    'select (1',
    'select 1 limit 1,2',
    'foo',
    "select 'a' ; créate table t (a int)",
    'create table t (a int) distkey a',
    // The lexer fails, so nothing is lifted out and PostgreSQL's first error wins.
    "create table t (a int) distkey(a); select 'oops",
  ];
  for (const sql of cases) {
    it(JSON.stringify(sql), async () => {
      const ours = errorOf(() => parseStatements(sql));
      let theirs: { code?: string; message?: string; position?: string } = {};
      try {
        await pg.exec(sql);
      } catch (err) {
        theirs = err as typeof theirs;
      }
      expect({ code: ours.code, message: ours.message, position: ours.fields.position })
        .toEqual({ code: theirs.code, message: theirs.message, position: Number(theirs.position) });
    });
  }
});
