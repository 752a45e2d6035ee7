// The shape of one type's binary send/receive functions, and the errors they raise.
import { SqlError, SqlState } from '../../../common/errors/index.ts';
import type { Datum } from '../../../sql/types/datum.ts';
import { formatTypeName, type SqlType } from '../../../sql/types/sql-type.ts';
import type { MessageWriter } from '../message-writer.ts';

/**
 * PostgreSQL's typsend/typreceive for one type. `encode` appends the value's bytes (the caller writes
 * the Int32 length around them); `decode` reads a Bind parameter's bytes and throws 22P03 when they
 * do not fit the type.
 */
export interface BinaryCodec {
  encode(w: MessageWriter, t: SqlType, v: Exclude<Datum, null>): void;
  decode(bytes: Buffer, t: SqlType): Datum;
}

/** 22P03 "incorrect binary data format" for a value of type `t`. */
export function badBinary(t: SqlType, why: string): SqlError {
  return new SqlError(SqlState.INVALID_BINARY_REPRESENTATION, `incorrect binary data format for type ${formatTypeName(t)}: ${why}`);
}

/** Throws 22P03 unless `bytes` has exactly `n` bytes. */
export function expectSize(bytes: Buffer, n: number, t: SqlType): void {
  if (bytes.length !== n) throw badBinary(t, `expected ${n} bytes, got ${bytes.length}`);
}

/** A Datum as a JS number (int2/int4/oid/float values may arrive as number or bigint). */
export function toNumber(v: Exclude<Datum, null>): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return Number(String(v));
}

/** A Datum as a bigint (int8 and timestamps, which a session may also hand over as numbers). */
export function toBigInt(v: Exclude<Datum, null>): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  return BigInt(String(v));
}
