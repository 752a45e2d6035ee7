// Streams a table snapshot: segment by segment, row group by row group, reading only the asked-for
// columns, skipping row groups whose zone maps rule out a filter, applying delete vectors as
// selection vectors and cutting blocks into batches. Memory is one row group of the projected
// columns (plus one prefetched), whatever the table size.
import type { Vector } from '../compute/batch/vector.ts';
import { BATCH_SIZE } from '../compute/batch/batch.ts';
import type { ZoneFilter } from './slice-store.ts';
import type { TableManifest, SegmentRef } from './manifest.ts';
import { SegmentFileCache, type ScanContext } from './segment-file-cache.ts';
import type { StorageBatch, SegmentScanOptions } from './scan-types.ts';
import type { SegmentFooter } from './segment/segment-format.ts';
import { SegmentReader, corruptionIn } from './segment/segment-reader.ts';
import { decodeBlock } from './segment/block-codec.ts';
import { BlockFlag } from './segment/block-header.ts';
import { layoutOf, type ColumnLayout } from './column-kind.ts';
import { decodeZoneMap, zoneMayMatch, type ZoneMap } from './zone-map.ts';
import { allNullVector, sliceVector } from './vector-ops.ts';
import { queryCanceled, SqlError, SqlState } from '../common/errors/index.ts';
import { FRESH_ALLOCATOR, RecyclingAllocator } from './vector-allocator.ts';
import { blockCacheBudget } from './block-cache.ts';

/** For each table column, its index in the segment (matched by name), or −1 when the segment predates it. */
export function columnMapping(snapshot: TableManifest, footer: SegmentFooter): Int32Array {
  const names = footer.meta.columns.map((c) => c.name);
  return Int32Array.from(snapshot.table.columns, (c) => names.indexOf(c.name));
}

/** The zone map of block (rowGroup, segCol). */
export function blockZone(footer: SegmentFooter, rowGroup: number, segCol: number, layout: ColumnLayout): ZoneMap {
  const h = footer.blocks[rowGroup * footer.meta.columns.length + segCol]!.header;
  return decodeZoneMap(h.zoneBytes, layout.kind, h.valueCount, h.nullCount, (h.flags & BlockFlag.MAX_UNBOUNDED) !== 0);
}

/** Whether a filter on a column missing from the segment (all NULL there) can match. */
function missingColumnMayMatch(f: ZoneFilter): boolean {
  return f.kind === 'isNull' && !f.negated;
}

/** Live rows of [start, end) given the segment's sorted deleted rows; null = all live. */
function liveSelection(deleted: Uint32Array, start: number, end: number): Uint32Array | null {
  let lo = 0;
  let hi = deleted.length;
  while (lo < hi) { const mid = (lo + hi) >>> 1; if (deleted[mid]! < start) lo = mid + 1; else hi = mid; }
  if (lo >= deleted.length || deleted[lo]! >= end) return null;
  const sel = new Uint32Array(end - start);
  let k = 0;
  let d = lo;
  for (let r = start; r < end; r++) {
    if (d < deleted.length && deleted[d] === r) { d++; continue; }
    sel[k++] = r - start;
  }
  return sel.subarray(0, k);
}

/** Row groups read ahead of the one being returned. */
const PREFETCH_ROW_GROUPS = 3;

/**
 * Frames a buffer-recycling scan needs: the row groups in flight, the one being returned, and the
 * one whose last batch the consumer holds until its next request.
 */
const RECYCLE_RING = PREFETCH_ROW_GROUPS + 2;

function checkSignal(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw queryCanceled();
}

/** A table's committed state in one slice directory, as a reader in another thread receives it. */
export interface TableSnapshot {
  readonly dir: string;
  readonly manifest: TableManifest;
}

/**
 * Reads pinned snapshots of any slice directories (a slice worker thread's view of storage): the
 * owner of the files keeps them until the reader is done; footers and delete vectors are cached per
 * directory.
 */
export class SnapshotReader {
  private readonly caches = new Map<string, SegmentFileCache>();

  scan(s: TableSnapshot, opts: SegmentScanOptions): AsyncGenerator<StorageBatch> {
    let cache = this.caches.get(s.dir);
    if (cache === undefined) this.caches.set(s.dir, cache = new SegmentFileCache(s.dir, blockCacheBudget()));
    return scanTable(cache, s.manifest, opts);
  }
}

/** Scans a snapshot (the caller holds file references for its lifetime). */
export async function* scanTable(ctx: ScanContext, snapshot: TableManifest, opts: SegmentScanOptions): AsyncGenerator<StorageBatch> {
  const table = snapshot.table;
  const tableId = table.tableId;
  const layouts = table.columns.map((c) => layoutOf(c.type));
  for (const c of opts.columns) {
    if (c < 0 || c >= table.columns.length) throw new SqlError(SqlState.UNDEFINED_COLUMN, `column ${c} does not exist in table ${tableId}`);
  }
  const filters = opts.filters ?? [];
  const batchRows = Math.max(1, opts.batchRows ?? BATCH_SIZE);
  const stats = opts.stats;
  const recycler = opts.reuseBuffers === true ? new RecyclingAllocator(RECYCLE_RING) : null;
  ctx.blocks?.retain(tableId, new Set(snapshot.segments.map((s) => s.file)));
  for (const seg of snapshot.segments) {
    checkSignal(opts.signal);
    if (stats !== undefined) stats.segmentsTotal++;
    const live = seg.rows - (seg.deletes?.count ?? 0);
    if (live === 0) { if (stats !== undefined) stats.segmentsSkipped++; continue; }
    try {
      yield* scanSegment(ctx, snapshot, seg, layouts, filters, opts, batchRows, recycler);
    } catch (err) {
      throw corruptionIn(err, tableId, seg.file);
    }
  }
}

async function* scanSegment(
  ctx: ScanContext, snapshot: TableManifest, seg: SegmentRef, layouts: readonly ColumnLayout[],
  filters: readonly ZoneFilter[], opts: SegmentScanOptions, batchRows: number, recycler: RecyclingAllocator | null,
): AsyncGenerator<StorageBatch> {
  const table = snapshot.table;
  const stats = opts.stats;
  const footer = await ctx.footer(table.tableId, seg);
  const map = columnMapping(snapshot, footer);
  for (const f of filters) {
    if (map[f.column] === -1 && !missingColumnMayMatch(f)) {
      if (stats !== undefined) { stats.segmentsSkipped++; stats.rowGroupsTotal += footer.meta.rowGroups; stats.rowGroupsSkipped += footer.meta.rowGroups; }
      return;
    }
  }
  const deleted = seg.deletes === null ? new Uint32Array(0) : await ctx.deletes(table.tableId, seg);
  const ncols = footer.meta.columns.length;
  const groups = footer.meta.rowGroups;
  // Row groups that survive the zone maps.
  const keep: number[] = [];
  for (let g = 0; g < groups; g++) {
    let ok = true;
    for (const f of filters) {
      const segCol = map[f.column]!;
      if (segCol < 0) continue;
      if (!zoneMayMatch(f, blockZone(footer, g, segCol, layouts[f.column]!), layouts[f.column]!, table.columns[f.column]!.type)) { ok = false; break; }
    }
    if (ok) keep.push(g);
  }
  if (stats !== undefined) { stats.rowGroupsTotal += groups; stats.rowGroupsSkipped += groups - keep.length; }
  if (keep.length === 0) return;
  // Opened on the first block the cache does not hold.
  let opened: Promise<SegmentReader> | null = null;
  const open = (): Promise<SegmentReader> => (opened ??= SegmentReader.open(ctx.path(seg.file)));
  try {
    const stringCodes = opts.dictionaryCodes === true;
    const readGroup = (g: number): Promise<(Vector | null)[]> => {
      const alloc = recycler === null ? FRESH_ALLOCATOR : recycler.next();
      return Promise.all(opts.columns.map(async (c) => {
        const segCol = map[c]!;
        if (segCol < 0) return null;
        const block = `${g}:${segCol}:${stringCodes ? 'codes' : 'strings'}`;
        const cache = ctx.blocks;
        const cached = cache?.get(table.tableId, seg.file, block);
        if (cached !== undefined) return cached;
        // A block the cache will keep is decoded into memory of its own, never into recycled buffers.
        const keep = cache !== undefined && cache.hasRoom;
        const into = keep ? FRESH_ALLOCATOR : alloc;
        const entry = footer.blocks[g * ncols + segCol]!;
        const bytes = await (await open()).readBlockBytes(entry, into);
        if (stats !== undefined) { stats.blocksRead++; stats.bytesRead += bytes.length; }
        const v = decodeBlock(bytes, entry.headerBytes, layouts[c]!, stringCodes, into);
        if (keep) cache.admit(table.tableId, seg.file, block, v);
        return v;
      }));
    };
    // Keep a few row groups in flight so positioned reads overlap decoding and the consumer.
    const pending: Promise<(Vector | null)[]>[] = [];
    let issued = 0;
    const issue = (): void => {
      while (issued < keep.length && pending.length < PREFETCH_ROW_GROUPS) {
        const p = readGroup(keep[issued++]!);
        p.catch(() => undefined); // surfaced when awaited
        pending.push(p);
      }
    };
    for (let k = 0; k < keep.length; k++) {
      checkSignal(opts.signal);
      const g = keep[k]!;
      issue();
      const decoded = await pending.shift()!;
      issue();
      const rows = footer.blocks[g * ncols]!.header.valueCount;
      const groupStart = g * footer.meta.blockRows;
      const vectors: Vector[] = opts.columns.map((c, i) => decoded[i] ?? allNullVector(layouts[c]!, rows));
      for (let a = 0; a < rows; a += batchRows) {
        const e = Math.min(rows, a + batchRows);
        const selection = liveSelection(deleted, groupStart + a, groupStart + e);
        if (selection !== null && selection.length === 0) continue;
        const columns = a === 0 && e === rows ? vectors : vectors.map((v) => sliceVector(v, a, e));
        const batch: StorageBatch = { length: e - a, columns, selection, segmentId: seg.id, firstRow: groupStart + a };
        if (stats !== undefined) stats.rowsReturned += selection === null ? e - a : selection.length;
        yield batch;
      }
    }
  } finally {
    if (opened !== null) await (await opened.catch(() => null))?.close();
  }
}
