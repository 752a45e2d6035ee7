// Cuts a COPY input stream into record-aligned chunks that compute nodes can parse independently.
//
// The leader does not parse: it only finds, near the end of each few-MiB window, the last line
// break that ends a record, and counts the records of each chunk so the parsers on the compute
// nodes report exact line numbers. A line break ends a record unless it is escaped (text format,
// an odd run of backslashes before it) or inside a quoted CSV field. Quote state is tracked with
// indexOf jumps, so unquoted input costs one native search per chunk plus one per line break.
import type { CopyOptions } from './copy-options.ts';

/** A record-aligned piece of one input. */
export interface InputChunk {
  readonly bytes: Uint8Array;
  /** Records of this input before the chunk (so its first record is line firstLine + 1). */
  readonly firstLine: number;
  /** Records that end in the chunk (the last one may lack its line break at end of input). */
  readonly records: number;
  /** The chunk starts the input (header and IGNOREHEADER apply to it only). */
  readonly atStart: boolean;
}

/** Default chunk size: big enough to amortise a round trip, small enough to spread a file over nodes. */
export const DEFAULT_CHUNK_BYTES = 4 << 20;

const LF = 0x0a;
const CR = 0x0d;
const BACKSLASH = 0x5c;

/** Splits a byte stream into {@link InputChunk}s of about `chunkBytes`. */
export class RecordChunker {
  private buf: Uint8Array;
  private len = 0;
  private line = 0;
  private atStart = true;
  private readonly csv: boolean;
  private readonly escapes: boolean;
  private readonly quote: number;
  private readonly escape: number;
  /** Line terminator byte, fixed by the first line break seen (CR only for old Mac files). */
  private eol = -1;

  constructor(opts: CopyOptions, private readonly chunkBytes = DEFAULT_CHUNK_BYTES) {
    this.csv = opts.format === 'csv';
    this.escapes = !this.csv && opts.backslashEscapes;
    this.quote = opts.quote;
    this.escape = opts.escape;
    this.buf = new Uint8Array(chunkBytes * 2);
  }

  /** Adds input; returns the chunks completed by it (possibly none). */
  push(data: Uint8Array): InputChunk[] {
    const out: InputChunk[] = [];
    if (this.buf.length === 0) this.buf = new Uint8Array(this.chunkBytes * 2);
    let at = 0;
    while (at < data.length) {
      const take = Math.min(data.length - at, this.buf.length - this.len);
      this.buf.set(data.subarray(at, at + take), this.len);
      this.len += take;
      at += take;
      if (this.len >= this.chunkBytes) this.cut(out);
      if (this.len === this.buf.length) {
        // One record longer than the window: grow until it ends.
        const grown = new Uint8Array(this.buf.length * 2);
        grown.set(this.buf.subarray(0, this.len));
        this.buf = grown;
      }
    }
    return out;
  }

  /** Ends the input: the rest, if any, is the last chunk. */
  end(): InputChunk | null {
    if (this.len === 0) return null;
    const bytes = this.buf.subarray(0, this.len);
    const { records } = this.scan(bytes, bytes.length);
    // A last record without a line break still counts.
    const trailing = bytes[bytes.length - 1] !== this.eolByte() ? 1 : 0;
    const chunk: InputChunk = { bytes, firstLine: this.line, records: records + trailing, atStart: this.atStart };
    this.line += chunk.records;
    this.atStart = false;
    this.len = 0;
    // The chunk keeps this buffer: any later input starts a new one.
    this.buf = new Uint8Array(0);
    return chunk;
  }

  private eolByte(): number {
    return this.eol < 0 ? LF : this.eol;
  }

  /**
   * Emits the buffered records that end before the last record boundary. The chunk keeps the
   * buffer it was written in (no copy); the partial record after it starts the next buffer.
   */
  private cut(out: InputChunk[]): void {
    if (this.eol < 0) {
      const lf = this.buf.subarray(0, this.len).indexOf(LF);
      const cr = this.buf.subarray(0, this.len).indexOf(CR);
      this.eol = lf < 0 && cr >= 0 ? CR : LF;
    }
    const { records, boundary } = this.scan(this.buf, this.len);
    if (boundary <= 0) return;
    const bytes = this.buf.subarray(0, boundary);
    out.push({ bytes, firstLine: this.line, records, atStart: this.atStart });
    this.line += records;
    this.atStart = false;
    const next = new Uint8Array(Math.max(this.chunkBytes * 2, (this.len - boundary) * 2));
    next.set(this.buf.subarray(boundary, this.len));
    this.buf = next;
    this.len -= boundary;
  }

  /**
   * Counts the record-ending line breaks in b[0, end) and finds the offset just after the last one
   * (0 when there is none).
   */
  private scan(b: Uint8Array, end: number): { records: number; boundary: number } {
    const eol = this.eolByte();
    const view = b.subarray(0, end);
    let records = 0;
    let boundary = 0;
    let i = 0;
    if (!this.csv) {
      for (;;) {
        const j = view.indexOf(eol, i);
        if (j < 0) break;
        i = j + 1;
        if (this.escapes && j > 0 && b[j - 1] === BACKSLASH) {
          let k = j - 1;
          while (k >= 0 && b[k] === BACKSLASH) k--;
          if (((j - 1 - k) & 1) === 1) continue; // an escaped line break is data
        }
        records++;
        boundary = i;
      }
      return { records, boundary };
    }
    const quote = this.quote;
    const escape = this.escape;
    for (;;) {
      // Outside quotes: every line break before the next quote ends a record.
      const q = view.indexOf(quote, i);
      const stop = q < 0 ? end : q;
      for (;;) {
        const j = view.indexOf(eol, i);
        if (j < 0 || j >= stop) break;
        records++;
        i = j + 1;
        boundary = i;
      }
      if (q < 0) break;
      // Inside quotes: find the closing quote; a doubled quote (or the escape byte) continues it.
      i = q + 1;
      let closed = false;
      while (i < end) {
        const c = b[i]!;
        if (c === escape && escape !== quote && i + 1 < end && (b[i + 1] === quote || b[i + 1] === escape)) { i += 2; continue; }
        if (c === quote) {
          if (i + 1 < end && b[i + 1] === quote && escape === quote) { i += 2; continue; }
          if (i + 1 >= end && escape === quote) { i = end; break; } // undecided until more input
          closed = true;
          i++;
          break;
        }
        if (escape !== quote) { i++; continue; }
        const n = view.indexOf(quote, i);
        if (n < 0) { i = end; break; }
        i = n;
      }
      if (!closed) break;
    }
    return { records, boundary };
  }
}
