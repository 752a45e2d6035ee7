// Arrow IPC codec for column batches: one stream (schema + one record batch) per encoded batch.
//
// Layout on the wire, per vector kind (field metadata `colonnade.kind` names the kind; decoding
// falls back to the Arrow type for streams written by others):
//   bool        → Bool     values bit-packed (LSB first); our 0/1 byte map is packed and unpacked
//   int32       → Int32    values as is (zero-copy both ways where the rows are contiguous)
//   int64       → Int64    values as is
//   float64     → Float64  values as is
//   decimal     → Float64  the exact scaled integers as is; `colonnade.scale` holds the scale
//   bigdecimal  → Utf8     plain decimal text ("-12.300"): digits after the point give the scale
//   string      → Utf8     our Int32 offsets + UTF-8 bytes are Arrow's Utf8 layout already
//   (any kind)  → Null     when every encoded row is NULL: no buffers; decoded as that kind
// NULLs travel as Arrow validity bitmaps (bit set = valid, LSB first), sized to a multiple of 8
// bytes so the writer never re-pads them; a column with no NULL among the encoded rows has none.
// Decoded vectors are views into `bytes` where Arrow found the body 8-byte aligned, else into one
// aligned copy of the message body that apache-arrow makes; bitmaps are unpacked into new arrays.
import {
  Bool, DataType, Field, Float64, Int32, Int64, Null, Precision, RecordBatch, RecordBatchReader,
  RecordBatchStreamWriter, Schema, Struct, Utf8, makeData, type Data,
} from 'apache-arrow';
import { dataCorrupted, featureNotSupported, internalError, SqlError, SqlState } from '../../common/errors/index.ts';
import type { Batch } from '../batch/batch.ts';
import type { BigDecimalVector, StringVector, Vector, VectorKind } from '../batch/vector.ts';
import { zeroVector } from '../../storage/vector-ops.ts';

/** Field metadata key holding the Colonnade vector kind. */
export const KIND_KEY = 'colonnade.kind';
/** Field metadata key holding a 'decimal' vector's scale. */
export const SCALE_KEY = 'colonnade.scale';

/** Strings at least this long are copied with `set(subarray)`; shorter ones word by word. */
const LONG_STRING = 64;
/** Largest byte length an Arrow Utf8 column (Int32 offsets) can hold. */
const MAX_UTF8_BYTES = 0x7fffffff;

const CH_MINUS = 45;
const CH_DOT = 46;
const CH_ZERO = 48;
/** 10n ** i for i in 0..15: folds the 15-digit chunks of a bigdecimal's text into a bigint. */
const POW10_BIG: readonly bigint[] = Array.from({ length: 16 }, (_, i) => 10n ** BigInt(i));

/**
 * Which rows to encode: a list (gather) or a contiguous range [start, start+count) that is passed
 * to Arrow as views without copying.
 */
interface RowPick {
  readonly list: Uint32Array | null;
  readonly start: number;
  readonly count: number;
}

/**
 * Serialises the live rows of `batch` as an Arrow IPC stream (schema message + one record batch
 * + end-of-stream marker). With `rows`, exactly rows[0..rowCount) are written in that order
 * (repeats allowed) and `selection` is ignored; otherwise the selection, or all rows. Row lists
 * that turn out contiguous are sent as views, without gathering.
 */
export function encodeBatch(batch: Batch, rows?: Uint32Array, rowCount?: number): Uint8Array {
  const pick = resolveRows(batch, rows, rowCount);
  const fields: Field[] = [];
  const children: Data[] = [];
  for (let colIdx = 0; colIdx < batch.columns.length; colIdx++) {
    const vector = batch.columns[colIdx]!;
    if (vector.length < batch.length) {
      throw internalError(`column ${colIdx} has ${vector.length} rows, batch has ${batch.length}`);
    }
    const metadata = new Map<string, string>([[KIND_KEY, vector.kind]]);
    if (vector.kind === 'decimal') metadata.set(SCALE_KEY, String(vector.scale));
    const data = encodeVector(vector, pick);
    fields.push(new Field(`c${colIdx}`, data.type, true, metadata));
    children.push(data);
  }
  const schema = new Schema(fields);
  const struct = makeData({ type: new Struct(fields), length: pick.count, nullCount: 0, children });
  const writer = new RecordBatchStreamWriter();
  writer.write(new RecordBatch(schema, struct));
  writer.finish();
  return writer.toUint8Array(true);
}

/**
 * Decodes one Arrow IPC stream written by `encodeBatch` (or any stream of one record batch of
 * Bool/Int32/Int64/Float64/Utf8 columns) into a Batch with `selection: null`. Fixed-width values
 * and string offsets/bytes are views into `bytes` (or into apache-arrow's aligned copy of the
 * body), so the caller must not overwrite `bytes` while the batch is in use.
 */
export function decodeBatch(bytes: Uint8Array): Batch {
  let schema: Schema;
  let records: RecordBatch[];
  try {
    const reader = RecordBatchReader.from(bytes).open();
    schema = reader.schema; // read first: the reader forgets it once drained
    records = reader.readAll();
  } catch (err) {
    if (err instanceof SqlError) throw err;
    throw dataCorrupted('invalid Arrow IPC stream', { detail: err instanceof Error ? err.message : String(err) });
  }
  if (records.length > 1) throw dataCorrupted(`expected one Arrow record batch, got ${records.length}`);
  const record = records.length === 1 ? records[0]! : null;
  const fields = schema.fields;
  const length = record === null ? 0 : record.numRows;
  const columns: Vector[] = [];
  for (let colIdx = 0; colIdx < fields.length; colIdx++) {
    const field = fields[colIdx]!;
    const kind = kindOf(field);
    const scale = kind === 'decimal' ? scaleOf(field) : 0;
    const data = record === null ? null : record.data.children[colIdx];
    columns.push(data ? decodeVector(kind, scale, data, length) : emptyVector(kind, scale));
  }
  return { length, columns, selection: null };
}

// ---- encoding ----------------------------------------------------------------------------

/** Picks the rows to encode and checks them against the batch once, so the gather loops need not. */
function resolveRows(batch: Batch, rows: Uint32Array | undefined, rowCount: number | undefined): RowPick {
  let list: Uint32Array;
  if (rows !== undefined) {
    const count = rowCount ?? rows.length;
    if (!Number.isInteger(count) || count < 0 || count > rows.length) {
      throw internalError(`row count ${count} outside the row list of ${rows.length}`);
    }
    list = rows.subarray(0, count);
  } else if (batch.selection !== null) {
    list = batch.selection;
  } else {
    return { list: null, start: 0, count: batch.length };
  }
  const count = list.length;
  if (count === 0) return { list: null, start: 0, count: 0 };
  const first = list[0]!;
  let max = first;
  let contiguous = true;
  for (let rowIdx = 1; rowIdx < count; rowIdx++) {
    const row = list[rowIdx]!;
    if (row !== first + rowIdx) contiguous = false;
    if (row > max) max = row;
  }
  if (max >= batch.length) throw internalError(`row ${max} outside a batch of ${batch.length} rows`);
  return contiguous ? { list: null, start: first, count } : { list, start: 0, count };
}

/** Builds the Arrow Data for the picked rows of one vector. */
function encodeVector(vector: Vector, pick: RowPick): Data {
  const { list, start, count } = pick;
  let nullBitmap: Uint8Array | undefined;
  let nullCount = 0;
  if (vector.nulls !== null) {
    const nullBits = packNonZero(vector.nulls, pick);
    nullCount = countBits(nullBits, count);
    // Nothing but NULLs (a join input's column nobody reads): Arrow's Null type, no buffers at all.
    if (nullCount === count && count > 0) return makeData({ type: new Null(), length: count, nullCount: count });
    if (nullCount > 0) nullBitmap = invertBits(nullBits, count);
  }
  switch (vector.kind) {
    case 'bool':
      return makeData({ type: new Bool(), length: count, nullCount, nullBitmap, data: packNonZero(vector.values, pick) });
    case 'int32': {
      const data = list === null ? vector.values.subarray(start, start + count) : gatherInt32(vector.values, list);
      return makeData({ type: new Int32(), length: count, nullCount, nullBitmap, data });
    }
    case 'int64': {
      const data = list === null ? vector.values.subarray(start, start + count) : gatherInt64(vector.values, list);
      return makeData({ type: new Int64(), length: count, nullCount, nullBitmap, data });
    }
    case 'float64':
    case 'decimal': {
      const data = list === null ? vector.values.subarray(start, start + count) : gatherFloat64(vector.values, list);
      return makeData({ type: new Float64(), length: count, nullCount, nullBitmap, data });
    }
    case 'string': {
      const { offsets, bytes } = list === null ? sliceStrings(vector, start, count) : gatherStrings(vector, list);
      return makeData({ type: new Utf8(), length: count, nullCount, nullBitmap, valueOffsets: offsets, data: bytes });
    }
    case 'bigdecimal': {
      const { offsets, bytes } = formatBigDecimals(vector, pick);
      return makeData({ type: new Utf8(), length: count, nullCount, nullBitmap, valueOffsets: offsets, data: bytes });
    }
  }
}

/**
 * Packs the picked rows of a byte map into LSB-first bits, 1 where the byte is non-zero
 * (`(0 - x) >>> 31` is 1 exactly for x > 0): bool values as they are, NULL maps before
 * `invertBits`. The bitmap is padded to a multiple of 8 bytes, as Arrow's writer wants.
 */
function packNonZero(bytes: Uint8Array, pick: RowPick): Uint8Array {
  const { list, start, count } = pick;
  const bitmap = new Uint8Array(((count + 63) >>> 6) << 3);
  for (let rowIdx = 0; rowIdx < count; rowIdx += 8) {
    const end = Math.min(rowIdx + 8, count);
    let bits = 0;
    if (list === null) {
      for (let bitIdx = 0; rowIdx + bitIdx < end; bitIdx++) bits |= ((0 - bytes[start + rowIdx + bitIdx]!) >>> 31) << bitIdx;
    } else {
      for (let bitIdx = 0; rowIdx + bitIdx < end; bitIdx++) bits |= ((0 - bytes[list[rowIdx + bitIdx]!]!) >>> 31) << bitIdx;
    }
    bitmap[rowIdx >>> 3] = bits;
  }
  return bitmap;
}

/** Turns NULL bits into Arrow validity bits in place, leaving the bits past `count` zero. */
function invertBits(bitmap: Uint8Array, count: number): Uint8Array {
  const whole = count >>> 3;
  for (let byteIdx = 0; byteIdx < whole; byteIdx++) bitmap[byteIdx] = ~bitmap[byteIdx]! & 0xff;
  if ((count & 7) !== 0) bitmap[whole] = ~bitmap[whole]! & ((1 << (count & 7)) - 1);
  return bitmap;
}

/** Set bits per byte value. */
const BIT_COUNT: Uint8Array = (() => {
  const table = new Uint8Array(256);
  for (let byte = 1; byte < 256; byte++) table[byte] = (byte & 1) + table[byte >>> 1]!;
  return table;
})();

/** Set bits among the first `count` bits of a bitmap whose trailing bits are zero. */
function countBits(bitmap: Uint8Array, count: number): number {
  let set = 0;
  const bytes = (count + 7) >>> 3;
  for (let byteIdx = 0; byteIdx < bytes; byteIdx++) set += BIT_COUNT[bitmap[byteIdx]!]!;
  return set;
}

// One gather per typed-array type keeps each loop monomorphic.

function gatherInt32(src: Int32Array, list: Uint32Array): Int32Array {
  const out = new Int32Array(list.length);
  for (let rowIdx = 0; rowIdx < list.length; rowIdx++) out[rowIdx] = src[list[rowIdx]!]!;
  return out;
}

function gatherInt64(src: BigInt64Array, list: Uint32Array): BigInt64Array {
  const out = new BigInt64Array(list.length);
  for (let rowIdx = 0; rowIdx < list.length; rowIdx++) out[rowIdx] = src[list[rowIdx]!]!;
  return out;
}

function gatherFloat64(src: Float64Array, list: Uint32Array): Float64Array {
  const out = new Float64Array(list.length);
  for (let rowIdx = 0; rowIdx < list.length; rowIdx++) out[rowIdx] = src[list[rowIdx]!]!;
  return out;
}

/** Offsets and bytes of a contiguous row range, as views: Arrow's writer rebases the offsets. */
function sliceStrings(vector: StringVector, start: number, count: number): { offsets: Int32Array; bytes: Uint8Array } {
  if (count === 0) return { offsets: new Int32Array(1), bytes: new Uint8Array(0) };
  return { offsets: vector.offsets.subarray(start, start + count + 1), bytes: vector.bytes };
}

/**
 * Copies the listed strings into fresh offsets (starting at 0) and bytes. Strings move 8 bytes at
 * a time through DataViews (about twice as fast as a byte loop for short strings, and no view
 * object per row as `set(subarray)` would need), over-copying up to 7 bytes past each string's
 * end: the next string overwrites them and the output has 8 bytes of slack for the last one.
 * Rows that end within 8 bytes of the source's end are copied byte by byte so reads stay in bounds;
 * long strings go through `set`, whose memcpy beats the word loop once the view is paid for.
 */
function gatherStrings(vector: StringVector, list: Uint32Array): { offsets: Int32Array; bytes: Uint8Array } {
  const srcOffsets = vector.offsets;
  const srcBytes = vector.bytes;
  const count = list.length;
  const offsets = new Int32Array(count + 1);
  let total = 0;
  for (let rowIdx = 0; rowIdx < count; rowIdx++) {
    const row = list[rowIdx]!;
    total += srcOffsets[row + 1]! - srcOffsets[row]!;
  }
  if (total > MAX_UTF8_BYTES) {
    throw new SqlError(SqlState.PROGRAM_LIMIT_EXCEEDED, `batch of ${total} string bytes exceeds the Arrow Utf8 limit`);
  }
  const bytes = new Uint8Array(total + 8);
  const dst = new DataView(bytes.buffer);
  const src = new DataView(srcBytes.buffer, srcBytes.byteOffset, srcBytes.byteLength);
  const wordSafeEnd = srcBytes.length - 8;
  let pos = 0;
  for (let rowIdx = 0; rowIdx < count; rowIdx++) {
    const row = list[rowIdx]!;
    const begin = srcOffsets[row]!;
    const end = srcOffsets[row + 1]!;
    if (end - begin >= LONG_STRING) {
      bytes.set(srcBytes.subarray(begin, end), pos);
      pos += end - begin;
    } else if (end <= wordSafeEnd) {
      for (let from = begin, to = pos; from < end; from += 8, to += 8) {
        dst.setUint32(to, src.getUint32(from, true), true);
        dst.setUint32(to + 4, src.getUint32(from + 4, true), true);
      }
      pos += end - begin;
    } else {
      for (let byteIdx = begin; byteIdx < end; byteIdx++) bytes[pos++] = srcBytes[byteIdx]!;
    }
    offsets[rowIdx + 1] = pos;
  }
  return { offsets, bytes: bytes.subarray(0, total) };
}

/**
 * Writes each picked bigdecimal as plain decimal ASCII text: optional '-', integer digits
 * (at least one), then '.' and exactly `scale` digits when scale > 0. NULL rows are empty.
 * This is the slow path: the values are bigints already, one string each is unavoidable.
 */
function formatBigDecimals(vector: BigDecimalVector, pick: RowPick): { offsets: Int32Array; bytes: Uint8Array } {
  const { list, start, count } = pick;
  const { values, scales, nulls } = vector;
  const offsets = new Int32Array(count + 1);
  let bytes = new Uint8Array(Math.max(64, count * 8));
  let pos = 0;
  for (let rowIdx = 0; rowIdx < count; rowIdx++) {
    const row = list === null ? start + rowIdx : list[rowIdx]!;
    if (nulls === null || nulls[row] === 0) {
      const text = values[row]!.toString();
      const scale = scales[row]!;
      const negative = text.charCodeAt(0) === CH_MINUS ? 1 : 0;
      const digits = text.length - negative;
      const intDigits = digits > scale ? digits - scale : 1;
      const zeros = digits > scale ? 0 : scale - digits; // leading zeros after the point
      const need = negative + intDigits + (scale > 0 ? 1 + scale : 0);
      if (pos + need > bytes.length) {
        const grown = new Uint8Array(Math.max(bytes.length * 2, pos + need));
        grown.set(bytes.subarray(0, pos));
        bytes = grown;
      }
      if (negative === 1) bytes[pos++] = CH_MINUS;
      if (digits > scale) {
        for (let charIdx = negative; charIdx < negative + intDigits; charIdx++) bytes[pos++] = text.charCodeAt(charIdx);
        if (scale > 0) {
          bytes[pos++] = CH_DOT;
          for (let charIdx = negative + intDigits; charIdx < text.length; charIdx++) bytes[pos++] = text.charCodeAt(charIdx);
        }
      } else {
        bytes[pos++] = CH_ZERO;
        bytes[pos++] = CH_DOT;
        for (let zeroIdx = 0; zeroIdx < zeros; zeroIdx++) bytes[pos++] = CH_ZERO;
        for (let charIdx = negative; charIdx < text.length; charIdx++) bytes[pos++] = text.charCodeAt(charIdx);
      }
    }
    offsets[rowIdx + 1] = pos;
  }
  if (pos > MAX_UTF8_BYTES) {
    throw new SqlError(SqlState.PROGRAM_LIMIT_EXCEEDED, `batch of ${pos} numeric text bytes exceeds the Arrow Utf8 limit`);
  }
  return { offsets, bytes: bytes.subarray(0, pos) };
}

// ---- decoding ----------------------------------------------------------------------------

const KINDS: Record<VectorKind, true> = {
  bool: true, int32: true, int64: true, float64: true, decimal: true, bigdecimal: true, string: true,
};

function isVectorKind(value: string): value is VectorKind {
  return Object.hasOwn(KINDS, value);
}

/** The vector kind a field decodes to: its metadata, else what its Arrow type maps to. */
function kindOf(field: Field): VectorKind {
  const tagged = field.metadata.get(KIND_KEY);
  if (tagged !== undefined) {
    if (!isVectorKind(tagged)) throw dataCorrupted(`unknown vector kind "${tagged}" on Arrow field "${field.name}"`);
    return tagged;
  }
  const type: DataType = field.type;
  if (DataType.isBool(type)) return 'bool';
  if (DataType.isInt(type) && type.isSigned && type.bitWidth === 32) return 'int32';
  if (DataType.isInt(type) && type.isSigned && type.bitWidth === 64) return 'int64';
  if (DataType.isFloat(type) && type.precision === Precision.DOUBLE) return 'float64';
  if (DataType.isUtf8(type)) return 'string';
  throw featureNotSupported(`Arrow type ${String(type)} (field "${field.name}")`);
}

function scaleOf(field: Field): number {
  const text = field.metadata.get(SCALE_KEY);
  const scale = text === undefined ? NaN : Number(text);
  if (!Number.isInteger(scale) || scale < 0 || scale > 0xffff) {
    throw dataCorrupted(`decimal Arrow field "${field.name}" has no valid ${SCALE_KEY}`);
  }
  return scale;
}

function mismatch(kind: VectorKind, data: Data): SqlError {
  return dataCorrupted(`Arrow column of type ${String(data.type)} cannot hold a ${kind} vector`);
}

/** Turns one Arrow column into our layout; `data.values` etc. are narrowed by instanceof. */
function decodeVector(kind: VectorKind, scale: number, data: Data, length: number): Vector {
  if (data.length !== length) throw dataCorrupted(`Arrow column has ${data.length} rows, record batch ${length}`);
  if (DataType.isNull(data.type)) return zeroVector({ kind, scale, float4: false }, length, new Uint8Array(length).fill(1));
  const nulls = unpackNulls(data);
  const values: unknown = data.values;
  switch (kind) {
    case 'bool':
      if (!DataType.isBool(data.type) || !(values instanceof Uint8Array)) throw mismatch(kind, data);
      return { kind, length, values: unpackBits(values, data.offset, length), nulls };
    case 'int32':
      if (!(values instanceof Int32Array) || values.length < length) throw mismatch(kind, data);
      return { kind, length, values: values.subarray(0, length), nulls };
    case 'int64':
      if (!(values instanceof BigInt64Array) || values.length < length) throw mismatch(kind, data);
      return { kind, length, values: values.subarray(0, length), nulls };
    case 'float64':
    case 'decimal': {
      if (!(values instanceof Float64Array) || values.length < length) throw mismatch(kind, data);
      const view = values.subarray(0, length);
      return kind === 'decimal' ? { kind, length, values: view, scale, nulls } : { kind, length, values: view, nulls };
    }
    case 'string':
    case 'bigdecimal': {
      const offsets: unknown = data.valueOffsets;
      if (!DataType.isUtf8(data.type) || !(values instanceof Uint8Array) || !(offsets instanceof Int32Array)
        || offsets.length < length + 1 || (length > 0 && offsets[length]! > values.length)) {
        throw mismatch(kind, data);
      }
      const view = offsets.subarray(0, length + 1);
      if (kind === 'string') return { kind, length, offsets: view, bytes: values, nulls };
      return parseBigDecimals(view, values, nulls, length);
    }
  }
}

/** Unpacks a validity bitmap into a NULL byte map (1 = NULL), or null when the column has none. */
function unpackNulls(data: Data): Uint8Array | null {
  if (data.nullCount <= 0) return null;
  const bitmap: unknown = data.nullBitmap;
  if (!(bitmap instanceof Uint8Array) || bitmap.length * 8 < data.offset + data.length) {
    throw dataCorrupted(`Arrow column reports ${data.nullCount} NULLs without a validity bitmap`);
  }
  const nulls = unpackBits(bitmap, data.offset, data.length);
  for (let rowIdx = 0; rowIdx < nulls.length; rowIdx++) nulls[rowIdx] ^= 1;
  return nulls;
}

/** Bits [offset, offset+count) of an LSB-first bitmap as a 0/1 byte map. */
function unpackBits(bitmap: Uint8Array, offset: number, count: number): Uint8Array {
  const out = new Uint8Array(count);
  if (offset === 0) {
    const whole = count >>> 3;
    for (let byteIdx = 0; byteIdx < whole; byteIdx++) {
      const bits = bitmap[byteIdx]!;
      const base = byteIdx << 3;
      out[base] = bits & 1;
      out[base + 1] = (bits >>> 1) & 1;
      out[base + 2] = (bits >>> 2) & 1;
      out[base + 3] = (bits >>> 3) & 1;
      out[base + 4] = (bits >>> 4) & 1;
      out[base + 5] = (bits >>> 5) & 1;
      out[base + 6] = (bits >>> 6) & 1;
      out[base + 7] = bits >>> 7;
    }
    for (let rowIdx = whole << 3; rowIdx < count; rowIdx++) out[rowIdx] = (bitmap[rowIdx >>> 3]! >>> (rowIdx & 7)) & 1;
  } else {
    for (let rowIdx = 0; rowIdx < count; rowIdx++) {
      const bit = offset + rowIdx;
      out[rowIdx] = (bitmap[bit >>> 3]! >>> (bit & 7)) & 1;
    }
  }
  return out;
}

/** Parses the plain decimal text `formatBigDecimals` writes; NULL rows get the 0n placeholder. */
function parseBigDecimals(offsets: Int32Array, bytes: Uint8Array, nulls: Uint8Array | null, length: number): BigDecimalVector {
  const values = new Array<bigint>(length);
  const scales = new Uint16Array(length);
  for (let rowIdx = 0; rowIdx < length; rowIdx++) {
    const begin = offsets[rowIdx]!;
    const end = offsets[rowIdx + 1]!;
    if (nulls !== null && nulls[rowIdx] === 1) {
      values[rowIdx] = 0n;
      continue;
    }
    let pos = begin;
    const negative = pos < end && bytes[pos] === CH_MINUS;
    if (negative) pos++;
    // Digits are folded 15 at a time into a number (exact below 2^53), then into the bigint.
    let big = 0n;
    let chunk = 0;
    let chunkDigits = 0;
    let digits = 0;
    let scale = -1;
    for (; pos < end; pos++) {
      const ch = bytes[pos]!;
      if (ch === CH_DOT && scale < 0 && digits > 0) {
        scale = 0;
        continue;
      }
      const digit = ch - CH_ZERO;
      if (digit < 0 || digit > 9) throw badNumericText(bytes, begin, end);
      chunk = chunk * 10 + digit;
      digits++;
      if (scale >= 0) scale++;
      if (++chunkDigits === 15) {
        big = big * POW10_BIG[15]! + BigInt(chunk);
        chunk = 0;
        chunkDigits = 0;
      }
    }
    if (digits === 0 || scale === 0 || scale > 0xffff) throw badNumericText(bytes, begin, end);
    // (Exactly 15 digits were all folded above: chunk is then empty, not the value.)
    if (chunkDigits > 0) big = big * POW10_BIG[chunkDigits]! + BigInt(chunk);
    values[rowIdx] = negative ? -big : big;
    scales[rowIdx] = scale < 0 ? 0 : scale;
  }
  return { kind: 'bigdecimal', length, values, scales, nulls };
}

function badNumericText(bytes: Uint8Array, begin: number, end: number): SqlError {
  return dataCorrupted(`invalid numeric text in Arrow column: "${new TextDecoder().decode(bytes.subarray(begin, end))}"`);
}

/** A zero-row vector of a kind, for a stream that carried a schema but no record batch. */
function emptyVector(kind: VectorKind, scale: number): Vector {
  switch (kind) {
    case 'bool': return { kind, length: 0, values: new Uint8Array(0), nulls: null };
    case 'int32': return { kind, length: 0, values: new Int32Array(0), nulls: null };
    case 'int64': return { kind, length: 0, values: new BigInt64Array(0), nulls: null };
    case 'float64': return { kind, length: 0, values: new Float64Array(0), nulls: null };
    case 'decimal': return { kind, length: 0, values: new Float64Array(0), scale, nulls: null };
    case 'bigdecimal': return { kind, length: 0, values: [], scales: new Uint16Array(0), nulls: null };
    case 'string': return { kind, length: 0, offsets: new Int32Array(1), bytes: new Uint8Array(0), nulls: null };
  }
}
