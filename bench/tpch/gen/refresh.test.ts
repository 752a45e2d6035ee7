// Refresh data: RF1 keys use unused sparse slots, rows follow the load's format, RF2 deletes loaded keys.
import { describe, expect, it } from 'vitest';
import { generateTableChunks } from './generate.ts';
import { maxRefreshSets, refreshDeleteKeys, refreshInsertChunks, refreshOrderCount, refreshOrderKey } from './refresh.ts';

const SF = 0.01;
const lines = (chunks: Iterable<Buffer>): string[][] =>
  Buffer.concat([...chunks]).toString('latin1').split('\n').filter((l) => l !== '').map((l) => l.split('|'));

describe('refresh functions', () => {
  const loaded = new Set(lines(generateTableChunks('orders', { sf: SF })).map((o) => Number(o[0])));

  it('RF1 inserts SF * 1500 orders with fresh, distinct keys and their line items', () => {
    const seen = new Set<number>();
    for (let set = 1; set <= 4; set++) {
      const orders = lines(refreshInsertChunks(SF, set, 'orders'));
      expect(orders.length).toBe(refreshOrderCount(SF));
      expect(orders.length).toBe(15);
      for (const o of orders) {
        const key = Number(o[0]);
        expect(loaded.has(key)).toBe(false);
        expect(seen.has(key)).toBe(false);
        seen.add(key);
      }
      const items = lines(refreshInsertChunks(SF, set, 'lineitem'));
      const keys = new Set(orders.map((o) => o[0]));
      expect(items.length).toBeGreaterThanOrEqual(15);
      for (const l of items) expect(keys.has(l[0]!)).toBe(true);
      expect(items[0]!.length).toBe(17);
    }
  });

  it('RF2 deletes loaded orders, different ones per set', () => {
    const a = refreshDeleteKeys(SF, 1);
    const b = refreshDeleteKeys(SF, 2);
    expect(a.length).toBe(15);
    for (const k of [...a, ...b]) expect(loaded.has(k)).toBe(true);
    expect(a.some((k) => b.includes(k))).toBe(false);
  });

  it('keys stay in unused slots for every set', () => {
    const max = maxRefreshSets(SF);
    expect(max).toBeGreaterThan(100);
    for (const set of [1, 2, 3, 4, max]) {
      for (let n = 0; n < refreshOrderCount(SF); n++) expect(((refreshOrderKey(SF, set, n) - 1) % 32) >= 8).toBe(true);
    }
    expect(() => refreshDeleteKeys(SF, max + 1)).toThrow(RangeError);
  });
});
