// Redshift DISTSTYLE / DISTKEY / SORTKEY / ENCODE / BACKUP extraction, WITH options and ALTER forms.
import { beforeAll, describe, expect, it } from 'vitest';
import { SqlError } from '../../common/errors/index.ts';
import { node, list } from './ast.ts';
import { initParser } from './init-parser.ts';
import { parseStatements, type ParsedStatement } from './parse-statements.ts';
import type { TableAttributes } from './table-attributes.ts';

beforeAll(async () => {
  await initParser();
});

function attrsOf(sql: string): TableAttributes | undefined {
  const [stmt] = parseStatements(sql);
  if (stmt?.kind !== 'Sql') throw new Error('expected a Sql statement');
  return stmt.attributes;
}

function errorOf(sql: string): { code: string; message: string; position: number | undefined } {
  try {
    parseStatements(sql);
  } catch (err) {
    if (err instanceof SqlError) return { code: err.code, message: err.message, position: err.fields.position };
    throw err;
  }
  throw new Error(`expected an error for ${sql}`);
}

describe('CREATE TABLE attributes', () => {
  it('reads table-level attributes and leaves a clean PostgreSQL AST', () => {
    const sql = 'CREATE TABLE s.t (a INT, "B" TEXT) BACKUP NO DISTSTYLE KEY DISTKEY(a) COMPOUND SORTKEY(a, "B") ENCODE AUTO';
    const [stmt] = parseStatements(sql);
    expect(stmt?.kind).toBe('Sql');
    if (stmt?.kind !== 'Sql') return;
    expect(stmt.attributes).toEqual({
      distStyle: 'key', distKey: 'a', sortKey: { style: 'compound', columns: ['a', 'B'] },
      columnEncodings: {}, encodeAuto: true, backup: false,
    });
    expect(stmt.text).toBe(sql);
    const create = node(stmt.ast, 'CreateStmt')!;
    expect(list(create.tableElts)).toHaveLength(2);
    expect(create.options).toBeUndefined();
  });

  it('reads column-level ENCODE, DISTKEY and SORTKEY', () => {
    expect(attrsOf('create table t (id bigint not null encode az64 distkey, name varchar(20) ENCODE ZSTD SORTKEY, n numeric(10,2) default 0)'))
      .toEqual({ distStyle: 'key', distKey: 'id', sortKey: { style: 'compound', columns: ['name'] }, columnEncodings: { id: 'az64', name: 'zstd' } });
  });

  it('reads SORTKEY AUTO, INTERLEAVED and DISTSTYLE without key', () => {
    expect(attrsOf('create table t (a int) diststyle all sortkey auto')).toEqual({ distStyle: 'all', sortKey: 'auto', columnEncodings: {} });
    expect(attrsOf('create table t (a int, b int) interleaved sortkey (b, a) diststyle even'))
      .toEqual({ distStyle: 'even', sortKey: { style: 'interleaved', columns: ['b', 'a'] }, columnEncodings: {} });
  });

  it('gives empty attributes to a plain CREATE TABLE and none to other statements', () => {
    expect(attrsOf('create table t (a int)')).toEqual({ columnEncodings: {} });
    expect(attrsOf('select 1')).toBeUndefined();
  });

  it('reads attributes of CREATE TABLE AS', () => {
    const [stmt] = parseStatements('create temp table t distkey(a) sortkey(b) as select 1 as a, 2 as b');
    expect(stmt?.kind === 'Sql' && stmt.attributes).toEqual({ distStyle: 'key', distKey: 'a', sortKey: { style: 'compound', columns: ['b'] }, columnEncodings: {} });
    expect(stmt?.kind === 'Sql' && Object.keys(stmt.ast)).toEqual(['CreateTableAsStmt']);
  });

  it('leaves strings, quoted identifiers, comments and function calls alone', () => {
    const sql = "select 'distkey(a)' as \"sortkey\", encode('x'::bytea, 'hex') -- diststyle even\n from t";
    const [stmt] = parseStatements(sql);
    expect(stmt?.kind === 'Sql' && stmt.attributes).toBe(undefined);
    expect(attrsOf('create table t ("distkey" int, sortkey int, encode int default 1) /* sortkey(a) */'))
      .toEqual({ columnEncodings: {} });
    expect(attrsOf("create table t (a text default encode('x', 'hex') encode lzo)")).toEqual({ columnEncodings: { a: 'lzo' } });
  });

  it('keeps positions of later errors after removing attributes', () => {
    const sql = 'create table t (a int encode zstd) distkey(a) sortkey(a) selec; select 1';
    const err = errorOf(sql);
    expect(err).toEqual({ code: '42601', message: 'syntax error at or near "selec"', position: sql.indexOf('selec') + 1 });
  });

  it('handles non-ASCII column names in removed text', () => {
    const sql = 'create table t (é int, ü int) distkey(é) sortkey(ü); select x frm y';
    const err = errorOf(sql);
    expect(err.position).toBe(sql.lastIndexOf('y') + 1);
    expect(attrsOf('create table t (é int, ü int) distkey(é) sortkey(ü); select 1'))
      .toEqual({ distStyle: 'key', distKey: 'é', sortKey: { style: 'compound', columns: ['ü'] }, columnEncodings: {} });
  });

  it('rejects bad attributes with positions', () => {
    let sql = 'create table t (a int) diststyle foo';
    expect(errorOf(sql)).toEqual({ code: '42601', message: 'syntax error at or near "foo"', position: sql.indexOf('foo') + 1 });
    sql = 'create table t (a int) diststyle even distkey(a)';
    expect(errorOf(sql)).toMatchObject({ code: '42P16', message: 'DISTKEY cannot be used with DISTSTYLE EVEN', position: sql.indexOf('a)') + 1 });
    sql = 'create table t (a int) diststyle key';
    expect(errorOf(sql)).toMatchObject({ code: '42P16', position: sql.indexOf('diststyle') + 1 });
    const cols = Array.from({ length: 9 }, (_, i) => `c${i}`);
    sql = `create table t (${cols.map((c) => `${c} int`).join(', ')}) interleaved sortkey(${cols.join(', ')})`;
    expect(errorOf(sql)).toMatchObject({ code: '42P16', message: 'INTERLEAVED SORTKEY can have at most 8 columns, got 9' });
    expect(attrsOf(`create table t (${cols.map((c) => `${c} int`).join(', ')}) compound sortkey(${cols.join(', ')})`)?.sortKey)
      .toEqual({ style: 'compound', columns: cols });
    sql = 'create table t (a int) distkey(b)';
    expect(errorOf(sql)).toEqual({ code: '42703', message: 'column "b" named in DISTKEY does not exist', position: sql.indexOf('b)') + 1 });
    sql = 'create table t (a int, b int) sortkey(a, B, zz)';
    expect(errorOf(sql)).toMatchObject({ code: '42703', message: 'column "zz" named in SORTKEY does not exist', position: sql.indexOf('zz') + 1 });
    sql = 'create table t (a int, b int) distkey(a, b)';
    expect(errorOf(sql)).toMatchObject({ code: '42601', message: 'syntax error at or near ","', position: sql.indexOf(',', sql.indexOf('distkey')) + 1 });
    sql = 'create table t (a int distkey, b int) distkey(b)';
    expect(errorOf(sql)).toMatchObject({ code: '42601', message: 'conflicting or redundant options', position: sql.lastIndexOf('distkey') + 1 });
  });

  it('reports the earlier of a parse error and an attribute error', () => {
    const sql = 'selec 1; create table t (a int) diststyle foo';
    expect(errorOf(sql)).toMatchObject({ message: 'syntax error at or near "selec"', position: 1 });
  });
});

describe('WITH (...) options', () => {
  it('moves distribution options into attributes and keeps the rest', () => {
    const [stmt] = parseStatements("create table t (a int, \"B\" int) with (diststyle = key, distkey = 'a', sortkey = 'a, \"B\"', sortstyle = interleaved, fillfactor = 70)");
    if (stmt?.kind !== 'Sql') throw new Error('expected Sql');
    expect(stmt.attributes).toEqual({ distStyle: 'key', distKey: 'a', sortKey: { style: 'interleaved', columns: ['a', 'B'] }, columnEncodings: {} });
    const options = list(node(stmt.ast, 'CreateStmt')!.options);
    expect(options.map((o) => node(o, 'DefElem')?.defname)).toEqual(['fillfactor']);
  });

  it('works for CTAS and removes an emptied option list', () => {
    const [stmt] = parseStatements("create table t with (distkey = a, sortkey = 'auto') as select 1 as a");
    if (stmt?.kind !== 'Sql') throw new Error('expected Sql');
    expect(stmt.attributes).toEqual({ distStyle: 'key', distKey: 'a', sortKey: 'auto', columnEncodings: {} });
    expect(node(stmt.ast, 'CreateTableAsStmt')!.into!.options).toBeUndefined();
  });

  it('rejects bad values and clashes with Redshift syntax', () => {
    let sql = "create table t (a int) with (diststyle = 'sideways')";
    expect(errorOf(sql)).toMatchObject({ code: '42601', position: sql.indexOf('diststyle') + 1 });
    sql = "create table t (a int, b int) distkey(a) with (distkey = 'b')";
    expect(errorOf(sql)).toMatchObject({ code: '42601', message: 'conflicting or redundant options', position: sql.lastIndexOf('distkey') + 1 });
  });
});

describe('ALTER TABLE attribute statements', () => {
  function alterOf(sql: string): ParsedStatement[] {
    return parseStatements(sql);
  }

  it('returns Redshift ALTER forms as their own statement kind, in order', () => {
    const stmts = alterOf('alter table s.t alter diststyle key distkey a; select 1; ALTER TABLE t ALTER COLUMN a ENCODE ZSTD, alter column "B" encode raw');
    expect(stmts.map((s) => s.kind)).toEqual(['AlterTableAttributes', 'Sql', 'AlterTableAttributes']);
    expect(stmts[0]).toMatchObject({ table: { schema: 's', name: 't' }, action: { kind: 'DistStyle', distStyle: 'key', distKey: 'a' }, text: 'alter table s.t alter diststyle key distkey a' });
    expect(stmts[2]).toMatchObject({ table: { name: 't' }, action: { kind: 'ColumnEncodings', columnEncodings: { a: 'zstd', B: 'raw' } } });
  });

  it('reads every action', () => {
    const actions = [
      ['alter table t alter distkey b', { kind: 'DistKey', column: 'b' }],
      ['alter table t alter diststyle even', { kind: 'DistStyle', distStyle: 'even' }],
      ['alter table t alter sortkey (a, b)', { kind: 'SortKey', sortKey: { style: 'compound', columns: ['a', 'b'] } }],
      ['alter table t alter interleaved sortkey (a)', { kind: 'SortKey', sortKey: { style: 'interleaved', columns: ['a'] } }],
      ['alter table t alter sortkey none', { kind: 'SortKey', sortKey: 'none' }],
      ['alter table t alter sortkey auto', { kind: 'SortKey', sortKey: 'auto' }],
      ['alter table if exists t alter encode auto', { kind: 'EncodeAuto' }],
    ] as const;
    for (const [sql, action] of actions) expect(alterOf(sql)[0]).toMatchObject({ kind: 'AlterTableAttributes', action });
  });

  it('leaves PostgreSQL ALTER TABLE forms to the parser', () => {
    for (const sql of ['alter table t alter column sortkey type bigint', 'alter table t alter distkey set not null', 'alter table t add column encode int']) {
      const [stmt] = alterOf(sql);
      expect(stmt?.kind === 'Sql' && Object.keys(stmt.ast)).toEqual(['AlterTableStmt']);
    }
  });

  it('rejects malformed ALTER attribute statements with positions', () => {
    let sql = 'alter table t alter diststyle sideways';
    expect(errorOf(sql)).toMatchObject({ code: '42601', message: 'syntax error at or near "sideways"', position: sql.indexOf('sideways') + 1 });
    sql = 'alter table t alter distkey';
    expect(errorOf(sql)).toMatchObject({ code: '42601', message: 'syntax error at end of input', position: sql.length + 1 });
    sql = 'alter table t alter distkey a b; select 1';
    expect(errorOf(sql)).toMatchObject({ message: 'syntax error at or near "b"', position: sql.indexOf(' b') + 2 });
  });
});
