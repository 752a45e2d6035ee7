// Converts between the three ways to count into a SQL string: UTF-8 bytes (libpg-query's offsets),
// code points (PostgreSQL's error positions, our AST locations) and UTF-16 units (JS string indices).

/**
 * Offset conversions for one string. libpg-query reports UTF-8 byte offsets; PostgreSQL reports
 * error positions in characters (code points); JS slices by UTF-16 code units. For pure ASCII text
 * all three agree and nothing is allocated.
 */
export class SourceMap {
  /** Byte offset where each code point starts; entry [cpCount] is the byte length. Null for ASCII. */
  private readonly cpByte: Int32Array | null;
  /** UTF-16 index where each code point starts; entry [cpCount] is text.length. Null for ASCII. */
  private readonly cpUnit: Int32Array | null;
  /** Number of code points in the text. */
  readonly cpCount: number;
  /** UTF-8 length of the text. */
  readonly byteLength: number;

  constructor(text: string) {
    if (isAscii(text)) {
      this.cpByte = null;
      this.cpUnit = null;
      this.cpCount = text.length;
      this.byteLength = text.length;
      return;
    }
    const cpByte = new Int32Array(text.length + 1);
    const cpUnit = new Int32Array(text.length + 1);
    let cp = 0;
    let byte = 0;
    for (let unit = 0; unit < text.length; unit++) {
      cpByte[cp] = byte;
      cpUnit[cp] = unit;
      cp++;
      const c = text.charCodeAt(unit);
      if (c < 0x80) byte += 1;
      else if (c < 0x800) byte += 2;
      else if (c >= 0xd800 && c <= 0xdbff && unit + 1 < text.length) {
        const next = text.charCodeAt(unit + 1);
        if (next >= 0xdc00 && next <= 0xdfff) { byte += 4; unit++; } else byte += 3;
      } else byte += 3; // BMP char, or a lone surrogate (encoded as U+FFFD: 3 bytes)
    }
    cpByte[cp] = byte;
    cpUnit[cp] = text.length;
    this.cpByte = cpByte;
    this.cpUnit = cpUnit;
    this.cpCount = cp;
    this.byteLength = byte;
  }

  /** True when the text is ASCII, so every offset kind is the same number. */
  get isAscii(): boolean {
    return this.cpByte === null;
  }

  /** The code point containing (or starting at) UTF-8 byte offset `byte`; clamps to [0, cpCount]. */
  byteToCp(byte: number): number {
    const cpByte = this.cpByte;
    if (cpByte === null) return clamp(byte, this.cpCount);
    if (byte <= 0) return 0;
    if (byte >= this.byteLength) return this.cpCount;
    let lo = 0;
    let hi = this.cpCount; // invariant: cpByte[lo] <= byte < cpByte[hi]
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (cpByte[mid]! <= byte) lo = mid; else hi = mid;
    }
    return lo;
  }

  /** The UTF-16 index of code point `cp`; clamps to [0, text.length]. */
  cpToIndex(cp: number): number {
    const cpUnit = this.cpUnit;
    if (cpUnit === null) return clamp(cp, this.cpCount);
    return cpUnit[clamp(cp, this.cpCount)]!;
  }

  /** The code point at UTF-16 index `index` (a low surrogate maps to its pair's code point). */
  indexToCp(index: number): number {
    const cpUnit = this.cpUnit;
    if (cpUnit === null) return clamp(index, this.cpCount);
    let lo = 0;
    let hi = this.cpCount + 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (cpUnit[mid]! <= index) lo = mid; else hi = mid;
    }
    return lo;
  }

  /** The UTF-16 index of UTF-8 byte offset `byte`. */
  byteToIndex(byte: number): number {
    return this.cpToIndex(this.byteToCp(byte));
  }
}

function clamp(n: number, max: number): number {
  return n < 0 ? 0 : n > max ? max : n;
}

/** True when every UTF-16 unit of `text` is below 0x80. */
export function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return false;
  return true;
}
