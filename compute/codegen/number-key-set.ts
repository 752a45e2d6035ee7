// A set of numbers for the compiled IN filters on numeric columns (a join's runtime key filter
// holds thousands of keys and is probed once per scanned row): integer keys over a dense range
// become a bitmap, anything else an open-addressing table over a Float64Array. Either way a
// probe is a few typed-array reads, not a Set lookup.

/** Bitmap bits allowed per member before a dense range stops paying (a sparse range hashes instead). */
const BITS_PER_MEMBER = 256;
/** A range this small (128 KiB of bits) is a bitmap however few its members: it stays in cache. */
const SMALL_BITMAP_BITS = 1 << 20;
/** The largest bitmap, in bits (8 MiB). */
const MAX_BITMAP_BITS = 1 << 26;

/** Mixes the bits of a double's two words into a slot number. */
function hashNumber(v: number, words: Int32Array, doubles: Float64Array, mask: number): number {
  doubles[0] = v;
  return (Math.imul(words[0]! ^ Math.imul(words[1]!, 0x9e3779b1), 0x85ebca6b) >>> 7) & mask;
}

export class NumberKeySet {
  /** Bitmap over [min, min + range) when the members are integers in a dense range; else null. */
  private readonly bits: Uint32Array | null;
  private readonly min: number;
  private readonly range: number;
  /** Open addressing: a slot holds a member, empty slots are marked in `used`. */
  private readonly slots: Float64Array;
  private readonly used: Uint8Array;
  private readonly mask: number;
  private readonly scratch = new Float64Array(1);
  private readonly scratchWords = new Int32Array(this.scratch.buffer);
  private readonly hasNaN: boolean;

  constructor(values: ArrayLike<number>) {
    // One pass for the range; duplicates cost nothing in a bitmap and are skipped when hashing.
    let hasNaN = false;
    let min = Infinity;
    let max = -Infinity;
    let integers = true;
    let count = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v !== v) { hasNaN = true; continue; }
      count++;
      if (!Number.isSafeInteger(v)) integers = false;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    // NaN equals NaN in SQL (and -0 equals 0): NaN is a flag, -0 is stored as 0.
    this.hasNaN = hasNaN;
    const range = count === 0 ? 0 : max - min + 1;
    if (integers && range <= MAX_BITMAP_BITS && range <= Math.max(SMALL_BITMAP_BITS, count * BITS_PER_MEMBER)) {
      this.min = count === 0 ? 0 : min;
      this.range = range;
      const bits = this.bits = new Uint32Array(Math.max(1, Math.ceil(range / 32)));
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        if (v !== v) continue;
        const d = v - this.min;
        bits[d >>> 5]! |= 1 << (d & 31);
      }
      this.slots = new Float64Array(0);
      this.used = new Uint8Array(0);
      this.mask = 0;
      return;
    }
    this.bits = null;
    this.min = 0;
    this.range = 0;
    let cap = 16;
    while (cap < count * 2) cap *= 2;
    this.mask = cap - 1;
    this.slots = new Float64Array(cap);
    this.used = new Uint8Array(cap);
    for (let i = 0; i < values.length; i++) {
      let v = values[i]!;
      if (v !== v) continue;
      if (v === 0) v = 0;
      let s = hashNumber(v, this.scratchWords, this.scratch, this.mask);
      while (this.used[s] === 1 && this.slots[s] !== v) s = (s + 1) & this.mask;
      this.slots[s] = v;
      this.used[s] = 1;
    }
  }

  /**
   * The bitmap over [min, min + range) when the members are integers in a dense range (kernels
   * probe it inline for int32 arguments); null for a hashed set.
   */
  bitmap(): { readonly bits: Uint32Array; readonly min: number; readonly range: number } | null {
    return this.bits === null ? null : { bits: this.bits, min: this.min, range: this.range };
  }

  has(v: number): boolean {
    if (v !== v) return this.hasNaN;
    const bits = this.bits;
    if (bits !== null) {
      const d = v - this.min;
      // Out of range, or not an integer: not a member.
      if (!(d >= 0 && d < this.range) || (d | 0) !== d) return false;
      return (bits[d >>> 5]! & (1 << (d & 31))) !== 0;
    }
    if (v === 0) v = 0; // -0 hashes as 0
    let s = hashNumber(v, this.scratchWords, this.scratch, this.mask);
    while (this.used[s] === 1) {
      if (this.slots[s] === v) return true;
      s = (s + 1) & this.mask;
    }
    return false;
  }
}
