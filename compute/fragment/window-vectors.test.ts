// The vector path of window functions against the row path (window.ts, itself checked against
// PostgreSQL in test/sql/select/window.slt): the same calls over random columns with NULLs and
// ties give the same values, and calls outside the vector path are declined (null), not guessed.
import { describe, expect, it } from 'vitest';
import type { BoundOrderItem, BoundWindow, FrameBound, WindowFrame } from '../../sql/binder/bound-select.ts';
import { datumKey } from '../../sql/expr/compare.ts';
import type { Expr } from '../../sql/expr/expr.ts';
import { resolveAggregate } from '../../sql/functions/aggregates.ts';
import type { Datum } from '../../sql/types/datum.ts';
import { Decimal } from '../../sql/types/decimal.ts';
import { T, type SqlType } from '../../sql/types/sql-type.ts';
import { datumAt, vectorFromRows } from '../batch/row-conversion.ts';
import { TEST_CTX } from '../codegen/test-support.ts';
import { computeWindows } from './window.ts';
import { windowVectors } from './window-vectors.ts';
import { bindCall, coerce } from '../../sql/binder/bind-expr.ts';
import type { BindContext } from '../../sql/binder/scope.ts';
import { Interval } from '../../sql/types/interval.ts';

// Columns: 0 int4 key (few values), 1 text key, 2 int4 order key (ties), 3 numeric(10,2), 4 float8, 5 int8, 6 date.
const TYPES: SqlType[] = [T.int4, T.text, T.int4, T.numeric(10, 2), T.float8, T.int8, T.date];

function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 2 ** 32;
  };
}

function randomRows(n: number, seed: number): Datum[][] {
  const r = rng(seed);
  const maybe = (v: Datum): Datum => (r() < 0.12 ? null : v);
  return Array.from({ length: n }, () => [
    maybe(Math.floor(r() * 5)),
    maybe(['b', 'a', 'é', 'B', ''][Math.floor(r() * 5)]!),
    maybe(Math.floor(r() * 20) - 5),
    maybe(new Decimal(BigInt(Math.floor(r() * 200_000) - 50_000), 2)),
    maybe(Math.round((r() - 0.5) * 1e4) / 64),
    maybe(BigInt(Math.floor(r() * 1e6)) - 300_000n),
    maybe(19_000 + Math.floor(r() * 40)),
  ]);
}

const col = (i: number): Expr => ({ kind: 'Column', index: i, type: TYPES[i]! });
const int = (v: number): Expr => ({ kind: 'Const', value: v, type: T.int4 });
const off = (kind: 'preceding' | 'following', n: number): FrameBound => ({ kind, offset: { kind: 'Const', value: BigInt(n), type: T.int8 }, bound: null });
const DEFAULT_FRAME: WindowFrame = { mode: 'range', start: { kind: 'unbounded_preceding' }, end: { kind: 'current_row' }, exclude: 'no_others', rangeKey: null };

function call(fn: string, args: Expr[], partitionBy: Expr[], orderBy: BoundOrderItem[], frame: WindowFrame = DEFAULT_FRAME, star = false): BoundWindow {
  let type: SqlType;
  switch (fn) {
    case 'row_number': case 'rank': case 'dense_rank': type = T.int8; break;
    case 'percent_rank': case 'cume_dist': type = T.float8; break;
    case 'ntile': type = T.int4; break;
    case 'lag': case 'lead': case 'first_value': case 'last_value': case 'nth_value': type = args[0]!.type; break;
    default: type = resolveAggregate(fn, star ? null : args[0]!.type)!.returns;
  }
  return { fn, args, star, filter: null, partitionBy, orderBy, frame, type };
}

const asc = (i: number, nullsFirst = false): BoundOrderItem => ({ expr: col(i), desc: false, nullsFirst });
const desc = (i: number, nullsFirst = true): BoundOrderItem => ({ expr: col(i), desc: true, nullsFirst });
const rows = (start: FrameBound, end: FrameBound): WindowFrame => ({ mode: 'rows', start, end, exclude: 'no_others', rangeKey: null });

const BIND: BindContext = { scope: [], params: [], aggregates: null, clause: 'test' };

/** A RANGE frame over the single ORDER BY key `key`, bounds moved by `start` / `end` (null: CURRENT ROW). */
function range(key: BoundOrderItem, start: Expr | null, end: Expr | null, keyType: SqlType): WindowFrame {
  const rangeKey = coerce(key.expr, keyType, BIND);
  const bound = (kind: 'preceding' | 'following', offset: Expr): FrameBound => {
    const down = (kind === 'preceding') !== key.desc;
    return { kind, offset, bound: bindCall(down ? 'sub' : 'add', [rangeKey, offset], BIND, null) };
  };
  return {
    mode: 'range', exclude: 'no_others', rangeKey,
    start: start === null ? { kind: 'current_row' } : bound('preceding', start),
    end: end === null ? { kind: 'current_row' } : bound('following', end),
  };
}

/** Calls the vector path must take, over every argument type it covers. */
function supportedCalls(): BoundWindow[] {
  const out: BoundWindow[] = [];
  const specs: [Expr[], BoundOrderItem[]][] = [
    [[col(0)], [asc(2)]], [[col(1)], [desc(2), asc(6)]], [[], [asc(5)]], [[col(0), col(1)], [desc(4, false)]], [[col(1)], []], [[], [asc(1, true)]],
    [[col(1)], [desc(6)]], [[], [asc(6, true)]],
  ];
  const frames: WindowFrame[] = [
    DEFAULT_FRAME,
    rows({ kind: 'unbounded_preceding' }, { kind: 'current_row' }),
    rows(off('preceding', 2), { kind: 'current_row' }),
    rows(off('preceding', 1), off('following', 3)),
    rows(off('following', 1), { kind: 'unbounded_following' }),
    rows(off('preceding', 3), off('preceding', 1)),
    { mode: 'range', start: { kind: 'current_row' }, end: { kind: 'unbounded_following' }, exclude: 'no_others', rangeKey: null },
    { mode: 'groups', start: { kind: 'unbounded_preceding' }, end: { kind: 'unbounded_following' }, exclude: 'no_others', rangeKey: null },
  ];
  for (const [p, o] of specs) {
    for (const fn of ['row_number', 'rank', 'dense_rank', 'percent_rank', 'cume_dist']) out.push(call(fn, [], p, o));
    out.push(call('ntile', [int(3)], p, o), call('ntile', [int(50)], p, o));
    for (const x of [1, 3, 5]) out.push(call('lag', [col(x)], p, o), call('lead', [col(x), int(2)], p, o), call('lag', [col(x), int(-1)], p, o));
    for (const f of frames) {
      out.push(call('count', [], p, o, f, true), call('count', [col(1)], p, o, f));
      for (const x of [0, 2, 3, 5]) for (const fn of ['sum', 'avg', 'min', 'max']) out.push(call(fn, [col(x)], p, o, f));
      out.push(call('min', [col(4)], p, o, f), call('max', [col(6)], p, o, f));
      out.push(call('first_value', [col(1)], p, o, f), call('last_value', [col(3)], p, o, f), call('nth_value', [col(4), int(2)], p, o, f));
    }
    // RANGE offsets over integer, decimal, float and date keys, ascending and descending.
    if (o.length === 1 && o[0]!.expr.kind === 'Column') {
      const k = o[0]!;
      const t = TYPES[(k.expr as { index: number }).index]!;
      const offsets: [Expr, SqlType] | null = t.id === 'int4' ? [{ kind: 'Const', value: 3n, type: T.int8 }, T.int8]
        : t.id === 'int8' ? [{ kind: 'Const', value: 100_000n, type: T.int8 }, T.int8]
          : t.id === 'float8' ? [{ kind: 'Const', value: 12.5, type: T.float8 }, T.float8]
            : t.id === 'date' ? [{ kind: 'Const', value: new Interval(0, 3, 43_200_000_000n), type: T.interval }, T.timestamp]
              : null;
      if (offsets !== null) {
        const [offset, keyType] = offsets;
        for (const f of [range(k, offset, null, keyType), range(k, null, offset, keyType), range(k, offset, offset, keyType)]) {
          out.push(call('sum', [col(2)], p, o, f), call('count', [], p, o, f, true), call('max', [col(3)], p, o, f), call('first_value', [col(1)], p, o, f));
        }
      }
    }
    // Float sums only where PostgreSQL's order of additions is the frame's: running frames and fresh ones.
    out.push(call('sum', [col(4)], p, o, rows({ kind: 'unbounded_preceding' }, { kind: 'current_row' })), call('avg', [col(4)], p, o, frames[2]!));
  }
  return out;
}

function same(a: Datum, b: Datum): boolean {
  if (a instanceof Decimal && b instanceof Decimal) return a.unscaled === b.unscaled && a.scale === b.scale;
  return datumKey(a) === datumKey(b);
}

describe('window functions over vectors', () => {
  for (const seed of [1, 2, 3]) {
    it(`equal the row path over random columns (seed ${seed})`, () => {
      const data = randomRows(seed === 3 ? 1 : 240, seed);
      const cols = TYPES.map((t, c) => vectorFromRows(t, data, c));
      for (const w of supportedCalls()) {
        const vec = windowVectors(cols, data.length, [w], TEST_CTX);
        expect(vec, `${w.fn} declined`).not.toBeNull();
        const expected = computeWindows(data.map((r) => [...r]), [w], TEST_CTX).map((r) => r[TYPES.length]!);
        for (let i = 0; i < data.length; i++) {
          const got = datumAt(vec![0]!, i);
          if (!same(got, expected[i]!)) {
            throw new Error(`${w.fn} over ${JSON.stringify(w.frame.start)}..${JSON.stringify(w.frame.end)} row ${i}: ${String(got)} != ${String(expected[i])}`);
          }
        }
      }
    });
  }

  it('declines what it does not cover', () => {
    const data = randomRows(50, 9);
    const cols = TYPES.map((t, c) => vectorFromRows(t, data, c));
    const declined = [
      call('sum', [col(2)], [], [asc(2)], { ...rows(off('preceding', 1), { kind: 'current_row' }), exclude: 'current_row' }),
      { ...call('sum', [col(2)], [], [asc(2)]), filter: { kind: 'Const', value: true, type: T.bool } as Expr },
      call('lag', [col(2), int(1), int(0)], [], [asc(2)]),
      call('sum', [col(4)], [], [asc(2)], { mode: 'groups', start: off('preceding', 1), end: { kind: 'current_row' }, exclude: 'no_others', rangeKey: null }),
    ];
    for (const w of declined) expect(windowVectors(cols, data.length, [w], TEST_CTX)).toBeNull();
  });
});
