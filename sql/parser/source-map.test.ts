// Byte / code point / UTF-16 offset conversions.
import { describe, expect, it } from 'vitest';
import { SourceMap } from './source-map.ts';

describe('SourceMap', () => {
  it('is the identity for ASCII', () => {
    const m = new SourceMap('select 1');
    expect(m.isAscii).toBe(true);
    expect([m.byteToCp(3), m.cpToIndex(3), m.indexToCp(3), m.cpCount, m.byteLength]).toEqual([3, 3, 3, 8, 8]);
  });

  it('maps 2-, 3- and 4-byte characters', () => {
    const text = 'aé€😀b'; // bytes: a=1 é=2 €=3 😀=4 b=1; UTF-16 units: 1,1,1,2,1
    const m = new SourceMap(text);
    expect(m.cpCount).toBe(5);
    expect(m.byteLength).toBe(Buffer.byteLength(text));
    expect([0, 1, 3, 6, 10, 11].map((b) => m.byteToCp(b))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(m.byteToCp(2)).toBe(1); // inside é
    expect([0, 1, 2, 3, 4, 5].map((cp) => m.cpToIndex(cp))).toEqual([0, 1, 2, 3, 5, 6]);
    expect(m.indexToCp(5)).toBe(4);
    expect(m.byteToIndex(10)).toBe(5);
  });
});
