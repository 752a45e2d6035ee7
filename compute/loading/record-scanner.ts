// Finds COPY records and their fields in a byte buffer (text and CSV formats) and un-escapes fields.
//
// The scanner never copies: it records each field as [start, end) offsets into the caller's buffer
// plus flag bits saying whether the raw bytes need un-escaping (backslash, quotes) or UTF-8 checks.
// A record cut off by the end of the buffer reports "incomplete" so the caller can wait for more input.
import type { CopyOptions } from './copy-options.ts';

/** Field flag: contains a backslash escape (text) or an escaped quote (CSV). */
export const F_ESC = 1;
/** Field flag: contains a quote (CSV; or Redshift REMOVEQUOTES in text format). */
export const F_QUOTED = 2;
/** Field flag: contains a byte ≥ 0x80 (needs UTF-8 validation). */
export const F_HIGH = 4;
/** Field flag: a quoted section is not closed on this line (REMOVEQUOTES) or at end of input (CSV). */
export const F_UNTERMINATED = 8;

const LF = 0x0a;
const CR = 0x0d;
const BACKSLASH = 0x5c;

// Byte classes in the scan loop: 0 = ordinary byte.
const K_DELIM = 1;
const K_EOL = 2;
const K_HIGH = 3;
const K_ESC = 4;
const K_QUOTE = 5;

const EOL_LF = 1;
const EOL_CR = 2;
const EOL_CRLF = 3;

/** How backslashes in text format behave. */
const ESC_NONE = 0;
const ESC_PG = 1;
const ESC_LITERAL_NEXT = 2;

/** A reusable byte buffer for un-escaped field values. */
export class Scratch {
  buf = new Uint8Array(256);

  ensure(n: number): Uint8Array {
    if (n > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < n) size *= 2;
      this.buf = new Uint8Array(size);
    }
    return this.buf;
  }
}

/** Splits input into records and fields for one COPY's format options. */
export class RecordScanner {
  fieldStart = new Int32Array(64);
  fieldEnd = new Int32Array(64);
  fieldFlags = new Uint8Array(64);
  /** Fields of the last record scanned. */
  nFields = 0;
  /** End of the last record's content (before its line terminator). */
  recordEnd = 0;
  /** Set when the last record's line ending broke the file's line-ending style (22P04 message), else null. */
  eolError: string | null = null;
  eolHint: string | null = null;
  private eol = 0;

  /** Forgets the line-ending style seen so far (a new input decides its own). */
  resetLineEnding(): void {
    this.eol = 0;
  }
  private readonly cls = new Uint8Array(256);
  private readonly csv: boolean;
  private readonly delim: number;
  private readonly quote: number;
  private readonly escape: number;
  private readonly escMode: number;
  private readonly removeQuotes: boolean;

  constructor(opts: CopyOptions) {
    this.csv = opts.format === 'csv';
    this.delim = opts.delimiter;
    this.quote = opts.quote;
    this.escape = opts.escape;
    this.escMode = this.csv ? ESC_NONE : opts.backslashEscapes ? (opts.dialect === 'postgres' ? ESC_PG : ESC_LITERAL_NEXT) : ESC_NONE;
    this.removeQuotes = !this.csv && opts.removeQuotes;
    const cls = this.cls;
    for (let c = 0x80; c < 256; c++) cls[c] = K_HIGH;
    cls[LF] = K_EOL;
    cls[CR] = K_EOL;
    if (this.escMode !== ESC_NONE) cls[BACKSLASH] = K_ESC;
    if (this.csv) cls[this.quote] = K_QUOTE;
    cls[this.delim] = K_DELIM;
  }

  /** True when the text-format end-of-data marker `\.` is recognized. */
  get endMarkerActive(): boolean {
    return this.escMode !== ESC_NONE;
  }

  /**
   * Scans the record starting at b[pos]; returns where the next record starts, or -1 when the
   * record is not complete before `end` and more input may follow (`final` false). With `final`,
   * the end of the buffer ends the record.
   */
  scan(b: Uint8Array, pos: number, end: number, final: boolean): number {
    this.eolError = null;
    this.eolHint = null;
    return this.csv ? this.scanCsv(b, pos, end, final) : this.scanText(b, pos, end, final);
  }

  private push(nf: number, s: number, e: number, flags: number): number {
    if (nf === this.fieldStart.length) this.grow();
    this.fieldStart[nf] = s;
    this.fieldEnd[nf] = e;
    this.fieldFlags[nf] = flags;
    return nf + 1;
  }

  private grow(): void {
    const n = this.fieldStart.length * 2;
    const fs = new Int32Array(n); fs.set(this.fieldStart); this.fieldStart = fs;
    const fe = new Int32Array(n); fe.set(this.fieldEnd); this.fieldEnd = fe;
    const ff = new Uint8Array(n); ff.set(this.fieldFlags); this.fieldFlags = ff;
  }

  private scanText(b: Uint8Array, pos: number, end: number, final: boolean): number {
    const cls = this.cls;
    let i = pos;
    let fs = pos;
    let flags = 0;
    let nf = 0;
    let atFieldStart = this.removeQuotes;
    for (;;) {
      if (atFieldStart) {
        atFieldStart = false;
        const q = b[i];
        if (i < end && (q === 0x22 || q === 0x27)) {
          // REMOVEQUOTES: the quoted part may hold delimiters; it ends at the same quote.
          let j = i + 1;
          for (; j < end; j++) {
            const c = b[j]!;
            if (c === q) break;
            if (c === LF || c === CR) break;
            if (c >= 0x80) flags |= F_HIGH;
            if (c === BACKSLASH && this.escMode !== ESC_NONE) { flags |= F_ESC; j++; }
          }
          if (j >= end) {
            if (!final) return -1;
            flags |= F_UNTERMINATED | F_QUOTED;
            i = end;
          } else if (b[j] === q) {
            flags |= F_QUOTED;
            i = j + 1;
          } else {
            flags |= F_UNTERMINATED | F_QUOTED;
            i = j;
          }
        }
      }
      while (i < end && cls[b[i]!] === 0) i++;
      if (i >= end) {
        if (!final) return -1;
        this.nFields = this.push(nf, fs, end, flags);
        this.recordEnd = end;
        return end;
      }
      const k = cls[b[i]!]!;
      if (k === K_DELIM) {
        nf = this.push(nf, fs, i, flags);
        i++;
        fs = i;
        flags = 0;
        atFieldStart = this.removeQuotes;
        continue;
      }
      if (k === K_HIGH) { flags |= F_HIGH; i++; continue; }
      if (k === K_ESC) {
        flags |= F_ESC;
        if (i + 1 >= end) {
          if (!final) return -1;
          i++;
          continue;
        }
        if (b[i + 1]! >= 0x80) flags |= F_HIGH;
        i += 2;
        continue;
      }
      this.nFields = this.push(nf, fs, i, flags);
      this.recordEnd = i;
      return this.endOfLine(b, i, end, final);
    }
  }

  private scanCsv(b: Uint8Array, pos: number, end: number, final: boolean): number {
    const cls = this.cls;
    const quote = this.quote;
    const escape = this.escape;
    let i = pos;
    let fs = pos;
    let flags = 0;
    let nf = 0;
    for (;;) {
      // Outside quotes.
      while (i < end && cls[b[i]!] === 0) i++;
      if (i >= end) {
        if (!final) return -1;
        this.nFields = this.push(nf, fs, end, flags);
        this.recordEnd = end;
        return end;
      }
      const k = cls[b[i]!]!;
      if (k === K_DELIM) {
        nf = this.push(nf, fs, i, flags);
        i++;
        fs = i;
        flags = 0;
        continue;
      }
      if (k === K_HIGH) { flags |= F_HIGH; i++; continue; }
      if (k === K_QUOTE) {
        flags |= F_QUOTED;
        i++;
        // Inside quotes: only the quote, the escape and high bytes matter.
        for (;;) {
          while (i < end) {
            const c = b[i]!;
            if (c === quote || c === escape || c >= 0x80) break;
            i++;
          }
          if (i >= end) {
            if (!final) return -1;
            this.nFields = this.push(nf, fs, end, flags | F_UNTERMINATED);
            this.recordEnd = end;
            return end;
          }
          const c = b[i]!;
          if (c >= 0x80) { flags |= F_HIGH; i++; continue; }
          if (c === escape) {
            // An escape escapes the next quote or escape; with escape = quote, "" is one quote.
            if (i + 1 >= end) {
              if (!final) return -1;
              if (escape !== quote) { i++; continue; }
              i++;
              break; // a closing quote at the end of input
            }
            const n = b[i + 1]!;
            if (n === quote || (escape !== quote && n === escape)) { flags |= F_ESC; i += 2; continue; }
            if (escape !== quote) { i++; continue; }
          }
          // Closing quote.
          i++;
          break;
        }
        continue;
      }
      this.nFields = this.push(nf, fs, i, flags);
      this.recordEnd = i;
      return this.endOfLine(b, i, end, final);
    }
  }

  /** Consumes the line terminator at b[i]; checks it against the file's first one (PostgreSQL's rule). */
  private endOfLine(b: Uint8Array, i: number, end: number, final: boolean): number {
    let term: number;
    let next: number;
    if (b[i] === LF) {
      term = EOL_LF;
      next = i + 1;
    } else if (i + 1 >= end) {
      if (!final) return -1;
      term = EOL_CR;
      next = i + 1;
    } else if (b[i + 1] === LF) {
      term = EOL_CRLF;
      next = i + 2;
    } else {
      term = EOL_CR;
      next = i + 1;
    }
    if (this.eol === 0) this.eol = term;
    else if (term !== this.eol) {
      const cr = this.eol === EOL_LF || (this.eol === EOL_CRLF && term === EOL_CR);
      if (this.csv) {
        this.eolError = cr ? 'unquoted carriage return found in data' : 'unquoted newline found in data';
        this.eolHint = cr ? 'Use quoted CSV field to represent carriage return.' : 'Use quoted CSV field to represent newline.';
      } else {
        this.eolError = cr ? 'literal carriage return found in data' : 'literal newline found in data';
        this.eolHint = cr ? 'Use "\\r" to represent carriage return.' : 'Use "\\n" to represent newline.';
      }
    }
    return next;
  }

  /**
   * Writes the value of field b[s, e) with flags `flags` into `out` (from 0) and returns its length:
   * text escapes resolved, CSV quotes removed, REMOVEQUOTES quotes stripped.
   */
  unescape(b: Uint8Array, s: number, e: number, flags: number, scratch: Scratch): number {
    const out = scratch.ensure(e - s);
    if (this.csv) return this.unquoteCsv(b, s, e, out);
    if ((flags & F_QUOTED) !== 0) {
      // REMOVEQUOTES: drop the opening quote and its match; keep what follows the closing quote.
      const q = b[s]!;
      let j = 0;
      let i = s + 1;
      let closed = false;
      for (; i < e; i++) {
        const c = b[i]!;
        if (!closed && c === q) { closed = true; continue; }
        if (c === BACKSLASH && this.escMode !== ESC_NONE && i + 1 < e) {
          j = this.writeEscape(b, i, e, out, j);
          i = this.escapeEnd;
          continue;
        }
        out[j++] = c;
      }
      return j;
    }
    let j = 0;
    for (let i = s; i < e; i++) {
      const c = b[i]!;
      if (c !== BACKSLASH) { out[j++] = c; continue; }
      if (i + 1 >= e) { out[j++] = c; continue; }
      j = this.writeEscape(b, i, e, out, j);
      i = this.escapeEnd;
    }
    return j;
  }

  /** Index of the last byte consumed by the latest {@link writeEscape}. */
  private escapeEnd = 0;

  /** Writes the byte(s) of the escape starting at b[i] (a backslash) and returns the new output length. */
  private writeEscape(b: Uint8Array, i: number, e: number, out: Uint8Array, j: number): number {
    let c = b[++i]!;
    if (this.escMode === ESC_LITERAL_NEXT) {
      out[j++] = c;
      this.escapeEnd = i;
      return j;
    }
    switch (c) {
      case 0x62: c = 0x08; break; // \b
      case 0x66: c = 0x0c; break; // \f
      case 0x6e: c = 0x0a; break; // \n
      case 0x72: c = 0x0d; break; // \r
      case 0x74: c = 0x09; break; // \t
      case 0x76: c = 0x0b; break; // \v
      case 0x78: { // \xHH (one or two hex digits)
        const h1 = hexValue(b[i + 1]);
        if (i + 1 < e && h1 >= 0) {
          i++;
          let v = h1;
          const h2 = hexValue(b[i + 1]);
          if (i + 1 < e && h2 >= 0) { i++; v = v * 16 + h2; }
          c = v;
        }
        break;
      }
      default:
        if (c >= 0x30 && c <= 0x37) { // \ooo (one to three octal digits)
          let v = c - 0x30;
          for (let n = 0; n < 2 && i + 1 < e && b[i + 1]! >= 0x30 && b[i + 1]! <= 0x37; n++) { i++; v = v * 8 + (b[i]! - 0x30); }
          c = v & 0xff;
        }
    }
    out[j++] = c;
    this.escapeEnd = i;
    return j;
  }

  private unquoteCsv(b: Uint8Array, s: number, e: number, out: Uint8Array): number {
    const quote = this.quote;
    const escape = this.escape;
    let j = 0;
    let inQuote = false;
    for (let i = s; i < e; i++) {
      const c = b[i]!;
      if (!inQuote) {
        if (c === quote) inQuote = true;
        else out[j++] = c;
        continue;
      }
      if (c === escape && i + 1 < e && (b[i + 1] === quote || b[i + 1] === escape)) {
        if (escape !== quote || b[i + 1] === quote) { out[j++] = b[i + 1]!; i++; continue; }
      }
      if (c === quote) { inQuote = false; continue; }
      out[j++] = c;
    }
    return j;
  }
}

function hexValue(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}
