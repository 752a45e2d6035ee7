// Refresh data (clause 2.5 / 4.2.4): RF1 new ORDERS + LINEITEM rows in unused sparse keys, RF2 keys of old orders to delete.
import { DEFAULT_CHUNK_BYTES, LineWriter } from './line-writer.ts';
import { orderKeyOf, scaleFor } from './scale.ts';
import { contextFor } from './generate.ts';
import { writeOrders } from './tables/orders.ts';
import { writeLineitems } from './tables/lineitem.ts';

/** Orders inserted by one RF1 and deleted by one RF2: SF * 1500. */
export function refreshOrderCount(sf: number): number {
  return Math.max(1, Math.floor(sf * 1500 + 1e-6));
}

/**
 * Most refresh sets: RF1 runs out of unused key slots (3 per 32-key block, see
 * {@link refreshOrderKey}) or RF2 out of loaded orders to delete.
 */
export function maxRefreshSets(sf: number): number {
  const count = refreshOrderCount(sf);
  const orders = scaleFor(sf).orders;
  return Math.min(3 * Math.floor(Math.ceil(orders / 8) / Math.ceil(count / 8)), Math.floor(orders / count));
}

/**
 * O_ORDERKEY of new order `n` (0-based) of refresh set `set` (1-based). The load uses key slots
 * 1..8 of every block of 32; set s uses slots 8k+1..8k+8 with k = 1 + (s-1) mod 3 of the next
 * run of blocks, so new keys never collide with loaded ones nor with other sets'.
 */
export function refreshOrderKey(sf: number, set: number, n: number): number {
  const blocksPerSet = Math.ceil(refreshOrderCount(sf) / 8);
  const block = Math.floor((set - 1) / 3) * blocksPerSet + Math.floor(n / 8);
  const slot = 8 * (1 + ((set - 1) % 3));
  return block * 32 + slot + (n % 8) + 1;
}

function checkSet(sf: number, set: number): void {
  if (!Number.isInteger(set) || set < 1 || set > maxRefreshSets(sf)) {
    throw new RangeError(`refresh set must be in 1..${maxRefreshSets(sf)}, got ${set}`);
  }
}

/**
 * RF1's rows for `table` as .tbl chunks. New orders follow the load's rules; their random draws
 * continue past the load's last order (stream index orders + (set-1) * count + n).
 */
export function* refreshInsertChunks(
  sf: number, set: number, table: 'orders' | 'lineitem', chunkBytes: number = DEFAULT_CHUNK_BYTES,
): Generator<Buffer, void, void> {
  checkSet(sf, set);
  const ctx = contextFor(sf);
  const count = refreshOrderCount(sf);
  const first = ctx.scale.orders + (set - 1) * count;
  const keyOf = (i: number): number => refreshOrderKey(sf, set, i - first);
  const out = new LineWriter(chunkBytes);
  const rows = table === 'orders'
    ? writeOrders(ctx, first, first + count, out, keyOf)
    : writeLineitems(ctx, first, first + count, out, keyOf);
  yield* rows;
  if (out.length > 0) yield out.takeChunk();
}

/** RF2's order keys: the loaded orders with indices (set-1) * count .. set * count - 1. */
export function refreshDeleteKeys(sf: number, set: number): number[] {
  checkSet(sf, set);
  const count = refreshOrderCount(sf);
  const keys: number[] = [];
  for (let n = 0; n < count; n++) keys.push(orderKeyOf((set - 1) * count + n));
  return keys;
}
