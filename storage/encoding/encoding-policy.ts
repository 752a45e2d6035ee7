// How a column's blocks are encoded: chosen per block from the data (automatic) or forced by the
// column's ENCODE clause, with Redshift's encoding names mapped to our nearest codec.
import { SqlError, SqlState } from '../../common/errors/index.ts';
import type { SqlType } from '../../sql/types/sql-type.ts';
import { EncodingId, type EncodingIdValue } from './codec.ts';

/** Automatic choice, or one codec (falling back to automatic for blocks it cannot hold). */
export type EncodingPolicy =
  | { readonly kind: 'auto' }
  | { readonly kind: 'forced'; readonly encoding: EncodingIdValue; readonly lz4: boolean };

/** The automatic policy. */
export const AUTO_POLICY: EncodingPolicy = { kind: 'auto' };

const BY_REDSHIFT_NAME: Record<string, EncodingPolicy> = {
  auto: AUTO_POLICY,
  raw: { kind: 'forced', encoding: EncodingId.RAW, lz4: false },
  bytedict: { kind: 'forced', encoding: EncodingId.DICT, lz4: false },
  text255: { kind: 'forced', encoding: EncodingId.DICT, lz4: false },
  text32k: { kind: 'forced', encoding: EncodingId.DICT, lz4: false },
  delta: { kind: 'forced', encoding: EncodingId.DELTA, lz4: false },
  delta32k: { kind: 'forced', encoding: EncodingId.DELTA, lz4: false },
  runlength: { kind: 'forced', encoding: EncodingId.RLE, lz4: false },
  mostly8: { kind: 'forced', encoding: EncodingId.FOR, lz4: false },
  mostly16: { kind: 'forced', encoding: EncodingId.FOR, lz4: false },
  mostly32: { kind: 'forced', encoding: EncodingId.FOR, lz4: false },
  az64: { kind: 'forced', encoding: EncodingId.FOR, lz4: false },
  lzo: { kind: 'forced', encoding: EncodingId.RAW, lz4: true },
  zstd: { kind: 'forced', encoding: EncodingId.RAW, lz4: true },
  lz4: { kind: 'forced', encoding: EncodingId.RAW, lz4: true },
};

/** The policy for an `ENCODE name` clause (case-insensitive); throws 22023 for a name we do not know. */
export function policyForEncodingName(name: string | undefined): EncodingPolicy {
  if (name === undefined) return AUTO_POLICY;
  const p = BY_REDSHIFT_NAME[name.toLowerCase()];
  if (p === undefined) {
    throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `invalid encoding type "${name}"`, {
      hint: `Known encodings: ${Object.keys(BY_REDSHIFT_NAME).join(', ')}.`,
    });
  }
  return p;
}

/**
 * The ENCODE name COPY's COMPUPDATE PRESET gives a column of this type without sampling, as
 * Redshift does: AZ64 for integers, dates, timestamps and numerics, LZO for text, RAW otherwise.
 */
export function presetEncodingName(type: SqlType): string {
  switch (type.id) {
    case 'int2': case 'int4': case 'int8': case 'date': case 'timestamp': case 'timestamptz': case 'numeric': return 'az64';
    case 'char': case 'varchar': case 'text': case 'name': return 'lzo';
    default: return 'raw';
  }
}

/** The Redshift name closest to one of our block encodings, for ANALYZE COMPRESSION output. */
export function redshiftNameOf(encoding: EncodingIdValue, lz4: boolean): string {
  switch (encoding) {
    case EncodingId.RAW: return lz4 ? 'zstd' : 'raw';
    case EncodingId.DICT: return 'bytedict';
    case EncodingId.RLE: return 'runlength';
    case EncodingId.DELTA: return 'delta';
    case EncodingId.FOR: return 'az64';
    case EncodingId.NUMERIC_PARTS: return lz4 ? 'zstd' : 'az64';
    case EncodingId.ALL_NULL: return 'raw';
  }
}
