// Zone filters from a WHERE: a date column compared with a timestamp (date ± interval bounds) becomes
// an exact bound on its day numbers.
import { describe, expect, it } from 'vitest';
import type { Expr } from '../../sql/expr/expr.ts';
import { T } from '../../sql/types/sql-type.ts';
import { zoneFiltersFor } from './zone-filters.ts';

const DAY = 86_400_000_000n;
const CMP: Record<string, (x: bigint, y: bigint) => boolean> = {
  eq: (x, y) => x === y, lt: (x, y) => x < y, le: (x, y) => x <= y, gt: (x, y) => x > y, ge: (x, y) => x >= y,
};
const ZONE: Record<string, (x: number, y: number) => boolean> = {
  '=': (x, y) => x === y, '<': (x, y) => x < y, '<=': (x, y) => x <= y, '>': (x, y) => x > y, '>=': (x, y) => x >= y,
};

describe('zone filters', () => {
  it('bound a date column compared with a timestamp exactly, on both sides of the constant', () => {
    const col: Expr = { kind: 'Column', index: 0, type: T.date };
    const cast: Expr = { kind: 'Cast', arg: col, type: T.timestamp };
    for (const t of [8766n * DAY, 8766n * DAY + 1n, 8767n * DAY - 1n, -3n * DAY, -3n * DAY - 5n, 0n]) {
      const k: Expr = { kind: 'Const', value: t, type: T.timestamp };
      for (const fn of Object.keys(CMP)) {
        for (const flipped of [false, true]) {
          const e: Expr = { kind: 'Call', fn, args: flipped ? [k, cast] : [cast, k], type: T.bool };
          const [z] = zoneFiltersFor(e, [4]);
          // Exactly the days d for which d::timestamp fn t holds (as written, constant first or not).
          const holds = (d: bigint): boolean => (flipped ? CMP[fn]!(t, d * DAY) : CMP[fn]!(d * DAY, t));
          if (z === undefined) {
            // Only an equality no midnight meets may go without a filter.
            expect(fn === 'eq' && t % DAY !== 0n).toBe(true);
            continue;
          }
          expect(z.kind === 'compare' && z.column).toBe(4);
          if (z.kind !== 'compare') continue;
          const base = t / DAY;
          for (let d = base - 3n; d <= base + 3n; d++) expect(ZONE[z.op]!(Number(d), z.value as number), `${fn} ${t} flipped ${flipped} day ${d}`).toBe(holds(d));
        }
      }
    }
  });

  it('takes no timestamptz bound (it depends on the session time zone)', () => {
    const cast: Expr = { kind: 'Cast', arg: { kind: 'Column', index: 0, type: T.date }, type: T.timestamptz };
    const e: Expr = { kind: 'Call', fn: 'lt', args: [cast, { kind: 'Const', value: 5n * DAY, type: T.timestamptz }], type: T.bool };
    expect(zoneFiltersFor(e, [0])).toEqual([]);
  });
});
