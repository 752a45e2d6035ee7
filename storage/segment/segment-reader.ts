// Reads a segment file: its footer (cached by the store) and single blocks by positioned reads.
import { open, type FileHandle } from 'node:fs/promises';
import { SqlError, dataCorrupted } from '../../common/errors/index.ts';
import { layoutOf, type ColumnLayout } from '../column-kind.ts';
import type { Vector } from '../../compute/batch/vector.ts';
import { decodeBlock } from './block-codec.ts';
import { FRESH_ALLOCATOR, type VectorAllocator } from '../vector-allocator.ts';
import { checkFileHeader, decodeFooter, decodeTrailer, FILE_HEADER_LENGTH, TRAILER_LENGTH, type BlockEntry, type SegmentFooter } from './segment-format.ts';

async function readExactly(fh: FileHandle, length: number, position: number, alloc: VectorAllocator = FRESH_ALLOCATOR): Promise<Uint8Array> {
  // Buffers start at offset 0 of their ArrayBuffer, so typed-array views over payloads are aligned.
  const buf = alloc.uint8(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) throw dataCorrupted(`unexpected end of file at ${position + done}`);
    done += bytesRead;
  }
  return buf;
}

/** Adds the table id and file to an XX001 error, so the operator knows what is damaged. */
export function corruptionIn(err: unknown, tableId: number, file: string): unknown {
  if (err instanceof SqlError && err.code === 'XX001' && !err.message.startsWith('corrupted data in table')) {
    return dataCorrupted(`corrupted data in table ${tableId}, segment file ${file}: ${err.message}`, {
      detail: `table id ${tableId}, file ${file}`,
      hint: 'Restore the segment from a replica or backup.',
    });
  }
  return err;
}

/** An open segment file. */
export class SegmentReader {
  private constructor(readonly path: string, private readonly fh: FileHandle) {}

  static async open(path: string): Promise<SegmentReader> {
    return new SegmentReader(path, await open(path, 'r'));
  }

  /** Reads and verifies header, trailer and footer. */
  async readFooter(): Promise<SegmentFooter> {
    const size = (await this.fh.stat()).size;
    if (size < FILE_HEADER_LENGTH + TRAILER_LENGTH) throw dataCorrupted('segment file too short');
    checkFileHeader(await readExactly(this.fh, FILE_HEADER_LENGTH, 0));
    const t = decodeTrailer(await readExactly(this.fh, TRAILER_LENGTH, size - TRAILER_LENGTH), size);
    return decodeFooter(await readExactly(this.fh, t.footerLength, t.footerOffset), t.footerOffset, t.footerCrc);
  }

  /** Reads the raw bytes of a block (header + payload). */
  async readBlockBytes(b: BlockEntry, alloc: VectorAllocator = FRESH_ALLOCATOR): Promise<Uint8Array> {
    return readExactly(this.fh, b.header.headerLength + b.header.storedBytes, b.offset, alloc);
  }

  /** Reads, verifies and decodes one block. */
  async readBlock(b: BlockEntry, layout: ColumnLayout, stringCodes = false): Promise<Vector> {
    return decodeBlock(await this.readBlockBytes(b), b.headerBytes, layout, stringCodes);
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

/**
 * Reads every block of a segment file and checks every checksum, using only the file itself
 * (its footer names the table and the column types). Returns the footer; throws XX001 naming the file.
 */
export async function verifySegmentFile(path: string): Promise<SegmentFooter> {
  const r = await SegmentReader.open(path);
  let tableId = -1;
  try {
    const footer = await r.readFooter();
    tableId = footer.meta.tableId;
    const layouts = footer.meta.columns.map((c) => layoutOf(c.type));
    for (const b of footer.blocks) await r.readBlock(b, layouts[b.header.column]!);
    return footer;
  } catch (err) {
    throw corruptionIn(err, tableId, path);
  } finally {
    await r.close();
  }
}
