// Growable column builders that hold appended rows until they are sorted and cut into blocks.
//
// One builder per column: a typed array of values (doubling on growth), a NULL byte-map created
// on the first NULL, and for strings an Int32Array of offsets plus a byte buffer.
import type { Vector } from '../compute/batch/vector.ts';
import type { ColumnLayout } from './column-kind.ts';
import { internalError } from '../common/errors/index.ts';

type Values = Uint8Array | Int32Array | BigInt64Array | Float64Array;

class ColumnBuilder {
  length = 0;
  private values: Values;
  private nulls: Uint8Array | null = null;
  // strings
  private offsets: Int32Array;
  private bytes: Uint8Array;
  private byteLength = 0;
  // bigdecimal
  private bigValues: bigint[] = [];
  private scales: Uint16Array;

  constructor(readonly layout: ColumnLayout, private capacity: number) {
    this.values = this.allocValues(capacity);
    this.offsets = new Int32Array(layout.kind === 'string' ? capacity + 1 : 1);
    this.bytes = new Uint8Array(layout.kind === 'string' ? capacity * 8 : 0);
    this.scales = new Uint16Array(layout.kind === 'bigdecimal' ? capacity : 0);
  }

  private allocValues(cap: number): Values {
    switch (this.layout.kind) {
      case 'bool': return new Uint8Array(cap);
      case 'int32': return new Int32Array(cap);
      case 'int64': return new BigInt64Array(cap);
      case 'float64': case 'decimal': return new Float64Array(cap);
      default: return new Uint8Array(0);
    }
  }

  private grow(need: number): void {
    if (need <= this.capacity) return;
    let cap = this.capacity * 2;
    while (cap < need) cap *= 2;
    const v = this.allocValues(cap);
    (v as Uint8Array).set(this.values.subarray(0, this.length) as Uint8Array);
    this.values = v;
    if (this.nulls !== null) { const nn = new Uint8Array(cap); nn.set(this.nulls.subarray(0, this.length)); this.nulls = nn; }
    if (this.layout.kind === 'string') { const o = new Int32Array(cap + 1); o.set(this.offsets.subarray(0, this.length + 1)); this.offsets = o; }
    if (this.layout.kind === 'bigdecimal') { const s = new Uint16Array(cap); s.set(this.scales.subarray(0, this.length)); this.scales = s; }
    this.capacity = cap;
  }

  private growBytes(need: number): void {
    if (need <= this.bytes.length) return;
    let cap = Math.max(64, this.bytes.length * 2);
    while (cap < need) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.bytes.subarray(0, this.byteLength));
    this.bytes = b;
  }

  /** Appends rows idx[0..count) of src (or rows [start, start+count) when idx is null). */
  append(src: Vector, idx: Uint32Array | null, start: number, count: number): void {
    if (src.kind !== this.layout.kind) throw internalError(`appending a ${src.kind} vector to a ${this.layout.kind} column`);
    const base = this.length;
    this.grow(base + count);
    const srcNulls = src.nulls;
    if (srcNulls !== null) {
      let any = 0;
      if (idx === null) { for (let k = 0; k < count; k++) any |= srcNulls[start + k]!; }
      else any = anyGathered(srcNulls, idx, count);
      if (any !== 0 && this.nulls === null) this.nulls = new Uint8Array(this.capacity);
    }
    if (this.nulls !== null) {
      const nn = this.nulls;
      if (srcNulls === null) nn.fill(0, base, base + count);
      else if (idx === null) nn.set(srcNulls.subarray(start, start + count), base);
      else for (let k = 0; k < count; k++) nn[base + k] = srcNulls[idx[k]!]!;
    }
    switch (src.kind) {
      case 'bool': case 'int32': case 'float64': case 'decimal': case 'int64': {
        const dst = this.values as typeof src.values;
        const s = src.values;
        if (idx === null) (dst as Uint8Array).set(s.subarray(start, start + count) as Uint8Array, base);
        else if (src.kind === 'int64') {
          gatherPairs(new Int32Array(dst.buffer, dst.byteOffset, this.capacity * 2), new Int32Array(s.buffer, s.byteOffset, src.length * 2), idx, base, count);
        } else if (src.kind === 'int32') gatherInt32(dst as Int32Array, src.values, idx, base, count);
        else if (src.kind === 'bool') gatherUint8(dst as Uint8Array, src.values, idx, base, count);
        else gatherFloat64(dst as Float64Array, src.values, idx, base, count);
        break;
      }
      case 'string': {
        const so = src.offsets;
        let total = 0;
        if (idx === null) total = so[start + count]! - so[start]!;
        else total = gatheredBytes(so, idx, count);
        this.growBytes(this.byteLength + total);
        const o = this.offsets;
        let pos = this.byteLength;
        if (idx === null) {
          const a = so[start]!;
          this.bytes.set(src.bytes.subarray(a, so[start + count]!), pos);
          for (let k = 0; k < count; k++) o[base + k + 1] = pos + (so[start + k + 1]! - a);
          pos += total;
        } else {
          pos = gatherStrings(this.bytes, o, pos, src.bytes, so, idx, base, count);
        }
        this.byteLength = pos;
        break;
      }
      case 'bigdecimal': {
        for (let k = 0; k < count; k++) {
          const j = idx === null ? start + k : idx[k]!;
          this.bigValues.push(src.values[j]!);
          this.scales[base + k] = src.scales[j]!;
        }
        break;
      }
    }
    this.length = base + count;
  }

  /** The built rows as a vector (views of the builder's arrays; valid until the next append or clear). */
  toVector(): Vector {
    const n = this.length;
    const nulls = this.nulls === null ? null : this.nulls.subarray(0, n);
    switch (this.layout.kind) {
      case 'bool': return { kind: 'bool', length: n, nulls, values: (this.values as Uint8Array).subarray(0, n) };
      case 'int32': return { kind: 'int32', length: n, nulls, values: (this.values as Int32Array).subarray(0, n) };
      case 'int64': return { kind: 'int64', length: n, nulls, values: (this.values as BigInt64Array).subarray(0, n) };
      case 'float64': return { kind: 'float64', length: n, nulls, values: (this.values as Float64Array).subarray(0, n) };
      case 'decimal': return { kind: 'decimal', length: n, nulls, values: (this.values as Float64Array).subarray(0, n), scale: this.layout.scale };
      case 'bigdecimal': return { kind: 'bigdecimal', length: n, nulls, values: this.bigValues.slice(0, n), scales: this.scales.subarray(0, n) };
      case 'string': return { kind: 'string', length: n, nulls, offsets: this.offsets.subarray(0, n + 1), bytes: this.bytes.subarray(0, this.byteLength) };
    }
  }

  /** Bytes held (for memory accounting). */
  byteSize(): number {
    return this.values.byteLength + this.offsets.byteLength + this.bytes.byteLength + this.scales.byteLength + (this.nulls?.byteLength ?? 0) + this.bigValues.length * 16;
  }

  clear(): void {
    this.length = 0;
    this.nulls = null;
    this.byteLength = 0;
    this.bigValues = [];
  }
}

// One gather loop per element type, so each stays monomorphic (one loop over mixed typed arrays
// runs several times slower).
function gatherInt32(d: Int32Array, s: Int32Array, idx: Uint32Array, base: number, count: number): void {
  for (let k = 0; k < count; k++) d[base + k] = s[idx[k]!]!;
}

function gatherUint8(d: Uint8Array, s: Uint8Array, idx: Uint32Array, base: number, count: number): void {
  for (let k = 0; k < count; k++) d[base + k] = s[idx[k]!]!;
}

function gatherFloat64(d: Float64Array, s: Float64Array, idx: Uint32Array, base: number, count: number): void {
  for (let k = 0; k < count; k++) d[base + k] = s[idx[k]!]!;
}

/** 64-bit values as pairs of 32-bit words (BigInt64Array element access would box each value). */
function gatherPairs(d: Int32Array, s: Int32Array, idx: Uint32Array, base: number, count: number): void {
  for (let k = 0; k < count; k++) {
    const j = idx[k]! * 2;
    const o = (base + k) * 2;
    d[o] = s[j]!;
    d[o + 1] = s[j + 1]!;
  }
}

/** Total bytes of strings idx[0..count). */
function gatheredBytes(so: Int32Array, idx: Uint32Array, count: number): number {
  let total = 0;
  for (let k = 0; k < count; k++) { const j = idx[k]!; total += so[j + 1]! - so[j]!; }
  return total;
}

/** Non-zero when any of nulls[idx[0..count)] is set. */
function anyGathered(nulls: Uint8Array, idx: Uint32Array, count: number): number {
  let any = 0;
  for (let k = 0; k < count; k++) any |= nulls[idx[k]!]!;
  return any;
}

/** Appends strings idx[0..count) of (sb, so) at byte `pos`; returns the new byte length. */
function gatherStrings(dst: Uint8Array, o: Int32Array, pos: number, sb: Uint8Array, so: Int32Array, idx: Uint32Array, base: number, count: number): number {
  for (let k = 0; k < count; k++) {
    const j = idx[k]!;
    const a = so[j]!;
    const e = so[j + 1]!;
    if (e - a <= 32) {
      // Short strings byte by byte: a subarray per value would allocate an object per row.
      for (let x = a; x < e; x++) dst[pos++] = sb[x]!;
    } else {
      dst.set(sb.subarray(a, e), pos);
      pos += e - a;
    }
    o[base + k + 1] = pos;
  }
  return pos;
}

/** Buffered rows of a table, column by column. */
export class RowBuffer {
  private readonly builders: ColumnBuilder[];

  constructor(readonly layouts: readonly ColumnLayout[], initialCapacity = 1024) {
    this.builders = layouts.map((l) => new ColumnBuilder(l, Math.max(16, initialCapacity)));
  }

  get length(): number { return this.builders[0]?.length ?? 0; }

  /** Appends the live rows of vectors (selection honoured), one vector per column. */
  appendRows(columns: readonly Vector[], length: number, selection: Uint32Array | null): void {
    if (columns.length !== this.builders.length) throw internalError(`expected ${this.builders.length} columns, got ${columns.length}`);
    const count = selection === null ? length : selection.length;
    for (let c = 0; c < columns.length; c++) this.builders[c]!.append(columns[c]!, selection, 0, count);
  }

  /** Appends rows [start, start+count) of vectors. */
  appendRange(columns: readonly Vector[], start: number, count: number): void {
    for (let c = 0; c < columns.length; c++) this.builders[c]!.append(columns[c]!, null, start, count);
  }

  /** The buffered rows as vectors (views; valid until the next append or clear). */
  toVectors(): Vector[] {
    return this.builders.map((b) => b.toVector());
  }

  byteSize(): number {
    let s = 0;
    for (const b of this.builders) s += b.byteSize();
    return s;
  }

  clear(): void {
    for (const b of this.builders) b.clear();
  }
}
