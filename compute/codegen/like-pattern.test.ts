// Unit tests of constant LIKE pattern parsing and byte matching, and of the byte-string IN set.
import { describe, expect, it } from 'vitest';
import { ByteStringSet } from './byte-string-set.ts';
import { likeMatchParts, parseLikePattern } from './like-pattern.ts';

const enc = new TextEncoder();

function matches(pattern: string, s: string): boolean | undefined {
  const p = parseLikePattern(pattern);
  if (!p) return undefined;
  const b = enc.encode(s);
  return likeMatchParts(b, 0, b.length, p.parts);
}

describe('parseLikePattern', () => {
  it('classifies shapes and honours backslash escapes', () => {
    expect(parseLikePattern('abc')?.shape).toBe('exact');
    expect(parseLikePattern('abc%')?.shape).toBe('prefix');
    expect(parseLikePattern('%abc')?.shape).toBe('suffix');
    expect(parseLikePattern('%abc%')?.shape).toBe('contains');
    expect(parseLikePattern('a%b%c')?.shape).toBe('general');
    expect(parseLikePattern('a\\%b')?.shape).toBe('exact');
  });

  it('leaves _, lone surrogates and a trailing escape (an error) to the generic path', () => {
    expect(parseLikePattern('x\\')).toBeUndefined();
    expect(parseLikePattern('a_c')).toBeUndefined();
    expect(parseLikePattern('a\uD800%')).toBeUndefined();
    expect(parseLikePattern('a\\_c')?.shape).toBe('exact');
  });

  it('matches % patterns on UTF-8 bytes', () => {
    expect(matches('%o%o%', 'foo')).toBe(true);
    expect(matches('%o%o%', 'fo')).toBe(false);
    expect(matches('ab%ba', 'aba')).toBe(false);
    expect(matches('ab%ba', 'abba')).toBe(true);
    expect(matches('日%語', '日本語')).toBe(true);
    expect(matches('%😀', 'x😀')).toBe(true);
    expect(matches('a\\%b', 'a%b')).toBe(true);
    expect(matches('a\\%b', 'axb')).toBe(false);
    expect(matches('%%', '')).toBe(true);
  });
});

describe('ByteStringSet', () => {
  it('finds members by bytes among many (probing past collisions)', () => {
    const members = Array.from({ length: 200 }, (_, i) => `k${i}é`);
    const set = new ByteStringSet([...members, '', '😀']);
    for (const m of [...members, '', '😀']) {
      const b = enc.encode(`xx${m}yy`);
      expect(set.has(b, 2, b.length - 2)).toBe(true);
    }
    const miss = enc.encode('k200é');
    expect(set.has(miss, 0, miss.length)).toBe(false);
  });
});
