// Per-column statistics for ANALYZE: each slice collects a partial over its batches, the leader
// merges the partials into row count, null fraction, distinct estimate, min, max and average width.
//
// A collector keeps only scalars, a 4096-byte HyperLogLog and, for strings, owned copies of the
// current min and max bytes. `add` runs one plain indexed loop per vector kind over the live rows
// (the selection vector, else 0..length-1), reading values straight from the typed arrays:
//   int32    Int32Array              min/max as numbers, hash of the int
//   int64    BigInt64Array           read as (lo, hi) Int32 word pairs: no bigint per row
//   float64  Float64Array            word pairs for the hash; -0 hashes as 0, every NaN alike
//   decimal  Float64Array scaled ints (one scale per column) handled like float64, no NaN
//   bigdecimal bigint[] + scales     normalised (trailing zeros stripped) before hashing
//   string   bytes + offsets         compared bytewise (= code point order), hashed over the bytes
//   bool     Uint8Array 0/1
// Word-pair views assume little-endian hosts (every platform Node supports in practice); the hash
// only has to agree between the slices of one cluster.
import { compareStringBytes } from '../../storage/encoding/dictionary-builder.ts';
import { internalError } from '../../common/errors/index.ts';
import { layoutOf } from '../../storage/column-kind.ts';
import { compareDatums } from '../../sql/expr/compare.ts';
import { Decimal, type Datum } from '../../sql/types/datum.ts';
import { pow10n } from '../../sql/types/decimal.ts';
import type { SqlType } from '../../sql/types/sql-type.ts';
import type {
  BigDecimalVector, BoolVector, DecimalVector, Float64Vector, Int32Vector, Int64Vector, StringVector, Vector, VectorKind,
} from '../batch/vector.ts';
import { HLL_REGISTERS, HyperLogLog } from '../../common/sketch/hyperloglog.ts';
import { fmix32, hash64, hashBytes, hashInt32 } from '../../common/sketch/value-hash.ts';

/** One slice's statistics for one column; merge several with {@link mergeColumnStats}. */
export interface ColumnStatsPartial {
  /** Live rows seen, NULLs included. */
  readonly rows: number;
  /** NULL rows among them. */
  readonly nulls: number;
  /** Smallest non-null value; null when there is none. */
  readonly min: Datum;
  /** Largest non-null value (NaN above every number, as PostgreSQL orders floats); null when none. */
  readonly max: Datum;
  /**
   * Total bytes of the non-null values as PostgreSQL's avg_width counts fixed-width types: 1 for
   * bool, 4 for int2/int4/date, 8 for int8/timestamp/float. numeric counts a flat 8 bytes per value
   * (PostgreSQL's varlena numeric varies with the digits; 8 matches our fixed decimal layout).
   * Strings count their UTF-8 byte length (no varlena header).
   */
  readonly widthSum: number;
  /** HyperLogLog registers over the non-null values (4096 bytes). */
  readonly hll: Uint8Array;
}

/** Merged statistics of one column, as ANALYZE stores them. */
export interface ColumnStats {
  readonly rows: number;
  /** nulls / rows; 0 for an empty column. */
  readonly nullFrac: number;
  /** Estimated distinct non-null values: ≥ 1 when any exists, never above the non-null count. */
  readonly distinct: number;
  readonly min: Datum;
  readonly max: Datum;
  /** Average bytes per non-null value, rounded; 0 when there is none. */
  readonly avgWidth: number;
}

/** {@link ColumnStatsPartial} with the HLL registers as base64, for tagged JSON between nodes. */
export interface ColumnStatsTransport {
  readonly rows: number;
  readonly nulls: number;
  readonly min: Datum;
  readonly max: Datum;
  readonly widthSum: number;
  /** Base64 of the 4096 HLL registers. */
  readonly hll: string;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const ZERO_HASH = hash64(0, 0);
/** Hash shared by every NaN, whatever its payload bits. */
const NAN_HASH = hash64(0, 0x7ff80000);
const scratchF64 = new Float64Array(1);
const scratchWords = new Int32Array(scratchF64.buffer);
const decoder = new TextDecoder();

/** Collects one slice's {@link ColumnStatsPartial} for a column of one SQL type, batch by batch. */
export class ColumnStatsCollector {
  private readonly kind: VectorKind;
  private readonly scale: number;
  private readonly hll = new HyperLogLog();
  private rows = 0;
  private nulls = 0;
  private widthSum = 0;
  // bool, int32, float64 (NaN excluded), decimal (scaled integers).
  private minNum = Infinity;
  private maxNum = -Infinity;
  /** float64 NaNs seen (kept apart from min/max: NaN sorts above every number). */
  private nanCount = 0;
  // int64 as signed high and unsigned low words; starts at (max int64, min int64).
  private minHi = 0x7fffffff;
  private minLo = 0xffffffff;
  private maxHi = -0x80000000;
  private maxLo = 0;
  // bigdecimal: unscaled value and scale; valid once bigSeen.
  private bigSeen = false;
  private minU = 0n;
  private minS = 0;
  private maxU = 0n;
  private maxS = 0;
  // string: owned copies of the current extremes.
  private minBytes: Uint8Array | null = null;
  private maxBytes: Uint8Array | null = null;

  /** A collector for a column of type `type` (throws 0A000 for types without a vector layout). */
  constructor(type: SqlType) {
    const layout = layoutOf(type);
    this.kind = layout.kind;
    this.scale = layout.scale;
  }

  /** Adds the live rows of `v` (rows listed in `selection`, else all) to the statistics. */
  add(v: Vector, selection: Uint32Array | null): void {
    if (v.kind !== this.kind) throw internalError(`column statistics for ${this.kind} got a ${v.kind} vector`);
    switch (v.kind) {
      case 'bool': this.addBool(v, selection); break;
      case 'int32': this.addInt32(v, selection); break;
      case 'int64': this.addInt64(v, selection); break;
      case 'float64': this.addFloat64(v, selection); break;
      case 'decimal': this.addDecimal(v, selection); break;
      case 'bigdecimal': this.addBigDecimal(v, selection); break;
      case 'string': this.addString(v, selection); break;
    }
  }

  /** The statistics so far (the HLL registers are copied, so later adds do not change them). */
  result(): ColumnStatsPartial {
    const base = { rows: this.rows, nulls: this.nulls, widthSum: this.widthSum, hll: this.hll.registers.slice() };
    if (this.rows === this.nulls) return { ...base, min: null, max: null };
    switch (this.kind) {
      case 'bool': return { ...base, min: this.minNum === 1, max: this.maxNum === 1 };
      case 'int32': return { ...base, min: this.minNum, max: this.maxNum };
      case 'float64': {
        // Only NaNs seen: both ends are NaN.
        const onlyNaN = this.nanCount === this.rows - this.nulls;
        return { ...base, min: onlyNaN ? NaN : this.minNum, max: this.nanCount > 0 ? NaN : this.maxNum };
      }
      case 'decimal':
        return { ...base, min: new Decimal(BigInt(this.minNum), this.scale), max: new Decimal(BigInt(this.maxNum), this.scale) };
      case 'int64':
        return { ...base, min: wordsToBigInt(this.minHi, this.minLo), max: wordsToBigInt(this.maxHi, this.maxLo) };
      case 'bigdecimal':
        return { ...base, min: new Decimal(this.minU, this.minS), max: new Decimal(this.maxU, this.maxS) };
      case 'string':
        return { ...base, min: decoder.decode(this.minBytes!), max: decoder.decode(this.maxBytes!) };
    }
  }

  // addBool and addInt32 are the same loop on purpose: one loop over both Uint8Array and Int32Array
  // values would be polymorphic and run several times slower.
  private addBool(v: BoolVector, sel: Uint32Array | null): void {
    const values = v.values;
    const nulls = v.nulls;
    const hll = this.hll;
    const n = sel === null ? v.length : sel.length;
    let nullCount = 0;
    let min = this.minNum;
    let max = this.maxNum;
    for (let k = 0; k < n; k++) {
      const row = sel === null ? k : sel[k]!;
      if (nulls !== null && nulls[row] === 1) { nullCount++; continue; }
      const x = values[row]!;
      if (x < min) min = x;
      if (x > max) max = x;
      hll.add(hashInt32(x));
    }
    this.minNum = min;
    this.maxNum = max;
    this.count(n, nullCount, 1);
  }

  private addInt32(v: Int32Vector, sel: Uint32Array | null): void {
    const values = v.values;
    const nulls = v.nulls;
    const hll = this.hll;
    const n = sel === null ? v.length : sel.length;
    let nullCount = 0;
    let min = this.minNum;
    let max = this.maxNum;
    for (let k = 0; k < n; k++) {
      const row = sel === null ? k : sel[k]!;
      if (nulls !== null && nulls[row] === 1) { nullCount++; continue; }
      const x = values[row]!;
      if (x < min) min = x;
      if (x > max) max = x;
      hll.add(hashInt32(x));
    }
    this.minNum = min;
    this.maxNum = max;
    this.count(n, nullCount, 4);
  }

  private addInt64(v: Int64Vector, sel: Uint32Array | null): void {
    const words = new Int32Array(v.values.buffer, v.values.byteOffset, v.values.length * 2);
    const nulls = v.nulls;
    const hll = this.hll;
    const n = sel === null ? v.length : sel.length;
    let nullCount = 0;
    let minHi = this.minHi;
    let minLo = this.minLo;
    let maxHi = this.maxHi;
    let maxLo = this.maxLo;
    for (let k = 0; k < n; k++) {
      const row = sel === null ? k : sel[k]!;
      if (nulls !== null && nulls[row] === 1) { nullCount++; continue; }
      const loBits = words[2 * row]!;
      const hi = words[2 * row + 1]!;
      const lo = loBits >>> 0;
      if (hi < minHi || (hi === minHi && lo < minLo)) { minHi = hi; minLo = lo; }
      if (hi > maxHi || (hi === maxHi && lo > maxLo)) { maxHi = hi; maxLo = lo; }
      hll.add(hash64(loBits, hi));
    }
    this.minHi = minHi;
    this.minLo = minLo;
    this.maxHi = maxHi;
    this.maxLo = maxLo;
    this.count(n, nullCount, 8);
  }

  private addFloat64(v: Float64Vector, sel: Uint32Array | null): void {
    const values = v.values;
    const words = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
    const nulls = v.nulls;
    const hll = this.hll;
    const n = sel === null ? v.length : sel.length;
    let nullCount = 0;
    let min = this.minNum;
    let max = this.maxNum;
    let nanCount = 0;
    for (let k = 0; k < n; k++) {
      const row = sel === null ? k : sel[k]!;
      if (nulls !== null && nulls[row] === 1) { nullCount++; continue; }
      const x = values[row]!;
      if (x !== x) { nanCount++; hll.add(NAN_HASH); continue; }
      if (x < min) min = x;
      if (x > max) max = x;
      hll.add(x === 0 ? ZERO_HASH : hash64(words[2 * row]!, words[2 * row + 1]!));
    }
    this.minNum = min;
    this.maxNum = max;
    this.nanCount += nanCount;
    this.count(n, nullCount, 8);
  }

  private addDecimal(v: DecimalVector, sel: Uint32Array | null): void {
    const values = v.values;
    const words = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
    const nulls = v.nulls;
    const hll = this.hll;
    const n = sel === null ? v.length : sel.length;
    let nullCount = 0;
    let min = this.minNum;
    let max = this.maxNum;
    for (let k = 0; k < n; k++) {
      const row = sel === null ? k : sel[k]!;
      if (nulls !== null && nulls[row] === 1) { nullCount++; continue; }
      const x = values[row]!;
      if (x < min) min = x;
      if (x > max) max = x;
      hll.add(x === 0 ? ZERO_HASH : hash64(words[2 * row]!, words[2 * row + 1]!));
    }
    this.minNum = min;
    this.maxNum = max;
    this.count(n, nullCount, 8);
  }

  // Wide numerics are bigints already, so this loop allocates; it is the slow path by design.
  private addBigDecimal(v: BigDecimalVector, sel: Uint32Array | null): void {
    const values = v.values;
    const scales = v.scales;
    const nulls = v.nulls;
    const hll = this.hll;
    const n = sel === null ? v.length : sel.length;
    let nullCount = 0;
    for (let k = 0; k < n; k++) {
      const row = sel === null ? k : sel[k]!;
      if (nulls !== null && nulls[row] === 1) { nullCount++; continue; }
      const u = values[row]!;
      const s = scales[row]!;
      if (!this.bigSeen) {
        this.bigSeen = true;
        this.minU = u; this.minS = s; this.maxU = u; this.maxS = s;
      } else {
        if (compareScaled(u, s, this.minU, this.minS) < 0) { this.minU = u; this.minS = s; }
        if (compareScaled(u, s, this.maxU, this.maxS) > 0) { this.maxU = u; this.maxS = s; }
      }
      hll.add(hashScaled(u, s));
    }
    this.count(n, nullCount, 8);
  }

  private addString(v: StringVector, sel: Uint32Array | null): void {
    const bytes = v.bytes;
    const offsets = v.offsets;
    const nulls = v.nulls;
    const hll = this.hll;
    const n = sel === null ? v.length : sel.length;
    let nullCount = 0;
    let widthSum = 0;
    // Current extremes: either the owned copy from earlier batches or a row of this vector.
    const empty = new Uint8Array(0);
    let minArr = this.minBytes ?? empty;
    let minStart = 0;
    let minEnd = minArr.length;
    let maxArr = this.maxBytes ?? empty;
    let maxStart = 0;
    let maxEnd = maxArr.length;
    let seen = this.minBytes !== null;
    for (let k = 0; k < n; k++) {
      const row = sel === null ? k : sel[k]!;
      if (nulls !== null && nulls[row] === 1) { nullCount++; continue; }
      const start = offsets[row]!;
      const end = offsets[row + 1]!;
      widthSum += end - start;
      hll.add(hashBytes(bytes, start, end));
      if (!seen) {
        seen = true;
        minArr = bytes; minStart = start; minEnd = end;
        maxArr = bytes; maxStart = start; maxEnd = end;
        continue;
      }
      // The first byte decides most comparisons (-1 for the empty string, below every byte).
      const first = end > start ? bytes[start]! : -1;
      const minFirst = minEnd > minStart ? minArr[minStart]! : -1;
      const maxFirst = maxEnd > maxStart ? maxArr[maxStart]! : -1;
      if (first < minFirst || (first === minFirst && compareStringBytes(bytes, start, end, minArr, minStart, minEnd) < 0)) {
        minArr = bytes; minStart = start; minEnd = end;
      }
      if (first > maxFirst || (first === maxFirst && compareStringBytes(bytes, start, end, maxArr, maxStart, maxEnd) > 0)) {
        maxArr = bytes; maxStart = start; maxEnd = end;
      }
    }
    // Own the extremes: the vector's bytes are reused for the next batch.
    if (seen && minArr === bytes) this.minBytes = bytes.slice(minStart, minEnd);
    if (seen && maxArr === bytes) this.maxBytes = bytes.slice(maxStart, maxEnd);
    this.rows += n;
    this.nulls += nullCount;
    this.widthSum += widthSum;
  }

  private count(live: number, nullCount: number, width: number): void {
    this.rows += live;
    this.nulls += nullCount;
    this.widthSum += (live - nullCount) * width;
  }
}

/** Merges slice partials of one column: sums counts, unions the HLLs, takes the overall extremes. */
export function mergeColumnStats(parts: readonly ColumnStatsPartial[]): ColumnStats {
  const hll = new HyperLogLog();
  let rows = 0;
  let nulls = 0;
  let widthSum = 0;
  let min: Datum = null;
  let max: Datum = null;
  for (const p of parts) {
    rows += p.rows;
    nulls += p.nulls;
    widthSum += p.widthSum;
    hll.merge(new HyperLogLog(p.hll));
    if (p.min !== null && (min === null || compareDatums(p.min, min) < 0)) min = p.min;
    if (p.max !== null && (max === null || compareDatums(p.max, max) > 0)) max = p.max;
  }
  const nonNull = rows - nulls;
  const distinct = nonNull === 0 ? 0 : Math.min(nonNull, Math.max(1, Math.round(hll.estimate())));
  return {
    rows,
    nullFrac: rows === 0 ? 0 : nulls / rows,
    distinct,
    min,
    max,
    avgWidth: nonNull === 0 ? 0 : Math.round(widthSum / nonNull),
  };
}

/** A partial in a form tagged JSON carries (it has no Uint8Array support): registers as base64. */
export function columnStatsToTransport(p: ColumnStatsPartial): ColumnStatsTransport {
  const hll = Buffer.from(p.hll.buffer, p.hll.byteOffset, p.hll.byteLength).toString('base64');
  return { rows: p.rows, nulls: p.nulls, min: p.min, max: p.max, widthSum: p.widthSum, hll };
}

/** Narrows a partial received from another node (after fromTaggedJson); throws XX000 if malformed. */
export function columnStatsFromTransport(v: unknown): ColumnStatsPartial {
  if (typeof v !== 'object' || v === null) throw internalError('column statistics: not an object');
  const o = v as Record<string, unknown>;
  const rows = o.rows;
  const nulls = o.nulls;
  const widthSum = o.widthSum;
  if (typeof rows !== 'number' || typeof nulls !== 'number' || typeof widthSum !== 'number' || typeof o.hll !== 'string') {
    throw internalError('column statistics: missing rows, nulls, widthSum or hll');
  }
  const hll = new Uint8Array(Buffer.from(o.hll, 'base64'));
  if (hll.length !== HLL_REGISTERS) throw internalError(`column statistics: hll has ${hll.length} registers`);
  return { rows, nulls, widthSum, hll, min: asDatum(o.min), max: asDatum(o.max) };
}

function asDatum(v: unknown): Datum {
  if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string') return v;
  if (v instanceof Decimal) return v;
  throw internalError('column statistics: min/max is not a datum');
}

/** The int64 with signed high word `hi` and unsigned low word `lo`. */
function wordsToBigInt(hi: number, lo: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** Compares au/10^as with bu/10^bs exactly. */
function compareScaled(au: bigint, as: number, bu: bigint, bs: number): number {
  let x = au;
  let y = bu;
  if (as < bs) x *= pow10n(bs - as);
  else if (bs < as) y *= pow10n(as - bs);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Hash of u/10^s that ignores trailing zeros, so 1.50 and 1.5 hash alike. */
function hashScaled(u: bigint, s: number): number {
  if (u === 0n) return ZERO_HASH;
  while (s > 0 && u % 10n === 0n) { u /= 10n; s--; }
  let h: number;
  if (u >= -MAX_SAFE && u <= MAX_SAFE) {
    scratchF64[0] = Number(u);
    h = hash64(scratchWords[0]!, scratchWords[1]!);
  } else {
    // Beyond 2^53: FNV-1a over the decimal digits.
    const text = u.toString();
    h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
  }
  return fmix32(h ^ Math.imul(s + 1, 0x9e3779b1));
}
