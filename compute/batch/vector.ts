// Column vectors: the in-memory layout every slice computes on, storage decodes into and
// exchanges carry. One typed array per column plus a null byte-map; no per-row objects.
//
// Layout by SQL type:
//   bool                         → 'bool'    Uint8Array (0/1)
//   int2, int4, date             → 'int32'   Int32Array (date: days since 1970-01-01)
//   int8, timestamp, timestamptz → 'int64'   BigInt64Array (timestamps: µs since 1970-01-01 UTC)
//   float4, float8               → 'float64' Float64Array (float4 values are Math.fround-ed)
//   numeric(p,s), p ≤ 15         → 'decimal' Float64Array of exact scaled integers (value·10^s, |v| < 2^53)
//   numeric(p,s), p > 15; numeric→ 'bigdecimal' bigint[] of scaled integers + a per-value scale
//   char, varchar, text          → 'string'  UTF-8 bytes with Int32Array offsets (n+1 entries)
//
// `nulls` is null when the vector has no NULLs, else a Uint8Array with 1 at each NULL row; the
// value slot of a NULL row holds an unspecified placeholder (0 / empty).

/** Which physical layout a vector has. */
export type VectorKind = 'bool' | 'int32' | 'int64' | 'float64' | 'decimal' | 'bigdecimal' | 'string';

interface VectorBase {
  /** Number of rows. */
  readonly length: number;
  /** 1 marks a NULL row; null means no NULLs at all. */
  readonly nulls: Uint8Array | null;
}

export interface BoolVector extends VectorBase { readonly kind: 'bool'; readonly values: Uint8Array }
export interface Int32Vector extends VectorBase { readonly kind: 'int32'; readonly values: Int32Array }
export interface Int64Vector extends VectorBase { readonly kind: 'int64'; readonly values: BigInt64Array }
export interface Float64Vector extends VectorBase { readonly kind: 'float64'; readonly values: Float64Array }
/** numeric(p ≤ 15, s): values[i] / 10^scale, exact because |values[i]| < 2^53. */
export interface DecimalVector extends VectorBase { readonly kind: 'decimal'; readonly values: Float64Array; readonly scale: number }
/** Wide or unconstrained numeric: values[i] / 10^scales[i]. */
export interface BigDecimalVector extends VectorBase { readonly kind: 'bigdecimal'; readonly values: bigint[]; readonly scales: Uint16Array }
/**
 * UTF-8 strings: row i is bytes[offsets[i] .. offsets[i+1]). A scan may deliver a dictionary-encoded
 * block's rows as `dictionary` (row i is entry codes[i]), building offsets and bytes only when
 * something reads them: compiled kernels read the entries through the codes instead.
 */
export interface StringVector extends VectorBase {
  readonly kind: 'string';
  readonly offsets: Int32Array;
  readonly bytes: Uint8Array;
  readonly dictionary?: StringDictionary;
}

/** Rows as codes into a block's distinct strings (`entries` has no NULLs; a NULL row's code is any valid one). */
export interface StringDictionary {
  readonly codes: Int32Array;
  readonly entries: StringVector;
}

/** One column of a batch. */
export type Vector = BoolVector | Int32Vector | Int64Vector | Float64Vector | DecimalVector | BigDecimalVector | StringVector;
