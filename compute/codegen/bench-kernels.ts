// Benchmark: compiled kernels vs the reference evaluator (rowsFromBatch + evaluate) vs hand-written
// JS loops, on TPC-H Q1/Q6-like filters and projections over synthetic lineitem batches.
// Run: npx tsx compute/codegen/bench-kernels.ts [rows]   (default 6,000,000 rows, 4096-row batches)
// Rates are rows per CPU second (process.cpuUsage), best of PASSES, so a busy machine skews less.
import type { Batch } from '../batch/batch.ts';
import { BATCH_SIZE } from '../batch/batch.ts';
import { rowsFromBatch } from '../batch/row-conversion.ts';
import type { Vector } from '../batch/vector.ts';
import { evaluate } from '../../sql/expr/evaluate.ts';
import type { Expr } from '../../sql/expr/expr.ts';
import type { EvalContext } from '../../sql/functions/scalar-functions.ts';
import { daysFromCivil } from '../../sql/types/datetime.ts';
import { Decimal } from '../../sql/types/decimal.ts';
import { T, type SqlType } from '../../sql/types/sql-type.ts';
import { compileAggregateInputs } from './compile-aggregate-inputs.ts';
import { compileFilter } from './compile-filter.ts';
import { compileProjection } from './compile-projection.ts';

const CTX: EvalContext = { user: 'bench', database: 'bench', serverVersion: '16.0', statementStartMicros: 0n, timeZoneOffsetSeconds: 0 };
const TOTAL_ROWS = Number(process.argv[2] ?? 6_000_000);
/** The reference path is ~100x slower: it runs on this share of the rows and is reported per row. */
const REFERENCE_SHARE = 0.02;

// Columns: l_shipdate date, l_quantity, l_extendedprice, l_discount, l_tax numeric(15,2).
const TYPES: readonly SqlType[] = [T.date, T.numeric(15, 2), T.numeric(15, 2), T.numeric(15, 2), T.numeric(15, 2)];
const col = (i: number): Expr => ({ kind: 'Column', index: i, type: TYPES[i]! });
const int = (v: number): Expr => ({ kind: 'Cast', arg: { kind: 'Const', value: v, type: T.int4 }, type: T.numeric() });
const dec = (s: string): Expr => ({ kind: 'Const', value: Decimal.parse(s)!, type: T.numeric() });
const date = (y: number, m: number, d: number): Expr => ({ kind: 'Const', value: daysFromCivil(y, m, d), type: T.date });
const call = (fn: string, args: Expr[], type: SqlType = T.bool): Expr => ({ kind: 'Call', fn, args, type });

// Q1: l_shipdate <= date '1998-09-02'; l_extendedprice * (1 - l_discount) * (1 + l_tax)
const Q1_FILTER = call('le', [col(0), date(1998, 9, 2)]);
const Q1_CHARGE = call('mul', [call('mul', [col(2), call('sub', [int(1), col(3)], T.numeric())], T.numeric()), call('add', [int(1), col(4)], T.numeric())], T.numeric());
// Q6: shipdate in 1994, discount between 0.05 and 0.07, quantity < 24; sum(l_extendedprice * l_discount)
const Q6_FILTER: Expr = {
  kind: 'And', type: T.bool, args: [
    call('ge', [col(0), date(1994, 1, 1)]), call('lt', [col(0), date(1995, 1, 1)]),
    { kind: 'And', type: T.bool, args: [call('ge', [col(3), dec('0.05')]), call('le', [col(3), dec('0.07')])] },
    call('lt', [col(1), int(24)]),
  ],
};
const Q6_REVENUE = call('mul', [col(2), col(3)], T.numeric());

function makeBatches(rows: number): Batch[] {
  let seed = 42;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed % n;
  };
  const lo = daysFromCivil(1992, 1, 2);
  const hi = daysFromCivil(1998, 12, 1);
  const batches: Batch[] = [];
  for (let start = 0; start < rows; start += BATCH_SIZE) {
    const n = Math.min(BATCH_SIZE, rows - start);
    const ship = new Int32Array(n);
    const qty = new Float64Array(n);
    const price = new Float64Array(n);
    const disc = new Float64Array(n);
    const tax = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      ship[i] = lo + rnd(hi - lo + 1);
      qty[i] = (1 + rnd(50)) * 100;
      price[i] = 90_000 + rnd(10_400_000);
      disc[i] = rnd(11);
      tax[i] = rnd(9);
    }
    const d = (values: Float64Array): Vector => ({ kind: 'decimal', length: n, values, nulls: null, scale: 2 });
    batches.push({ length: n, selection: null, columns: [{ kind: 'int32', length: n, values: ship, nulls: null }, d(qty), d(price), d(disc), d(tax)] });
  }
  return batches;
}

/** Passes per measurement; the fastest counts (the machine is shared, so slower passes are noise). */
const PASSES = 5;

/** CPU milliseconds (user + system) of the best of PASSES runs of fn. */
function time(fn: () => number): { ms: number; check: number } {
  let best = Infinity;
  let check = 0;
  for (let p = 0; p < PASSES; p++) {
    const c0 = process.cpuUsage();
    check = fn();
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / 1000);
  }
  return { ms: best, check };
}

function rate(rows: number, ms: number): string {
  return `${(rows / ms / 1000).toFixed(1).padStart(8)} M rows/s`;
}

const batches = makeBatches(TOTAL_ROWS);
const refBatches = batches.slice(0, Math.max(1, Math.round(batches.length * REFERENCE_SHARE)));
const rowsIn = (bs: readonly Batch[]): number => bs.reduce((s, b) => s + b.length, 0);
const selBuf = new Uint32Array(BATCH_SIZE);

interface Line { name: string; kernel: number; reference: number; hand: number }
const lines: Line[] = [];

function bench(name: string, kernel: (b: Batch) => number, reference: (b: Batch) => number, hand: (b: Batch) => number): void {
  const all = (f: (b: Batch) => number, bs: readonly Batch[]) => (): number => { let s = 0; for (const b of bs) s += f(b); return s; };
  // Warm up (JIT) on a few hundred batches, then time.
  all(kernel, batches.slice(0, 300))();
  all(hand, batches.slice(0, 300))();
  all(reference, refBatches.slice(0, 5))();
  const k = time(all(kernel, batches));
  const h = time(all(hand, batches));
  const r = time(all(reference, refBatches));
  const kRef = time(all(kernel, refBatches));
  if (Math.abs(kRef.check - r.check) > 1e-6 * Math.max(1, Math.abs(r.check))) throw new Error(`${name}: kernel ${kRef.check} != reference ${r.check}`);
  const n = rowsIn(batches);
  lines.push({ name, kernel: n / k.ms, reference: rowsIn(refBatches) / r.ms, hand: n / h.ms });
  console.log(`${name.padEnd(34)} kernel ${rate(n, k.ms)} | reference ${rate(rowsIn(refBatches), r.ms)} | hand loop ${rate(n, h.ms)}`);
}

const q1Filter = compileFilter(Q1_FILTER, TYPES, CTX);
const q6Filter = compileFilter(Q6_FILTER, TYPES, CTX);
const q1Project = compileProjection([Q1_CHARGE], TYPES, CTX);
const q1Agg = compileAggregateInputs([], [Q1_CHARGE], TYPES, CTX);
const q6Agg = compileAggregateInputs([], [Q6_REVENUE], TYPES, CTX);
const Q1_DAY = daysFromCivil(1998, 9, 2);
const Y94 = daysFromCivil(1994, 1, 1);
const Y95 = daysFromCivil(1995, 1, 1);

const sumVector = (v: Vector): number => {
  let s = 0;
  if (v.kind === 'decimal') {
    const f = 10 ** v.scale;
    const values = v.values;
    for (let i = 0; i < v.length; i++) s += values[i]! / f;
  }
  else if (v.kind === 'bigdecimal') { for (let i = 0; i < v.length; i++) s += Number(v.values[i]!) / 10 ** v.scales[i]!; }
  return s;
};
const sumDatums = (xs: readonly unknown[]): number => xs.reduce<number>((s, x) => s + (x instanceof Decimal ? x.toNumber() : 0), 0);

console.log(`${TOTAL_ROWS.toLocaleString()} rows in ${batches.length} batches of ${BATCH_SIZE}; reference on ${rowsIn(refBatches).toLocaleString()} rows`);

bench('Q1 filter shipdate <= 1998-09-02',
  (b) => q1Filter(b, null, selBuf),
  (b) => rowsFromBatch(b).filter((row) => evaluate(Q1_FILTER, row, CTX) === true).length,
  (b) => {
    const ship = (b.columns[0] as Extract<Vector, { kind: 'int32' }>).values;
    let n = 0;
    for (let i = 0; i < b.length; i++) if (ship[i]! <= Q1_DAY) selBuf[n++] = i;
    return n;
  });

bench('Q6 filter (4 conjuncts)',
  (b) => q6Filter(b, null, selBuf),
  (b) => rowsFromBatch(b).filter((row) => evaluate(Q6_FILTER, row, CTX) === true).length,
  (b) => {
    const ship = (b.columns[0] as Extract<Vector, { kind: 'int32' }>).values;
    const qty = (b.columns[1] as Extract<Vector, { kind: 'decimal' }>).values;
    const disc = (b.columns[3] as Extract<Vector, { kind: 'decimal' }>).values;
    let n = 0;
    for (let i = 0; i < b.length; i++) {
      const s = ship[i]!;
      const d = disc[i]!;
      if (s >= Y94 && s < Y95 && d >= 5 && d <= 7 && qty[i]! < 2400) selBuf[n++] = i;
    }
    return n;
  });

bench('Q1 charge projection (bigdecimal out)',
  (b) => sumVector(q1Project(b, null)[0]!),
  (b) => sumDatums(rowsFromBatch(b).map((row) => evaluate(Q1_CHARGE, row, CTX))),
  (b) => handCharge(b));

bench('Q1 charge aggregate input (decimal)',
  (b) => sumVector(q1Agg(b, null).args[0]!),
  (b) => sumDatums(rowsFromBatch(b).map((row) => evaluate(Q1_CHARGE, row, CTX))),
  (b) => handCharge(b));

bench('Q6 filter + revenue input (decimal)',
  (b) => {
    const n = q6Filter(b, null, selBuf);
    return sumVector(q6Agg(b, selBuf.subarray(0, n)).args[0]!);
  },
  (b) => {
    let s = 0;
    for (const row of rowsFromBatch(b)) if (evaluate(Q6_FILTER, row, CTX) === true) s += (evaluate(Q6_REVENUE, row, CTX) as Decimal).toNumber();
    return s;
  },
  (b) => {
    const ship = (b.columns[0] as Extract<Vector, { kind: 'int32' }>).values;
    const qty = (b.columns[1] as Extract<Vector, { kind: 'decimal' }>).values;
    const price = (b.columns[2] as Extract<Vector, { kind: 'decimal' }>).values;
    const disc = (b.columns[3] as Extract<Vector, { kind: 'decimal' }>).values;
    const out = new Float64Array(b.length);
    let n = 0;
    for (let i = 0; i < b.length; i++) {
      const s = ship[i]!;
      const d = disc[i]!;
      if (s >= Y94 && s < Y95 && d >= 5 && d <= 7 && qty[i]! < 2400) out[n++] = price[i]! * d;
    }
    let sum = 0;
    for (let i = 0; i < n; i++) sum += out[i]! / 10000;
    return sum;
  });

function handCharge(b: Batch): number {
  const price = (b.columns[2] as Extract<Vector, { kind: 'decimal' }>).values;
  const disc = (b.columns[3] as Extract<Vector, { kind: 'decimal' }>).values;
  const tax = (b.columns[4] as Extract<Vector, { kind: 'decimal' }>).values;
  const out = new Float64Array(b.length);
  for (let i = 0; i < b.length; i++) out[i] = price[i]! * (100 - disc[i]!) * (100 + tax[i]!);
  let sum = 0;
  for (let i = 0; i < b.length; i++) sum += out[i]! / 1e6;
  return sum;
}

console.log('\nspeedup of kernels: vs reference | vs hand loop (1.0 = as fast as hand-written)');
for (const l of lines) console.log(`${l.name.padEnd(34)} ${(l.kernel / l.reference).toFixed(0).padStart(6)}x | ${(l.kernel / l.hand).toFixed(2)}`);
