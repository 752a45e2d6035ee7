// Reads little-endian scalars and aligned typed-array sections from a block payload, bounds-checked.
import { dataCorrupted } from '../../common/errors/index.ts';

/**
 * A cursor over bytes. Every read is bounds-checked and throws XX001 on overrun, so a
 * truncated or garbled payload becomes a clean error, never a crash or a wrong answer.
 * Typed-array sections are returned as views when aligned, else copied.
 */
export class ByteReader {
  private readonly view: DataView;
  pos: number;

  constructor(readonly bytes: Uint8Array, start = 0, readonly end = bytes.length) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
  }

  private need(n: number): number {
    const p = this.pos;
    if (n < 0 || p + n > this.end) throw dataCorrupted(`block payload truncated (need ${n} bytes at ${p}, have ${this.end - p})`);
    this.pos = p + n;
    return p;
  }

  u8(): number { return this.view.getUint8(this.need(1)); }
  u16(): number { return this.view.getUint16(this.need(2), true); }
  u32(): number { return this.view.getUint32(this.need(4), true); }
  i32(): number { return this.view.getInt32(this.need(4), true); }
  f64(): number { return this.view.getFloat64(this.need(8), true); }
  i64(): bigint { return this.view.getBigInt64(this.need(8), true); }
  u64(): number {
    const v = this.view.getBigUint64(this.need(8), true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw dataCorrupted('offset out of range');
    return Number(v);
  }

  /** A view of the next n bytes. */
  bytesView(n: number): Uint8Array {
    const p = this.need(n);
    return this.bytes.subarray(p, p + n);
  }

  align(n: number): void {
    // Relative to the start of `bytes`, matching ByteWriter.align on the writing side.
    const pad = (n - (this.pos % n)) % n;
    this.need(pad);
  }

  remaining(): number { return this.end - this.pos; }

  uint32s(count: number): Uint32Array {
    const p = this.need(count * 4);
    const off = this.bytes.byteOffset + p;
    if (off % 4 === 0) return new Uint32Array(this.bytes.buffer, off, count);
    return new Uint32Array(this.bytes.slice(p, p + count * 4).buffer);
  }

  int32s(count: number): Int32Array {
    const p = this.need(count * 4);
    const off = this.bytes.byteOffset + p;
    if (off % 4 === 0) return new Int32Array(this.bytes.buffer, off, count);
    return new Int32Array(this.bytes.slice(p, p + count * 4).buffer);
  }

  float32s(count: number): Float32Array {
    const p = this.need(count * 4);
    const off = this.bytes.byteOffset + p;
    if (off % 4 === 0) return new Float32Array(this.bytes.buffer, off, count);
    return new Float32Array(this.bytes.slice(p, p + count * 4).buffer);
  }

  float64s(count: number): Float64Array {
    const p = this.need(count * 8);
    const off = this.bytes.byteOffset + p;
    if (off % 8 === 0) return new Float64Array(this.bytes.buffer, off, count);
    return new Float64Array(this.bytes.slice(p, p + count * 8).buffer);
  }

  bigInt64s(count: number): BigInt64Array {
    const p = this.need(count * 8);
    const off = this.bytes.byteOffset + p;
    if (off % 8 === 0) return new BigInt64Array(this.bytes.buffer, off, count);
    return new BigInt64Array(this.bytes.slice(p, p + count * 8).buffer);
  }
}
