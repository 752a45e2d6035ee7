// Verified segment footers and delete vectors of one slice directory, read once and cached by file
// name. Segment and delete-vector files are immutable and their names are never reused, so an entry
// stays valid until the file is retired. The slice's store owns one; a slice worker thread, which
// reads snapshots the store pinned for it, keeps its own.
import { join } from 'node:path';
import { SqlError, SqlState } from '../common/errors/index.ts';
import { readDeleteVector } from './delete-vector.ts';
import type { SegmentRef } from './manifest.ts';
import type { SegmentFooter } from './segment/segment-format.ts';
import { SegmentReader, corruptionIn } from './segment/segment-reader.ts';
import { DecodedBlockCache } from './block-cache.ts';

/** What a table scan needs to read a snapshot's files. */
export interface ScanContext {
  /** Absolute path of a file named in the manifest. */
  path(relative: string): string;
  /** A segment's footer (verified, cached). */
  footer(tableId: number, seg: SegmentRef): Promise<SegmentFooter>;
  /** A segment's deleted row numbers, ascending (cached). */
  deletes(tableId: number, seg: SegmentRef): Promise<Uint32Array>;
  /** Decoded blocks kept between scans of this directory (storage/block-cache.ts); absent: none. */
  readonly blocks?: DecodedBlockCache;
}

/** Entries kept before the cache starts over (a footer is a few KiB). */
const MAX_ENTRIES = 8192;

export class SegmentFileCache implements ScanContext {
  private readonly footers = new Map<string, Promise<SegmentFooter>>();
  private readonly deleteVectors = new Map<string, Promise<Uint32Array>>();
  readonly blocks?: DecodedBlockCache;

  /** `blockBudget`: bytes of decoded blocks to keep between scans (0: none). */
  constructor(readonly dir: string, blockBudget = 0) {
    if (blockBudget > 0) this.blocks = new DecodedBlockCache(blockBudget);
  }

  path(relative: string): string {
    return join(this.dir, relative);
  }

  footer(tableId: number, seg: SegmentRef): Promise<SegmentFooter> {
    let p = this.footers.get(seg.file);
    if (p === undefined) {
      p = this.readFooter(tableId, seg);
      if (this.footers.size >= MAX_ENTRIES) this.footers.clear();
      this.footers.set(seg.file, p);
      p.catch(() => this.footers.delete(seg.file));
    }
    return p;
  }

  private async readFooter(tableId: number, seg: SegmentRef): Promise<SegmentFooter> {
    const r = await SegmentReader.open(this.path(seg.file));
    try {
      const f = await r.readFooter();
      if (f.meta.tableId !== tableId || f.meta.segmentId !== seg.id || f.meta.rowCount !== seg.rows) {
        throw new SqlError(SqlState.DATA_CORRUPTED, 'segment footer does not match the manifest');
      }
      return f;
    } catch (err) {
      throw corruptionIn(err, tableId, seg.file);
    } finally {
      await r.close();
    }
  }

  deletes(tableId: number, seg: SegmentRef): Promise<Uint32Array> {
    const d = seg.deletes;
    if (d === null) return Promise.resolve(new Uint32Array(0));
    let p = this.deleteVectors.get(d.file);
    if (p === undefined) {
      p = readDeleteVector(this.path(d.file), seg.id, seg.rows).then((rows) => {
        if (rows.length !== d.count) throw new SqlError(SqlState.DATA_CORRUPTED, 'delete vector count does not match the manifest');
        return rows;
      }).catch((err: unknown) => { throw corruptionIn(err, tableId, d.file); });
      if (this.deleteVectors.size >= MAX_ENTRIES) this.deleteVectors.clear();
      this.deleteVectors.set(d.file, p);
      p.catch(() => this.deleteVectors.delete(d.file));
    }
    return p;
  }

  /** Forgets a retired file. */
  evict(file: string): void {
    this.footers.delete(file);
    this.deleteVectors.delete(file);
    this.blocks?.evict(file);
  }
}
