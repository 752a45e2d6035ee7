// .slt parsing: record kinds, conditions, expected rows, line numbers and syntax errors.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSlt, SltSyntaxError } from './parse-slt.ts';

describe('parseSlt', () => {
  it('reads the self-test file', () => {
    const records = parseSlt(readFileSync('test/sql/harness-selftest/basic.slt', 'utf8'));
    expect(records.map((r) => r.kind)).toEqual([
      'statement', 'statement', 'statement', 'statement', 'query', 'query', 'query', 'query', 'statement', 'query', 'query', 'halt', 'query',
    ]);
    const dup = records[3]!;
    expect(dup).toMatchObject({ kind: 'statement', line: 13, error: { code: '23505', messages: ['duplicate key value'] } });
    const all = records[4]!;
    expect(all).toMatchObject({ kind: 'query', types: 'ITR', sortMode: 'rowsort', line: 19, startLine: 19, endLine: 26 });
    if (all.kind === 'query') expect(all.expected[3]).toEqual(['3', '(empty)', '0.25']);
    expect(records[8]).toMatchObject({ conditions: [{ kind: 'skipif', engine: 'postgres' }], startLine: 45, line: 46 });
  });

  it('splits rows by tab, or by spaces when tabs do not give one value per column', () => {
    const [q] = parseSlt('query IT\nselect 1, \'a b\'\n----\n1\ta b\n2 x\n');
    expect(q?.kind === 'query' && q.expected).toEqual([['1', 'a b'], ['2', 'x']]);
  });

  it('reads statement error without code, query error, and a record at end of file', () => {
    const recs = parseSlt('statement error\nselect x\n\nquery error 42601\nselec\n----\nsyntax error\nat or near\n');
    expect(recs).toMatchObject([
      { kind: 'statement', error: { messages: [] } },
      { kind: 'statement', error: { code: '42601', messages: ['syntax error', 'at or near'] } },
    ]);
    const [last] = parseSlt('query I\nselect 1\n----\n1');
    expect(last).toMatchObject({ kind: 'query', expected: [['1']], endLine: 5 });
  });

  it('rejects malformed files with file:line', () => {
    expect(() => parseSlt('# x\nstatment ok\nselect 1\n', 'f.slt')).toThrow(new SltSyntaxError('f.slt', 2, 'unknown record "statment"'));
    expect(() => parseSlt('statement error 4260\nselect\n', 'f.slt')).toThrow(/f\.slt:1: "4260" is not a SQLSTATE/);
    expect(() => parseSlt('query X\nselect 1\n', 'f.slt')).toThrow(/f\.slt:1: expected "query <type letters>/);
    expect(() => parseSlt('statement ok\n\n', 'f.slt')).toThrow(/record has no SQL/);
    expect(() => parseSlt('skipif x\n\nstatement ok\nselect 1', 'f.slt')).toThrow(/skipif\/onlyif must be followed/);
  });
});
