// Builds a StringVector row by row from byte slices or JS strings, growing one byte buffer.
import type { StringVector } from '../batch/vector.ts';

const encoder = new TextEncoder();

/**
 * Appends UTF-8 rows into one growing byte buffer plus an offsets array (n+1 entries).
 * One writer per output column per batch; generated kernels call it once per row.
 */
export class StringWriter {
  bytes: Uint8Array;
  pos = 0;
  readonly offsets: Int32Array;

  constructor(rows: number, bytesHint: number) {
    this.offsets = new Int32Array(rows + 1);
    this.bytes = new Uint8Array(Math.max(64, bytesHint));
  }

  private reserve(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < need) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.pos));
    this.bytes = grown;
  }

  /** Row `row` is src[start..end). */
  writeSlice(row: number, src: Uint8Array, start: number, end: number): void {
    const len = end - start;
    this.reserve(len);
    const out = this.bytes;
    let p = this.pos;
    if (len < 48) {
      for (let j = start; j < end; j++) out[p++] = src[j]!;
    } else {
      out.set(src.subarray(start, end), p);
      p += len;
    }
    this.pos = p;
    this.offsets[row + 1] = p;
  }

  /** Row `row` is the UTF-8 encoding of `s`. */
  writeString(row: number, s: string): void {
    this.reserve(s.length * 3);
    this.pos += encoder.encodeInto(s, this.bytes.subarray(this.pos)).written;
    this.offsets[row + 1] = this.pos;
  }

  /** Row `row` is empty (a NULL's placeholder). */
  writeEmpty(row: number): void {
    this.offsets[row + 1] = this.pos;
  }

  /** The finished vector of `rows` rows. */
  finish(rows: number, nulls: Uint8Array | null): StringVector {
    return { kind: 'string', length: rows, offsets: this.offsets, bytes: this.bytes.subarray(0, this.pos), nulls };
  }
}
