// Guards the one platform assumption of the storage format: typed arrays are little-endian.
import { endianness } from 'node:os';
import { internalError } from '../../common/errors/index.ts';

/** Throws once at import on a big-endian host, where typed-array views would misread files. */
export function assertLittleEndian(): void {
  if (endianness() !== 'LE') throw internalError('storage requires a little-endian host');
}

assertLittleEndian();
