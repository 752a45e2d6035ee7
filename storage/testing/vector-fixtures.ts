// Test and benchmark helpers: build vectors from JS values, read them back, compare them exactly.
import type { Vector, StringVector } from '../../compute/batch/vector.ts';
import type { Batch } from '../../compute/batch/batch.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A string vector from JS strings (null = NULL). */
export function stringVector(values: readonly (string | null)[]): StringVector {
  const n = values.length;
  const parts = values.map((s) => enc.encode(s ?? ''));
  const offsets = new Int32Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) { total += parts[i]!.length; offsets[i + 1] = total; }
  const bytes = new Uint8Array(total);
  for (let i = 0; i < n; i++) bytes.set(parts[i]!, offsets[i]!);
  return { kind: 'string', length: n, nulls: nullsOf(values), offsets, bytes };
}

/** The null map for values where null marks NULL, or null when there is none. */
export function nullsOf(values: readonly unknown[]): Uint8Array | null {
  if (!values.some((v) => v === null)) return null;
  return Uint8Array.from(values, (v) => (v === null ? 1 : 0));
}

/** Row i of a vector as a comparable JS value (null for NULL; bigdecimal as "unscaled/scale"). */
export function valueAt(v: Vector, i: number): unknown {
  if (v.nulls !== null && v.nulls[i] !== 0) return null;
  switch (v.kind) {
    case 'string': return dec.decode(v.bytes.subarray(v.offsets[i]!, v.offsets[i + 1]!));
    case 'bigdecimal': return `${v.values[i]!}/${v.scales[i]!}`;
    case 'bool': return v.values[i] !== 0;
    default: return v.values[i]!;
  }
}

/** All rows of a vector as JS values. */
export function vectorValues(v: Vector): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < v.length; i++) out.push(valueAt(v, i));
  return out;
}

/** Live rows of a batch (honouring its selection) as arrays of JS values. */
export function batchRows(b: Batch): unknown[][] {
  const rows: unknown[][] = [];
  const sel = b.selection;
  const count = sel === null ? b.length : sel.length;
  for (let k = 0; k < count; k++) {
    const i = sel === null ? k : sel[k]!;
    rows.push(b.columns.map((c) => valueAt(c, i)));
  }
  return rows;
}

/** Describes the first difference between two vectors (Object.is for numbers), or null if equal. */
export function vectorDiff(a: Vector, b: Vector): string | null {
  if (a.kind !== b.kind) return `kind ${a.kind} vs ${b.kind}`;
  if (a.length !== b.length) return `length ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    const x = valueAt(a, i);
    const y = valueAt(b, i);
    if (!Object.is(x, y)) return `row ${i}: ${String(x)} vs ${String(y)}`;
  }
  return null;
}

/** A small deterministic PRNG (mulberry32) so failures reproduce. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A vector of the layout's kind from JS values in {@link valueAt}'s form: boolean, number,
 * bigint (int64), number (decimal: scaled integer), "unscaled/scale" (bigdecimal), string; null = NULL.
 */
export function vectorFromValues(kind: Vector['kind'], values: readonly unknown[], scale = 0): Vector {
  const n = values.length;
  const nulls = nullsOf(values);
  switch (kind) {
    case 'bool': return { kind, length: n, nulls, values: Uint8Array.from(values, (v) => (v === true ? 1 : 0)) };
    case 'int32': return { kind, length: n, nulls, values: Int32Array.from(values, (v) => (v === null ? 0 : Number(v))) };
    case 'int64': return { kind, length: n, nulls, values: BigInt64Array.from(values, (v) => (v === null ? 0n : BigInt(v as bigint))) };
    case 'float64': return { kind, length: n, nulls, values: Float64Array.from(values, (v) => (v === null ? 0 : Number(v))) };
    case 'decimal': return { kind, length: n, nulls, values: Float64Array.from(values, (v) => (v === null ? 0 : Number(v))), scale };
    case 'bigdecimal': {
      const vals = values.map((v) => (v === null ? 0n : BigInt(String(v).split('/')[0]!)));
      const scales = Uint16Array.from(values, (v) => (v === null ? scale : Number(String(v).split('/')[1])));
      return { kind, length: n, nulls, values: vals, scales };
    }
    case 'string': return stringVector(values.map((v) => (v === null ? null : String(v))));
  }
}

/** A batch from rows of JS values, given each column's kind (and decimal scale). */
export function batchFromRows(kinds: readonly { kind: Vector['kind']; scale?: number }[], rows: readonly unknown[][]): Batch {
  const columns = kinds.map((k, c) => vectorFromValues(k.kind, rows.map((r) => r[c]), k.scale ?? 0));
  return { length: rows.length, columns, selection: null };
}
