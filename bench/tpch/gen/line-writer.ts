// A reusable byte buffer that .tbl lines are formatted into, handed out as chunks of many lines.

const PIPE = 0x7c;
const NEWLINE = 0x0a;
const ZERO = 0x30;
const MINUS = 0x2d;
const DOT = 0x2e;

/** Default size at which a chunk is handed out (1 MiB). */
export const DEFAULT_CHUNK_BYTES = 1 << 20;
/** Headroom past the chunk size: one line of any table is far below this. */
const LINE_HEADROOM = 4096;

/**
 * Formats '|'-delimited lines into a buffer. Callers check {@link full} after each line and take
 * the chunk with {@link takeChunk}; between chunks, all formatting reuses the one buffer.
 */
export class LineWriter {
  private readonly buf: Buffer;
  private pos = 0;
  private readonly limit: number;
  /** Lines written since the last {@link takeChunk}. */
  lines = 0;
  /** Lines in the chunk the last {@link takeChunk} returned. */
  takenLines = 0;

  constructor(chunkBytes: number = DEFAULT_CHUNK_BYTES) {
    this.limit = chunkBytes;
    this.buf = Buffer.allocUnsafe(chunkBytes + LINE_HEADROOM);
  }

  /** True once the buffer holds at least a chunk's worth of bytes. */
  get full(): boolean {
    return this.pos >= this.limit;
  }

  /** Bytes currently buffered. */
  get length(): number {
    return this.pos;
  }

  /** Copies out the buffered bytes (the caller may keep them) and reuses the buffer. */
  takeChunk(): Buffer {
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    this.pos = 0;
    this.takenLines = this.lines;
    this.lines = 0;
    return out;
  }

  /** Writes a non-negative or negative integer (|n| < 2^53) followed by '|'. */
  int(n: number): void {
    const buf = this.buf;
    let pos = this.pos;
    if (n < 0) {
      buf[pos++] = MINUS;
      n = -n;
    }
    if (n < 10) {
      buf[pos++] = ZERO + n;
    } else {
      let digits = 0;
      for (let t = n; t >= 1; t = Math.floor(t / 10)) digits++;
      let end = pos + digits;
      for (let t = n; end > pos; t = Math.floor(t / 10)) buf[--end] = ZERO + (t % 10);
      pos += digits;
    }
    buf[pos++] = PIPE;
    this.pos = pos;
  }

  /** Writes `n` zero-padded to `width` digits, without a delimiter (for "Customer#000000001"). */
  padded(n: number, width: number): void {
    const buf = this.buf;
    let end = this.pos + width;
    this.pos = end;
    for (let t = n; width > 0; width--, t = Math.floor(t / 10)) buf[--end] = ZERO + (t % 10);
  }

  /** Writes an amount in cents as a decimal with exactly two places, then '|'. */
  cents(c: number): void {
    const buf = this.buf;
    let pos = this.pos;
    if (c < 0) {
      buf[pos++] = MINUS;
      c = -c;
    }
    const whole = Math.floor(c / 100);
    const frac = c - whole * 100;
    if (whole < 10) {
      buf[pos++] = ZERO + whole;
    } else {
      let digits = 0;
      for (let t = whole; t >= 1; t = Math.floor(t / 10)) digits++;
      let end = pos + digits;
      for (let t = whole; end > pos; t = Math.floor(t / 10)) buf[--end] = ZERO + (t % 10);
      pos += digits;
    }
    buf[pos++] = DOT;
    buf[pos++] = ZERO + Math.floor(frac / 10);
    buf[pos++] = ZERO + (frac % 10);
    buf[pos++] = PIPE;
    this.pos = pos;
  }

  /** Copies `len` bytes of `src` from `start` (no delimiter). */
  slice(src: Uint8Array, start: number, len: number): void {
    const buf = this.buf;
    let pos = this.pos;
    if (len > 32) {
      buf.set(src.subarray(start, start + len), pos);
      pos += len;
    } else {
      for (let byteIdx = 0; byteIdx < len; byteIdx++) buf[pos++] = src[start + byteIdx]!;
    }
    this.pos = pos;
  }

  /** Copies all of `src` (no delimiter). */
  bytes(src: Uint8Array): void {
    this.slice(src, 0, src.length);
  }

  /** Writes one byte (no delimiter). */
  byte(b: number): void {
    this.buf[this.pos++] = b;
  }

  /** Writes the field delimiter '|'. */
  sep(): void {
    this.buf[this.pos++] = PIPE;
  }

  /** Ends the line ('\n' after the trailing '|'). */
  eol(): void {
    this.buf[this.pos++] = NEWLINE;
    this.lines++;
  }

  /** Direct access for writers that fill bytes themselves (v-strings); advance with {@link advance}. */
  raw(): { buf: Buffer; pos: number } {
    return { buf: this.buf, pos: this.pos };
  }

  /** Moves the write position to `pos` after a {@link raw} fill. */
  advance(pos: number): void {
    this.pos = pos;
  }
}
