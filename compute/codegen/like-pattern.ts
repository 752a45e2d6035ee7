// Splits a constant LIKE pattern into literal parts around '%' so it can be matched on UTF-8 bytes.

const encoder = new TextEncoder();

/**
 * A LIKE pattern made only of literals and '%': value = parts[0] % parts[1] % ... % parts[n-1].
 * `parts.length === 1` means no '%' (whole-string equality).
 */
export interface LikeParts {
  readonly parts: readonly Uint8Array[];
  /** The shape the kernel can test inline; 'general' goes through likeMatchParts. */
  readonly shape: 'exact' | 'prefix' | 'suffix' | 'contains' | 'general';
}

/** True when `s` holds an unpaired UTF-16 surrogate (its UTF-8 bytes would not round-trip). */
export function hasLoneSurrogate(s: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

/**
 * Parses `pattern` with the escape rules of the reference LIKE (backslash escapes the next
 * character). Returns undefined when the pattern has '_' (one UTF-16 unit, which bytes cannot
 * express), a lone surrogate or a trailing escape (an error): those take the generic path.
 */
export function parseLikePattern(pattern: string): LikeParts | undefined {
  if (hasLoneSurrogate(pattern)) return undefined;
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      // A trailing escape is an error (22025) for each row that reaches it: the generic path raises it.
      if (i + 1 === pattern.length) return undefined;
      cur += pattern[++i]!;
    }
    else if (c === '_') return undefined;
    else if (c === '%') {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  // Empty middle parts ('%%') constrain nothing.
  const kept = parts.length <= 2 ? parts : [parts[0]!, ...parts.slice(1, -1).filter((p) => p !== ''), parts[parts.length - 1]!];
  const bytes = kept.map((p) => encoder.encode(p));
  let shape: LikeParts['shape'] = 'general';
  if (kept.length === 1) shape = 'exact';
  else if (kept.length === 2 && kept[1] === '') shape = 'prefix';
  else if (kept.length === 2 && kept[0] === '') shape = 'suffix';
  else if (kept.length === 3 && kept[0] === '' && kept[2] === '') shape = 'contains';
  return { parts: bytes, shape };
}

/** Whether bytes[start..end) begins with `lit`. */
export function bytesStartWith(bytes: Uint8Array, start: number, end: number, lit: Uint8Array): boolean {
  const n = lit.length;
  if (end - start < n) return false;
  for (let j = 0; j < n; j++) if (bytes[start + j] !== lit[j]) return false;
  return true;
}

/** Whether bytes[start..end) ends with `lit`. */
export function bytesEndWith(bytes: Uint8Array, start: number, end: number, lit: Uint8Array): boolean {
  const n = lit.length;
  if (end - start < n) return false;
  const base = end - n;
  for (let j = 0; j < n; j++) if (bytes[base + j] !== lit[j]) return false;
  return true;
}

/** First index ≥ from where `lit` occurs inside bytes[from..end), or -1. */
export function bytesIndexOf(bytes: Uint8Array, from: number, end: number, lit: Uint8Array): number {
  const n = lit.length;
  if (n === 0) return from;
  const first = lit[0]!;
  const last = end - n;
  outer: for (let p = from; p <= last; p++) {
    if (bytes[p] !== first) continue;
    for (let j = 1; j < n; j++) if (bytes[p + j] !== lit[j]) continue outer;
    return p;
  }
  return -1;
}

/** Matches bytes[start..end) against parts joined by '%' (leftmost-first is exact for '%'). */
export function likeMatchParts(bytes: Uint8Array, start: number, end: number, parts: readonly Uint8Array[]): boolean {
  const n = parts.length;
  const head = parts[0]!;
  if (n === 1) return end - start === head.length && bytesStartWith(bytes, start, end, head);
  const tail = parts[n - 1]!;
  if (end - start < head.length + tail.length) return false;
  if (!bytesStartWith(bytes, start, end, head) || !bytesEndWith(bytes, start, end, tail)) return false;
  let pos = start + head.length;
  const stop = end - tail.length;
  for (let p = 1; p < n - 1; p++) {
    const lit = parts[p]!;
    const at = bytesIndexOf(bytes, pos, stop, lit);
    if (at < 0) return false;
    pos = at + lit.length;
  }
  return true;
}
