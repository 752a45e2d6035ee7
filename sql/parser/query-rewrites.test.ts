// Redshift query syntax rewritten before parsing: QUALIFY into a reserved WINDOW definition (where
// the condition ends), APPROXIMATE COUNT(DISTINCT x), and statement texts mapped back to the input.
import { beforeAll, describe, expect, it } from 'vitest';
import { list, node } from './ast.ts';
import { initParser } from './init-parser.ts';
import { parseStatements } from './parse-statements.ts';
import { QUALIFY_WINDOW, originalOffset, rewriteQuerySyntax } from './query-rewrites.ts';

beforeAll(async () => { await initParser(); });

describe('rewriteQuerySyntax', () => {
  it('leaves text without QUALIFY alone', () => {
    expect(rewriteQuerySyntax('select qualifying from t')).toBeNull();
  });

  it('ends the condition at ORDER BY, LIMIT and a closing parenthesis', () => {
    expect(rewriteQuerySyntax('select a from t qualify rank() over (order by a) = 1 order by a limit 2')!.text)
      .toBe(`select a from t WINDOW "${QUALIFY_WINDOW}" AS (PARTITION BY ( rank() over (order by a) = 1 )) order by a limit 2`);
    expect(rewriteQuerySyntax('select * from (select a from t qualify a > 1) x')!.text)
      .toBe(`select * from (select a from t WINDOW "${QUALIFY_WINDOW}" AS (PARTITION BY ( a > 1)) ) x`);
  });

  it('joins a WINDOW clause already written', () => {
    expect(rewriteQuerySyntax('select a from t window w as (order by a) qualify a > 1')!.text)
      .toBe(`select a from t window w as (order by a) , "${QUALIFY_WINDOW}" AS (PARTITION BY ( a > 1)) `);
  });

  it('turns APPROXIMATE COUNT(DISTINCT x) into approx_count_distinct(x), parentheses balanced', () => {
    expect(rewriteQuerySyntax('select approximate count ( distinct a + (b) ), count(*) from t qualify x')!.text)
      .toBe(`select approx_count_distinct( a + (b) ), count(*) from t WINDOW "${QUALIFY_WINDOW}" AS (PARTITION BY ( x)) `);
    expect(rewriteQuerySyntax('select approximate from t')).toBeNull();
  });

  it('maps offsets after the rewrite back to the input', () => {
    const input = 'select a from t qualify a > 1; select 2';
    const r = rewriteQuerySyntax(input)!;
    const at = r.text.indexOf('select 2');
    expect(originalOffset(at, r.edits)).toBe(input.indexOf('select 2'));
  });

  it('parses into a reserved window definition; statement texts are the input\'s', () => {
    const stmts = parseStatements('select a from t qualify a > 1; select 2');
    expect(stmts.map((s) => s.text)).toEqual(['select a from t qualify a > 1', 'select 2']);
    const sel = node(stmts[0]!.kind === 'Sql' ? stmts[0]!.ast : undefined, 'SelectStmt')!;
    expect(list(sel.windowClause).map((w) => node(w, 'WindowDef')!.name)).toEqual([QUALIFY_WINDOW]);
  });
});
