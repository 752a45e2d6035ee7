// Removes the .tbl format's trailing '|' before each newline, which COPY FROM (FORMAT text) would read as an extra column.
import { Transform, type TransformCallback } from 'node:stream';

const PIPE = 0x7c;
const NEWLINE = 0x0a;

/**
 * Copies `chunk` without every '|' that directly precedes '\n'. `pendingPipe` says the previous
 * chunk ended in a '|' that was held back. Returns the output and whether this chunk's last
 * byte is a held-back '|'.
 */
export function stripTrailingDelimiters(chunk: Uint8Array, pendingPipe: boolean): { out: Buffer; pendingPipe: boolean } {
  const out = Buffer.allocUnsafe(chunk.length + 1);
  let outPos = 0;
  let pending = pendingPipe;
  for (let byteIdx = 0; byteIdx < chunk.length; byteIdx++) {
    const b = chunk[byteIdx]!;
    if (pending) {
      if (b !== NEWLINE) out[outPos++] = PIPE;
      pending = false;
    }
    if (b === PIPE) pending = true;
    else out[outPos++] = b;
  }
  return { out: out.subarray(0, outPos), pendingPipe: pending };
}

/** A byte stream transform applying {@link stripTrailingDelimiters} across chunk boundaries. */
export class StripTrailingDelimiter extends Transform {
  private pendingPipe = false;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const { out, pendingPipe } = stripTrailingDelimiters(chunk, this.pendingPipe);
    this.pendingPipe = pendingPipe;
    done(null, out);
  }

  override _flush(done: TransformCallback): void {
    done(null, this.pendingPipe ? Buffer.from([PIPE]) : undefined);
  }
}
