// Takes rows in their final order and writes them as segment files: row groups of blockRows,
// a new segment every segmentLimit rows (or when cut). Holds at most one row group in memory.
import { join } from 'node:path';
import type { Vector } from '../../compute/batch/vector.ts';
import type { StoredTable } from '../slice-store.ts';
import type { StoreContext } from '../store-context.ts';
import { layoutOf, type ColumnLayout } from '../column-kind.ts';
import { policyForEncodingName, type EncodingPolicy } from '../encoding/encoding-policy.ts';
import { RowBuffer } from '../row-buffer.ts';
import { SegmentWriter, type WrittenSegment } from './segment-writer.ts';

/** A segment the sink finished, with the id it was written under and its path relative to the slice dir. */
export interface SinkSegment {
  readonly id: number;
  readonly file: string;
  readonly written: WrittenSegment;
}

/** File name of a segment inside its table directory. */
export function segmentFileName(id: number): string {
  return `s${String(id).padStart(8, '0')}.seg`;
}

/** Writes ordered rows into new segment files for one table. */
export class SegmentSink {
  private readonly layouts: readonly ColumnLayout[];
  private readonly policies: readonly EncodingPolicy[];
  private readonly group: RowBuffer;
  private writer: SegmentWriter | null = null;
  private writerId = -1;
  private writerFile = '';
  /** Finished segments, in order. */
  readonly segments: SinkSegment[] = [];

  constructor(
    private readonly ctx: StoreContext,
    private readonly table: StoredTable,
    private readonly segmentLimit = Infinity,
  ) {
    this.layouts = table.columns.map((c) => layoutOf(c.type));
    this.policies = table.columns.map((c) => policyForEncodingName(c.encoding));
    this.group = new RowBuffer(this.layouts, Math.min(ctx.blockRows, 65536));
  }

  /** Appends rows idx[0..count) of `columns` (or rows [0, count) when idx is null), in order. */
  async append(columns: readonly Vector[], count: number, idx: Uint32Array | null): Promise<void> {
    let done = 0;
    const blockRows = this.ctx.blockRows;
    while (done < count) {
      const room = blockRows - this.group.length;
      const take = Math.min(room, count - done);
      if (idx === null) this.group.appendRange(columns, done, take);
      else this.group.appendRows(columns, take, idx.subarray(done, done + take));
      done += take;
      if (this.group.length >= blockRows) await this.flushGroup();
    }
  }

  private async flushGroup(): Promise<void> {
    if (this.group.length === 0) return;
    if (this.writer === null) {
      this.writerId = this.ctx.allocateSegmentId(this.table.tableId);
      this.writerFile = join(this.ctx.tableDir(this.table.tableId), segmentFileName(this.writerId));
      this.writer = await SegmentWriter.create(this.ctx.path(this.writerFile), {
        tableId: this.table.tableId,
        segmentId: this.writerId,
        blockRows: this.ctx.blockRows,
        columns: this.table.columns.map((c) => ({ name: c.name, type: c.type })),
        sortKey: this.table.sortKey,
        sortStyle: this.table.sortStyle,
      }, this.layouts, this.policies);
    }
    await this.writer.writeRowGroup(this.group.toVectors());
    this.group.clear();
    if (this.writer.rowCount >= this.segmentLimit) await this.cut();
  }

  /** Finishes the current segment (if any rows are pending), so following rows start a new one. */
  async cut(): Promise<void> {
    await this.flushGroup();
    if (this.writer === null) return;
    const w = this.writer;
    this.writer = null;
    const written = await w.finish();
    this.segments.push({ id: this.writerId, file: this.writerFile, written });
  }

  /** Deletes everything written, including finished segments. */
  async abort(): Promise<void> {
    if (this.writer !== null) { await this.writer.abort(); this.writer = null; }
    this.group.clear();
  }
}
