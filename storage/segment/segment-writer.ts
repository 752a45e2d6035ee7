// Streams one segment file to disk, row group by row group, then writes footer and trailer.
import { open, type FileHandle } from 'node:fs/promises';
import type { Vector } from '../../compute/batch/vector.ts';
import type { ColumnLayout } from '../column-kind.ts';
import type { EncodingPolicy } from '../encoding/encoding-policy.ts';
import { internalError } from '../../common/errors/index.ts';
import { encodeBlock } from './block-codec.ts';
import { encodeFileHeader, encodeFooter, FILE_HEADER_LENGTH, SEGMENT_FORMAT_VERSION, type BlockEntry, type SegmentFooter, type SegmentMeta } from './segment-format.ts';
import { unlinkQuiet } from '../io/fs-durable.ts';

/** What the writer needs to know about the segment besides its rows. */
export type SegmentSpec = Omit<SegmentMeta, 'formatVersion' | 'rowCount' | 'rowGroups'>;

/** A finished segment file. */
export interface WrittenSegment {
  readonly path: string;
  readonly footer: SegmentFooter;
  readonly bytes: number;
}

/** Writes one segment file; call writeRowGroup for each row group in order, then finish(). */
export class SegmentWriter {
  private readonly blocks: BlockEntry[] = [];
  private pos = FILE_HEADER_LENGTH;
  private rows = 0;
  private rowGroups = 0;
  private finished = false;

  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    private readonly spec: SegmentSpec,
    private readonly layouts: readonly ColumnLayout[],
    private readonly policies: readonly EncodingPolicy[],
  ) {}

  /** Creates the file (failing if it exists) and writes the file header. */
  static async create(path: string, spec: SegmentSpec, layouts: readonly ColumnLayout[], policies: readonly EncodingPolicy[]): Promise<SegmentWriter> {
    const fh = await open(path, 'wx');
    try {
      await fh.write(encodeFileHeader(), 0, FILE_HEADER_LENGTH, 0);
    } catch (err) {
      await fh.close();
      throw err;
    }
    return new SegmentWriter(path, fh, spec, layouts, policies);
  }

  /** Rows written so far. */
  get rowCount(): number { return this.rows; }

  /** Encodes and appends one row group (one vector per column, equal lengths, ≤ blockRows). */
  async writeRowGroup(columns: readonly Vector[]): Promise<void> {
    if (this.finished) throw internalError('segment already finished');
    const n = columns[0]?.length ?? 0;
    if (n === 0) return;
    if (n > this.spec.blockRows || columns.length !== this.layouts.length) throw internalError('bad row group shape');
    const buffers: Uint8Array[] = [];
    const start = this.pos;
    let pos = start;
    for (let c = 0; c < columns.length; c++) {
      const col = columns[c]!;
      if (col.length !== n) throw internalError('row group columns differ in length');
      const b = encodeBlock(col, this.layouts[c]!, this.policies[c]!, c, this.rowGroups);
      this.blocks.push({ offset: pos, header: b.header, headerBytes: b.headerBytes });
      buffers.push(b.headerBytes, b.payload);
      pos += b.headerBytes.length + b.payload.length;
      const pad = (8 - (pos % 8)) % 8;
      if (pad > 0) { buffers.push(new Uint8Array(pad)); pos += pad; }
    }
    await this.fh.writev(buffers, start);
    this.pos = pos;
    this.rows += n;
    this.rowGroups++;
  }

  /** Writes footer and trailer and closes the file (no fsync: prepare() syncs). */
  async finish(): Promise<WrittenSegment> {
    if (this.finished) throw internalError('segment already finished');
    this.finished = true;
    const meta: SegmentMeta = { formatVersion: SEGMENT_FORMAT_VERSION, ...this.spec, rowCount: this.rows, rowGroups: this.rowGroups };
    const tail = encodeFooter(meta, this.blocks, this.pos);
    await this.fh.write(tail, 0, tail.length, this.pos);
    await this.fh.close();
    return { path: this.path, footer: { meta, blocks: this.blocks }, bytes: this.pos + tail.length };
  }

  /** Closes and deletes the partial file. */
  async abort(): Promise<void> {
    if (!this.finished) {
      this.finished = true;
      await this.fh.close().catch(() => undefined);
    }
    await unlinkQuiet(this.path);
  }
}
