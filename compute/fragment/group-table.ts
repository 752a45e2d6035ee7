// A hash aggregation table on typed arrays that lives across batches: group keys are stored
// column by column (int32 / 64-bit words / scaled decimals / UTF-8 bytes, NULL flags), groups are
// found by open addressing over stored key hashes, and count / sum / avg / min / max states are
// typed arrays indexed by group number. Rows become Datums only once per group, at the end. This is
// what a GROUP BY with many groups (TPC-H Q18's per-order sums, Q13's per-customer counts) needs:
// no string key, no object per group, no per-batch merge.
//
// Sums are exact: an int32 sums into one float64, an int64 as its two 32-bit words, a scaled
// decimal as a high part (value / 2^26, floored) and a low part; every group folds its float64
// parts into a bigint often enough that no part can pass 2^53 (foldInterval).
import { Decimal, type Datum } from '../../sql/types/datum.ts';
import type { Vector } from '../batch/vector.ts';
import type { AggSlot } from './hash-aggregate.ts';
import type { AggSpec } from './fragment.ts';
import type { FragmentRow } from './run-fragment.ts';
import type { Batch } from '../batch/batch.ts';
import { layoutOf } from '../../storage/column-kind.ts';
import { datumAt } from '../batch/row-conversion.ts';
import type { Expr } from '../../sql/expr/expr.ts';
import { hashColumn, hashRow } from './batch-aggregate.ts';
import { stringBytes, stringOffsets, stringRows } from '../../storage/vector-ops.ts';
import { toTaggedJson } from '../../common/tagged-json.ts';

const SPLIT = 67_108_864; // 2^26
/** Decimals under this magnitude are summed without splitting (2^32). */
const SMALL = 4_294_967_296;
const TWO53 = 9_007_199_254_740_992;
const TWO26 = 67_108_864n;
const TWO32 = 4_294_967_296n;
/**
 * Rows added between folds of the float64 partial sums into bigints, by the argument's kind: what
 * one row can add to a part (a decimal: under 2^27 to hi, under 2^26 to lo; an int4: under 2^31; an
 * int8's words: under 2^32) times these stays below 2^52, a batch of slack included.
 */
const FOLD_ROWS: Record<ArgKind, number> = { decimal: 1 << 25, int32: 1 << 21, int64: 1 << 20 };

/** Rows between folds for a table's aggregates (no sums: never). */
function foldInterval(cols: readonly AggColumn[]): number {
  let every = Infinity;
  for (const c of cols) if ((c.name === 'sum' || c.name === 'avg') && c.kind !== null) every = Math.min(every, FOLD_ROWS[c.kind]);
  return every;
}

const decoder = new TextDecoder();

type KeyKind = 'int32' | 'bool' | 'int64' | 'decimal' | 'string';
type ArgKind = 'int32' | 'int64' | 'decimal';

/** Growable storage of one key column. */
class KeyStore {
  nulls = new Uint8Array(1024);
  /** int32 / bool values, or int64 as word pairs. */
  ints = new Int32Array(0);
  decs = new Float64Array(0);
  offsets = new Int32Array(0);
  bytes = new Uint8Array(0);
  byteLength = 0;

  constructor(readonly kind: KeyKind, readonly scale: number) {
    if (kind === 'int32' || kind === 'bool') this.ints = new Int32Array(1024);
    else if (kind === 'int64') this.ints = new Int32Array(2048);
    else if (kind === 'decimal') this.decs = new Float64Array(1024);
    else { this.offsets = new Int32Array(1025); this.bytes = new Uint8Array(16384); }
  }

  grow(groups: number): void {
    const cap = groups * 2;
    const nulls = new Uint8Array(cap);
    nulls.set(this.nulls);
    this.nulls = nulls;
    if (this.kind === 'int32' || this.kind === 'bool' || this.kind === 'int64') {
      const ints = new Int32Array(this.kind === 'int64' ? cap * 2 : cap);
      ints.set(this.ints);
      this.ints = ints;
    } else if (this.kind === 'decimal') {
      const decs = new Float64Array(cap);
      decs.set(this.decs);
      this.decs = decs;
    } else {
      const offsets = new Int32Array(cap + 1);
      offsets.set(this.offsets);
      this.offsets = offsets;
    }
  }

  /** The batch vector rows are read from (int64 also as 32-bit word pairs). */
  private v: Vector | null = null;
  private words: Int32Array = new Int32Array(0);
  /** Strings: row r is entry rows[r] of (sOffsets, sBytes): the vector's own, or its dictionary's. */
  private rows: Int32Array = new Int32Array(0);
  private sOffsets: Int32Array = new Int32Array(0);
  private sBytes: Uint8Array = new Uint8Array(0);

  bind(v: Vector): void {
    this.v = v;
    if (v.kind === 'int64') this.words = new Int32Array(v.values.buffer, v.values.byteOffset, v.length * 2);
    else if (v.kind === 'string') {
      this.rows = stringRows(v);
      this.sOffsets = stringOffsets(v);
      this.sBytes = stringBytes(v);
    }
  }

  /** Appends row r of the bound vector as group g. */
  append(r: number, g: number): void {
    const v = this.v!;
    const isNull = v.nulls !== null && v.nulls[r] !== 0;
    this.nulls[g] = isNull ? 1 : 0;
    switch (v.kind) {
      case 'int32': case 'bool': this.ints[g] = isNull ? 0 : v.values[r]!; break;
      case 'int64':
        this.ints[2 * g] = isNull ? 0 : this.words[2 * r]!;
        this.ints[2 * g + 1] = isNull ? 0 : this.words[2 * r + 1]!;
        break;
      case 'decimal': this.decs[g] = isNull ? 0 : v.values[r]!; break;
      case 'string': {
        const e = this.rows[r]!;
        const a = isNull ? 0 : this.sOffsets[e]!;
        const len = isNull ? 0 : this.sOffsets[e + 1]! - a;
        if (this.byteLength + len > this.bytes.length) {
          const bytes = new Uint8Array(Math.max(this.bytes.length * 2, this.byteLength + len));
          bytes.set(this.bytes.subarray(0, this.byteLength));
          this.bytes = bytes;
        }
        const src = this.sBytes;
        for (let i = 0; i < len; i++) this.bytes[this.byteLength + i] = src[a + i]!;
        this.byteLength += len;
        this.offsets[g + 1] = this.byteLength;
        break;
      }
      default: break;
    }
  }

  /** Whether row r of the bound vector equals group g's key (NULL equals NULL, as GROUP BY groups them). */
  equals(r: number, g: number): boolean {
    const v = this.v!;
    const isNull = v.nulls !== null && v.nulls[r] !== 0;
    if (isNull || this.nulls[g] !== 0) return isNull && this.nulls[g] !== 0;
    switch (v.kind) {
      case 'int32': case 'bool': return this.ints[g] === v.values[r];
      case 'int64': return this.ints[2 * g] === this.words[2 * r] && this.ints[2 * g + 1] === this.words[2 * r + 1];
      case 'decimal': return this.decs[g] === v.values[r];
      case 'string': {
        const e = this.rows[r]!;
        const a = this.sOffsets[e]!;
        const len = this.sOffsets[e + 1]! - a;
        const b = this.offsets[g]!;
        if (this.offsets[g + 1]! - b !== len) return false;
        const src = this.sBytes;
        for (let i = 0; i < len; i++) if (this.bytes[b + i] !== src[a + i]) return false;
        return true;
      }
      default: return false;
    }
  }

  /** Keys of groups [0, groups) as a vector (copies). */
  vector(groups: number): Vector {
    let nulls: Uint8Array | null = null;
    for (let g = 0; g < groups; g++) if (this.nulls[g] !== 0) { nulls = this.nulls.slice(0, groups); break; }
    switch (this.kind) {
      case 'int32': return { kind: 'int32', length: groups, nulls, values: this.ints.slice(0, groups) };
      case 'bool': return { kind: 'bool', length: groups, nulls, values: Uint8Array.from(this.ints.subarray(0, groups)) };
      case 'int64': return { kind: 'int64', length: groups, nulls, values: new BigInt64Array(this.ints.slice(0, 2 * groups).buffer) };
      case 'decimal': return { kind: 'decimal', length: groups, nulls, values: this.decs.slice(0, groups), scale: this.scale };
      case 'string': return { kind: 'string', length: groups, nulls, offsets: this.offsets.slice(0, groups + 1), bytes: this.bytes.slice(0, this.byteLength) };
    }
  }

  datum(g: number): Datum {
    if (this.nulls[g] !== 0) return null;
    switch (this.kind) {
      case 'int32': return this.ints[g]!;
      case 'bool': return this.ints[g] === 1;
      case 'int64': return (BigInt(this.ints[2 * g + 1]!) << 32n) | BigInt(this.ints[2 * g]! >>> 0);
      case 'decimal': return new Decimal(BigInt(this.decs[g]!), this.scale);
      case 'string': return decoder.decode(this.bytes.subarray(this.offsets[g]!, this.offsets[g + 1]!));
    }
  }
}

/** codes[r] (+)= (x[r] − base, or nullCode for NULL) × stride: one key's part of groupByCodes' row codes. */
function addCodes(codes: Int32Array, x: Int32Array, base: number, nulls: Uint8Array | null, nullCode: number, stride: number, first: boolean, n: number): void {
  if (first) {
    if (nulls === null) for (let r = 0; r < n; r++) codes[r] = (x[r]! - base) * stride;
    else for (let r = 0; r < n; r++) codes[r] = (nulls[r] !== 0 ? nullCode : x[r]! - base) * stride;
  } else if (nulls === null) for (let r = 0; r < n; r++) codes[r]! += (x[r]! - base) * stride;
  else for (let r = 0; r < n; r++) codes[r]! += (nulls[r] !== 0 ? nullCode : x[r]! - base) * stride;
}

/** Largest combined key domain groupByCodes maps with a flat array. */
const COMBO_MAX = 65536;

/** A key's code domain in groupByCodes: its dictionary's entries (strings), or int32 values from `base`; `card` codes, the last for NULL. */
interface ComboKey {
  readonly id: object | null;
  readonly base: number;
  readonly card: number;
}

/** A batch's rows by group: each row's group, the groups touched and their row counts. */
interface TouchedGroups {
  readonly rowGroup: Int32Array;
  readonly n: number;
  readonly perGroup: Float64Array;
  readonly touched: Int32Array;
  readonly count: number;
  /** Zeroed per-group float64s for a pass to use and leave zeroed. */
  readonly scratch: Float64Array;
}

/** A new aggregate column's state arrays for `size` groups. */
function newColumn(name: AggColumn['name'], kind: ArgKind | null, scale: number, intSum: boolean, size: number): AggColumn {
  return {
    name, kind, scale, intSum,
    cnt: new Float64Array(size), hi: new Float64Array(name === 'sum' || name === 'avg' ? size : 0),
    lo: new Float64Array(name === 'count' ? 0 : size),
    best: new Int32Array(name === 'min' || name === 'max' ? (kind === 'int64' ? 2 * size : size) : 0), carry: null,
  };
}

/** The typed state of one aggregate call. */
interface AggColumn {
  readonly name: 'count' | 'sum' | 'avg' | 'min' | 'max';
  readonly kind: ArgKind | null;
  readonly scale: number;
  /** A merged sum (kind 'decimal', scale 0) of int32 arguments, whose state is a bigint. */
  readonly intSum?: boolean;
  /** Rows counted (count, sum, avg); for min / max: 1 once the group has a value. */
  cnt: Float64Array;
  hi: Float64Array;
  lo: Float64Array;
  /** min / max: int32 values, or int64 words; decimals in `lo`. */
  best: Int32Array;
  /** Folded sums per group (bigint units of the argument's scale), allocated on first fold. */
  carry: (bigint | undefined)[] | null;
}

function grown<T extends Float64Array | Int32Array>(a: T, size: number): T {
  const out = new (a.constructor as { new(n: number): T })(size);
  out.set(a);
  return out;
}

/** Whether vectors of these kinds can be keys / arguments of the typed table. */
function keyKindOf(v: Vector): KeyKind | null {
  return v.kind === 'int32' || v.kind === 'bool' || v.kind === 'int64' || v.kind === 'decimal' || v.kind === 'string' ? v.kind : null;
}

/**
 * Groups and aggregates column batches on typed arrays across the whole scan. `add` returns false
 * (and does nothing) for a batch whose key or argument layouts it does not cover (DISTINCT, float
 * or wide-numeric arguments, other aggregates, a layout different from the first batch's).
 */
export class GroupTable {
  private keyStores: KeyStore[] | null = null;
  private aggCols: AggColumn[] | null = null;
  private groups = 0;
  private capacity = 1024;
  /** Open addressing, pairs (group, its key hash) so a probe compares hashes without another lookup. */
  private slots = new Int32Array(2 * 4096).fill(-1);
  private groupHash = new Int32Array(1024);
  /** Rows added since the float64 sums were last folded into their bigint carries. */
  private sinceFold = 0;
  private rowHash = new Int32Array(4096);
  private rowGroup = new Int32Array(4096);
  /** Per group: rows of the current batch in it (zero between batches); the groups it touched. */
  private batchRows = new Float64Array(1024);
  private touched = new Int32Array(4096);
  /** Per group: a batch's partial sums of one aggregate (zero between uses). */
  private scratch = new Float64Array(1024);
  /** groupByCodes: per key the code domain the combination array was made for, and that array. */
  private comboSig: ComboKey[] = [];
  private readonly comboKey: ComboKey[] = [];
  private comboGroup = new Int32Array(0);
  private comboCodes = new Int32Array(4096);

  /** Rows between folds of the float64 sums (foldInterval, or `foldRows` when given: small in tests, to fold often). */
  private foldEvery = Infinity;

  constructor(private readonly aggs: readonly AggSpec[], private readonly foldRows: number | null = null) {}

  get size(): number { return this.groups; }

  /** Adds rows [0, n) of the group key and argument vectors; false when this batch cannot go typed. */
  add(keys: readonly Vector[], args: readonly (Vector | null)[], n: number): boolean {
    if (!this.accepts(keys, args)) return false;
    if (keys.length === 0) { this.addUngrouped(args, n); return true; }
    this.groupRows(keys, n);
    // The groups this batch touches, and its rows per group (shared by every aggregate without NULLs).
    const rowGroup = this.rowGroup;
    const perGroup = this.batchRows;
    const touched = this.touched;
    let t = 0;
    for (let r = 0; r < n; r++) {
      const g = rowGroup[r]!;
      if (perGroup[g]!++ === 0) touched[t++] = g;
    }
    // Every group's float64 sums stay exact while fewer than foldEvery rows (plus a batch) went in
    // since the last fold: fold them all at that pace (cheap next to the rows, and no per-row counter).
    const cols = this.aggCols!;
    this.sinceFold += n;
    if (this.sinceFold >= this.foldEvery) {
      this.sinceFold = 0;
      for (const c of cols) for (let g = 0; g < this.groups; g++) fold(c, g);
    }
    const batch: TouchedGroups = { rowGroup, n, perGroup, touched, count: t, scratch: this.scratch };
    for (let a = 0; a < cols.length; a++) accumulate(cols[a]!, args[a] ?? null, batch);
    for (let i = 0; i < t; i++) perGroup[touched[i]!] = 0;
    return true;
  }

  /** Puts each of rows [0, n) in its group (rowGroup), by combined codes where the keys allow, else by hash. */
  private groupRows(keys: readonly Vector[], n: number): void {
    if (this.rowHash.length < n) {
      this.rowHash = new Int32Array(n);
      this.rowGroup = new Int32Array(n);
      this.touched = new Int32Array(n);
      this.comboCodes = new Int32Array(n);
    }
    const stores = this.keyStores!;
    for (let k = 0; k < stores.length; k++) stores[k]!.bind(keys[k]!);
    if (!this.groupByCodes(keys, n)) this.groupByHash(keys, n);
  }

  /** Row r's group (hash h), made when new. */
  private groupOf(stores: readonly KeyStore[], r: number, h: number): number {
    let slots = this.slots;
    const mask = (slots.length >> 1) - 1;
    let i = h & mask;
    for (;;) {
      const g = slots[2 * i]!;
      if (g === -1) return this.newGroup(r, h);
      if (slots[2 * i + 1] === h && this.sameKey(stores, r, g)) return g;
      i = (i + 1) & mask;
    }
  }

  /**
   * Groups rows by hashing every key and probing for every row — except a row with the previous
   * row's key, which takes its group without touching the table: rows clustered by the key (as
   * lineitem arrives by l_orderkey) then cost a comparison, not a cache miss in a big table.
   */
  private groupByHash(keys: readonly Vector[], n: number): void {
    const hashes = this.rowHash;
    hashes.fill(0x12345, 0, n);
    for (const k of keys) hashColumn(k, n, hashes);
    const stores = this.keyStores!;
    const rowGroup = this.rowGroup;
    let prevHash = 0;
    let prevGroup = -1;
    for (let r = 0; r < n; r++) {
      const h = hashes[r]!;
      if (h === prevHash && prevGroup >= 0 && this.sameKey(stores, r, prevGroup)) {
        rowGroup[r] = prevGroup;
        continue;
      }
      prevGroup = rowGroup[r] = this.groupOf(stores, r, h);
      prevHash = h;
    }
  }

  /**
   * Groups rows whose keys all have small domains in this batch (dictionary-coded strings, bools,
   * int32s in a short range) by one number per row: the keys' codes combined. Each distinct
   * combination is hashed and probed once, then looked up in a flat array, which stays valid for
   * the following batches while they share the dictionaries (a row group's batches do). False when
   * a key's domain is not small.
   */
  private groupByCodes(keys: readonly Vector[], n: number): boolean {
    const sig = this.comboSig;
    let reuse = sig.length === keys.length;
    let product = 1;
    for (let k = 0; k < keys.length; k++) {
      const v = keys[k]!;
      let base = 0;
      let card: number;
      let id: object | null = null;
      if (v.kind === 'string') {
        if (v.dictionary === undefined) return false;
        id = v.dictionary.entries;
        card = v.dictionary.entries.length + 1;
      } else if (v.kind === 'bool') {
        card = 3;
      } else if (v.kind === 'int32') {
        const x = v.values;
        const nulls = v.nulls;
        let lo = 2147483647;
        let hi = -2147483648;
        for (let r = 0; r < n; r++) {
          if (nulls !== null && nulls[r] !== 0) continue;
          const y = x[r]!;
          if (y < lo) lo = y;
          if (y > hi) hi = y;
        }
        if (lo > hi) { lo = 0; hi = 0; }
        const prev = reuse ? sig[k]! : null;
        // Within the previous batches' range: keep it (and the array).
        if (prev !== null && prev.id === null && lo >= prev.base && hi - prev.base + 2 <= prev.card) { base = prev.base; card = prev.card; }
        else { base = lo; card = hi - lo + 2; }
        if (card > COMBO_MAX) return false;
      } else return false;
      product *= card;
      if (product > COMBO_MAX) return false;
      if (reuse) { const p = sig[k]!; reuse = p.id === id && p.base === base && p.card === card; }
      this.comboKey[k] = { id, base, card };
    }
    if (!reuse) {
      // A fresh array costs its size: only when the batch pays for it.
      if (product > 16 * n) return false;
      this.comboSig = this.comboKey.slice(0, keys.length);
      if (this.comboGroup.length < product) this.comboGroup = new Int32Array(Math.max(product, 1024));
      this.comboGroup.fill(-1, 0, product);
    }
    const codes = this.comboCodes;
    let stride = 1;
    for (let k = 0; k < keys.length; k++) {
      const v = keys[k]!;
      const { base, card } = this.comboSig[k]!;
      if (v.kind === 'string') addCodes(codes, v.dictionary!.codes, 0, v.nulls, card - 1, stride, k === 0, n);
      else if (v.kind === 'int32') addCodes(codes, v.values, base, v.nulls, card - 1, stride, k === 0, n);
      else if (v.kind === 'bool') addCodes(codes, Int32Array.from(v.values.subarray(0, n)), 0, v.nulls, card - 1, stride, k === 0, n);
      stride *= card;
    }
    const stores = this.keyStores!;
    const combo = this.comboGroup;
    const rowGroup = this.rowGroup;
    for (let r = 0; r < n; r++) {
      const c = codes[r]!;
      let g = combo[c]!;
      if (g < 0) combo[c] = g = this.groupOf(stores, r, hashRow(keys, r));
      rowGroup[r] = g;
    }
    return true;
  }

  /** No GROUP BY: one group, every row in it, each aggregate folded straight into group 0's state. */
  private addUngrouped(args: readonly (Vector | null)[], n: number): void {
    if (n === 0) return;
    if (this.groups === 0) this.groups = 1;
    const cols = this.aggCols!;
    this.sinceFold += n;
    if (this.sinceFold >= this.foldEvery) {
      this.sinceFold = 0;
      for (const c of cols) fold(c, 0);
    }
    for (let a = 0; a < cols.length; a++) accumulateOne(cols[a]!, args[a] ?? null, n);
  }

  private sameKey(stores: readonly KeyStore[], r: number, g: number): boolean {
    for (let k = 0; k < stores.length; k++) if (!stores[k]!.equals(r, g)) return false;
    return true;
  }

  /** The table's key stores and aggregate columns, from its first batch. */
  private setUp(keys: readonly Vector[], kinds: readonly KeyKind[], cols: AggColumn[]): void {
    this.keyStores = keys.map((k, i) => new KeyStore(kinds[i]!, k.kind === 'decimal' ? k.scale : 0));
    this.aggCols = cols;
    this.foldEvery = this.foldRows ?? foldInterval(cols);
  }

  /** Whether key vectors have the kinds (and scales) of the stored keys. */
  private keysFit(keys: readonly Vector[]): boolean {
    const stores = this.keyStores!;
    if (keys.length !== stores.length) return false;
    for (let k = 0; k < keys.length; k++) {
      const v = keys[k]!;
      if (v.kind !== stores[k]!.kind || (v.kind === 'decimal' && v.scale !== stores[k]!.scale)) return false;
    }
    return true;
  }

  private accepts(keys: readonly Vector[], args: readonly (Vector | null)[]): boolean {
    if (this.keyStores === null) {
      const kinds = keys.map(keyKindOf);
      if (!kinds.every((k): k is KeyKind => k !== null)) return false;
      const cols: AggColumn[] = [];
      for (let a = 0; a < this.aggs.length; a++) {
        const spec = this.aggs[a]!;
        const v = args[a] ?? null;
        if (spec.distinct) return false;
        const name = spec.name;
        if (name !== 'count' && name !== 'sum' && name !== 'avg' && name !== 'min' && name !== 'max') return false;
        let kind: ArgKind | null = null;
        if (name !== 'count') {
          if (v === null || (v.kind !== 'int32' && v.kind !== 'int64' && v.kind !== 'decimal')) return false;
          kind = v.kind;
        }
        cols.push(newColumn(name, kind, v?.kind === 'decimal' ? v.scale : 0, false, this.capacity));
      }
      this.setUp(keys, kinds, cols);
      return true;
    }
    if (!this.keysFit(keys)) return false;
    const cols = this.aggCols!;
    for (let a = 0; a < cols.length; a++) {
      const c = cols[a]!;
      if (c.kind === null) continue;
      const v = args[a] ?? null;
      if (v === null || v.kind !== c.kind || (v.kind === 'decimal' && v.scale !== c.scale)) return false;
    }
    return true;
  }

  private newGroup(r: number, h: number): number {
    const g = this.groups++;
    if (g === this.capacity) this.growGroups();
    for (const s of this.keyStores!) s.append(r, g);
    this.groupHash[g] = h;
    if (this.groups * 4 > this.slots.length) this.rehash();
    else insertSlot(this.slots, g, h);
    return g;
  }

  private growGroups(): void {
    const cap = this.capacity * 2;
    for (const s of this.keyStores!) s.grow(this.capacity);
    this.groupHash = grown(this.groupHash, cap);
    this.batchRows = grown(this.batchRows, cap);
    this.scratch = grown(this.scratch, cap);
    for (const c of this.aggCols!) {
      c.cnt = grown(c.cnt, cap);
      if (c.hi.length > 0) c.hi = grown(c.hi, cap);
      if (c.lo.length > 0) c.lo = grown(c.lo, cap);
      if (c.best.length > 0) c.best = grown(c.best, c.kind === 'int64' ? 2 * cap : cap);
    }
    this.capacity = cap;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(-1);
    for (let g = 0; g < this.groups; g++) insertSlot(slots, g, this.groupHash[g]!);
    this.slots = slots;
  }

  /**
   * The groups as a batch, for the leader to merge typed (mergeBatch): the keys, then each
   * aggregate's state as columns. count: int8; sum: its total as a 'decimal' vector (scale 0 for
   * integer arguments), NULL for a group without rows; avg: that total and an int8 count; min / max:
   * the argument's kind, NULL for a group without a value. Null when a total reaches 2^53 (partial
   * rows carry it exactly).
   */
  partialBatch(): Batch | null {
    const groups = this.groups;
    const columns: Vector[] = (this.keyStores ?? []).map((k) => k.vector(groups));
    for (const c of this.aggCols ?? []) {
      const cnt = c.cnt;
      if (c.name === 'count') { columns.push(int64Of(cnt, groups)); continue; }
      if (c.name === 'min' || c.name === 'max') { columns.push(bestVector(c, groups)); continue; }
      const totals = new Float64Array(groups);
      let nulls: Uint8Array | null = null;
      for (let g = 0; g < groups; g++) {
        if (cnt[g] === 0 && c.carry?.[g] === undefined) { (nulls ??= new Uint8Array(groups))[g] = 1; continue; }
        const t = sumUnits(c, g);
        if (t === null) return null;
        totals[g] = t;
      }
      columns.push({ kind: 'decimal', length: groups, nulls, values: totals, scale: c.kind === 'decimal' ? c.scale : 0 });
      if (c.name === 'avg') columns.push(int64Of(cnt, groups));
    }
    return { length: groups, columns, selection: null };
  }

  /**
   * Merges rows [0, n) of partial states as partialBatch gives them (`states`: every aggregate's
   * columns in order); false, with nothing done, when their kinds do not fit this table. A table
   * takes either rows (add) or partial states (mergeBatch), not both.
   */
  mergeBatch(keys: readonly Vector[], states: readonly Vector[], n: number): boolean {
    if (!this.acceptsStates(keys, states)) return false;
    if (keys.length > 0) this.groupRows(keys, n);
    else if (n > 0) {
      if (this.groups === 0) this.groups = 1;
      if (this.rowGroup.length < n) this.rowGroup = new Int32Array(n);
      this.rowGroup.fill(0, 0, n);
    }
    const cols = this.aggCols!;
    this.sinceFold += n;
    if (this.sinceFold >= this.foldEvery) {
      this.sinceFold = 0;
      for (const c of cols) for (let g = 0; g < this.groups; g++) fold(c, g);
    }
    const groupOf = this.rowGroup;
    let si = 0;
    for (const c of cols) {
      const v = states[si++]!;
      if (c.name === 'count') addCountStates(c.cnt, v, null, groupOf, n);
      else if (c.name === 'min' || c.name === 'max') accumulateMinMax(c, v, groupOf, n);
      else {
        // A sum state adds its total; its group then has rows (sum: cnt > 0; avg: its count column).
        addSumStates(v, groupOf, n, c.hi, c.lo, c.name === 'sum' ? c.cnt : null);
        if (c.name === 'avg') addCountStates(c.cnt, states[si++]!, v.nulls, groupOf, n);
      }
    }
    return true;
  }

  /** Whether state columns fit this table (setting it up from the first batch). */
  private acceptsStates(keys: readonly Vector[], states: readonly Vector[]): boolean {
    if (this.keyStores === null) {
      const kinds = keys.map(keyKindOf);
      if (!kinds.every((k): k is KeyKind => k !== null)) return false;
      const cols: AggColumn[] = [];
      let si = 0;
      for (const spec of this.aggs) {
        const name = spec.name;
        if (spec.distinct || (name !== 'count' && name !== 'sum' && name !== 'avg' && name !== 'min' && name !== 'max')) return false;
        const v = states[si++];
        if (v === undefined) return false;
        let kind: ArgKind | null = null;
        if (name === 'count') { if (v.kind !== 'int64') return false; }
        else if (name === 'min' || name === 'max') {
          if (v.kind !== 'int32' && v.kind !== 'int64' && v.kind !== 'decimal') return false;
          kind = v.kind;
        } else {
          if (v.kind !== 'decimal') return false;
          kind = 'decimal';
          if (name === 'avg' && states[si++]?.kind !== 'int64') return false;
        }
        const intSum = name === 'sum' && spec.arg !== null && layoutOf(spec.arg.type).kind === 'int32';
        cols.push(newColumn(name, kind, v.kind === 'decimal' ? v.scale : 0, intSum, this.capacity));
      }
      if (si !== states.length) return false;
      this.setUp(keys, kinds, cols);
      return true;
    }
    if (!this.keysFit(keys)) return false;
    let si = 0;
    for (const c of this.aggCols!) {
      const v = states[si++];
      if (v === undefined) return false;
      if (c.name === 'count') { if (v.kind !== 'int64') return false; continue; }
      if (v.kind !== c.kind || (v.kind === 'decimal' && v.scale !== c.scale)) return false;
      if (c.name === 'avg' && states[si++]?.kind !== 'int64') return false;
    }
    return si === states.length;
  }

  /**
   * Which groups can pass HAVING, judged from the typed states alone, without a Datum per group:
   * conjuncts comparing a count or a sum with a constant are checked on float64 approximations and
   * a group is dropped only when it fails one by a clear margin (the exact HAVING still runs on the
   * rest). Null when HAVING has no such conjunct. `groupCount` = key columns before the results.
   */
  havingMask(having: Expr, groupCount: number): Uint8Array | null {
    const cols = this.aggCols ?? [];
    const conjuncts = having.kind === 'And' ? having.args : [having];
    const checks: { c: AggColumn; op: string; bound: number }[] = [];
    for (const e of conjuncts) {
      if (e.kind !== 'Call' || e.args.length !== 2 || !(e.fn in FLIPPED_OP)) continue;
      let [a, b] = e.args as [Expr, Expr];
      let op = e.fn;
      if (a.kind === 'Const') { [a, b] = [b, a]; op = FLIPPED_OP[op]!; }
      if (a.kind !== 'Column' || b.kind !== 'Const' || a.index < groupCount) continue;
      const c = cols[a.index - groupCount];
      const bound = approx(b.value);
      if (c === undefined || bound === null || (c.name !== 'count' && c.name !== 'sum')) continue;
      checks.push({ c, op, bound });
    }
    if (checks.length === 0) return null;
    const keep = new Uint8Array(this.groups).fill(1);
    for (const { c, op, bound } of checks) {
      const margin = 1e-9 * Math.max(1, Math.abs(bound));
      for (let g = 0; g < this.groups; g++) {
        if (keep[g] === 0) continue;
        const v = approxState(c, g);
        // A NULL sum compares to nothing: HAVING is not true.
        if (v === null) { keep[g] = 0; continue; }
        const d = v - bound;
        const fails = op === 'gt' || op === 'ge' ? d < -margin : op === 'lt' || op === 'le' ? d > margin : Math.abs(d) > margin;
        if (fails) keep[g] = 0;
      }
    }
    return keep;
  }

  /** Group keys as Datums, then each aggregate's partial state (as HashAggregate.partialRows gives them). */
  partialRows(keep: Uint8Array | null = null): FragmentRow[] {
    const out: FragmentRow[] = [];
    const stores = this.keyStores ?? [];
    const cols = this.aggCols ?? [];
    for (let g = 0; g < this.groups; g++) {
      if (keep !== null && keep[g] === 0) continue;
      const row: Datum[] = new Array<Datum>(stores.length + cols.length);
      for (let k = 0; k < stores.length; k++) row[k] = stores[k]!.datum(g);
      for (let a = 0; a < cols.length; a++) row[stores.length + a] = stateOf(cols[a]!, g);
      out.push(row);
    }
    return out;
  }

  /** Final rows [keys..., results...] through the aggregates' finalize (only groups `keep` marks, when given). */
  finalRows(slots: readonly AggSlot[], keep: Uint8Array | null = null): Datum[][] {
    const k = this.keyStores?.length ?? 0;
    return this.partialRows(keep).map((r) => {
      const row = r as Datum[];
      for (let a = 0; a < slots.length; a++) row[k + a] = slots[a]!.impl.finalize(row[k + a]!);
      return row;
    });
  }
}

const FLIPPED_OP: Record<string, string> = { gt: 'lt', ge: 'le', lt: 'gt', le: 'ge', eq: 'eq' };

/** A constant as a float64, or null when it is not a number. */
function approx(v: Datum): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Decimal) return Number(v.toString());
  return null;
}

/** A count's or sum's value in group g as a float64 (null for a sum of no rows). */
function approxState(c: AggColumn, g: number): number | null {
  const count = c.cnt[g]!;
  if (c.name === 'count') return count;
  const carry = c.carry?.[g];
  if (count === 0 && carry === undefined) return null;
  const folded = carry === undefined ? 0 : Number(carry);
  if (c.kind === 'int32') return c.lo[g]! + folded;
  if (c.kind === 'int64') return c.hi[g]! * 4294967296 + c.lo[g]! + folded;
  return (c.hi[g]! * 67108864 + c.lo[g]! + folded) / 10 ** c.scale;
}

/** Puts group g (key hash h) in the first free slot of its probe sequence. */
function insertSlot(slots: Int32Array, g: number, h: number): void {
  const mask = (slots.length >> 1) - 1;
  let i = h & mask;
  while (slots[2 * i] !== -1) i = (i + 1) & mask;
  slots[2 * i] = g;
  slots[2 * i + 1] = h;
}

/** Folds group g's float64 partial sum into its bigint carry. */
function fold(c: AggColumn, g: number): void {
  if (c.name !== 'sum' && c.name !== 'avg') return;
  if (c.hi[g] === 0 && c.lo[g] === 0) return;
  c.carry ??= [];
  const units = c.kind === 'int64' ? BigInt(c.hi[g]!) * TWO32 + BigInt(c.lo[g]!) : BigInt(c.hi[g]!) * TWO26 + BigInt(c.lo[g]!);
  c.carry[g] = (c.carry[g] ?? 0n) + units;
  c.hi[g] = 0;
  c.lo[g] = 0;
}

function accumulate(c: AggColumn, v: Vector | null, batch: TouchedGroups): void {
  const nulls = v?.nulls ?? null;
  const cnt = c.cnt;
  const { rowGroup: groupOf, n } = batch;
  if (c.name === 'count') {
    if (nulls === null) addCounts(cnt, batch);
    else for (let r = 0; r < n; r++) if (nulls[r] === 0) cnt[groupOf[r]!]!++;
    return;
  }
  if (c.name === 'sum' || c.name === 'avg') {
    addGroupSums(v!, c, batch);
    return;
  }
  accumulateMinMax(c, v!, groupOf, n);
}

/** cnt[g] += the batch's rows in g, for every group it touched. */
function addCounts(cnt: Float64Array, batch: TouchedGroups): void {
  const { perGroup, touched, count } = batch;
  for (let i = 0; i < count; i++) { const g = touched[i]!; cnt[g]! += perGroup[g]!; }
}

/**
 * addSums for the group table, faster for decimals: a batch is summed whole per group in float64
 * (one pass that also finds the largest magnitude), and each group's total split into the exact
 * parts once. That is exact while largest magnitude × rows stays within 2^53; a batch beyond it
 * (values over ~2^41 in 4,096 rows) is taken back and added split row by row. Rows are counted
 * per group once per batch when the vector has no NULLs.
 */
function addGroupSums(v: Vector, c: AggColumn, batch: TouchedGroups): void {
  const { rowGroup: groupOf, n, touched, count } = batch;
  if (v.kind !== 'decimal') {
    addSums(v, groupOf, n, c.hi, c.lo, c.cnt);
    return;
  }
  const nulls = v.nulls;
  const x = v.values;
  const total = batch.scratch;
  let maxAbs = 0;
  if (nulls === null) {
    for (let r = 0; r < n; r++) {
      const y = x[r]!;
      total[groupOf[r]!]! += y;
      const a = y < 0 ? -y : y;
      if (a > maxAbs) maxAbs = a;
    }
  } else {
    for (let r = 0; r < n; r++) {
      if (nulls[r] !== 0) continue;
      const y = x[r]!;
      total[groupOf[r]!]! += y;
      const a = y < 0 ? -y : y;
      if (a > maxAbs) maxAbs = a;
    }
  }
  if (!(maxAbs * n <= TWO53)) {
    // Every row split on its own (under 2^27 to hi and 2^26 to lo each, as foldInterval assumes).
    for (let i = 0; i < count; i++) total[touched[i]!] = 0;
    addSumStates(v, groupOf, n, c.hi, c.lo, c.cnt);
    return;
  }
  const cnt = c.cnt;
  if (nulls === null) addCounts(cnt, batch);
  else for (let r = 0; r < n; r++) if (nulls[r] === 0) cnt[groupOf[r]!]!++;
  // Each total splits into hi (units of 2^26) and lo (under 2^26): a batch adds under 2^27 to
  // either, so both stay exact between folds.
  const hi = c.hi;
  const lo = c.lo;
  for (let i = 0; i < count; i++) {
    const g = touched[i]!;
    const s = total[g]!;
    if (s === 0) continue;
    const h = Math.floor(s / SPLIT);
    hi[g]! += h;
    lo[g]! += s - h * SPLIT;
    total[g] = 0;
  }
}

function accumulateMinMax(c: AggColumn, v: Vector, groupOf: Int32Array, n: number): void {
  const nulls = v.nulls;
  const cnt = c.cnt;
  const lo = c.lo;
  const isMin = c.name === 'min';
  const best = c.best;
  if (v.kind === 'int32') {
    const x = v.values;
    for (let r = 0; r < n; r++) {
      if (nulls !== null && nulls[r] !== 0) continue;
      const g = groupOf[r]!;
      const y = x[r]!;
      if (cnt[g] === 0 || (isMin ? y < best[g]! : y > best[g]!)) { best[g] = y; cnt[g] = 1; }
    }
  } else if (v.kind === 'int64') {
    const w = new Int32Array(v.values.buffer, v.values.byteOffset, n * 2);
    for (let r = 0; r < n; r++) {
      if (nulls !== null && nulls[r] !== 0) continue;
      const g = groupOf[r]!;
      const yh = w[r * 2 + 1]!;
      const yl = w[r * 2]! >>> 0;
      const bh = best[g * 2 + 1]!;
      const bl = best[g * 2]! >>> 0;
      const less = yh < bh || (yh === bh && yl < bl);
      const greater = yh > bh || (yh === bh && yl > bl);
      if (cnt[g] === 0 || (isMin ? less : greater)) { best[g * 2] = w[r * 2]!; best[g * 2 + 1] = yh; cnt[g] = 1; }
    }
  } else if (v.kind === 'decimal') {
    const x = v.values;
    for (let r = 0; r < n; r++) {
      if (nulls !== null && nulls[r] !== 0) continue;
      const g = groupOf[r]!;
      const y = x[r]!;
      if (cnt[g] === 0 || (isMin ? y < lo[g]! : y > lo[g]!)) { lo[g] = y; cnt[g] = 1; }
    }
  }
}

/** accumulate() for a table with no keys: rows [0, n) all go to group 0, summed in locals. */
function accumulateOne(c: AggColumn, v: Vector | null, n: number): void {
  const nulls = v?.nulls ?? null;
  let count = 0;
  if (nulls === null) count = n;
  else for (let r = 0; r < n; r++) count += nulls[r] === 0 ? 1 : 0;
  if (c.name === 'count') { c.cnt[0]! += count; return; }
  if (c.name === 'sum' || c.name === 'avg') {
    let hi = 0;
    let lo = 0;
    if (v!.kind === 'int32') {
      const x = v!.values;
      if (nulls === null) for (let r = 0; r < n; r++) lo += x[r]!;
      else for (let r = 0; r < n; r++) if (nulls[r] === 0) lo += x[r]!;
    } else if (v!.kind === 'int64') {
      const w = new Int32Array(v!.values.buffer, v!.values.byteOffset, n * 2);
      for (let r = 0; r < n; r++) {
        if (nulls !== null && nulls[r] !== 0) continue;
        lo += w[r * 2]! >>> 0;
        hi += w[r * 2 + 1]!;
      }
    } else if (v!.kind === 'decimal') {
      // As addGroupSums: the batch summed whole while largest magnitude × rows stays within 2^53,
      // then split once; else every row split. Either way a batch adds under 2^27 per row to hi
      // and under 2^26 per row to lo, as foldInterval assumes.
      const x = v!.values;
      let total = 0;
      let maxAbs = 0;
      for (let r = 0; r < n; r++) {
        if (nulls !== null && nulls[r] !== 0) continue;
        const y = x[r]!;
        total += y;
        const a = y < 0 ? -y : y;
        if (a > maxAbs) maxAbs = a;
      }
      if (maxAbs * n <= TWO53) {
        hi = Math.floor(total / SPLIT);
        lo = total - hi * SPLIT;
      } else {
        for (let r = 0; r < n; r++) {
          if (nulls !== null && nulls[r] !== 0) continue;
          const h = Math.floor(x[r]! / SPLIT);
          hi += h;
          lo += x[r]! - h * SPLIT;
        }
      }
    }
    c.hi[0]! += hi;
    c.lo[0]! += lo;
    c.cnt[0]! += count;
    return;
  }
  if (count === 0) return;
  // min / max: the batch's best, then compared with the group's.
  const isMin = c.name === 'min';
  if (v!.kind === 'int32' || v!.kind === 'decimal') {
    const x = v!.values;
    let best = isMin ? Infinity : -Infinity;
    for (let r = 0; r < n; r++) {
      if (nulls !== null && nulls[r] !== 0) continue;
      const y = x[r]!;
      if (isMin ? y < best : y > best) best = y;
    }
    const store = v!.kind === 'int32' ? c.best : c.lo;
    if (c.cnt[0] === 0 || (isMin ? best < store[0]! : best > store[0]!)) { store[0] = best; c.cnt[0] = 1; }
    return;
  }
  if (zeroGroups.length < n) zeroGroups = new Int32Array(n);
  accumulateMinMax(c, v!, zeroGroups, n);
}

/** All-zero group numbers for int64 min / max without keys (read only). */
let zeroGroups = new Int32Array(0);

/**
 * Adds rows [0, n) of an int32 / int64 / decimal vector into per-group float64 parts, exactly: an
 * int32 into lo; an int64 as its unsigned low word into lo and its signed high word into hi (units
 * of 2^32); a scaled decimal as floor(x / 2^26) into hi (units of 2^26) and the rest into lo; cnt
 * counts the non-NULL rows. The caller keeps each part below 2^53 (by batch or by folding).
 */
export function addSums(v: Vector, groupOf: Int32Array, n: number, hi: Float64Array, lo: Float64Array, cnt: Float64Array): void {
  const nulls = v.nulls;
  if (v.kind === 'int32') {
    const x = v.values;
    for (let r = 0; r < n; r++) {
      if (nulls !== null && nulls[r] !== 0) continue;
      const g = groupOf[r]!;
      lo[g]! += x[r]!;
      cnt[g]!++;
    }
  } else if (v.kind === 'int64') {
    const w = new Int32Array(v.values.buffer, v.values.byteOffset, n * 2);
    for (let r = 0; r < n; r++) {
      if (nulls !== null && nulls[r] !== 0) continue;
      const g = groupOf[r]!;
      lo[g]! += w[r * 2]! >>> 0;
      hi[g]! += w[r * 2 + 1]!;
      cnt[g]!++;
    }
  } else if (v.kind === 'decimal') {
    const x = v.values;
    // Values below 2^32 in magnitude go into lo whole: what a row adds to lo stays under 2^32
    // either way (a split remainder is under 2^26), so lo stays exact until the next fold.
    let big = false;
    for (let r = 0; r < n; r++) if (x[r]! >= SMALL || x[r]! <= -SMALL) { big = true; break; }
    if (!big) {
      for (let r = 0; r < n; r++) {
        if (nulls !== null && nulls[r] !== 0) continue;
        const g = groupOf[r]!;
        lo[g]! += x[r]!;
        cnt[g]!++;
      }
      return;
    }
    addSumStates(v, groupOf, n, hi, lo, cnt);
  }
}

/**
 * The argument every aggregate takes DISTINCT (count(DISTINCT x), sum(DISTINCT x), ...), when
 * all of them are DISTINCT over one same argument; null otherwise. Such an aggregation's partial
 * states travel as distinct pairs [keys..., value] (see runFragmentChunks).
 */
export function distinctArgument(aggs: readonly AggSpec[]): Expr | null {
  const first = aggs[0];
  if (first === undefined || first.arg === null) return null;
  const key = toTaggedJson(first.arg);
  for (const a of aggs) {
    if (!a.distinct || a.arg === null || a.arg2 !== undefined || a.options !== undefined || toTaggedJson(a.arg) !== key) return null;
  }
  return first.arg;
}

/**
 * Partial rows [keys..., states...] in HashAggregate's format from a batch of partial states
 * (GroupTable.partialBatch's layout), for a consumer that merges rows.
 */
export function partialRowsFromBatch(b: Batch, aggs: readonly AggSpec[], groupCount: number): FragmentRow[] {
  const out: FragmentRow[] = [];
  if (distinctArgument(aggs) !== null && b.columns.length === groupCount + 1) {
    // DISTINCT pairs [keys..., value]: the value as every aggregate's one-value list (none for
    // NULL, which DISTINCT aggregates skip; its group still counts).
    const values = b.columns[groupCount]!;
    for (let r = 0; r < b.length; r++) {
      const row: (Datum | Datum[])[] = [];
      for (let k = 0; k < groupCount; k++) row.push(datumAt(b.columns[k]!, r));
      const v = datumAt(values, r);
      for (let a = 0; a < aggs.length; a++) row.push(v === null ? [] : [v]);
      out.push(row as FragmentRow);
    }
    return out;
  }
  for (let r = 0; r < b.length; r++) {
    const row: (Datum | Datum[])[] = [];
    for (let k = 0; k < groupCount; k++) row.push(datumAt(b.columns[k]!, r));
    let si = groupCount;
    for (const spec of aggs) {
      const v = datumAt(b.columns[si++]!, r);
      if (spec.name === 'sum' && v instanceof Decimal && spec.arg !== null && layoutOf(spec.arg.type).kind === 'int32') row.push(v.unscaled);
      else if (spec.name === 'avg') row.push([v, datumAt(b.columns[si++]!, r)]);
      else row.push(v);
    }
    out.push(row as FragmentRow);
  }
  return out;
}

/** Adds the non-NULL values of a 'decimal' vector (rows or sum states) each split into hi / lo, counting them in `cnt` when given. */
function addSumStates(v: Vector, groupOf: Int32Array, n: number, hi: Float64Array, lo: Float64Array, cnt: Float64Array | null): void {
  if (v.kind !== 'decimal') return;
  const x = v.values;
  const nulls = v.nulls;
  for (let r = 0; r < n; r++) {
    if (nulls !== null && nulls[r] !== 0) continue;
    const g = groupOf[r]!;
    const h = Math.floor(x[r]! / SPLIT);
    hi[g]! += h;
    lo[g]! += x[r]! - h * SPLIT;
    if (cnt !== null) cnt[g]!++;
  }
}

/** cnt[g] += the int8 counts of rows [0, n) (rows `skip` marks NULL add nothing). */
function addCountStates(cnt: Float64Array, v: Vector, skip: Uint8Array | null, groupOf: Int32Array, n: number): void {
  if (v.kind !== 'int64') return;
  const w = new Int32Array(v.values.buffer, v.values.byteOffset, n * 2);
  const nulls = v.nulls;
  for (let r = 0; r < n; r++) {
    if ((nulls !== null && nulls[r] !== 0) || (skip !== null && skip[r] !== 0)) continue;
    cnt[groupOf[r]!]! += (w[r * 2]! >>> 0) + w[r * 2 + 1]! * 4294967296;
  }
}

/** Counts (below 2^53) as an int8 vector. */
function int64Of(cnt: Float64Array, groups: number): Vector {
  const values = new BigInt64Array(groups);
  const w = new Int32Array(values.buffer);
  for (let g = 0; g < groups; g++) {
    const x = cnt[g]!;
    const hi = Math.floor(x / 4294967296);
    w[2 * g] = (x - hi * 4294967296) | 0;
    w[2 * g + 1] = hi;
  }
  return { kind: 'int64', length: groups, nulls: null, values };
}

/** A min / max column's values (NULL for groups without one). */
function bestVector(c: AggColumn, groups: number): Vector {
  let nulls: Uint8Array | null = null;
  for (let g = 0; g < groups; g++) if (c.cnt[g] === 0) (nulls ??= new Uint8Array(groups))[g] = 1;
  if (c.kind === 'int32') return { kind: 'int32', length: groups, nulls, values: c.best.slice(0, groups) };
  if (c.kind === 'int64') return { kind: 'int64', length: groups, nulls, values: new BigInt64Array(c.best.slice(0, 2 * groups).buffer) };
  return { kind: 'decimal', length: groups, nulls, values: c.lo.slice(0, groups), scale: c.scale };
}

/** Group g's sum in units of its scale as a float64, or null when it is 2^53 or more in magnitude. */
function sumUnits(c: AggColumn, g: number): number | null {
  const carry = c.carry?.[g];
  const hi = c.hi.length > 0 ? c.hi[g]! : 0;
  const t = c.kind === 'int32' ? c.lo[g]! : hi * (c.kind === 'int64' ? 4294967296 : 67108864) + c.lo[g]!;
  if (carry === undefined && Math.abs(t) < 2 ** 52) return t;
  const exact = BigInt(hi) * (c.kind === 'int64' ? TWO32 : TWO26) + BigInt(c.lo[g]!) + (carry ?? 0n);
  const big = 2n ** 53n;
  return exact < big && exact > -big ? Number(exact) : null;
}

/** Group g's partial state in the format of the aggregate's AggregateImpl. */
function stateOf(c: AggColumn, g: number): Datum {
  const count = c.cnt[g]!;
  switch (c.name) {
    case 'count': return BigInt(count);
    case 'min': case 'max': {
      if (count === 0) return null;
      if (c.kind === 'int32') return c.best[g]!;
      if (c.kind === 'int64') return (BigInt(c.best[2 * g + 1]!) << 32n) | BigInt(c.best[2 * g]! >>> 0);
      return new Decimal(BigInt(c.lo[g]!), c.scale);
    }
    case 'sum': case 'avg': {
      let total: Datum = null;
      if (count > 0 || c.carry?.[g] !== undefined) {
        const carry = c.carry?.[g] ?? 0n;
        if (c.kind === 'int32') {
          const units = BigInt(c.lo[g]!) + carry;
          total = c.name === 'sum' ? units : new Decimal(units, 0);
        } else if (c.kind === 'int64') total = new Decimal(BigInt(c.hi[g]!) * TWO32 + BigInt(c.lo[g]!) + carry, 0);
        else {
          const units = BigInt(c.hi[g]!) * TWO26 + BigInt(c.lo[g]!) + carry;
          total = c.intSum === true && c.name === 'sum' ? units : new Decimal(units, c.scale);
        }
      }
      if (c.name === 'sum') return total;
      // avg: [sum, count]; count includes rows already folded.
      return [total, BigInt(count)] as unknown as Datum;
    }
  }
}
