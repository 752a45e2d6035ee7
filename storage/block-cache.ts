// Decoded column blocks kept in memory between scans, as ClickHouse's uncompressed cache keeps
// decompressed blocks: a repeated scan reads no file, verifies no checksum and decodes nothing.
// Segment files are immutable and their names never reused, so a block stays valid as long as its
// file exists; a scan drops the blocks of its table's files that its snapshot no longer lists.
//
// The cache only admits while it has room and never evicts a live block. When the data does not
// fit, the blocks beyond the budget are decoded into recycled buffers on every scan, as without a
// cache, instead of churning fresh memory (its first touch costs seconds per GiB on these machines).
// Each slice directory's reader has one (SegmentFileCache), so a block is never taken for another
// directory's file of the same name. Budget per directory and reader: COLONNADE_BLOCK_CACHE_MB
// (default: 1024, or an eighth of the machine's memory if that is less; 0 turns it off).
import { totalmem } from 'node:os';
import type { Vector } from '../compute/batch/vector.ts';

/** Bytes of typed arrays a vector holds (values, nulls, offsets, bytes, dictionary codes and entries). */
export function vectorBytes(v: unknown, depth = 0): number {
  if (depth > 3 || typeof v !== 'object' || v === null) return 0;
  if (ArrayBuffer.isView(v)) return v.byteLength;
  let n = 0;
  for (const x of Object.values(v as Record<string, unknown>)) n += vectorBytes(x, depth + 1);
  return n;
}

export class DecodedBlockCache {
  /** By table id, then file, then block key. */
  private readonly tables = new Map<number, Map<string, Map<string, Vector>>>();
  private used = 0;

  constructor(readonly budgetBytes: number) {}

  /** Whether a new block may still be admitted. */
  get hasRoom(): boolean {
    return this.used < this.budgetBytes;
  }

  get(table: number, file: string, block: string): Vector | undefined {
    return this.tables.get(table)?.get(file)?.get(block);
  }

  /** Keeps `v` if it fits in the budget; the caller must never write to it afterwards. */
  admit(table: number, file: string, block: string, v: Vector): boolean {
    const size = vectorBytes(v);
    if (this.used + size > this.budgetBytes) return false;
    let files = this.tables.get(table);
    if (files === undefined) this.tables.set(table, files = new Map());
    let blocks = files.get(file);
    if (blocks === undefined) files.set(file, blocks = new Map());
    const old = blocks.get(block);
    if (old !== undefined) this.used -= vectorBytes(old);
    blocks.set(block, v);
    this.used += size;
    return true;
  }

  /** Drops the blocks of `table`'s files other than `live` (files vacuum or a rewrite retired). */
  retain(table: number, live: ReadonlySet<string>): void {
    const files = this.tables.get(table);
    if (files === undefined) return;
    for (const file of files.keys()) if (!live.has(file)) this.drop(files, file);
  }

  /** Drops one file's blocks, whichever table it belongs to. */
  evict(file: string): void {
    for (const files of this.tables.values()) this.drop(files, file);
  }

  private drop(files: Map<string, Map<string, Vector>>, file: string): void {
    const blocks = files.get(file);
    if (blocks === undefined) return;
    for (const v of blocks.values()) this.used -= vectorBytes(v);
    files.delete(file);
  }
}

/** The budget COLONNADE_BLOCK_CACHE_MB sets, in bytes (0: no cache). */
export function blockCacheBudget(): number {
  const set = process.env['COLONNADE_BLOCK_CACHE_MB'];
  const mb = set === undefined || set === '' ? Math.min(1024, totalmem() / 8 / 1024 / 1024) : Number(set);
  return Number.isFinite(mb) && mb > 0 ? Math.floor(mb * 1024 * 1024) : 0;
}
