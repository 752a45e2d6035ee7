// Micro-benchmark: Arrow IPC encode (gathering a random half of the rows) and decode of a lineitem-like batch.
// Run: npx tsx compute/exchange/bench-arrow-codec.ts [rows=65536] [seconds per measurement=2]
import type { Batch } from '../batch/batch.ts';
import type { Vector } from '../batch/vector.ts';
import { decodeBatch, encodeBatch } from './arrow-batch-codec.ts';

const rows = Number(process.argv[2] ?? 65_536);
const seconds = Number(process.argv[3] ?? 2);
const ROUNDS = 10;

let seed = 42;
const rnd = (m: number): number => { seed = (seed * 1103515245 + 12345) >>> 0; return (seed >>> 8) % m; };

function int32s(f: (i: number) => number): Vector {
  return { kind: 'int32', length: rows, values: Int32Array.from({ length: rows }, (_, i) => f(i)), nulls: null };
}
function decimals(f: () => number): Vector {
  return { kind: 'decimal', length: rows, values: Float64Array.from({ length: rows }, f), scale: 2, nulls: null };
}
function strings(f: () => string): Vector {
  const encoder = new TextEncoder();
  const parts = Array.from({ length: rows }, () => encoder.encode(f()));
  const offsets = new Int32Array(rows + 1);
  for (let i = 0; i < rows; i++) offsets[i + 1] = offsets[i]! + parts[i]!.length;
  const bytes = new Uint8Array(offsets[rows]!);
  for (let i = 0; i < rows; i++) bytes.set(parts[i]!, offsets[i]!);
  return { kind: 'string', length: rows, offsets, bytes, nulls: null };
}

const INSTRUCT = ['DELIVER IN PERSON', 'COLLECT COD', 'NONE', 'TAKE BACK RETURN'];
const MODES = ['REG AIR', 'AIR', 'RAIL', 'SHIP', 'TRUCK', 'MAIL', 'FOB'];
const WORDS = ['furiously', 'quickly', 'carefully', 'blithely', 'regular', 'express', 'final', 'pending', 'deposits'];

const batch: Batch = {
  length: rows,
  selection: null,
  columns: [
    int32s((i) => 1 + (i >> 2)), int32s(() => 1 + rnd(200_000)), int32s(() => 1 + rnd(10_000)), int32s((i) => 1 + (i & 3)),
    decimals(() => (1 + rnd(50)) * 100), decimals(() => 90_000 + rnd(10_000_000)), decimals(() => rnd(11)), decimals(() => rnd(9)),
    int32s(() => 8035 + rnd(2500)), int32s(() => 8035 + rnd(2500)),
    strings(() => 'RAN'[rnd(3)]!), strings(() => 'OF'[rnd(2)]!),
    strings(() => INSTRUCT[rnd(4)]!), strings(() => MODES[rnd(7)]!),
    strings(() => {
      let comment = WORDS[rnd(WORDS.length)]!;
      while (comment.length < 10 + rnd(30)) comment += ' ' + WORDS[rnd(WORDS.length)]!;
      return comment.slice(0, 44);
    }),
  ],
};

// A random half of the rows in random order (Fisher–Yates over all rows, keep the first half).
const perm = Uint32Array.from({ length: rows }, (_, i) => i);
for (let i = rows - 1; i > 0; i--) {
  const j = rnd(i + 1);
  const t = perm[i]!;
  perm[i] = perm[j]!;
  perm[j] = t;
}
const picked = perm.subarray(0, rows >> 1);

/**
 * Seconds per call of `fn`: the best of ROUNDS rounds of about seconds/ROUNDS each, after a
 * warm-up. Best-of filters out other processes on the shared cores.
 */
function time(fn: () => void): number {
  for (let i = 0; i < 10; i++) fn();
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    let calls = 0;
    let elapsed = 0;
    const t0 = process.hrtime.bigint();
    while (elapsed < seconds / ROUNDS) {
      fn();
      calls++;
      elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
    }
    best = Math.min(best, elapsed / calls);
  }
  return best;
}

function report(label: string, perCall: number, rowCount: number, bytes: number): void {
  const mbs = bytes / perCall / 1e6;
  const rps = rowCount / perCall / 1e6;
  console.log(`${label.padEnd(30)} ${(perCall * 1e3).toFixed(3).padStart(8)} ms  ${mbs.toFixed(0).padStart(6)} MB/s  ${rps.toFixed(2).padStart(7)} M rows/s`);
}

let sink = 0;
const gathered = encodeBatch(batch, picked);
const whole = encodeBatch(batch);
console.log(`${rows} rows, ${batch.columns.length} columns; gathered ${picked.length} rows → ${gathered.length} IPC bytes; whole batch → ${whole.length} bytes`);
report('encode, gather random half', time(() => { sink += encodeBatch(batch, picked).length; }), picked.length, gathered.length);
report('decode, gathered half', time(() => { sink += decodeBatch(gathered).length; }), picked.length, gathered.length);
report('encode, whole batch (views)', time(() => { sink += encodeBatch(batch).length; }), rows, whole.length);
report('decode, whole batch', time(() => { sink += decodeBatch(whole).length; }), rows, whole.length);
if (sink === 0) console.log('unreachable');
