// A hash set of UTF-8 byte strings probed with slices of a StringVector (IN lists of constants).

const encoder = new TextEncoder();

/** FNV-1a over bytes[start..end). */
function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let j = start; j < end; j++) h = Math.imul(h ^ bytes[j]!, 0x01000193);
  return h >>> 0;
}

/**
 * Open-addressing set of constant strings; `has` compares bytes, so probing a vector row creates
 * no JS string. Built once per compiled kernel.
 */
export class ByteStringSet {
  private readonly mask: number;
  /** Slot → member index + 1 (0 = empty). */
  private readonly slots: Int32Array;
  private readonly members: Uint8Array[];

  constructor(strings: readonly string[]) {
    const unique = [...new Set(strings)];
    this.members = unique.map((s) => encoder.encode(s));
    let cap = 8;
    while (cap < unique.length * 2) cap *= 2;
    this.mask = cap - 1;
    this.slots = new Int32Array(cap);
    for (let m = 0; m < this.members.length; m++) {
      const b = this.members[m]!;
      let slot = hashBytes(b, 0, b.length) & this.mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = m + 1;
    }
  }

  /** Whether bytes[start..end) equals one of the members. */
  has(bytes: Uint8Array, start: number, end: number): boolean {
    let slot = hashBytes(bytes, start, end) & this.mask;
    const len = end - start;
    for (;;) {
      const m = this.slots[slot]!;
      if (m === 0) return false;
      const b = this.members[m - 1]!;
      if (b.length === len) {
        let j = 0;
        while (j < len && b[j] === bytes[start + j]) j++;
        if (j === len) return true;
      }
      slot = (slot + 1) & this.mask;
    }
  }
}
