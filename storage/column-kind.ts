// Maps a column's SQL type to the vector kind it decodes into and the per-kind codes stored in files.
import type { SqlType } from '../sql/types/sql-type.ts';
import { SMALL_DECIMAL_MAX_PRECISION, formatTypeName } from '../sql/types/sql-type.ts';
import type { VectorKind } from '../compute/batch/vector.ts';
import { featureNotSupported, dataCorrupted } from '../common/errors/index.ts';

/** The value-kind code written in every block header (one byte). */
export const KIND_CODE: Record<VectorKind, number> = {
  bool: 1, int32: 2, int64: 3, float64: 4, decimal: 5, bigdecimal: 6, string: 7,
};

const KIND_BY_CODE: readonly (VectorKind | undefined)[] = [
  undefined, 'bool', 'int32', 'int64', 'float64', 'decimal', 'bigdecimal', 'string',
];

/** The vector kind for a stored block's kind code; throws XX001 for an unknown code. */
export function kindFromCode(code: number): VectorKind {
  const k = KIND_BY_CODE[code];
  if (k === undefined) throw dataCorrupted(`unknown value kind code ${code}`);
  return k;
}

/** How one column is laid out in storage: its vector kind plus what decoding needs from the type. */
export interface ColumnLayout {
  readonly kind: VectorKind;
  /** Decimal scale for 'decimal' vectors (and the declared scale of 'bigdecimal'; 0 when unconstrained). */
  readonly scale: number;
  /** float4 values are stored as 4-byte floats in RAW blocks. */
  readonly float4: boolean;
}

/** The layout of a SQL type, as in compute/batch/vector.ts; throws 0A000 for types we cannot store. */
export function layoutOf(type: SqlType): ColumnLayout {
  switch (type.id) {
    case 'bool': return { kind: 'bool', scale: 0, float4: false };
    case 'int2': case 'int4': case 'date': return { kind: 'int32', scale: 0, float4: false };
    case 'int8': case 'timestamp': case 'timestamptz': return { kind: 'int64', scale: 0, float4: false };
    case 'float4': return { kind: 'float64', scale: 0, float4: true };
    case 'float8': return { kind: 'float64', scale: 0, float4: false };
    case 'numeric':
      if (type.precision !== undefined && type.precision <= SMALL_DECIMAL_MAX_PRECISION) {
        return { kind: 'decimal', scale: type.scale ?? 0, float4: false };
      }
      return { kind: 'bigdecimal', scale: type.scale ?? 0, float4: false };
    case 'char': case 'varchar': case 'text': case 'name': return { kind: 'string', scale: 0, float4: false };
    default:
      throw featureNotSupported(`storing columns of type ${formatTypeName(type)}`);
  }
}
