// VACUUM: rewrites a table's segments online — drops deleted rows, merges small segments and
// re-sorts everything into one sorted run — while scans keep reading their old snapshot.
//
// 'delete only' rewrites each segment that has deleted rows, in place and order.
// 'sort only' and 'full' merge all segments: inputs already sorted by the table's compound key are
// k-way merged directly; others (interleaved keys, segments written under another key) are first
// re-sorted one segment at a time into temporary runs. Memory: one row group per input plus one
// segment while re-sorting. The new segments are published by one manifest swap, and only if no
// transaction deleted rows from the inputs meanwhile (else the VACUUM is skipped and can be rerun).
// Inputs that a durable prepared transaction deletes from are never rewritten: its commit, which
// the coordinator may already have decided, needs those segments.
import type { Vector } from '../compute/batch/vector.ts';
import type { StoredTable } from './slice-store.ts';
import type { StoreContext } from './store-context.ts';
import { filesOf, type SegmentRef, type TableManifest } from './manifest.ts';
import type { StorageBatch } from './scan-types.ts';
import { scanTable } from './table-scan.ts';
import { SegmentSink, type SinkSegment } from './segment/segment-sink.ts';
import { RowBuffer } from './row-buffer.ts';
import { layoutOf } from './column-kind.ts';
import { sortPermutation } from './sort/sort-permutation.ts';
import { compareKeys } from './sort/row-compare.ts';
import { zProjectZone, zValues, type ZBounds } from './sort/z-order.ts';
import { decodeZoneMap } from './zone-map.ts';
import { BlockFlag } from './segment/block-header.ts';
import { fsyncFile, fsyncDir } from './io/fs-durable.ts';

/** VACUUM variants, as in Redshift. */
export type VacuumMode = 'full' | 'sort only' | 'delete only';

/** What a VACUUM did. */
export interface VacuumResult {
  readonly mode: VacuumMode;
  /** True when there was nothing to do or a concurrent delete forced it to give up. */
  readonly skipped: boolean;
  readonly reason?: string;
  readonly segmentsBefore: number;
  readonly segmentsAfter: number;
  readonly rowsWritten: number;
  readonly deletedRowsReclaimed: number;
}

function allColumns(t: StoredTable): number[] {
  return t.columns.map((_, i) => i);
}

/** Snapshot restricted to some segments. */
function subset(snapshot: TableManifest, segments: readonly SegmentRef[]): TableManifest {
  return { ...snapshot, segments };
}

async function copyLive(ctx: StoreContext, snapshot: TableManifest, inputs: readonly SegmentRef[], sink: SegmentSink): Promise<void> {
  const cols = allColumns(snapshot.table);
  for await (const b of scanTable(ctx, subset(snapshot, inputs), { columns: cols, batchRows: ctx.blockRows, reuseBuffers: true })) {
    await sink.append(b.columns, b.selection === null ? b.length : b.selection.length, b.selection);
  }
}

/** Whether a segment's rows are already in the table's compound sort order. */
async function sortedByTableKey(ctx: StoreContext, t: StoredTable, seg: SegmentRef): Promise<boolean> {
  if (t.sortStyle !== 'compound') return false;
  const meta = (await ctx.footer(t.tableId, seg)).meta;
  if (meta.sortStyle !== 'compound' || meta.sortKey.length < t.sortKey.length) return false;
  return t.sortKey.every((k, i) => meta.columns[meta.sortKey[i]!]?.name === t.columns[k]!.name);
}

/** Table-wide value ranges of the interleaved key columns, from zone maps. */
async function globalZBounds(ctx: StoreContext, snapshot: TableManifest): Promise<ZBounds[]> {
  const t = snapshot.table;
  const bounds: ZBounds[] = t.sortKey.map(() => ({ min: Infinity, max: -Infinity }));
  for (const seg of snapshot.segments) {
    const f = await ctx.footer(t.tableId, seg);
    const ncols = f.meta.columns.length;
    t.sortKey.forEach((k, i) => {
      const segCol = f.meta.columns.findIndex((c) => c.name === t.columns[k]!.name);
      if (segCol < 0) return;
      const kind = layoutOf(t.columns[k]!.type).kind;
      for (let g = 0; g < f.meta.rowGroups; g++) {
        const h = f.blocks[g * ncols + segCol]!.header;
        const z = decodeZoneMap(h.zoneBytes, kind, h.valueCount, h.nullCount, (h.flags & BlockFlag.MAX_UNBOUNDED) !== 0);
        if (z.min !== null) bounds[i]!.min = Math.min(bounds[i]!.min, zProjectZone(z.min));
        if (z.max !== null) bounds[i]!.max = Math.max(bounds[i]!.max, zProjectZone(z.max));
      }
    });
  }
  return bounds;
}

/** One input run of the k-way merge: the current row group of a segment and its live rows. */
class MergeCursor {
  batch: StorageBatch | null = null;
  keys: Vector[] = [];
  live: Uint32Array | null = null;
  count = 0;
  pos = 0;

  constructor(private readonly iter: AsyncIterator<StorageBatch>, private readonly keyOf: (b: StorageBatch) => Vector[]) {}

  /** Loads the next non-empty row group; false at the end. */
  async advance(): Promise<boolean> {
    for (;;) {
      const r = await this.iter.next();
      if (r.done === true) { this.batch = null; return false; }
      const b = r.value;
      const count = b.selection === null ? b.length : b.selection.length;
      if (count === 0) continue;
      this.batch = b;
      this.live = b.selection;
      this.count = count;
      this.pos = 0;
      this.keys = this.keyOf(b);
      return true;
    }
  }

  row(): number {
    return this.live === null ? this.pos : this.live[this.pos]!;
  }
}

/** K-way merges inputs that are each sorted by the key into the sink. */
async function mergeRuns(ctx: StoreContext, snapshot: TableManifest, inputs: readonly SegmentRef[], sink: SegmentSink, zb: ZBounds[] | null): Promise<void> {
  const t = snapshot.table;
  const cols = allColumns(t);
  const keyOf = (b: StorageBatch): Vector[] => {
    const keys = t.sortKey.map((k) => b.columns[k]!);
    if (zb === null) return keys;
    return [{ kind: 'float64', length: b.length, nulls: null, values: zValues(keys, b.length, zb) }];
  };
  const cursors: MergeCursor[] = [];
  for (const seg of inputs) {
    const it = scanTable(ctx, subset(snapshot, [seg]), { columns: cols, batchRows: ctx.blockRows, reuseBuffers: true })[Symbol.asyncIterator]();
    const c = new MergeCursor(it, keyOf);
    if (await c.advance()) cursors.push(c);
  }
  const less = (a: number, b: number): boolean => {
    const ca = cursors[a]!;
    const cb = cursors[b]!;
    const c = compareKeys(ca.keys, ca.row(), cb.keys, cb.row());
    return c < 0 || (c === 0 && a < b);
  };
  const heap: number[] = [];
  const siftDown = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      const tmp = heap[i]!; heap[i] = heap[m]!; heap[m] = tmp;
      i = m;
    }
  };
  for (let i = 0; i < cursors.length; i++) heap.push(i);
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(i);

  const pickCursor = new Int32Array(ctx.blockRows);
  const pickRow = new Uint32Array(ctx.blockRows);
  let picks = 0;
  const flush = async (): Promise<void> => {
    let a = 0;
    while (a < picks) {
      let e = a + 1;
      while (e < picks && pickCursor[e] === pickCursor[a]) e++;
      const c = cursors[pickCursor[a]!]!;
      await sink.append(c.batch!.columns, e - a, pickRow.slice(a, e));
      a = e;
    }
    picks = 0;
  };
  while (heap.length > 0) {
    const top = heap[0]!;
    const c = cursors[top]!;
    pickCursor[picks] = top;
    pickRow[picks] = c.row();
    picks++;
    c.pos++;
    if (c.pos >= c.count) {
      await flush();
      if (!(await c.advance())) {
        heap[0] = heap[heap.length - 1]!;
        heap.pop();
      }
    } else if (picks >= pickRow.length) {
      await flush();
    }
    if (heap.length > 0) siftDown(0);
  }
  await flush();
}

/** Re-sorts one segment's live rows into a temporary run (for inputs not already in key order). */
async function resortSegment(ctx: StoreContext, snapshot: TableManifest, seg: SegmentRef, zb: ZBounds[] | null): Promise<SinkSegment[]> {
  const t = snapshot.table;
  const buf = new RowBuffer(t.columns.map((c) => layoutOf(c.type)), Math.min(seg.rows, 1 << 16));
  for await (const b of scanTable(ctx, subset(snapshot, [seg]), { columns: allColumns(t), batchRows: ctx.blockRows, reuseBuffers: true })) {
    buf.appendRows(b.columns, b.length, b.selection);
  }
  const cols = buf.toVectors();
  const perm = sortPermutation(cols, buf.length, t.sortKey, t.sortStyle, zb ?? undefined);
  const sink = new SegmentSink(ctx, t);
  await sink.append(cols, buf.length, perm);
  await sink.cut();
  return sink.segments;
}

function refOf(s: SinkSegment, sorted: boolean): SegmentRef {
  return { id: s.id, file: s.file, rows: s.written.footer.meta.rowCount, bytes: s.written.bytes, deletes: null, sorted };
}

/** Runs VACUUM on one table. */
export async function vacuumTable(ctx: StoreContext, tableId: number, mode: VacuumMode): Promise<VacuumResult> {
  const snapshot = ctx.table(tableId);
  const t = snapshot.table;
  const segs = snapshot.segments;
  const base = { mode, segmentsBefore: segs.length };
  const skip = (reason: string): VacuumResult => ({ ...base, skipped: true, reason, segmentsAfter: segs.length, rowsWritten: 0, deletedRowsReclaimed: 0 });
  const hasKey = t.sortKey.length > 0;
  const unsortedRows = segs.reduce((n, s) => n + (s.sorted ? 0 : s.rows), 0);
  const deletedRows = segs.reduce((n, s) => n + (s.deletes?.count ?? 0), 0);
  const small = segs.filter((s) => s.rows < ctx.segmentRows / 2).length;

  let inputs: SegmentRef[];
  if (mode === 'delete only') {
    inputs = segs.filter((s) => (s.deletes?.count ?? 0) > 0);
    if (inputs.length === 0) return skip('no deleted rows');
  } else {
    const needsSort = hasKey && unsortedRows > 0;
    if (mode === 'sort only' && !needsSort) return skip(hasKey ? 'already sorted' : 'table has no sort key');
    if (mode === 'full' && !needsSort && deletedRows === 0 && small <= 1) return skip('nothing to reclaim or sort');
    inputs = [...segs];
  }
  const held = (): boolean => { const p = ctx.preparedDeletes(tableId); return inputs.some((s) => p.has(s.id)); };
  if (held()) return skip('a prepared transaction deletes rows from these segments; run it again after it commits or aborts');

  const files = filesOf(snapshot);
  ctx.refs.acquire(files);
  const written: SinkSegment[] = [];
  const temps: SinkSegment[] = [];
  let replacement: SegmentRef[];
  let published = false;
  try {
    if (mode === 'delete only') {
      // Each input rewritten alone, keeping its place (and sortedness) in the table.
      const perInput = new Map<number, SegmentRef[]>();
      for (const seg of inputs) {
        const sink = new SegmentSink(ctx, t, ctx.segmentRows);
        try { await copyLive(ctx, snapshot, [seg], sink); await sink.cut(); } catch (err) { await sink.abort(); written.push(...sink.segments); throw err; }
        written.push(...sink.segments);
        perInput.set(seg.id, sink.segments.map((s) => refOf(s, seg.sorted)));
      }
      replacement = [];
      for (const s of segs) replacement.push(...(perInput.get(s.id) ?? [s]));
    } else {
      const sink = new SegmentSink(ctx, t, ctx.segmentRows);
      try {
        if (!hasKey) {
          await copyLive(ctx, snapshot, inputs, sink);
        } else {
          const zb = t.sortStyle === 'interleaved' ? await globalZBounds(ctx, snapshot) : null;
          const runs: SegmentRef[] = [];
          for (const seg of inputs) {
            if (zb === null && await sortedByTableKey(ctx, t, seg)) { runs.push(seg); continue; }
            const tmp = await resortSegment(ctx, snapshot, seg, zb);
            temps.push(...tmp);
            runs.push(...tmp.map((s) => refOf(s, false)));
          }
          await mergeRuns(ctx, snapshot, runs, sink, zb);
        }
        await sink.cut();
      } catch (err) {
        await sink.abort();
        written.push(...sink.segments);
        throw err;
      }
      written.push(...sink.segments);
      replacement = sink.segments.map((s) => refOf(s, hasKey));
    }
    for (const s of written) await fsyncFile(ctx.path(s.file));
    await fsyncDir(ctx.path(ctx.tableDir(tableId)));

    let conflict = false;
    const inputIds = new Set(inputs.map((s) => s.id));
    await ctx.commit(async (m) => {
      const idx = m.tables.findIndex((x) => x.table.tableId === tableId);
      const cur = m.tables[idx];
      if (cur === undefined || held()) { conflict = true; return { manifest: m, obsolete: [] }; }
      for (const s of inputs) {
        const now = cur.segments.find((x) => x.id === s.id);
        if (now === undefined || (now.deletes?.file ?? null) !== (s.deletes?.file ?? null)) { conflict = true; return { manifest: m, obsolete: [] }; }
      }
      // Segments committed while we worked stay, after the new run, and count as unsorted.
      const later = cur.segments.filter((x) => !segs.some((o) => o.id === x.id)).map((x) => (mode === 'delete only' ? x : { ...x, sorted: false }));
      const kept = mode === 'delete only' ? replacement : replacement.concat(later);
      const segments = mode === 'delete only' ? kept.concat(later) : kept;
      const tables = m.tables.slice();
      tables[idx] = { ...cur, segments };
      const obsolete = filesOf({ ...cur, segments: cur.segments.filter((x) => inputIds.has(x.id)) });
      published = true;
      return { manifest: { ...m, tables }, obsolete };
    });
    if (conflict) {
      ctx.refs.retire(written.map((s) => s.file));
      return skip('table changed during VACUUM (rows deleted, table dropped, or a transaction prepared); run it again');
    }
    const after = ctx.table(tableId).segments.length;
    const rowsWritten = written.reduce((n, s) => n + s.written.footer.meta.rowCount, 0);
    const reclaimed = inputs.reduce((n, s) => n + (s.deletes?.count ?? 0), 0);
    ctx.log.info({ tableId, mode, segmentsBefore: segs.length, segmentsAfter: after, rowsWritten, reclaimed }, 'vacuum finished');
    return { ...base, skipped: false, segmentsAfter: after, rowsWritten, deletedRowsReclaimed: reclaimed };
  } catch (err) {
    // Before the manifest swap our files are ours to delete; after it they may be referenced
    // (the orphan sweep at the next open settles it).
    if (!published) ctx.refs.retire(written.map((s) => s.file));
    throw err;
  } finally {
    ctx.refs.retire(temps.map((s) => s.file));
    ctx.refs.release(files);
  }
}
