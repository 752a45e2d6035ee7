// The AST readers on real libpg-query output, including its omitted-default quirks.
import { beforeAll, describe, expect, it } from 'vitest';
import { SqlError } from '../../common/errors/index.ts';
import {
  constValue, errorPosition, expectNode, intVal, isNode, list, location, node, nodeTag, rangeVarName, str, strs,
  typeNameParts, unwrap,
} from './ast.ts';
import { initParser } from './init-parser.ts';
import { parseStatements } from './parse-statements.ts';

beforeAll(async () => {
  await initParser();
});

function astOf(sql: string): unknown {
  const [stmt] = parseStatements(sql);
  if (stmt?.kind !== 'Sql') throw new Error('expected Sql');
  return stmt.ast;
}

describe('ast helpers', () => {
  it('narrows node wrappers by tag', () => {
    const ast = astOf('select a.b, * from s.t');
    expect(nodeTag(ast)).toBe('SelectStmt');
    expect(unwrap(ast)?.tag).toBe('SelectStmt');
    expect(node(ast, 'InsertStmt')).toBeUndefined();
    expect(isNode(ast, 'SelectStmt')).toBe(true);
    expect(() => expectNode(ast, 'InsertStmt')).toThrow(SqlError);
    const sel = expectNode(ast, 'SelectStmt');
    const targets = list(sel.targetList).map((t) => expectNode(t, 'ResTarget'));
    expect(targets.map((t) => strs(expectNode(t.val, 'ColumnRef').fields))).toEqual([['a', 'b'], ['*']]);
    expect(rangeVarName(list(sel.fromClause)[0])).toEqual({ schema: 's', name: 't' });
    expect(location(targets[1]!.val)).toBe(12);
    expect(errorPosition(location(targets[1]!.val))).toBe(13);
    expect(errorPosition(-1)).toBeUndefined();
  });

  it('reads constants including omitted zero / false / empty values', () => {
    const sel = expectNode(astOf("select 0, 7, -3, 1.5, 99999999999, '', 'x', true, false, null, b'101'"), 'SelectStmt');
    const values = list(sel.targetList).map((t) => constValue(expectNode(t, 'ResTarget').val));
    expect(values).toEqual([
      { kind: 'integer', value: 0 }, { kind: 'integer', value: 7 }, { kind: 'integer', value: -3 },
      { kind: 'numeric', text: '1.5' }, { kind: 'numeric', text: '99999999999' },
      { kind: 'string', value: '' }, { kind: 'string', value: 'x' },
      { kind: 'boolean', value: true }, { kind: 'boolean', value: false }, { kind: 'null' },
      { kind: 'bitstring', value: 'b101' },
    ]);
    expect(intVal(expectNode(list(sel.targetList)[0], 'ResTarget').val)).toBe(0);
    expect(constValue({ ColumnRef: {} })).toBeUndefined();
  });

  it('reads strings, lists and type names', () => {
    expect(str({ String: {} })).toBe('');
    expect(str({ String: { sval: 'x' } })).toBe('x');
    expect(str({ Integer: {} })).toBeUndefined();
    expect(list(undefined)).toEqual([]);
    expect(list({ List: { items: [{ Integer: { ival: 1 } }] } })).toHaveLength(1);
    expect(intVal({ Integer: {} })).toBe(0);
    const create = expectNode(astOf('create table t (a numeric(10,2), b int[], c varchar)'), 'CreateStmt');
    const cols = list(create.tableElts).map((e) => expectNode(e, 'ColumnDef'));
    const a = typeNameParts(cols[0]!.typeName);
    expect(a.names).toEqual(['pg_catalog', 'numeric']);
    expect(a.typmods.map((m) => intVal(m))).toEqual([10, 2]);
    expect(typeNameParts(cols[1]!.typeName).arrayBounds).toEqual([-1]);
    expect(typeNameParts(cols[2]!.typeName).names).toEqual(['pg_catalog', 'varchar']);
  });
});
