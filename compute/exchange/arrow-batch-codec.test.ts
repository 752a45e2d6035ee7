// Round trips of every vector kind through the Arrow IPC batch codec, and interop with apache-arrow.
import { Bool, Table, Utf8, makeVector, tableFromArrays, tableFromIPC, tableToIPC, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { SqlError } from '../../common/errors/index.ts';
import type { Batch } from '../batch/batch.ts';
import type { Vector } from '../batch/vector.ts';
import { decodeBatch, encodeBatch } from './arrow-batch-codec.ts';

const utf8 = new TextEncoder();
const text = new TextDecoder();

/** A string vector from JS strings; null entries become NULL rows with empty bytes. */
function strings(items: readonly (string | null)[]): Vector {
  const parts = items.map((s) => utf8.encode(s ?? ''));
  const offsets = new Int32Array(items.length + 1);
  for (let i = 0; i < parts.length; i++) offsets[i + 1] = offsets[i]! + parts[i]!.length;
  const bytes = new Uint8Array(offsets[items.length]!);
  parts.forEach((p, i) => bytes.set(p, offsets[i]!));
  return { kind: 'string', length: items.length, offsets, bytes, nulls: nullsOf(items) };
}

/** The values array of a fixed-width vector. */
function fixed(v: Vector | undefined): Uint8Array | Int32Array | BigInt64Array | Float64Array {
  if (v === undefined || v.kind === 'string' || v.kind === 'bigdecimal') throw new Error(`not fixed-width: ${v?.kind}`);
  return v.values;
}

function nullsOf(items: readonly unknown[]): Uint8Array | null {
  return items.some((v) => v === null) ? Uint8Array.from(items, (v) => (v === null ? 1 : 0)) : null;
}

/** The logical value of row `row` (null for NULL), comparable with toEqual. */
function cell(v: Vector, row: number): unknown {
  if (v.nulls !== null && v.nulls[row] === 1) return null;
  switch (v.kind) {
    case 'string': return text.decode(v.bytes.subarray(v.offsets[row]!, v.offsets[row + 1]!));
    case 'bigdecimal': return `${v.values[row]!}e-${v.scales[row]!}`;
    case 'decimal': return `${v.values[row]!}e-${v.scale}`;
    default: return v.values[row]!;
  }
}

/** Rows of the batch (after selection) as arrays of logical values. */
function rowsOf(batch: Batch, rows?: readonly number[]): unknown[][] {
  const picked = rows ?? (batch.selection ? [...batch.selection] : [...Array(batch.length).keys()]);
  return picked.map((r) => batch.columns.map((c) => cell(c, r)));
}

function roundTrip(batch: Batch, rows?: number[]): Batch {
  const decoded = decodeBatch(encodeBatch(batch, rows ? Uint32Array.from(rows) : undefined));
  expect(decoded.selection).toBeNull();
  expect(decoded.columns.map((c) => c.kind)).toEqual(batch.columns.map((c) => c.kind));
  expect(rowsOf(decoded)).toEqual(rowsOf(batch, rows));
  decoded.columns.forEach((c) => expect(c.length).toBe(decoded.length));
  return decoded;
}

const ints = [1, -2, null, 2147483647, -2147483648, 0, 7, null, 9];
const allKinds = (): Batch => {
  const n = ints.length;
  return {
    length: n,
    selection: null,
    columns: [
      { kind: 'bool', length: n, values: Uint8Array.from(ints, (v) => (v !== null && v > 0 ? 1 : 0)), nulls: nullsOf(ints) },
      { kind: 'int32', length: n, values: Int32Array.from(ints, (v) => v ?? 0), nulls: nullsOf(ints) },
      { kind: 'int64', length: n, values: BigInt64Array.from(ints, (v, i) => BigInt(v ?? 0) * BigInt(i + 1) * 4294967296n), nulls: nullsOf(ints) },
      { kind: 'float64', length: n, values: Float64Array.from(ints, (v) => (v ?? 0) / 3), nulls: nullsOf(ints) },
      { kind: 'decimal', length: n, values: Float64Array.from(ints, (v) => (v ?? 0) * 1000), scale: 2, nulls: nullsOf(ints) },
      { kind: 'bigdecimal', length: n, values: ints.map((v) => BigInt(v ?? 0) * 10n ** 30n + 1n), scales: Uint16Array.from(ints, (_, i) => i * 5), nulls: nullsOf(ints) },
      strings(ints.map((v) => (v === null ? null : `s${v}é`))),
    ],
  };
};

describe('arrow batch codec', () => {
  it('round-trips every kind with NULLs', () => {
    const decoded = roundTrip(allKinds());
    expect(decoded.columns.every((c) => c.nulls !== null)).toBe(true);
    expect(fixed(decoded.columns[1])).toBeInstanceOf(Int32Array);
    expect(fixed(decoded.columns[2])).toBeInstanceOf(BigInt64Array);
    expect(decoded.columns[4]).toMatchObject({ kind: 'decimal', scale: 2 });
  });

  it('round-trips every kind without NULLs and restores nulls: null', () => {
    const b = allKinds();
    const noNulls: Batch = { ...b, columns: b.columns.map((c) => ({ ...c, nulls: null })) };
    const decoded = roundTrip(noNulls);
    expect(decoded.columns.every((c) => c.nulls === null)).toBe(true);
  });

  it('round-trips NULL placeholders of fixed-width kinds bit for bit', () => {
    const b = allKinds();
    const decoded = decodeBatch(encodeBatch(b));
    expect(fixed(decoded.columns[1])).toEqual(fixed(b.columns[1]));
    expect([...decoded.columns[0]!.nulls!]).toEqual([...b.columns[0]!.nulls!]);
  });

  it('keeps bools exact, including more than 8 rows and all-NULL columns', () => {
    const n = 21;
    const values = Uint8Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const batch: Batch = {
      length: n, selection: null, columns: [
        { kind: 'bool', length: n, values, nulls: null },
        { kind: 'bool', length: n, values: new Uint8Array(n), nulls: new Uint8Array(n).fill(1) },
      ],
    };
    const decoded = roundTrip(batch);
    expect(fixed(decoded.columns[0])).toEqual(values);
    expect(decoded.columns[1]!.nulls!.every((x) => x === 1)).toBe(true);
  });

  it('handles empty strings and multi-byte UTF-8', () => {
    const items = ['', 'a', '', 'héllo wörld', '日本語テキスト', '🦀🚀', null, '', 'x'.repeat(100)];
    roundTrip({ length: items.length, selection: null, columns: [strings(items)] });
    roundTrip({ length: items.length, selection: null, columns: [strings(items)] }, [8, 4, 4, 0, 6, 5, 1]);
  });

  it('encodes only the rows of a selection vector', () => {
    const b = allKinds();
    const decoded = roundTrip({ ...b, selection: Uint32Array.of(0, 2, 3, 7, 8) });
    expect(decoded.length).toBe(5);
    roundTrip({ ...b, selection: Uint32Array.of(3, 4, 5) }); // contiguous: sent as views
  });

  it('gathers an explicit row list out of order with repeats, ignoring the selection', () => {
    const b = { ...allKinds(), selection: Uint32Array.of(1) };
    const rows = [8, 0, 2, 2, 5, 1, 8, 3, 7, 6, 4, 4];
    const decoded = roundTrip(b, rows);
    expect(decoded.length).toBe(rows.length);
  });

  it('honours rowCount as a prefix of the row list', () => {
    const b = allKinds();
    const decoded = decodeBatch(encodeBatch(b, Uint32Array.of(4, 1, 3, 0), 2));
    expect(rowsOf(decoded)).toEqual(rowsOf(b, [4, 1]));
    expect(() => encodeBatch(b, Uint32Array.of(1), 2)).toThrow(SqlError);
    expect(() => encodeBatch(b, Uint32Array.of(1, 99))).toThrow(/outside a batch/);
  });

  it('round-trips zero rows: empty batch, empty selection and empty row list', () => {
    const empty: Batch = {
      length: 0, selection: null, columns: allKinds().columns.map((c): Vector => {
        switch (c.kind) {
          case 'string': return { ...c, length: 0, offsets: new Int32Array(1), bytes: new Uint8Array(0), nulls: null };
          case 'bigdecimal': return { ...c, length: 0, values: [], scales: new Uint16Array(0), nulls: null };
          case 'int64': return { ...c, length: 0, values: new BigInt64Array(0), nulls: null };
          case 'bool': return { ...c, length: 0, values: new Uint8Array(0), nulls: null };
          case 'int32': return { ...c, length: 0, values: new Int32Array(0), nulls: null };
          default: return { ...c, length: 0, values: new Float64Array(0), nulls: null };
        }
      }),
    };
    expect(roundTrip(empty).length).toBe(0);
    expect(roundTrip({ ...allKinds(), selection: new Uint32Array(0) }).length).toBe(0);
    expect(roundTrip(allKinds(), []).length).toBe(0);
  });

  it('keeps the row count of a batch without columns', () => {
    const decoded = decodeBatch(encodeBatch({ length: 5, selection: Uint32Array.of(0, 3, 4), columns: [] }));
    expect(decoded).toEqual({ length: 3, columns: [], selection: null });
  });

  it('keeps int64 extremes', () => {
    const values = BigInt64Array.of(-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n);
    const decoded = roundTrip({ length: 4, selection: null, columns: [{ kind: 'int64', length: 4, values, nulls: null }] }, [1, 0, 3]);
    expect(fixed(decoded.columns[0])).toEqual(BigInt64Array.of(2n ** 63n - 1n, -(2n ** 63n), -1n));
  });

  it('keeps float64 NaN, -0 and infinities', () => {
    const values = Float64Array.of(NaN, -0, Infinity, -Infinity, 5e-324, Number.MAX_VALUE);
    const decoded = decodeBatch(encodeBatch({ length: 6, selection: null, columns: [{ kind: 'float64', length: 6, values, nulls: null }] }, Uint32Array.of(0, 1, 2, 3, 4, 5, 1)));
    const out = fixed(decoded.columns[0]);
    expect(Number.isNaN(out[0])).toBe(true);
    expect(Object.is(out[1], -0)).toBe(true);
    expect([out[2], out[3], out[4], out[5]]).toEqual([Infinity, -Infinity, 5e-324, Number.MAX_VALUE]);
    expect(Object.is(out[6], -0)).toBe(true);
  });

  it('keeps bigdecimal with mixed scales, huge and negative values', () => {
    // Text of exactly 15 and 30 digits too: the parser folds digits 15 at a time.
    const values = [0n, 0n, -5n, 5n, 12345n, -12345n, 10n ** 60n + 7n, -(10n ** 45n) - 3n, 123456789012345n, 1234567890123456n, 100n, -1n,
      200000000000000n, -101158011000000n, 999999999999999n, 10n ** 29n + 1n];
    const scales = Uint16Array.of(0, 3, 2, 0, 2, 7, 20, 0, 15, 15, 2, 40, 6, 6, 0, 0);
    const v: Vector = { kind: 'bigdecimal', length: values.length, values, scales, nulls: null };
    const decoded = roundTrip({ length: values.length, selection: null, columns: [v] });
    const out = decoded.columns[0]!;
    if (out.kind !== 'bigdecimal') throw new Error('kind');
    expect(out.values).toEqual(values);
    expect([...out.scales]).toEqual([...scales]);
    // The wire form is plain decimal text other Arrow readers can show.
    const table = tableFromIPC(encodeBatch({ length: values.length, selection: null, columns: [v] }));
    expect(table.getChildAt(0)!.toArray().slice(0, 8)).toEqual(['0', '0.000', '-0.05', '5', '123.45', '-0.0012345', '10000000000000000000000000000000000000000.00000000000000000007', '-1000000000000000000000000000000000000000000003']);
    expect(table.getChildAt(0)!.get(11)).toBe(`-0.${'0'.repeat(39)}1`);
  });

  it('keeps the decimal scale in field metadata', () => {
    const v: Vector = { kind: 'decimal', length: 3, values: Float64Array.of(12345, -1, 9007199254740991), scale: 4, nulls: Uint8Array.of(0, 1, 0) };
    const bytes = encodeBatch({ length: 3, selection: null, columns: [v] });
    const decoded = decodeBatch(bytes);
    expect(decoded.columns[0]).toMatchObject({ kind: 'decimal', scale: 4 });
    expect(rowsOf(decoded)).toEqual([['12345e-4'], [null], ['9007199254740991e-4']]);
    const field = tableFromIPC(bytes).schema.fields[0]!;
    expect(field.metadata.get('colonnade.kind')).toBe('decimal');
    expect(field.metadata.get('colonnade.scale')).toBe('4');
  });

  it('writes valid Arrow IPC that apache-arrow reads with the expected types and values', () => {
    const b = allKinds();
    const table = tableFromIPC(encodeBatch(b, Uint32Array.of(0, 1, 2, 5)));
    expect(table.numRows).toBe(4);
    expect(table.schema.fields.map((f) => String(f.type))).toEqual(['Bool', 'Int32', 'Int64', 'Float64', 'Float64', 'Utf8', 'Utf8']);
    expect([...table.getChildAt(0)!]).toEqual([true, false, null, false]);
    expect([...table.getChildAt(1)!]).toEqual([1, -2, null, 0]);
    expect([...table.getChildAt(6)!]).toEqual(['s1é', 's-2é', null, 's0é']);
    expect(table.getChildAt(2)!.get(1)).toBe(-2n * 2n * 4294967296n);
  });

  it('decodes plain Arrow streams from other writers by their types', () => {
    const table = new Table({
      i: makeVector(Int32Array.of(1, 2)),
      f: makeVector(Float64Array.of(0.5, 1.5)),
      s: vectorFromArray(['a', null], new Utf8()),
      b: vectorFromArray([true, false], new Bool()),
    });
    const decoded = decodeBatch(tableToIPC(table));
    expect(decoded.columns.map((c) => c.kind)).toEqual(['int32', 'float64', 'string', 'bool']);
    expect(rowsOf(decoded)).toEqual([[1, 0.5, 'a', 1], [2, 1.5, null, 0]]);
    // Dictionary-encoded strings (tableFromArrays' default) are not one of our layouts.
    const dict = tableToIPC(tableFromArrays({ s: ['a', 'bc'] }));
    expect(() => decodeBatch(dict)).toThrow(expect.objectContaining({ code: '0A000' }));
  });

  it('decodes from an unaligned buffer by copying the body', () => {
    const bytes = encodeBatch(allKinds());
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expect(rowsOf(decodeBatch(shifted.subarray(3)))).toEqual(rowsOf(allKinds()));
  });

  it('rejects garbage with a SqlError', () => {
    expect(() => decodeBatch(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9))).toThrow(SqlError);
  });

  it('gathers a large random row list exactly', () => {
    const n = 5000;
    const items = Array.from({ length: n }, (_, i) => (i % 17 === 0 ? null : `row-${i}-${'ü'.repeat(i % 40)}`));
    const ints32 = Int32Array.from({ length: n }, (_, i) => i * 7919);
    const nulls = Uint8Array.from({ length: n }, (_, i) => (i % 11 === 0 ? 1 : 0));
    const batch: Batch = {
      length: n, selection: null, columns: [
        strings(items),
        { kind: 'int32', length: n, values: ints32, nulls },
        { kind: 'bool', length: n, values: Uint8Array.from({ length: n }, (_, i) => i & 1), nulls },
      ],
    };
    let seed = 42;
    const rows = Array.from({ length: 3001 }, () => (seed = (seed * 1103515245 + 12345) % 2147483648) % n);
    roundTrip(batch, rows);
  });
});
