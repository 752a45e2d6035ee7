// Micro benchmark (not a test): rows/s of ColumnStatsCollector.add over 65,536-row vectors.
// Run: npx tsx compute/stats/bench-column-stats.ts
import { T, type SqlType } from '../../sql/types/sql-type.ts';
import type { Int32Vector, StringVector, Vector } from '../batch/vector.ts';
import { ColumnStatsCollector } from './column-stats.ts';
import { HyperLogLog, hashInt32 } from '../../common/sketch/hyperloglog.ts';

const ROWS = 65_536;
const ROUNDS = 200;

function int32Vector(withNulls: boolean): Int32Vector {
  const values = new Int32Array(ROWS);
  for (let i = 0; i < ROWS; i++) values[i] = (Math.imul(i, 2654435761) >>> 8) % 1_000_000;
  let nulls: Uint8Array | null = null;
  if (withNulls) {
    nulls = new Uint8Array(ROWS);
    for (let i = 0; i < ROWS; i += 10) nulls[i] = 1;
  }
  return { kind: 'int32', length: ROWS, values, nulls };
}

function stringVector(): StringVector {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  let total = 0;
  const offsets = new Int32Array(ROWS + 1);
  for (let i = 0; i < ROWS; i++) {
    const b = encoder.encode(`Customer#${String((i * 7919) % 150_000).padStart(9, '0')}`);
    parts.push(b);
    total += b.length;
    offsets[i + 1] = total;
  }
  const bytes = new Uint8Array(total);
  for (let i = 0; i < ROWS; i++) bytes.set(parts[i]!, offsets[i]!);
  return { kind: 'string', length: ROWS, offsets, bytes, nulls: null };
}

function bench(label: string, type: SqlType, v: Vector, selection: Uint32Array | null): void {
  const warm = new ColumnStatsCollector(type);
  for (let r = 0; r < 20; r++) warm.add(v, selection);
  const c = new ColumnStatsCollector(type);
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < ROUNDS; r++) c.add(v, selection);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const rows = (selection === null ? v.length : selection.length) * ROUNDS;
  console.log(`${label.padEnd(36)} ${(rows / secs / 1e6).toFixed(1).padStart(7)} M rows/s`);
}

const half = new Uint32Array(ROWS / 2);
for (let i = 0; i < half.length; i++) half[i] = i * 2;

bench('int32, no NULLs', T.int4, int32Vector(false), null);
bench('int32, 10% NULLs', T.int4, int32Vector(true), null);
bench('int32, selection of every 2nd row', T.int4, int32Vector(false), half);
bench('string (18 bytes), no NULLs', T.text, stringVector(), null);

const h = new HyperLogLog();
const t0 = process.hrtime.bigint();
for (let i = 0; i < ROWS * ROUNDS; i++) h.add(hashInt32(i));
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(`${'raw HLL add(hashInt32)'.padEnd(36)} ${((ROWS * ROUNDS) / secs / 1e6).toFixed(1).padStart(7)} M rows/s`);
