// Accumulates encoded backend messages in one growing buffer, handed to the socket in large chunks.
import { internalError } from '../../common/errors/index.ts';

const INITIAL_SIZE = 64 * 1024;

/**
 * Encodes backend messages back to back into one buffer. `begin(code)` writes the type byte and a
 * length placeholder, the field writers append, `end()` patches the length. `take()` hands the bytes
 * written so far to the caller (the socket) and starts a fresh buffer, so a written chunk is never
 * mutated afterwards. Strings are written without a byteLength pre-scan: space for the UTF-8
 * worst case (3 bytes per UTF-16 unit) is ensured, then `Buffer.write` reports the real length.
 */
export class MessageWriter {
  private buf: Buffer = Buffer.allocUnsafe(INITIAL_SIZE);
  private pos = 0;
  private msgStart = -1;

  /** Bytes written and not yet taken. */
  get length(): number {
    return this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Starts a message with type byte `code`. */
  begin(code: number): this {
    this.ensure(5);
    this.msgStart = this.pos;
    this.buf[this.pos] = code;
    this.pos += 5;
    return this;
  }

  /** Patches the length of the message started by `begin`. */
  end(): this {
    this.buf.writeInt32BE(this.pos - this.msgStart - 1, this.msgStart + 1);
    this.msgStart = -1;
    return this;
  }

  /** Discards a message begun but not ended (its encoding failed half way). */
  abandon(): void {
    if (this.msgStart >= 0) this.pos = this.msgStart;
    this.msgStart = -1;
  }

  int8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  int16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v & 0xffff, this.pos);
    this.pos += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v | 0, this.pos);
    this.pos += 4;
    return this;
  }

  uint32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }

  int64(v: bigint): this {
    this.ensure(8);
    this.buf.writeBigInt64BE(v, this.pos);
    this.pos += 8;
    return this;
  }

  float32(v: number): this {
    this.ensure(4);
    this.buf.writeFloatBE(v, this.pos);
    this.pos += 4;
    return this;
  }

  float64(v: number): this {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
    return this;
  }

  /** UTF-8 bytes of `s` without terminator or length. */
  string(s: string): this {
    this.ensure(s.length * 3);
    this.pos += this.buf.write(s, this.pos, 'utf8');
    return this;
  }

  /** UTF-8 bytes of `s` and a NUL terminator. */
  cstring(s: string): this {
    this.ensure(s.length * 3 + 1);
    this.pos += this.buf.write(s, this.pos, 'utf8');
    this.buf[this.pos++] = 0;
    return this;
  }

  /** Int32 byte length, then the UTF-8 bytes of `s` (a DataRow column or a Bind value). */
  lengthPrefixedString(s: string): this {
    this.ensure(4 + s.length * 3);
    const n = this.buf.write(s, this.pos + 4, 'utf8');
    this.buf.writeInt32BE(n, this.pos);
    this.pos += 4 + n;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** Reserves an Int32 length slot; returns its offset for `patchLength`. */
  reserveLength(): number {
    this.ensure(4);
    const at = this.pos;
    this.pos += 4;
    return at;
  }

  /** Writes into the slot at `at` the number of bytes written since it. */
  patchLength(at: number): void {
    this.buf.writeInt32BE(this.pos - at - 4, at);
  }

  /** The bytes written so far (null when none); the writer continues in a new buffer. */
  take(): Buffer | null {
    if (this.pos === 0) return null;
    if (this.msgStart >= 0) throw internalError('MessageWriter.take() inside an unfinished message');
    const out = this.buf.subarray(0, this.pos);
    // Keep a large buffer's successor modest: a one-off huge row should not pin memory forever.
    this.buf = Buffer.allocUnsafe(INITIAL_SIZE);
    this.pos = 0;
    return out;
  }
}
