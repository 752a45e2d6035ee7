// The range of a segment's leading sort-key column, from its zone maps, used to decide whether a
// newly committed segment extends the table's sorted run (its keys all come after the run's).
import type { StoredTable } from './slice-store.ts';
import type { SegmentFooter } from './segment/segment-format.ts';
import { layoutOf } from './column-kind.ts';
import { compareZoneValues, decodeZoneMap, type ZoneValue } from './zone-map.ts';
import { BlockFlag } from './segment/block-header.ts';

/** Min and max of a segment's first sort-key column; hasNulls when any row has NULL there. */
export interface KeyRange { readonly min: ZoneValue | null; readonly max: ZoneValue | null; readonly hasNulls: boolean; readonly exact: boolean }

/** The key range of a segment for the table's first sort column (matched by name), or null without a sort key. */
export function segmentKeyRange(table: StoredTable, footer: SegmentFooter): KeyRange | null {
  const keyCol = table.sortKey[0];
  if (keyCol === undefined) return null;
  const col = table.columns[keyCol]!;
  const segCol = footer.meta.columns.findIndex((c) => c.name === col.name);
  if (segCol < 0) return { min: null, max: null, hasNulls: footer.meta.rowCount > 0, exact: true };
  const kind = layoutOf(col.type).kind;
  const ncols = footer.meta.columns.length;
  let min: ZoneValue | null = null;
  let max: ZoneValue | null = null;
  let hasNulls = false;
  let exact = true;
  for (let g = 0; g < footer.meta.rowGroups; g++) {
    const h = footer.blocks[g * ncols + segCol]!.header;
    if (h.nullCount > 0) hasNulls = true;
    if ((h.flags & BlockFlag.MAX_UNBOUNDED) !== 0) exact = false;
    const z = decodeZoneMap(h.zoneBytes, kind, h.valueCount, h.nullCount, (h.flags & BlockFlag.MAX_UNBOUNDED) !== 0);
    if (z.min !== null && (min === null || compareZoneValues(z.min, min, kind) < 0)) min = z.min;
    if (z.max !== null && (max === null || compareZoneValues(z.max, max, kind) > 0)) max = z.max;
  }
  return { min, max, hasNulls, exact };
}

/**
 * True when every key of `next` sorts after every key of `prev`, so the two form one sorted run.
 * Equal leading values are enough for a one-column key; with more columns they would need the
 * next column's order too, so they count as unsorted.
 */
export function followsStrictly(table: StoredTable, prev: KeyRange, next: KeyRange): boolean {
  if (prev.hasNulls || next.hasNulls || !prev.exact) return false;
  if (prev.max === null || next.min === null) return false;
  const kind = layoutOf(table.columns[table.sortKey[0]!]!.type).kind;
  const c = compareZoneValues(next.min, prev.max, kind);
  return table.sortKey.length === 1 ? c >= 0 : c > 0;
}
