// A join fragment on the wire: the broadcast inputs travel as Arrow IPC record batches in the
// request's binary body instead of JSON rows, and the compute node keeps them as column vectors
// (the vectorized join hashes them as they are).
import { SqlError, SqlState } from '../../common/errors/index.ts';
import { batchFromRows } from '../batch/row-conversion.ts';
import type { JoinFragment, JoinInput } from '../fragment/join-fragment.ts';
import { decodeBatch, encodeBatch } from './arrow-batch-codec.ts';

/** Where a broadcast input's batch lies in the body. */
interface BodyRange {
  readonly offset: number;
  readonly length: number;
}

type PackedInput = JoinInput | (Omit<Extract<JoinInput, { kind: 'broadcast' }>, 'rows'> & { readonly rows: readonly []; readonly body: BodyRange });

/** The fragment with broadcast rows moved into one binary body (inputs whose types have no vector layout stay JSON). */
export function packJoinFragment(jf: JoinFragment): { fragment: JoinFragment; body: Uint8Array | undefined } {
  const parts: Uint8Array[] = [];
  let size = 0;
  const inputs = jf.inputs.map((input): PackedInput => {
    if (input.kind !== 'broadcast') return input;
    let bytes: Uint8Array;
    try {
      bytes = encodeBatch(input.batch ?? batchFromRows(input.types, input.rows));
    } catch (err) {
      if (err instanceof SqlError && err.code === SqlState.FEATURE_NOT_SUPPORTED) return input;
      throw err;
    }
    const range = { offset: size, length: bytes.length };
    parts.push(bytes);
    size += bytes.length;
    return { kind: 'broadcast', rows: [], offset: input.offset, width: input.width, types: input.types, body: range };
  });
  if (parts.length === 0) return { fragment: jf, body: undefined };
  const body = new Uint8Array(size);
  let at = 0;
  for (const p of parts) { body.set(p, at); at += p.length; }
  return { fragment: { ...jf, inputs: inputs as JoinInput[] }, body };
}

/** The fragment a compute node runs: broadcast inputs sent in the body become batches. */
export function unpackJoinFragment(jf: JoinFragment, body: Uint8Array): JoinFragment {
  const inputs = (jf.inputs as readonly PackedInput[]).map((input): JoinInput => {
    if (input.kind !== 'broadcast' || !('body' in input)) return input as JoinInput;
    const { offset, length } = input.body;
    if (offset < 0 || length < 0 || offset + length > body.length) throw new SqlError(SqlState.INTERNAL_ERROR, 'join request body is shorter than its inputs');
    const batch = decodeBatch(body.subarray(offset, offset + length));
    return { kind: 'broadcast', rows: [], batch, offset: input.offset, width: input.width, types: input.types };
  });
  return { ...jf, inputs };
}
