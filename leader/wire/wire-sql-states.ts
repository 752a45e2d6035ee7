// SQLSTATE codes the wire layer raises that common/errors/sql-state.ts does not list yet.
// TODO(contract): move INVALID_BINARY_REPRESENTATION into SqlState and delete this file.
import type { SqlStateCode } from '../../common/errors/index.ts';

/**
 * 22P03 invalid_binary_representation: a binary Bind parameter whose bytes do not fit its type.
 * The cast is the one place we widen SqlStateCode, until the constant joins SqlState.
 */
export const INVALID_BINARY_REPRESENTATION = '22P03' as SqlStateCode;
