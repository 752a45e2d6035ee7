// Answer comparison: numeric tolerance, CHAR padding, multiset vs ordered comparison with ties.
import { describe, expect, it } from 'vitest';
import { compareAnswers, numbersAgree } from './compare-answers.ts';

const ans = (rows: (string | null)[][]) => ({ columns: rows[0]?.map((_c, i) => `c${i}`) ?? [], rows });

describe('compareAnswers', () => {
  it('accepts differences within 0.01 and scale differences', () => {
    expect(compareAnswers(ans([['1.2500', 'x    ']]), ans([['1.25', 'x']]), [])).toBeUndefined();
    expect(compareAnswers(ans([['2.5000000000000000']]), ans([['2.5']]), [])).toBeUndefined();
    expect(numbersAgree(100.004, 100.01)).toBe(true);
    expect(numbersAgree(1e12, 1e12 + 50)).toBe(true);
  });

  it('rejects real differences', () => {
    expect(compareAnswers(ans([['1.25']]), ans([['1.27']]), [])).toMatch(/column 1/);
    expect(compareAnswers(ans([['a']]), ans([['b']]), [])).toBeDefined();
    expect(compareAnswers(ans([['a'], ['b']]), ans([['a']]), [])).toMatch(/row counts/);
    expect(compareAnswers(ans([['1', null]]), ans([['1', '0']]), [])).toBeDefined();
  });

  it('ignores row order without ORDER BY', () => {
    expect(compareAnswers(ans([['a', '1'], ['b', '2']]), ans([['b', '2'], ['a', '1']]), [])).toBeUndefined();
  });

  it('checks order on the order columns but not within ties', () => {
    const a = ans([['x', '3'], ['y', '2'], ['z', '2']]);
    expect(compareAnswers(a, ans([['x', '3'], ['z', '2'], ['y', '2']]), [1])).toBeUndefined();
    expect(compareAnswers(a, ans([['y', '2'], ['x', '3'], ['z', '2']]), [1])).toMatch(/out of order/);
  });
});
