// Partial aggregation of one column batch on typed arrays: rows are grouped with an open-addressing
// table over key hashes (keys compared by value, no per-row objects), count / sum / avg / min / max
// run over the typed argument vectors, and each group of the batch reaches the HashAggregate once,
// as a partial state, instead of once per row. Sums stay exact: a scaled decimal is split into a
// high and a low part summed as float64 (each part's sum stays below 2^53 for a batch), 64-bit
// integers into their two 32-bit words. Batches it cannot take (DISTINCT, float or wide-numeric
// arguments, float or wide-numeric keys) return false and go through the row-by-row path.
import { datumAt } from '../batch/row-conversion.ts';
import type { Vector } from '../batch/vector.ts';
import { Decimal, type Datum } from '../../sql/types/datum.ts';
import type { AggSpec } from './fragment.ts';
import type { HashAggregate } from './hash-aggregate.ts';
import { fmix32, hash64, hashBytes, hashInt32 } from '../../common/sketch/value-hash.ts';
import { addSums } from './group-table.ts';

const TWO26 = 67_108_864n;
const TWO32 = 4_294_967_296n;

/** Reusable per-batch buffers. */
export class BatchAggregator {
  private slots = new Int32Array(0);
  private groupOf = new Int32Array(0);
  private rep = new Int32Array(0);
  private hashes = new Int32Array(0);

  private ensure(n: number): void {
    if (this.groupOf.length >= n) return;
    this.groupOf = new Int32Array(n);
    this.rep = new Int32Array(n);
    this.hashes = new Int32Array(n);
    let size = 16;
    while (size < n * 2) size *= 2;
    this.slots = new Int32Array(size);
  }

  /**
   * Aggregates rows [0, n) of `keys` / `args` into `table`; false (and nothing done) when the batch
   * has a key or argument the typed path does not cover.
   */
  aggregate(table: HashAggregate, aggs: readonly AggSpec[], keys: readonly Vector[], args: readonly (Vector | null)[], n: number): boolean {
    for (const k of keys) if (k.kind !== 'int32' && k.kind !== 'int64' && k.kind !== 'decimal' && k.kind !== 'string' && k.kind !== 'bool') return false;
    for (let a = 0; a < aggs.length; a++) {
      const spec = aggs[a]!;
      const v = args[a] ?? null;
      if (spec.distinct) return false;
      if (spec.name === 'count') continue;
      if (v === null || (v.kind !== 'int32' && v.kind !== 'int64' && v.kind !== 'decimal')) return false;
      if (spec.name !== 'sum' && spec.name !== 'avg' && spec.name !== 'min' && spec.name !== 'max') return false;
    }
    this.ensure(n);
    const groups = this.group(keys, n);
    const groupOf = this.groupOf;
    const states: Datum[][] = Array.from({ length: groups }, () => new Array<Datum>(aggs.length));
    for (let a = 0; a < aggs.length; a++) {
      const spec = aggs[a]!;
      const v = args[a] ?? null;
      if (spec.name === 'count') {
        const counts = new Float64Array(groups);
        const nulls = v?.nulls ?? null;
        for (let r = 0; r < n; r++) if (nulls === null || nulls[r] === 0) counts[groupOf[r]!]!++;
        for (let g = 0; g < groups; g++) states[g]![a] = BigInt(counts[g]!);
        continue;
      }
      if (spec.name === 'sum' || spec.name === 'avg') this.sum(spec.name, v!, n, groups, states, a);
      else this.minMax(spec.name === 'min', v!, n, groups, states, a);
    }
    const rep = this.rep;
    for (let g = 0; g < groups; g++) {
      const r = rep[g]!;
      const row: Datum[] = new Array<Datum>(keys.length + aggs.length);
      for (let k = 0; k < keys.length; k++) row[k] = datumAt(keys[k]!, r);
      for (let a = 0; a < aggs.length; a++) row[keys.length + a] = states[g]![a]!;
      table.merge(row);
    }
    return true;
  }

  /** Assigns each row a group number; returns the number of groups (representatives in `rep`). */
  private group(keys: readonly Vector[], n: number): number {
    const groupOf = this.groupOf;
    if (keys.length === 0) {
      groupOf.fill(0, 0, n);
      this.rep[0] = 0;
      return n > 0 ? 1 : 0;
    }
    const hashes = this.hashes;
    hashes.fill(0x12345, 0, n);
    for (const k of keys) hashColumn(k, n, hashes);
    const slots = this.slots;
    const mask = slots.length - 1;
    slots.fill(-1);
    const rep = this.rep;
    let groups = 0;
    for (let r = 0; r < n; r++) {
      let i = hashes[r]! & mask;
      for (;;) {
        const g = slots[i]!;
        if (g === -1) {
          slots[i] = groups;
          rep[groups] = r;
          groupOf[r] = groups++;
          break;
        }
        if (hashes[rep[g]!] === hashes[r] && sameKeys(keys, rep[g]!, r)) {
          groupOf[r] = g;
          break;
        }
        i = (i + 1) & mask;
      }
    }
    return groups;
  }

  private sum(name: 'sum' | 'avg', v: Vector, n: number, groups: number, states: Datum[][], a: number): void {
    const hi = new Float64Array(groups);
    const lo = new Float64Array(groups);
    const cnt = new Float64Array(groups);
    addSums(v, this.groupOf, n, hi, lo, cnt);
    const scale = v.kind === 'decimal' ? v.scale : 0;
    for (let g = 0; g < groups; g++) {
      let total: Datum = null;
      if (cnt[g]! > 0) {
        if (v.kind === 'int32') total = name === 'sum' ? BigInt(lo[g]!) : new Decimal(BigInt(lo[g]!), 0);
        else if (v.kind === 'int64') total = new Decimal(BigInt(hi[g]!) * TWO32 + BigInt(lo[g]!), 0);
        else total = new Decimal(BigInt(hi[g]!) * TWO26 + BigInt(lo[g]!), scale);
      }
      states[g]![a] = name === 'sum' ? total : [total, BigInt(cnt[g]!)] as unknown as Datum;
    }
  }

  private minMax(isMin: boolean, v: Vector, n: number, groups: number, states: Datum[][], a: number): void {
    const best = new Int32Array(groups).fill(-1);
    const groupOf = this.groupOf;
    const nulls = v.nulls;
    if (v.kind !== 'int32' && v.kind !== 'int64' && v.kind !== 'decimal') return;
    const values: Int32Array | BigInt64Array | Float64Array = v.values;
    for (let r = 0; r < n; r++) {
      if (nulls !== null && nulls[r] !== 0) continue;
      const g = groupOf[r]!;
      const b = best[g]!;
      if (b < 0 || (isMin ? values[r]! < values[b]! : values[r]! > values[b]!)) best[g] = r;
    }
    for (let g = 0; g < groups; g++) states[g]![a] = best[g]! < 0 ? null : datumAt(v, best[g]!);
  }
}

export function hashColumn(v: Vector, n: number, out: Int32Array): void {
  const nulls = v.nulls;
  switch (v.kind) {
    case 'int32': case 'bool': {
      const x = v.values;
      for (let r = 0; r < n; r++) out[r] = fmix32(out[r]! * 31 + (nulls !== null && nulls[r] !== 0 ? 0x7fffffff : hashInt32(x[r]!)));
      break;
    }
    case 'int64': {
      const w = new Int32Array(v.values.buffer, v.values.byteOffset, n * 2);
      for (let r = 0; r < n; r++) out[r] = fmix32(out[r]! * 31 + (nulls !== null && nulls[r] !== 0 ? 0x7fffffff : hash64(w[r * 2]!, w[r * 2 + 1]!)));
      break;
    }
    case 'decimal': {
      const x = v.values;
      for (let r = 0; r < n; r++) {
        const d = x[r]!;
        const h = nulls !== null && nulls[r] !== 0 ? 0x7fffffff : hash64(d % 4294967296 | 0, Math.floor(d / 4294967296) | 0);
        out[r] = fmix32(out[r]! * 31 + h);
      }
      break;
    }
    case 'string': {
      const d = v.dictionary;
      if (d !== undefined) {
        // Codes into a block's entries: each entry hashed once when there are no more entries than rows.
        const o = d.entries.offsets;
        const b = d.entries.bytes;
        const codes = d.codes;
        const m = d.entries.length;
        if (m > n) {
          for (let r = 0; r < n; r++) { const c = codes[r]!; out[r] = fmix32(out[r]! * 31 + (nulls !== null && nulls[r] !== 0 ? 0x7fffffff : hashBytes(b, o[c]!, o[c + 1]!))); }
          break;
        }
        if (entryHashes.length < m) entryHashes = new Int32Array(Math.max(m, 2 * entryHashes.length));
        const eh = entryHashes;
        for (let e = 0; e < m; e++) eh[e] = hashBytes(b, o[e]!, o[e + 1]!);
        for (let r = 0; r < n; r++) out[r] = fmix32(out[r]! * 31 + (nulls !== null && nulls[r] !== 0 ? 0x7fffffff : eh[codes[r]!]!));
        break;
      }
      const o = v.offsets;
      for (let r = 0; r < n; r++) out[r] = fmix32(out[r]! * 31 + (nulls !== null && nulls[r] !== 0 ? 0x7fffffff : hashBytes(v.bytes, o[r]!, o[r + 1]!)));
      break;
    }
    default: break;
  }
}

/** Row r's hash over `keys`: exactly what hashColumn, run over each key in turn from 0x12345, leaves for it. */
export function hashRow(keys: readonly Vector[], r: number): number {
  let h = 0x12345;
  for (const k of keys) {
    // hashColumn leaves the hash alone for kinds it does not hash.
    if (k.kind !== 'int32' && k.kind !== 'bool' && k.kind !== 'int64' && k.kind !== 'decimal' && k.kind !== 'string') continue;
    let cell = 0x7fffffff;
    if (k.nulls === null || k.nulls[r] === 0) {
      switch (k.kind) {
        case 'int32': case 'bool': cell = hashInt32(k.values[r]!); break;
        case 'int64': {
          const w = new Int32Array(k.values.buffer, k.values.byteOffset + r * 8, 2);
          cell = hash64(w[0]!, w[1]!);
          break;
        }
        case 'decimal': { const d = k.values[r]!; cell = hash64(d % 4294967296 | 0, Math.floor(d / 4294967296) | 0); break; }
        case 'string': {
          const d = k.dictionary;
          if (d !== undefined) { const c = d.codes[r]!; cell = hashBytes(d.entries.bytes, d.entries.offsets[c]!, d.entries.offsets[c + 1]!); }
          else cell = hashBytes(k.bytes, k.offsets[r]!, k.offsets[r + 1]!);
          break;
        }
      }
    }
    // As an Int32Array element holds it between columns.
    h = fmix32(h * 31 + cell) | 0;
  }
  return h;
}

/** Per-entry hashes of the dictionary being hashed (scratch, reused). */
let entryHashes = new Int32Array(256);

/** Whether rows a and b have the same key values (NULL equals NULL, as GROUP BY groups them). */
function sameKeys(keys: readonly Vector[], a: number, b: number): boolean {
  for (const k of keys) {
    const na = k.nulls !== null && k.nulls[a] !== 0;
    const nb = k.nulls !== null && k.nulls[b] !== 0;
    if (na || nb) {
      if (na !== nb) return false;
      continue;
    }
    switch (k.kind) {
      case 'int32': case 'bool': case 'decimal': if (k.values[a] !== k.values[b]) return false; break;
      case 'int64': if (k.values[a] !== k.values[b]) return false; break;
      case 'string': {
        const o = k.offsets;
        const s1 = o[a]!;
        const e1 = o[a + 1]!;
        const s2 = o[b]!;
        if (e1 - s1 !== o[b + 1]! - s2) return false;
        for (let i = 0; i < e1 - s1; i++) if (k.bytes[s1 + i] !== k.bytes[s2 + i]) return false;
        break;
      }
      default: return false;
    }
  }
  return true;
}
