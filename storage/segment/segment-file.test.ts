// Segment files: CRC-32C check value, self-contained verification, and that flipping any byte
// yields XX001 or the unchanged rows, never a crash or a wrong answer.
import { describe, it, expect } from 'vitest';
import { mkdtemp, rm, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { T } from '../../sql/types/sql-type.ts';
import { SqlError } from '../../common/errors/index.ts';
import { crc32c, crc32cTable, nativeCrc32c } from '../io/crc32c.ts';
import { layoutOf } from '../column-kind.ts';
import { AUTO_POLICY } from '../encoding/encoding-policy.ts';
import { SegmentWriter } from './segment-writer.ts';
import { SegmentReader, verifySegmentFile } from './segment-reader.ts';
import { vectorFromValues, vectorValues, rng } from '../testing/vector-fixtures.ts';

const COLUMNS = [
  { name: 'a', type: T.int4 }, { name: 'b', type: T.text }, { name: 'c', type: T.numeric(15, 2) }, { name: 'd', type: T.float8 },
];

async function writeSegment(path: string): Promise<unknown[][]> {
  const layouts = COLUMNS.map((c) => layoutOf(c.type));
  const w = await SegmentWriter.create(path, { tableId: 3, segmentId: 9, blockRows: 300, columns: COLUMNS, sortKey: [0], sortStyle: 'compound' }, layouts, layouts.map(() => AUTO_POLICY));
  const r = rng(3);
  const cols: unknown[][] = [[], [], [], []];
  for (let g = 0; g < 3; g++) {
    const a = Array.from({ length: 300 }, (_, i) => g * 300 + i);
    const b = a.map((i) => (i % 13 === 0 ? null : `v${i % 17}é`));
    const c = a.map(() => Math.floor(r() * 100000));
    const d = a.map((i) => (i % 5 === 0 ? NaN : r()));
    await w.writeRowGroup([vectorFromValues('int32', a), vectorFromValues('string', b), vectorFromValues('decimal', c, 2), vectorFromValues('float64', d)]);
    cols[0]!.push(...a); cols[1]!.push(...b); cols[2]!.push(...c); cols[3]!.push(...d);
  }
  await w.finish();
  return cols;
}

async function readAll(path: string): Promise<unknown[][]> {
  const r = await SegmentReader.open(path);
  try {
    const f = await r.readFooter();
    const out: unknown[][] = COLUMNS.map(() => []);
    for (const b of f.blocks) out[b.header.column]!.push(...vectorValues(await r.readBlock(b, layoutOf(COLUMNS[b.header.column]!.type))));
    return out;
  } finally {
    await r.close();
  }
}

describe('segment files', () => {
  it('CRC-32C check value', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    expect(crc32cTable(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
  });

  it('the native and table CRC-32C agree on every length, offset and seed', () => {
    // The platforms we run on have the native module; without it both calls are the table's.
    expect(nativeCrc32c).toBe(process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'arm64'));
    const bytes = Uint8Array.from({ length: 5000 }, (_, i) => (i * 2654435761) >>> 23);
    for (const [start, end] of [[0, 5000], [1, 4999], [3, 259], [0, 256], [7, 300], [100, 100]] as const) {
      for (const seed of [0, 0xdeadbeef]) expect(crc32c(bytes, start, end, seed)).toBe(crc32cTable(bytes, start, end, seed));
    }
    // Continuing from an earlier result equals one pass over both parts.
    expect(crc32c(bytes, 1000, 5000, crc32c(bytes, 0, 1000))).toBe(crc32cTable(bytes));
  });

  it('verify on its own, and any flipped byte gives XX001 or the same rows', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'colonnade-seg-'));
    try {
      const path = join(dir, 's.seg');
      const expected = await writeSegment(path);
      expect(await readAll(path)).toEqual(expected);
      const footer = await verifySegmentFile(path);
      expect(footer.meta).toMatchObject({ tableId: 3, segmentId: 9, rowCount: 900, rowGroups: 3 });
      const good = await readFile(path);
      const r = rng(11);
      let errors = 0;
      for (let k = 0; k < 60; k++) {
        const bad = Buffer.from(good);
        const pos = Math.floor(r() * bad.length);
        bad[pos] = bad[pos]! ^ (1 + Math.floor(r() * 255));
        await writeFile(path, bad);
        try {
          expect(await readAll(path)).toEqual(expected);
        } catch (err) {
          if (!(err instanceof SqlError) || err.code !== 'XX001') throw new Error(`byte ${pos}: ${String(err)}`);
          errors++;
        }
      }
      expect(errors).toBeGreaterThan(50);
      await writeFile(path, good.subarray(0, good.length - 10));
      await expect(verifySegmentFile(path)).rejects.toMatchObject({ code: 'XX001' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
