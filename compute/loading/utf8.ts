// UTF-8 checks on byte ranges for COPY input: find the first invalid sequence, replace invalid bytes.

/**
 * Index of the first byte of the first invalid UTF-8 sequence in b[start, end), or -1 when the
 * range is valid. Rejects overlong forms, surrogates and code points above U+10FFFF, and NUL
 * (PostgreSQL does not allow 0x00 in text).
 */
export function findInvalidUtf8(b: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end) {
    const c = b[i]!;
    if (c < 0x80) {
      if (c === 0) return i;
      i++;
      continue;
    }
    const len = sequenceLength(b, i, end);
    if (len <= 0) return i;
    i += len;
  }
  return -1;
}

/** Length of the valid sequence starting at b[i] (a byte ≥ 0x80), or 0 when it is invalid. */
function sequenceLength(b: Uint8Array, i: number, end: number): number {
  const c = b[i]!;
  if (c >= 0xc2 && c <= 0xdf) {
    return i + 1 < end && (b[i + 1]! & 0xc0) === 0x80 ? 2 : 0;
  }
  if (c >= 0xe0 && c <= 0xef) {
    if (i + 2 >= end) return 0;
    const c1 = b[i + 1]!;
    if ((c1 & 0xc0) !== 0x80 || (b[i + 2]! & 0xc0) !== 0x80) return 0;
    if (c === 0xe0 && c1 < 0xa0) return 0; // overlong
    if (c === 0xed && c1 >= 0xa0) return 0; // surrogate
    return 3;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    if (i + 3 >= end) return 0;
    const c1 = b[i + 1]!;
    if ((c1 & 0xc0) !== 0x80 || (b[i + 2]! & 0xc0) !== 0x80 || (b[i + 3]! & 0xc0) !== 0x80) return 0;
    if (c === 0xf0 && c1 < 0x90) return 0;
    if (c === 0xf4 && c1 >= 0x90) return 0;
    return 4;
  }
  return 0;
}

/** How many bytes a sequence starting with lead byte `c` should have (1 for an invalid lead). */
export function expectedLength(c: number): number {
  if (c >= 0xc0 && c <= 0xdf) return 2;
  if (c >= 0xe0 && c <= 0xef) return 3;
  if (c >= 0xf0 && c <= 0xf7) return 4;
  return 1;
}

/**
 * Replaces, in place, every byte of each invalid sequence in b[start, end) with `replacement`
 * (Redshift ACCEPTINVCHARS: "a string of equal length"). Returns the number of bytes replaced.
 */
export function replaceInvalidUtf8(b: Uint8Array, start: number, end: number, replacement: number): number {
  let replaced = 0;
  let i = start;
  while (i < end) {
    const c = b[i]!;
    if (c < 0x80) {
      if (c === 0) { b[i] = replacement; replaced++; }
      i++;
      continue;
    }
    const len = sequenceLength(b, i, end);
    if (len > 0) { i += len; continue; }
    // Replace the lead byte and the continuation bytes that belong to it.
    const want = expectedLength(c);
    let j = i + 1;
    while (j < end && j < i + want && (b[j]! & 0xc0) === 0x80) j++;
    for (let k = i; k < j; k++) b[k] = replacement;
    replaced += j - i;
    i = j;
  }
  return replaced;
}

/** PostgreSQL's text for an invalid sequence at b[i]: "0xe2 0x28 0xa1". */
export function describeInvalidUtf8(b: Uint8Array, i: number, end: number): string {
  const n = Math.min(expectedLength(b[i]!), end - i);
  const parts: string[] = [];
  for (let k = 0; k < Math.max(n, 1); k++) parts.push('0x' + b[i + k]!.toString(16).padStart(2, '0'));
  return parts.join(' ');
}
