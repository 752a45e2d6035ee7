// Converts between column batches and rows of Datums: the bridge between storage/vectors and the
// row-at-a-time reference executor (and the leader's result rows).
import { internalError } from '../../common/errors/index.ts';
import { layoutOf } from '../../storage/column-kind.ts';
import { Decimal } from '../../sql/types/decimal.ts';
import type { Datum } from '../../sql/types/datum.ts';
import type { SqlType } from '../../sql/types/sql-type.ts';
import type { Batch } from './batch.ts';
import type { Vector } from './vector.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Builds one vector of type `t` from column `col` of `rows`. */
export function vectorFromRows(t: SqlType, rows: readonly (readonly Datum[])[], col: number): Vector {
  const n = rows.length;
  const layout = layoutOf(t);
  let nulls: Uint8Array | null = null;
  const markNull = (i: number): void => {
    if (!nulls) nulls = new Uint8Array(n);
    nulls[i] = 1;
  };
  switch (layout.kind) {
    case 'bool': {
      const values = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const v = rows[i]![col];
        if (v === null || v === undefined) markNull(i);
        else values[i] = v ? 1 : 0;
      }
      return { kind: 'bool', length: n, values, nulls };
    }
    case 'int32': {
      const values = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = rows[i]![col];
        if (v === null || v === undefined) markNull(i);
        else values[i] = Number(v);
      }
      return { kind: 'int32', length: n, values, nulls };
    }
    case 'int64': {
      const values = new BigInt64Array(n);
      for (let i = 0; i < n; i++) {
        const v = rows[i]![col];
        if (v === null || v === undefined) markNull(i);
        else values[i] = BigInt(v as bigint | number);
      }
      return { kind: 'int64', length: n, values, nulls };
    }
    case 'float64': {
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const v = rows[i]![col];
        if (v === null || v === undefined) markNull(i);
        else values[i] = v as number;
      }
      return { kind: 'float64', length: n, values, nulls };
    }
    case 'decimal': {
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const v = rows[i]![col];
        if (v === null || v === undefined) markNull(i);
        else values[i] = Number(asDecimal(v).withScale(layout.scale).unscaled);
      }
      return { kind: 'decimal', length: n, values, nulls, scale: layout.scale };
    }
    case 'bigdecimal': {
      const values: bigint[] = new Array<bigint>(n);
      const scales = new Uint16Array(n);
      for (let i = 0; i < n; i++) {
        const v = rows[i]![col];
        if (v === null || v === undefined) {
          markNull(i);
          values[i] = 0n;
        } else {
          const d = t.scale !== undefined ? asDecimal(v).withScale(t.scale) : asDecimal(v);
          values[i] = d.unscaled;
          scales[i] = d.scale;
        }
      }
      return { kind: 'bigdecimal', length: n, values, scales, nulls };
    }
    case 'string': {
      const offsets = new Int32Array(n + 1);
      const parts: Uint8Array[] = new Array<Uint8Array>(n);
      let total = 0;
      for (let i = 0; i < n; i++) {
        const v = rows[i]![col];
        if (v === null || v === undefined) {
          markNull(i);
          parts[i] = new Uint8Array(0);
        } else {
          parts[i] = encoder.encode(v as string);
        }
        total += parts[i]!.length;
        offsets[i + 1] = total;
      }
      const bytes = new Uint8Array(total);
      for (let i = 0; i < n; i++) bytes.set(parts[i]!, offsets[i]!);
      return { kind: 'string', length: n, offsets, bytes, nulls };
    }
  }
}

function asDecimal(v: Datum): Decimal {
  if (v instanceof Decimal) return v;
  if (typeof v === 'bigint') return new Decimal(v, 0);
  if (typeof v === 'number') return Decimal.parse(String(v)) ?? new Decimal(0n, 0);
  if (typeof v === 'string') return Decimal.parse(v) ?? new Decimal(0n, 0);
  throw internalError(`not a numeric value: ${String(v)}`);
}

/** A batch holding `rows` (columns typed by `types`). */
export function batchFromRows(types: readonly SqlType[], rows: readonly (readonly Datum[])[]): Batch {
  return { length: rows.length, columns: types.map((t, c) => vectorFromRows(t, rows, c)), selection: null };
}

/** The Datum at `row` of a vector whose SQL type is `t`. */
export function datumAt(v: Vector, row: number): Datum {
  if (v.nulls !== null && v.nulls[row] === 1) return null;
  switch (v.kind) {
    case 'bool': return v.values[row] === 1;
    case 'int32': return v.values[row]!;
    case 'int64': return v.values[row]!;
    case 'float64': return v.values[row]!;
    case 'decimal': return new Decimal(BigInt(v.values[row]!), v.scale);
    case 'bigdecimal': return new Decimal(v.values[row]!, v.scales[row]!);
    case 'string': return decoder.decode(v.bytes.subarray(v.offsets[row]!, v.offsets[row + 1]!));
  }
}

/** Rows of a batch (respecting its selection vector) as Datum arrays. */
export function rowsFromBatch(batch: Batch): Datum[][] {
  const out: Datum[][] = [];
  const cols = batch.columns;
  const pick = (r: number): void => {
    const row: Datum[] = new Array<Datum>(cols.length);
    for (let c = 0; c < cols.length; c++) row[c] = datumAt(cols[c]!, r);
    out.push(row);
  };
  if (batch.selection) for (const r of batch.selection) pick(r);
  else for (let r = 0; r < batch.length; r++) pick(r);
  return out;
}
