// A growable little-endian byte buffer for building block payloads, footers and manifests.

/** Appends little-endian scalars and byte runs; `align(8)` pads so typed-array views stay aligned. */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  /** Bytes written so far. */
  length = 0;

  constructor(initialCapacity = 1024) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
    this.view = new DataView(this.buf.buffer);
  }

  /** Makes room for `n` more bytes and returns the write position. */
  reserve(n: number): number {
    const need = this.length + n;
    if (need > this.buf.length) {
      let cap = this.buf.length * 2;
      while (cap < need) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.buf.subarray(0, this.length));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    const pos = this.length;
    this.length = need;
    return pos;
  }

  // reserve() may replace the buffer and view, so it runs before `this.view` is read.
  u8(v: number): void { const p = this.reserve(1); this.view.setUint8(p, v); }
  u16(v: number): void { const p = this.reserve(2); this.view.setUint16(p, v, true); }
  u32(v: number): void { const p = this.reserve(4); this.view.setUint32(p, v >>> 0, true); }
  i32(v: number): void { const p = this.reserve(4); this.view.setInt32(p, v, true); }
  f64(v: number): void { const p = this.reserve(8); this.view.setFloat64(p, v, true); }
  i64(v: bigint): void { const p = this.reserve(8); this.view.setBigInt64(p, v, true); }
  u64(v: number): void { const p = this.reserve(8); this.view.setBigUint64(p, BigInt(v), true); }

  /** Overwrites a u32 written earlier (for lengths known only afterwards). */
  patchU32(pos: number, v: number): void { this.view.setUint32(pos, v >>> 0, true); }

  bytes(src: Uint8Array): void {
    const pos = this.reserve(src.length);
    this.buf.set(src, pos);
  }

  /** Copies a typed array's bytes (little-endian host assumed, checked in io/endian.ts). */
  typed(src: ArrayBufferView): void {
    this.bytes(new Uint8Array(src.buffer, src.byteOffset, src.byteLength));
  }

  /** Pads with zero bytes to a multiple of `n`. */
  align(n: number): void {
    const pad = (n - (this.length % n)) % n;
    if (pad > 0) { const p = this.reserve(pad); this.buf.fill(0, p, this.length); }
  }

  /** The written bytes (a view; valid until the next write). */
  view8(): Uint8Array { return this.buf.subarray(0, this.length); }

  /** A copy of the written bytes in its own ArrayBuffer (offset 0, so 8-aligned). */
  finish(): Uint8Array { return this.buf.slice(0, this.length); }
}
