// The vectorized form of a join on the slices (see join-fragment.ts for what is joined where): every
// input becomes column vectors with a hash table over its key columns (open addressing by chains in
// typed arrays: heads per bucket, next per row, the key hash per row), probe batches are filtered
// and projected by compiled kernels, each join step turns a batch into (probe row, input row) index
// pairs and gathers only the columns later steps and the query's fragment read, and the query's
// fragment (partial aggregation or projection) consumes the joined batches through its own
// compiled kernels. No Datum, no string key, no per-row object on the way.
//
// Supported: keys whose two sides share a vector layout (bool, int32, int64, float64, decimal of one
// scale, string), inner / left / semi / anti joins with residual conditions, NOT IN without one,
// cross joins. Anything else returns null from planBatchJoin and runs the row-at-a-time join.
import { SqlError, SqlState } from '../../common/errors/index.ts';
import { DEFAULT_SLICE_CELLS, MemoryBudget, SLICE_PLACE } from '../../common/memory-budget.ts';
import { walkExpr, type Expr } from '../../sql/expr/expr.ts';
import type { EvalContext } from '../../sql/functions/scalar-functions.ts';
import type { Datum } from '../../sql/types/datum.ts';
import { T, type SqlType } from '../../sql/types/sql-type.ts';
import { NumberKeySet } from '../codegen/number-key-set.ts';
import { layoutOf } from '../../storage/column-kind.ts';
import { allNullVector, concatVectors, gatherOrNull, gatherVector } from '../../storage/vector-ops.ts';
import type { Batch } from '../batch/batch.ts';
import { BATCH_SIZE } from '../batch/batch.ts';
import { vectorFromRows } from '../batch/row-conversion.ts';
import type { Vector } from '../batch/vector.ts';
import { compileFilter } from '../codegen/compile-filter.ts';
import { compileProjection } from '../codegen/compile-projection.ts';
import type { FilterKernel, ProjectionKernel } from '../codegen/kernel-types.ts';
import { fmix32, hash64, hashBytes, hashInt32 } from '../../common/sketch/value-hash.ts';
import type { Fragment } from './fragment.ts';
import type { JoinFragment, JoinInput, JoinStep } from './join-fragment.ts';
import { PAIRS_PER_YIELD, yieldToEventLoop } from './join-key.ts';
import { countRowsIn, type OperatorStats, type StatsRecorder } from './operator-stats.ts';
import { projected } from './run-fragment-batches.ts';

/** Where a vectorized join reads its tables. */
export interface BatchJoinSources {
  /** This node's slices holding the probe table. */
  readonly slices: readonly number[];
  /** Scan batches of f's table on one slice: columns f.scanColumns, zone filters applied. */
  scanSlice(f: Fragment, slice: number): AsyncIterable<Batch>;
  /** Scan batches of f's table over this node's copy of a DISTSTYLE ALL table. */
  scanNodeCopy(f: Fragment): AsyncIterable<Batch>;
}

/** Probe rows per slice held back so co-located inputs can be cut to their keys (else built whole). */
const REDUCE_MAX_ROWS = 262_144;

/** Pairs examined per chunk: bounds what one step materialises whatever the fan-out. */
const PAIR_CHUNK = BATCH_SIZE;

/** A key column in the form equality and hashing read. */
type KeyColumn =
  | { readonly kind: 'i32'; readonly values: Int32Array | Uint8Array }
  /** int64 as pairs of 32-bit words (no BigInt per read). */
  | { readonly kind: 'w64'; readonly words: Int32Array }
  /** float64 and decimal (scaled integers): -0 equals 0, NaN equals NaN as in PostgreSQL. */
  | { readonly kind: 'f64'; readonly values: Float64Array }
  | { readonly kind: 'str'; readonly offsets: Int32Array; readonly bytes: Uint8Array };

function keyColumn(v: Vector): KeyColumn {
  switch (v.kind) {
    case 'bool': case 'int32': return { kind: 'i32', values: v.values };
    case 'int64': return { kind: 'w64', words: new Int32Array(v.values.buffer, v.values.byteOffset, v.length * 2) };
    case 'float64': case 'decimal': return { kind: 'f64', values: v.values };
    case 'string': return { kind: 'str', offsets: v.offsets, bytes: v.bytes };
    case 'bigdecimal': throw new SqlError(SqlState.INTERNAL_ERROR, 'bigdecimal join keys take the row path');
  }
}

const f64 = new Float64Array(1);
const f64Words = new Int32Array(f64.buffer);

/**
 * Hashes rows [0, n) of the key vectors into `out`; marks in `isNull` rows where a key is NULL
 * (they never match). Returns whether any row was NULL.
 */
function hashKeys(keys: readonly Vector[], cols: readonly KeyColumn[], n: number, out: Uint32Array, isNull: Uint8Array): boolean {
  isNull.fill(0, 0, n);
  let anyNull = false;
  for (let k = 0; k < cols.length; k++) {
    const c = cols[k]!;
    const first = k === 0;
    switch (c.kind) {
      case 'i32': {
        const v = c.values;
        for (let i = 0; i < n; i++) { const h = hashInt32(v[i]!); out[i] = first ? h : fmix32(Math.imul(out[i]!, 0x01000193) ^ h); }
        break;
      }
      case 'w64': {
        const w = c.words;
        for (let i = 0; i < n; i++) { const h = hash64(w[2 * i]!, w[2 * i + 1]!); out[i] = first ? h : fmix32(Math.imul(out[i]!, 0x01000193) ^ h); }
        break;
      }
      case 'f64': {
        const v = c.values;
        for (let i = 0; i < n; i++) {
          let x = v[i]!;
          if (x === 0) x = 0;
          else if (x !== x) x = NaN;
          f64[0] = x;
          const h = hash64(f64Words[0]!, f64Words[1]!);
          out[i] = first ? h : fmix32(Math.imul(out[i]!, 0x01000193) ^ h);
        }
        break;
      }
      case 'str': {
        const o = c.offsets;
        const b = c.bytes;
        for (let i = 0; i < n; i++) { const h = hashBytes(b, o[i]!, o[i + 1]!); out[i] = first ? h : fmix32(Math.imul(out[i]!, 0x01000193) ^ h); }
        break;
      }
    }
    const nulls = keys[k]!.nulls;
    if (nulls !== null) {
      for (let i = 0; i < n; i++) if (nulls[i] !== 0) { isNull[i] = 1; anyNull = true; }
    }
  }
  return anyNull;
}

function keysEqual(a: readonly KeyColumn[], i: number, b: readonly KeyColumn[], j: number): boolean {
  for (let k = 0; k < a.length; k++) {
    const x = a[k]!;
    const y = b[k]!;
    switch (x.kind) {
      case 'i32': if (x.values[i] !== (y as typeof x).values[j]) return false; break;
      case 'w64': {
        const yw = (y as typeof x).words;
        if (x.words[2 * i] !== yw[2 * j] || x.words[2 * i + 1] !== yw[2 * j + 1]) return false;
        break;
      }
      case 'f64': {
        const p = x.values[i]!;
        const q = (y as typeof x).values[j]!;
        if (p !== q && (p === p || q === q)) return false;
        break;
      }
      case 'str': {
        const yo = (y as typeof x).offsets;
        const yb = (y as typeof x).bytes;
        const a0 = x.offsets[i]!;
        const len = x.offsets[i + 1]! - a0;
        const b0 = yo[j]!;
        if (yo[j + 1]! - b0 !== len) return false;
        for (let t = 0; t < len; t++) if (x.bytes[a0 + t] !== yb[b0 + t]) return false;
        break;
      }
    }
  }
  return true;
}

/** Hash chains over rows [0, n) by `hashes`, NULL-key rows left out: heads per bucket, next per row. */
function chainRows(hashes: Uint32Array, nulls: Uint8Array, n: number): { heads: Int32Array; next: Int32Array; mask: number } {
  let cap = 16;
  while (cap < n * 2) cap *= 2;
  const mask = cap - 1;
  const heads = new Int32Array(cap).fill(-1);
  const next = new Int32Array(n);
  // Inserted last row first, so each chain lists rows in input order.
  for (let j = n - 1; j >= 0; j--) {
    if (nulls[j] !== 0) { next[j] = -1; continue; }
    const b = hashes[j]! & mask;
    next[j] = heads[b]!;
    heads[b] = j;
  }
  return { heads, next, mask };
}

/** The non-NULL values of an int32 vector, or an int64 one whose values are all within ±2^53, as numbers. */
function integerKeys(v: Vector): { kind: 'int32' | 'int64'; set: NumberKeySet } | null {
  const nulls = v.nulls;
  if (v.kind === 'int32') {
    if (nulls === null) return { kind: 'int32', set: new NumberKeySet(v.values.subarray(0, v.length)) };
    const out = new Int32Array(v.length);
    let k = 0;
    for (let i = 0; i < v.length; i++) if (nulls[i] === 0) out[k++] = v.values[i]!;
    return { kind: 'int32', set: new NumberKeySet(out.subarray(0, k)) };
  }
  if (v.kind === 'int64') {
    const out = new Float64Array(v.length);
    let k = 0;
    for (let i = 0; i < v.length; i++) {
      if (nulls !== null && nulls[i] !== 0) continue;
      const x = v.values[i]!;
      if (x > 9007199254740991n || x < -9007199254740991n) return null;
      out[k++] = Number(x);
    }
    return { kind: 'int64', set: new NumberKeySet(out.subarray(0, k)) };
  }
  return null;
}

/** The distinct values of one key column (of one layout), to keep only an input's rows that can match. */
class KeySet {
  private constructor(
    /** The set's values, as the one key column keysEqual compares. */
    private readonly keys: readonly KeyColumn[],
    private readonly hashes: Uint32Array,
    private readonly chains: { heads: Int32Array; next: Int32Array; mask: number },
    /** Integer keys (int32, or int64 within ±2^53) as numbers: probed without hashing rows. */
    private readonly numbers: { readonly kind: 'int32' | 'int64'; readonly set: NumberKeySet } | null,
  ) {}

  /** The set of the non-NULL values in `vectors`. */
  static of(vectors: readonly Vector[]): KeySet {
    if (vectors.length === 0) return new KeySet([], new Uint32Array(0), chainRows(new Uint32Array(0), new Uint8Array(0), 0), null);
    const v = concatVectors(vectors, { kind: vectors[0]!.kind, scale: vectors[0]!.kind === 'decimal' ? vectors[0]!.scale : 0, float4: false });
    const n = v.length;
    const hashes = new Uint32Array(n);
    const nulls = new Uint8Array(n);
    const key = keyColumn(v);
    hashKeys([v], [key], n, hashes, nulls);
    return new KeySet([key], hashes, chainRows(hashes, nulls, n), integerKeys(v));
  }

  /** The rows of `part` whose column `local` is in the set, as a part with just columns `cols`. */
  keep(part: { n: number; cols: Vector[] }, local: number, cols: readonly number[]): { n: number; cols: Vector[] } {
    const v = part.cols[local]!;
    const n = part.n;
    const idx = new Int32Array(n);
    let kept = 0;
    const numbers = this.numbers;
    const vn = v.nulls;
    if (numbers !== null && v.kind === 'int32' && numbers.kind === 'int32') {
      const x = v.values;
      const set = numbers.set;
      for (let i = 0; i < n; i++) if ((vn === null || vn[i] === 0) && set.has(x[i]!)) idx[kept++] = i;
    } else if (numbers !== null && v.kind === 'int64' && numbers.kind === 'int64') {
      // As numbers from the 32-bit halves (no BigInt per row); a value past 2^53 may round onto a
      // key, which only keeps a row the join then drops.
      const w = new Int32Array(v.values.buffer, v.values.byteOffset, 2 * n);
      const set = numbers.set;
      for (let i = 0; i < n; i++) if ((vn === null || vn[i] === 0) && set.has(w[2 * i + 1]! * 4294967296 + (w[2 * i]! >>> 0))) idx[kept++] = i;
    } else {
      const keys = [keyColumn(v)];
      const hashes = new Uint32Array(n);
      const nulls = new Uint8Array(n);
      hashKeys([v], keys, n, hashes, nulls);
      const { heads, next, mask } = this.chains;
      for (let i = 0; i < n; i++) {
        if (nulls[i] !== 0) continue;
        const h = hashes[i]!;
        for (let j = heads[h & mask]!; j >= 0; j = next[j]!) {
          if (this.hashes[j] === h && keysEqual(keys, i, this.keys, j)) { idx[kept++] = i; break; }
        }
      }
    }
    if (kept === n) return part;
    const out: Vector[] = new Array<Vector>(part.cols.length);
    for (const c of cols) out[c] = gatherVector(part.cols[c]!, idx, kept);
    return { n: kept, cols: out };
  }
}

/** An input's rows as vectors with a hash table over its keys. */
interface BuildSide {
  readonly n: number;
  /** Local columns of the input that the join reads (others undefined). */
  readonly cols: readonly (Vector | undefined)[];
  readonly keyCols: readonly KeyColumn[];
  readonly hashes: Uint32Array;
  /** First row of each bucket's chain, -1 when empty. */
  readonly heads: Int32Array;
  /** Next row in the chain, -1 at the end. */
  readonly next: Int32Array;
  readonly mask: number;
  readonly hasNullKey: boolean;
  /** Rows that matched (a step tracking its broadcast input's matches). */
  readonly matched: Uint8Array | null;
  /**
   * A single int32 key over a dense range: direct[key − directMin] is the first row holding that
   * key (−1: none) and `next` chains the rows of one key only, so a probe is one array read and
   * no key comparison (what a join on a primary key of 1..n mostly is). Null otherwise.
   */
  readonly direct: Int32Array | null;
  readonly directMin: number;
  /** The direct table's chains (rows of one key). */
  readonly directNext: Int32Array;
}

/** A direct table may be at most this many times the rows it indexes (and this long). */
const DIRECT_SPREAD = 2;
const DIRECT_MAX = 1 << 26;

/** direct / next over one int32 key column, when its non-NULL values span a dense range. */
function directRows(keys: Int32Array, nulls: Uint8Array, n: number): { direct: Int32Array; directMin: number; directNext: Int32Array } | null {
  let min = 2147483647;
  let max = -2147483648;
  for (let j = 0; j < n; j++) {
    if (nulls[j] !== 0) continue;
    const k = keys[j]!;
    if (k < min) min = k;
    if (k > max) max = k;
  }
  if (min > max) return null;
  const range = max - min + 1;
  if (range > DIRECT_MAX || range > Math.max(1024, DIRECT_SPREAD * n)) return null;
  const direct = new Int32Array(range).fill(-1);
  const next = new Int32Array(n);
  // Last row first, so each key's chain lists its rows in input order.
  for (let j = n - 1; j >= 0; j--) {
    if (nulls[j] !== 0) { next[j] = -1; continue; }
    const d = keys[j]! - min;
    next[j] = direct[d]!;
    direct[d] = j;
  }
  return { direct, directMin: min, directNext: next };
}

/** A step compiled for batches. */
interface PlannedStep {
  readonly step: JoinStep;
  readonly input: JoinInput;
  readonly leftKeys: ProjectionKernel | null;
  readonly rightKeys: ProjectionKernel | null;
  readonly residual: FilterKernel | null;
  /** Joined-row positions the residual reads. */
  readonly residualCols: readonly number[];
  /** Input-local columns to keep (read later or by the residual). */
  readonly inputCols: readonly number[];
  /** Joined-row positions present after this step that later steps or the query's fragment read. */
  readonly keep: readonly number[];
  /** The input's column types. */
  readonly localTypes: readonly SqlType[];
  /**
   * A co-located input joined on a probe column: its rows can be cut to the keys the probe's rows
   * (after their filters) hold — joined-row position of the probe key, input column of the key.
   */
  readonly reduceBy: { readonly pos: number; readonly local: number } | null;
  /** The types at each joined-row position once this step is done. */
  readonly typesAfter: readonly SqlType[];
  // Per-step scratch, reused across chunks (steps run depth-first, one chunk at a time each).
  li: Int32Array;
  ri: Int32Array;
  hashes: Uint32Array;
  nulls: Uint8Array;
  matched: Uint8Array;
  sel: Uint32Array;
  /** Where fillPairs goes on: probe row, and chain position (-2: not started). */
  resumeI: number;
  resumeJ: number;
}

/** The compiled plan of a join fragment for batches. */
export interface BatchJoinPlan {
  readonly jf: JoinFragment;
  readonly probeFilter: FilterKernel | null;
  /** The probe fragment's outputs the projection computes (their positions: probeOffset + i). */
  readonly probeProject: ProjectionKernel;
  readonly probeOutputs: readonly number[];
  readonly probeResidual: FilterKernel | null;
  readonly probeKeep: readonly number[];
  readonly steps: readonly PlannedStep[];
  /** Per input: its fragment's filter and projection (tables), null for broadcast rows. */
  readonly inputKernels: readonly ({ filter: FilterKernel | null; project: ProjectionKernel } | null)[];
}

function columnsOf(exprs: readonly (Expr | null)[]): Set<number> {
  const out = new Set<number>();
  for (const e of exprs) if (e) walkExpr(e, (x) => { if (x.kind === 'Column') out.add(x.index); });
  return out;
}

/**
 * Compiles the join for batches, or returns null when some part needs the row-at-a-time join
 * (keys of different layouts or wide numerics, NOT IN with extra conditions, a type without a
 * vector layout).
 */
export function planBatchJoin(jf: JoinFragment, ctx: EvalContext): BatchJoinPlan | null {
  if (jf.probe.mode.kind !== 'project' || jf.probe.mode.topN !== null) return null;
  for (const input of jf.inputs) if (input.kind !== 'broadcast' && (input.fragment.mode.kind !== 'project' || input.fragment.mode.topN !== null)) return null;
  for (const step of jf.steps) {
    if (step.type === 'anti_na' && step.residual !== null) return null;
    for (let k = 0; k < step.leftKeys.length; k++) {
      const l = step.leftKeys[k]!.type;
      const r = step.rightKeys[k]!.type;
      try {
        const a = layoutOf(l);
        const b = layoutOf(r);
        if (a.kind !== b.kind || a.kind === 'bigdecimal' || (a.kind === 'decimal' && a.scale !== b.scale)) return null;
      } catch {
        return null;
      }
    }
  }
  // The SQL type at each joined-row position before each step (and after the last): a step's input
  // takes over its positions (after a semi or anti join the next input may reuse the same ones).
  const probeExprs = jf.probe.mode.exprs;
  const localTypesOf = (input: JoinInput): readonly SqlType[] =>
    input.kind === 'broadcast' ? input.types : (input.fragment.mode as { exprs: readonly Expr[] }).exprs.map((e) => e.type);
  const states: SqlType[][] = [];
  let cur: SqlType[] = new Array<SqlType>(jf.width).fill(T.int4);
  probeExprs.forEach((e, i) => { cur[jf.probeOffset + i] = e.type; });
  states.push(cur);
  for (const step of jf.steps) {
    const input = jf.inputs[step.input]!;
    cur = cur.slice();
    localTypesOf(input).forEach((t, c) => { cur[input.offset + c] = t; });
    states.push(cur);
  }
  try {
    for (const t of jf.post.scanTypes) layoutOf(t);
    const probe = jf.probe;
    const probeFilter = probe.filter ? compileFilter(probe.filter, probe.scanTypes, ctx) : null;
    const probeResidual = jf.probeResidual ? compileFilter(jf.probeResidual, states[0]!, ctx) : null;
    const inputKernels = jf.inputs.map((input) => {
      if (input.kind === 'broadcast') return null;
      const f = input.fragment;
      return {
        filter: f.filter ? compileFilter(f.filter, f.scanTypes, ctx) : null,
        project: compileProjection((f.mode as { exprs: readonly Expr[] }).exprs, f.scanTypes, ctx),
      };
    });
    // What must stay after each step: the query fragment's columns plus what later steps read.
    const need: Set<number>[] = new Array<Set<number>>(jf.steps.length + 1);
    need[jf.steps.length] = new Set(jf.post.scanColumns);
    for (let s = jf.steps.length - 1; s >= 0; s--) {
      const step = jf.steps[s]!;
      need[s] = new Set([...need[s + 1]!, ...columnsOf([...step.leftKeys, step.residual])]);
    }
    // Only the probe columns something reads are projected (a column used by the scan filter alone is not).
    const residualCols = columnsOf([jf.probeResidual]);
    const probeOutputs = probeExprs.map((_e, i) => i).filter((i) => need[0]!.has(jf.probeOffset + i) || residualCols.has(jf.probeOffset + i));
    const probeProject = compileProjection(probeOutputs.map((i) => probeExprs[i]!), probe.scanTypes, ctx);
    const probeKeep = probeOutputs.map((i) => jf.probeOffset + i);
    const probeCols = new Set(probeKeep);
    const present = new Set(probeKeep);
    const reduceKey = (step: JoinStep, input: JoinInput): PlannedStep['reduceBy'] => {
      if (input.kind !== 'colocated' || step.type === 'anti_na') return null;
      for (let k = 0; k < step.leftKeys.length; k++) {
        const l = step.leftKeys[k]!;
        const r = step.rightKeys[k]!;
        if (l.kind === 'Column' && r.kind === 'Column' && probeCols.has(l.index)) return { pos: l.index, local: r.index };
      }
      return null;
    };
    const steps = jf.steps.map((step, s): PlannedStep => {
      const input = jf.inputs[step.input]!;
      const residualCols = [...columnsOf([step.residual])];
      const localTypes = localTypesOf(input);
      const rightUses = columnsOf(step.rightKeys);
      const inputCols: number[] = [];
      for (let c = 0; c < input.width; c++) {
        const p = input.offset + c;
        if (rightUses.has(c) || residualCols.includes(p) || need[s + 1]!.has(p)) inputCols.push(c);
      }
      for (let c = 0; c < input.width; c++) present.add(input.offset + c);
      const keep = [...present].filter((p) => need[s + 1]!.has(p));
      return {
        step, input,
        leftKeys: step.leftKeys.length > 0 ? compileProjection(step.leftKeys, states[s]!, ctx) : null,
        rightKeys: step.rightKeys.length > 0 ? compileProjection(step.rightKeys, localTypes, ctx) : null,
        residual: step.residual ? compileFilter(step.residual, states[s + 1]!, ctx) : null,
        residualCols, inputCols, keep, localTypes, typesAfter: states[s + 1]!,
        reduceBy: reduceKey(step, input),
        li: new Int32Array(PAIR_CHUNK), ri: new Int32Array(PAIR_CHUNK),
        hashes: new Uint32Array(BATCH_SIZE), nulls: new Uint8Array(BATCH_SIZE), matched: new Uint8Array(BATCH_SIZE),
        sel: new Uint32Array(PAIR_CHUNK), resumeI: 0, resumeJ: -2,
      };
    });
    return { jf, probeFilter, probeProject, probeOutputs, probeResidual, probeKeep, steps, inputKernels };
  } catch (err) {
    // A type with no vector layout (0A000 from layoutOf): the row path evaluates it.
    if (err instanceof SqlError && err.code === SqlState.FEATURE_NOT_SUPPORTED) return null;
    throw err;
  }
}

/** Builds an input's hash table from its rows' vectors. */
function buildSide(ps: PlannedStep, parts: readonly { n: number; cols: readonly (Vector | undefined)[] }[]): BuildSide {
  const input = ps.input;
  let n = 0;
  for (const p of parts) n += p.n;
  const cols: (Vector | undefined)[] = new Array<Vector | undefined>(input.width);
  for (const c of ps.inputCols) {
    const layout = layoutOf(ps.localTypes[c]!);
    cols[c] = concatVectors(parts.map((p) => p.cols[c]!), layout);
  }
  let keyCols: KeyColumn[] = [];
  const hashes = new Uint32Array(n);
  const nulls = new Uint8Array(n);
  let hasNullKey = false;
  // A cross join (no keys) walks the rows in order and never reads the chains.
  let chains: ReturnType<typeof chainRows> = { heads: new Int32Array(0), next: new Int32Array(n), mask: 0 };
  let direct: ReturnType<typeof directRows> = null;
  if (ps.rightKeys !== null) {
    const keys = ps.rightKeys({ length: n, columns: cols as Vector[], selection: null }, null);
    keyCols = keys.map(keyColumn);
    hasNullKey = hashKeys(keys, keyCols, n, hashes, nulls);
    // The hash chains too: a probe whose key column is not an int32 one (a bool key) reads them.
    chains = chainRows(hashes, nulls, n);
    const only = keyCols.length === 1 ? keyCols[0]! : null;
    if (only !== null && only.kind === 'i32' && only.values instanceof Int32Array) direct = directRows(only.values, nulls, n);
  }
  return {
    n, cols, keyCols, hashes, ...chains, hasNullKey, matched: ps.step.trackMatches ? new Uint8Array(n) : null,
    direct: direct?.direct ?? null, directMin: direct?.directMin ?? 0, directNext: direct?.directNext ?? chains.next,
  };
}

/**
 * The probe loop of one step, outside any generator so it optimises: writes up to PAIR_CHUNK
 * matching (probe row, input row) pairs into ps.li / ps.ri from where ps.resumeI / ps.resumeJ left
 * off (resumeJ -2: the row's chain not started), or with `existence` only marks rows that match.
 * Returns the pairs written; ps.resumeI reaches n when the batch is done.
 */
/**
 * How a probe batch's keys meet a build side: one int32 / int64 key (the usual case) compares
 * inline; with a direct table (dense int4 keys) the probe key indexes it and every row of a chain
 * matches.
 */
function probeLayout(t: BuildSide, leftCols: readonly KeyColumn[]) {
  const a = leftCols.length === 1 ? leftCols[0]! : null;
  const b = leftCols.length === 1 ? t.keyCols[0]! : null;
  const a32 = a?.kind === 'i32' ? a.values : null;
  const b32 = b?.kind === 'i32' ? b.values : null;
  const direct = t.direct !== null && a32 instanceof Int32Array ? t.direct : null;
  return {
    a32, b32, a64: a?.kind === 'w64' ? a.words : null, b64: b?.kind === 'w64' ? b.words : null,
    direct, next: direct !== null ? t.directNext : t.next, dmin: t.directMin, drange: direct !== null ? direct.length : 0,
  };
}

function fillPairs(ps: PlannedStep, t: BuildSide, leftCols: readonly KeyColumn[], lh: Uint32Array, ln: Uint8Array, n: number,
  matched: Uint8Array, existence: boolean): number {
  const { li, ri } = ps;
  const keyed = ps.leftKeys !== null;
  const heads = t.heads;
  const hashes = t.hashes;
  const mask = t.mask;
  const count = t.n;
  const { a32, b32, a64, b64, direct, next, dmin, drange } = probeLayout(t, leftCols);
  let c = 0;
  let i = ps.resumeI;
  let j = ps.resumeJ;
  for (; i < n; i++, j = -2) {
    if (j === -2) {
      if (!keyed) j = 0;
      else {
        if (ln[i] !== 0) continue;
        if (direct !== null) { const d = a32![i]! - dmin; j = d >= 0 && d < drange ? direct[d]! : -1; }
        else j = heads[lh[i]! & mask]!;
      }
    }
    const h = lh[i]!;
    while (j >= 0) {
      let eq: boolean;
      if (!keyed || direct !== null) eq = true;
      else if (hashes[j] !== h) eq = false;
      else if (a32 !== null && b32 !== null) eq = a32[i] === b32[j];
      else if (a64 !== null && b64 !== null) eq = a64[2 * i] === b64[2 * j] && a64[2 * i + 1] === b64[2 * j + 1];
      else eq = keysEqual(leftCols, i, t.keyCols, j);
      const nj = keyed ? next[j]! : (j + 1 < count ? j + 1 : -1);
      if (eq) {
        if (existence) { matched[i] = 1; break; }
        li[c] = i;
        ri[c] = j;
        if (++c === PAIR_CHUNK) {
          ps.resumeI = nj >= 0 ? i : i + 1;
          ps.resumeJ = nj >= 0 ? nj : -2;
          return c;
        }
      }
      j = nj;
    }
  }
  ps.resumeI = n;
  ps.resumeJ = -2;
  return c;
}

/** Marks the input rows (t.matched) that some of the `n` probe rows' keys equal; forms no pairs. */
function markMatches(t: BuildSide, leftCols: readonly KeyColumn[], lh: Uint32Array, ln: Uint8Array, n: number): void {
  const matched = t.matched!;
  const { heads, hashes, mask } = t;
  const { a32, b32, direct, next, dmin, drange } = probeLayout(t, leftCols);
  for (let i = 0; i < n; i++) {
    if (ln[i] !== 0) continue;
    const h = lh[i]!;
    let j: number;
    if (direct !== null) { const d = a32![i]! - dmin; j = d >= 0 && d < drange ? direct[d]! : -1; } else j = heads[h & mask]!;
    for (; j >= 0; j = next[j]!) {
      if (matched[j] === 1) continue;
      if (direct !== null || (hashes[j] === h && (a32 !== null && b32 !== null ? a32[i] === b32[j] : keysEqual(leftCols, i, t.keyCols, j)))) matched[j] = 1;
    }
  }
}

/** The joined columns of a batch: one slot per joined-row position, undefined where not kept. */
type Columns = (Vector | undefined)[];

/**
 * Runs the steps over one probe batch, depth first, yielding the query fragment's input batches
 * (columns = post.scanColumns).
 */
class StepRunner {
  /** Per step: rows it passed on (EXPLAIN ANALYZE), when recording. */
  stepRows: OperatorStats[] | null = null;

  constructor(private readonly plan: BatchJoinPlan, private readonly tables: readonly BuildSide[], private readonly parts: readonly (Partitioning | null)[] = []) {}

  *run(s: number, cols: Columns, n: number): Generator<Batch> {
    const { plan } = this;
    if (s === plan.steps.length) {
      const post = plan.jf.post;
      const out = post.scanColumns.map((p, i) => cols[p] ?? allNullVector(layoutOf(post.scanTypes[i]!), n));
      yield { length: n, columns: out, selection: null };
      return;
    }
    const ps = plan.steps[s]!;
    const t = this.tables[s]!;
    const type = ps.step.type;
    // NOT IN over an input holding a NULL key: unknown for every row, so none qualifies.
    if (type === 'anti_na' && t.n > 0 && t.hasNullKey) return;
    const matched = ps.matched.length >= n ? ps.matched : (ps.matched = new Uint8Array(n));
    matched.fill(0, 0, n);
    const batch: Batch = { length: n, columns: cols as Vector[], selection: null };
    let leftCols: KeyColumn[] = [];
    let lh = ps.hashes;
    let ln = ps.nulls;
    if (ps.leftKeys !== null) {
      if (lh.length < n) { lh = ps.hashes = new Uint32Array(n); ln = ps.nulls = new Uint8Array(n); }
      const keys = ps.leftKeys(batch, null);
      leftCols = keys.map(keyColumn);
      hashKeys(keys, leftCols, n, lh, ln);
      const part = this.parts[s] ?? null;
      if (part !== null) {
        // A partitioned step: only the rows whose key falls in this pass go on (a NULL key: pass 0).
        const idx = new Int32Array(n);
        let kept = 0;
        for (let i = 0; i < n; i++) if ((ln[i] !== 0 ? 0 : passOf(lh[i]!, part.passes)) === part.pass) idx[kept++] = i;
        if (kept === 0) return;
        if (kept < n) {
          const narrowed: Columns = new Array<Vector | undefined>(cols.length);
          for (let p = 0; p < cols.length; p++) if (cols[p] !== undefined) narrowed[p] = gatherVector(cols[p]!, idx, kept);
          yield* this.run(s, narrowed, kept);
          return;
        }
      }
    }
    if (ps.step.matchesOnly === true && t.matched !== null && ps.residual === null && ps.leftKeys !== null) {
      if (t.n > 0) markMatches(t, leftCols, lh, ln, n);
      return;
    }
    const li = ps.li;
    const ri = ps.ri;
    const existence = type !== 'inner' && type !== 'left' && ps.residual === null;
    if (t.n > 0) {
      ps.resumeI = 0;
      ps.resumeJ = -2;
      while (ps.resumeI < n) {
        const c = fillPairs(ps, t, leftCols, lh, ln, n, matched, existence);
        if (c > 0) yield* this.pairs(s, cols, c);
      }
    }
    if (type === 'inner') return;
    // Rows decided by whether they matched: the preserved rows of a left join (input columns NULL),
    // semi and anti joins (input columns absent).
    let k = 0;
    for (let i = 0; i < n; i++) {
      let keepRow: boolean;
      if (type === 'semi') keepRow = matched[i] === 1;
      else if (type === 'anti_na') keepRow = matched[i] === 0 && (ln[i] === 0 || ps.leftKeys === null || t.n === 0);
      else keepRow = matched[i] === 0;
      if (!keepRow) continue;
      li[k] = i;
      ri[k] = -1;
      if (++k === PAIR_CHUNK) {
        yield* this.emit(s, cols, k);
        k = 0;
      }
    }
    if (k > 0) yield* this.emit(s, cols, k);
  }

  /** Candidate pairs li/ri[0, c): the residual decides; inner and left joins pass them on. */
  private *pairs(s: number, cols: Columns, c: number): Generator<Batch> {
    const ps = this.plan.steps[s]!;
    const t = this.tables[s]!;
    const { li, ri } = ps;
    if (ps.residual !== null) {
      const mini: (Vector | undefined)[] = new Array<Vector | undefined>(cols.length);
      for (const p of ps.residualCols) {
        const local = p - ps.input.offset;
        mini[p] = local >= 0 && local < ps.input.width ? gatherVector(t.cols[local]!, ri, c) : gatherVector(cols[p]!, li, c);
      }
      const kept = ps.residual({ length: c, columns: mini as Vector[], selection: null }, null, ps.sel);
      for (let k = 0; k < kept; k++) { const x = ps.sel[k]!; li[k] = li[x]!; ri[k] = ri[x]!; }
      c = kept;
    }
    const type = ps.step.type;
    if (type !== 'inner' && type !== 'left') {
      for (let k = 0; k < c; k++) ps.matched[li[k]!] = 1;
      return;
    }
    if (type === 'left') for (let k = 0; k < c; k++) ps.matched[li[k]!] = 1;
    if (t.matched !== null) for (let k = 0; k < c; k++) t.matched[ri[k]!] = 1;
    if (c > 0) yield* this.emit(s, cols, c);
  }

  /** Gathers the kept columns of pairs li/ri[0, c) (ri -1: the input's columns NULL) and goes on. */
  private *emit(s: number, cols: Columns, c: number): Generator<Batch> {
    const ps = this.plan.steps[s]!;
    const t = this.tables[s]!;
    const out: Columns = new Array<Vector | undefined>(cols.length);
    const rightKept = ps.step.type === 'inner' || ps.step.type === 'left';
    // Every row of the batch once, in order (a key join where each row found one match, or a left
    // join none): the batch's own columns go on as they are.
    const li = ps.li;
    let inOrder = cols.length > 0 && c === (cols.find((v) => v !== undefined)?.length ?? -1);
    for (let k = 0; inOrder && k < c; k++) if (li[k] !== k) inOrder = false;
    for (const p of ps.keep) {
      const local = p - ps.input.offset;
      if (local >= 0 && local < ps.input.width) {
        const v = rightKept ? t.cols[local] : undefined;
        out[p] = v === undefined ? allNullVector(layoutOf(ps.typesAfter[p]!), c) : gatherOrNull(v, ps.ri, c);
      } else {
        out[p] = inOrder ? cols[p]! : gatherVector(cols[p]!, li, c);
      }
    }
    // The next step reuses nothing of this one's scratch, so li/ri may be overwritten after this.
    if (this.stepRows) this.stepRows[s]!.rows += c;
    yield* this.run(s + 1, out, c);
  }
}

/**
 * A step whose input did not fit the slice's memory, joined in `passes` passes: pass p builds the
 * input's rows whose key hash falls in p and probes with the rows whose key does (NULL keys: pass 0),
 * so every probe row meets every input row it can match exactly once. Several steps may be split:
 * the join then runs once per combination of their passes.
 */
interface Partitioning {
  readonly passes: number;
  pass: number;
}

/** The pass a key hash belongs to (bits the hash table's bucket index does not use first). */
function passOf(h: number, passes: number): number {
  return (fmix32(h ^ 0x5bd1e995) >>> 0) % passes;
}

/** Rows of an input on their way to its hash table: input-local column vectors. */
type Part = { readonly n: number; readonly cols: readonly (Vector | undefined)[] };

/** `building` while probe rows are buffered (to cut co-located inputs to their keys). */
const PROBE_BUFFER = -2;

/** Most passes one input is split into (a power of two); past it the join gives up with 53200. */
const MAX_PASSES = 256;
/** Most passes over the probe in all (several inputs split). */
const MAX_TOTAL_PASSES = 4096;

/** What a fragment reads, for operator stats ("table N" is shown with the table's name). */
function sourceName(f: Fragment): string {
  return f.exchange !== undefined ? 'redistributed rows' : `table ${f.tableOid}`;
}

function isOutOfMemory(err: unknown): boolean {
  return err instanceof SqlError && err.code === SqlState.OUT_OF_MEMORY;
}

/**
 * Runs a planned join over this node's slices of the probe table; yields the batches the query's
 * fragment consumes. Broadcast rows that matched are added to `matchedInputRows`. An input whose
 * hash table outgrows the slice's memory budget is joined in passes (see {@link Partitioning}),
 * each re-reading the probe and that input, so memory stays bounded whatever the input's size.
 */
export async function* runBatchJoin(plan: BatchJoinPlan, sources: BatchJoinSources, signal?: AbortSignal,
  matchedInputRows?: Set<number>, stats?: StatsRecorder, memoryCells = DEFAULT_SLICE_CELLS): AsyncGenerator<Batch> {
  const { jf } = plan;
  let budget = new MemoryBudget(memoryCells, SLICE_PLACE);
  /** The step being built when the budget ran out. */
  let building = -1;
  /** Cells each step's hash table holds (or held when the budget ran out). */
  const held = new Float64Array(plan.steps.length);

  /** Keeps the rows of `p` whose key falls in the partitioning's pass; notes whether any key is NULL. */
  const inPass = (ps: PlannedStep, p: Part, part: Partitioning, nulls: { seen: boolean }): Part => {
    const keys = ps.rightKeys!({ length: p.n, columns: p.cols as Vector[], selection: null }, null);
    const hashes = new Uint32Array(p.n);
    const isNull = new Uint8Array(p.n);
    if (hashKeys(keys, keys.map(keyColumn), p.n, hashes, isNull)) nulls.seen = true;
    const idx = new Int32Array(p.n);
    let kept = 0;
    for (let i = 0; i < p.n; i++) if (isNull[i] === 0 && passOf(hashes[i]!, part.passes) === part.pass) idx[kept++] = i;
    if (kept === p.n) return p;
    const cols: (Vector | undefined)[] = new Array<Vector | undefined>(p.cols.length);
    for (const c of ps.inputCols) cols[c] = gatherVector(p.cols[c]!, idx, kept);
    return { n: kept, cols };
  };

  /** Builds step s's hash table from its input's parts (just this pass's rows when partitioned). */
  const build = async (s: number, parts: AsyncIterable<Part>): Promise<BuildSide> => {
    const ps = plan.steps[s]!;
    const part = partitions[s] ?? null;
    building = s;
    held[s] = 0;
    const nulls = { seen: false };
    const kept: Part[] = [];
    for await (const whole of parts) {
      signal?.throwIfAborted();
      const p = part !== null ? inPass(ps, whole, part, nulls) : whole;
      if (p.n === 0) continue;
      held[s]! += p.n * ps.inputCols.length;
      budget.charge(p.n, ps.inputCols.length);
      kept.push(p);
    }
    building = -1;
    const t = buildSide(ps, kept);
    return nulls.seen && !t.hasNullKey ? { ...t, hasNullKey: true } : t;
  };
  async function* tableParts(ps: PlannedStep, batches: AsyncIterable<Batch>, stat?: OperatorStats, only?: KeySet | null): AsyncGenerator<Part> {
    const kernels = plan.inputKernels[ps.step.input]!;
    for await (const projectedPart of projected(stat ? countRowsIn(batches, stat) : batches, kernels.filter, kernels.project)) {
      yield only ? only.keep(projectedPart, ps.reduceBy!.local, ps.inputCols) : projectedPart;
    }
  }
  async function* broadcastParts(ps: PlannedStep): AsyncGenerator<Part> {
    const input = ps.input as Extract<JoinInput, { kind: 'broadcast' }>;
    if (input.batch) { yield { n: input.batch.length, cols: input.batch.columns }; return; }
    const rows = input.rows as Datum[][];
    const cols: (Vector | undefined)[] = new Array<Vector | undefined>(input.width);
    for (const c of ps.inputCols) cols[c] = vectorFromRows(ps.localTypes[c]!, rows, c);
    yield { n: rows.length, cols };
  }

  /** Step s's input rows, as parts. */
  const stepParts = (slice: number, s: number, stat?: OperatorStats, only?: KeySet | null): AsyncIterable<Part> => {
    const ps = plan.steps[s]!;
    const input = ps.input;
    return input.kind === 'broadcast' ? broadcastParts(ps)
      : tableParts(ps, input.kind === 'replicated' ? sources.scanNodeCopy(input.fragment) : sources.scanSlice(input.fragment, slice), stat, only);
  };

  /**
   * How many passes step s's input needs so that each pass's share (by key hash) fits in half the
   * budget: a sizing scan counts the cells per 1/256th of the key space. 0 when none would (one key
   * holding too many rows).
   */
  const passesFor = async (slice: number, s: number): Promise<number> => {
    const ps = plan.steps[s]!;
    const cells = new Float64Array(MAX_PASSES);
    let hashes = new Uint32Array(0);
    let isNull = new Uint8Array(0);
    for await (const p of stepParts(slice, s)) {
      signal?.throwIfAborted();
      if (hashes.length < p.n) { hashes = new Uint32Array(p.n); isNull = new Uint8Array(p.n); }
      const keys = ps.rightKeys!({ length: p.n, columns: p.cols as Vector[], selection: null }, null);
      hashKeys(keys, keys.map(keyColumn), p.n, hashes, isNull);
      for (let i = 0; i < p.n; i++) if (isNull[i] === 0) cells[passOf(hashes[i]!, MAX_PASSES)]! += ps.inputCols.length;
    }
    for (let passes = 2; passes <= MAX_PASSES; passes *= 2) {
      const share = new Float64Array(passes);
      for (let b = 0; b < MAX_PASSES; b++) share[b & (passes - 1)]! += cells[b]!;
      let most = 0;
      for (const c of share) most = Math.max(most, c);
      if (most <= memoryCells / 2) return passes;
    }
    return 0;
  };

  /** Times building step s's hash table into a stat of its own. */
  const timed = async (slice: number, s: number, only: KeySet | null): Promise<BuildSide> => {
    const ps = plan.steps[s]!;
    const input = ps.input;
    const part = partitions[s];
    const partitioned = part ? ` (pass ${part.pass + 1} of ${part.passes})` : '';
    const stat = stats?.add(slice, `hash ${input.kind} input ${ps.step.input}${input.kind === 'broadcast' ? '' : ` (${sourceName(input.fragment)})`}${partitioned}`);
    const started = performance.now();
    const t = await build(s, stepParts(slice, s, stat, only));
    if (stat) { stat.rows = t.n; stat.ms = performance.now() - started; if (input.kind === 'broadcast') stat.rowsIn = t.n; }
    return t;
  };

  // Tables of broadcast and ALL inputs are the same on every slice of this node: built once
  // (unless partitioned: then per pass).
  const shared: (BuildSide | null)[] = plan.steps.map(() => null);
  /** Steps joined in passes, by step. */
  const partitions: (Partitioning | null)[] = plan.steps.map(() => null);
  /** Probe rows are not buffered to cut co-located inputs to their keys (that buffer did not fit). */
  let noReduce = false;
  let work = 0;
  for (const slice of sources.slices) {
    for (;;) {
      let produced = false;
      try {
        for await (const out of joinSlice(slice)) {
          produced = true;
          yield out;
          work += out.length;
          if (work >= PAIRS_PER_YIELD) {
            work = 0;
            await yieldToEventLoop();
            signal?.throwIfAborted();
          }
        }
        break;
      } catch (err) {
        // Out of memory before any row went out: split the input being built into as many passes
        // as its keys need, or stop buffering probe rows. Not an input whose matches are tracked by
        // row (a flipped join's), nor a cross join's, nor one split already.
        if (!isOutOfMemory(err) || produced) throw err;
        if (building === PROBE_BUFFER && !noReduce) noReduce = true;
        else {
          // The input holding the most of the budget is split (not necessarily the one that hit it).
          let s = -1;
          for (let k = 0; k < plan.steps.length; k++) {
            const ps = plan.steps[k]!;
            if (partitions[k] !== null || ps.rightKeys === null || ps.step.trackMatches === true) continue;
            if (s < 0 || held[k]! > held[s]!) s = k;
          }
          if (s < 0 || held[s] === 0) throw err;
          building = -1;
          const passes = await passesFor(slice, s);
          if (passes === 0 || totalPasses() * passes > MAX_TOTAL_PASSES) throw err;
          partitions[s] = { passes, pass: 0 };
        }
        held.fill(0);
        budget = new MemoryBudget(memoryCells, SLICE_PLACE);
        building = -1;
        shared.fill(null);
      }
    }
  }
  if (matchedInputRows) {
    for (const t of shared) {
      if (t?.matched) for (let j = 0; j < t.n; j++) if (t.matched[j] === 1) matchedInputRows.add(j);
    }
  }

  function totalPasses(): number {
    let n = 1;
    for (const p of partitions) if (p) n *= p.passes;
    return n;
  }

  /** One slice's join, once per combination of the partitioned steps' passes (once when none is). */
  async function* joinSlice(slice: number): AsyncGenerator<Batch> {
    const total = totalPasses();
    for (let combo = 0; combo < total; combo++) {
      // The combination's pass of each partitioned step (mixed radix); inputs whose pass changed are rebuilt.
      let rest = combo;
      for (let s = 0; s < partitions.length; s++) {
        const part = partitions[s];
        if (!part) continue;
        const pass = rest % part.passes;
        rest = Math.floor(rest / part.passes);
        if (pass !== part.pass || combo === 0) {
          part.pass = pass;
          if (shared[s] !== null) {
            budget.release(shared[s]!.n, plan.steps[s]!.inputCols.length);
            shared[s] = null;
          }
        }
      }
      for (let s = 0; s < plan.steps.length; s++) {
        if (plan.steps[s]!.input.kind !== 'colocated' && shared[s] === null) shared[s] = await timed(-1, s, null);
      }
      yield* passOfSlice(slice);
    }
  }

  async function* passOfSlice(slice: number): AsyncGenerator<Batch> {
    const total = totalPasses();
    const probeStat = stats?.add(slice, `scan ${sourceName(jf.probe)} (probe)${total === 1 ? '' : ` (${total} passes)`}`);
    const started = performance.now();
    let sel = new Uint32Array(BATCH_SIZE);
    const scan = sources.scanSlice(jf.probe, slice);
    const probeBatches = projected(probeStat ? countRowsIn(scan, probeStat) : scan, plan.probeFilter, plan.probeProject)[Symbol.asyncIterator]();
    /** The next probe batch as joined-row columns, its residual applied; null at the end. */
    const nextProbe = async (): Promise<{ cols: Columns; n: number } | null> => {
      for (;;) {
        const r = await probeBatches.next();
        if (r.done) return null;
        signal?.throwIfAborted();
        const p = r.value;
        let cols: Columns = new Array<Vector | undefined>(jf.width);
        for (let k = 0; k < p.cols.length; k++) cols[jf.probeOffset + plan.probeOutputs[k]!] = p.cols[k];
        let n = p.n;
        if (plan.probeResidual !== null) {
          if (sel.length < n) sel = new Uint32Array(n);
          const kept = plan.probeResidual({ length: n, columns: cols as Vector[], selection: null }, null, sel);
          if (kept === 0) continue;
          if (kept < n) {
            const idx = new Int32Array(sel.buffer, 0, kept);
            const next: Columns = new Array<Vector | undefined>(jf.width);
            for (const q of plan.probeKeep) next[q] = gatherVector(cols[q]!, idx, kept);
            cols = next;
            n = kept;
          }
        }
        if (probeStat) probeStat.rows += n;
        return { cols, n };
      }
    };

    // Co-located inputs joined on a probe column are built after the probe's rows are known, when
    // those are few (REDUCE_MAX_ROWS per slice): only rows with a key the probe holds are kept (TPC-H
    // Q21 builds its two lineitem inputs from the orders of the 75,000 late lineitems, not all 3M).
    const buffered: { cols: Columns; n: number }[] = [];
    let bufferedRows = 0;
    let probeDone = false;
    const reducible = !noReduce && total === 1 && plan.steps.some((ps) => ps.reduceBy !== null);
    if (reducible) {
      while (bufferedRows <= REDUCE_MAX_ROWS) {
        const b = await nextProbe();
        if (b === null) { probeDone = true; break; }
        building = PROBE_BUFFER;
        budget.charge(b.n, plan.probeKeep.length);
        building = -1;
        buffered.push(b);
        bufferedRows += b.n;
      }
    }
    const tables: BuildSide[] = [];
    let sliceCells = 0;
    for (let s = 0; s < plan.steps.length; s++) {
      const ps = plan.steps[s]!;
      if (ps.input.kind !== 'colocated') { tables.push(shared[s]!); continue; }
      const only = probeDone && ps.reduceBy !== null ? KeySet.of(buffered.map((b) => b.cols[ps.reduceBy!.pos]!)) : null;
      const t = await timed(slice, s, only);
      sliceCells += t.n * ps.inputCols.length;
      tables.push(t);
    }
    const runner = new StepRunner(plan, tables, partitions);
    runner.stepRows = stats ? plan.steps.map((ps, s) => stats.add(slice, `join step ${s} (${ps.step.type}, input ${ps.step.input})`)) : null;
    for (let i = 0; ; i++) {
      const b = i < buffered.length ? buffered[i]! : probeDone ? null : await nextProbe();
      if (b === null) break;
      if (i < buffered.length) buffered[i] = { cols: [], n: 0 };
      yield* runner.run(0, b.cols, b.n);
    }
    if (probeStat) probeStat.ms = performance.now() - started;
    budget.release(sliceCells, 1);
    budget.release(bufferedRows, plan.probeKeep.length);
  }
}
