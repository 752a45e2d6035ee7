// End-to-end tests of SegmentStore: writes, commits, scans with zone maps, deletes, ALTER,
// VACUUM, system views, orphan sweep and corruption detection.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtemp, rm, readdir, writeFile, open, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../common/log.ts';
import { T } from '../sql/types/sql-type.ts';
import { SqlError } from '../common/errors/index.ts';
import type { StoredTable } from './slice-store.ts';
import { SegmentStore } from './segment-store.ts';
import { layoutOf } from './column-kind.ts';
import { batchFromRows, batchRows, rng } from './testing/vector-fixtures.ts';
import { newScanStats } from './scan-types.ts';
import { readManifest } from './manifest.ts';
import { gatherOrNull } from './vector-ops.ts';
import { SnapshotReader } from './table-scan.ts';

const TABLE: StoredTable = {
  tableId: 7,
  columns: [
    { name: 'id', type: T.int4, notNull: true },
    { name: 'ship', type: T.date, notNull: false },
    { name: 'qty', type: T.numeric(15, 2), notNull: false },
    { name: 'big', type: T.int8, notNull: false },
    { name: 'price', type: T.float8, notNull: false },
    { name: 'flag', type: T.bool, notNull: false },
    { name: 'mode', type: T.varchar(10), notNull: false, encoding: 'bytedict' },
    { name: 'note', type: T.text, notNull: false },
    { name: 'wide', type: T.numeric(38, 4), notNull: false },
    { name: 'ts', type: T.timestamptz, notNull: false, encoding: 'az64' },
    { name: 'r', type: T.float4, notNull: false, encoding: 'zstd' },
  ],
  sortKey: [1],
  sortStyle: 'compound',
};
const KINDS = TABLE.columns.map((c) => layoutOf(c.type));
const MODES = ['AIR', 'MAIL', 'SHIP', 'TRUCK', 'RAIL'];

function makeRows(start: number, count: number, seed: number): unknown[][] {
  const r = rng(seed);
  const rows: unknown[][] = [];
  for (let i = start; i < start + count; i++) {
    rows.push([
      i,
      r() < 0.02 ? null : 8000 + Math.floor(r() * 2500),
      r() < 0.02 ? null : Math.floor(r() * 5_000_000),
      r() < 0.5 ? -(1n << 63n) + BigInt(i) : (1n << 62n) + BigInt(i),
      [NaN, Infinity, -Infinity, -0, 1.5, r() * 1e9][i % 6],
      i % 3 === 0 ? null : i % 2 === 0,
      MODES[i % 5],
      i % 7 === 0 ? null : `note ${i} ✓ ünïcødé ${'x'.repeat(i % 50)}`,
      i % 11 === 0 ? null : `${(10n ** 37n + BigInt(i)) * (i % 2 === 0 ? 1n : -1n)}/4`,
      1_700_000_000_000_000n + BigInt(i) * 1_000_000n,
      Math.fround(i / 3),
    ]);
  }
  return rows;
}

const key = (row: unknown[]): string => String(row[0]);
const byId = (a: unknown[], b: unknown[]): number => (a[0] as number) - (b[0] as number);

async function scanAll(store: SegmentStore, tableId: number, columns?: number[]): Promise<unknown[][]> {
  const cols = columns ?? TABLE.columns.map((_, i) => i);
  const out: unknown[][] = [];
  for await (const b of store.scan(tableId, { columns: cols })) out.push(...batchRows(b));
  return out;
}

function sameRows(actual: unknown[][], expected: unknown[][]): void {
  const a = [...actual].sort(byId);
  const e = [...expected].sort(byId);
  expect(a.length).toBe(e.length);
  for (let i = 0; i < a.length; i++) {
    for (let c = 0; c < e[i]!.length; c++) {
      if (!Object.is(a[i]![c], e[i]![c])) throw new Error(`row ${key(e[i]!)} column ${c}: ${String(a[i]![c])} vs ${String(e[i]![c])}`);
    }
  }
}

describe('SegmentStore', () => {
  let dir: string;
  let store: SegmentStore;
  const log = silentLogger();
  const opts = () => ({ dir, log, blockRows: 512, segmentRows: 3000 });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'colonnade-store-'));
    store = await SegmentStore.open(opts());
    await store.createTable(TABLE);
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function load(rows: unknown[][]): Promise<void> {
    const tx = store.beginWrite(TABLE.tableId);
    for (let a = 0; a < rows.length; a += 1000) await tx.append(batchFromRows(KINDS, rows.slice(a, a + 1000)));
    await tx.commit();
  }

  it('round-trips every type through commit, scan and reopen; nothing visible before commit', async () => {
    const rows = makeRows(0, 7000, 1);
    const tx = store.beginWrite(TABLE.tableId);
    for (let a = 0; a < rows.length; a += 1000) await tx.append(batchFromRows(KINDS, rows.slice(a, a + 1000)));
    expect(store.rowCount(TABLE.tableId)).toBe(0);
    expect(await scanAll(store, TABLE.tableId)).toEqual([]);
    await tx.prepare();
    expect(store.rowCount(TABLE.tableId)).toBe(0);
    await tx.commit();
    expect(store.rowCount(TABLE.tableId)).toBe(7000);
    sameRows(await scanAll(store, TABLE.tableId), rows);
    // Recycled buffers: each batch read before asking for the next.
    const recycled: unknown[][] = [];
    for await (const b of store.scan(TABLE.tableId, { columns: TABLE.columns.map((_, i) => i), reuseBuffers: true })) recycled.push(...batchRows(b));
    sameRows(recycled, rows);
    // Strings of dictionary-encoded blocks as codes into the block's entries (batches smaller
    // than a row group slice the codes), reading as the same rows.
    const coded: unknown[][] = [];
    let dictionaryVectors = 0;
    for await (const b of store.scan(TABLE.tableId, { columns: TABLE.columns.map((_, i) => i), dictionaryCodes: true, batchRows: 200 })) {
      const mode = b.columns[6]!;
      if (mode.kind === 'string' && mode.dictionary !== undefined) {
        dictionaryVectors++;
        expect(mode.dictionary.codes.length).toBe(b.length);
      }
      coded.push(...batchRows(b));
    }
    expect(dictionaryVectors).toBeGreaterThan(0);
    sameRows(coded, rows);
    // Sorted by the sort key inside each segment.
    for await (const b of store.scan(TABLE.tableId, { columns: [1] })) {
      const v = batchRows(b).map((r) => r[0] as number | null);
      for (let i = 1; i < v.length; i++) if (v[i - 1] !== null && v[i] !== null) expect(v[i]!).toBeGreaterThanOrEqual(v[i - 1]!);
    }
    await store.close();
    store = await SegmentStore.open(opts());
    sameRows(await scanAll(store, TABLE.tableId), rows);
    // Projection in another order.
    const proj = await scanAll(store, TABLE.tableId, [6, 0]);
    expect(proj.length).toBe(7000);
    expect(proj.every((r) => MODES.includes(r[0] as string))).toBe(true);
  });

  it('reads run-length strings as codes into the runs, NULLs and outer-join gathers included', async () => {
    const t: StoredTable = { tableId: 9, columns: [{ name: 'id', type: T.int4, notNull: true }, { name: 's', type: T.text, notNull: false, encoding: 'runlength' }], sortKey: [], sortStyle: 'compound' };
    await store.createTable(t);
    const rows = Array.from({ length: 3000 }, (_, i) => [i, i % 13 === 0 ? null : `run ${Math.floor(i / 97)} ✓`]);
    const tx = store.beginWrite(t.tableId);
    await tx.append(batchFromRows(t.columns.map((c) => layoutOf(c.type)), rows));
    await tx.commit();
    for (const dictionaryCodes of [false, true]) {
      const got: unknown[][] = [];
      let coded = 0;
      for await (const b of store.scan(t.tableId, { columns: [0, 1], dictionaryCodes, batchRows: 700 })) {
        const v = b.columns[1]!;
        if (v.kind === 'string' && v.dictionary !== undefined) {
          coded++;
          // An unmatched outer-join row gathered from it is NULL; the rest keep their strings.
          const g = gatherOrNull(v, Int32Array.from([1, -1, 0]), 3);
          expect(batchRows({ length: 3, columns: [g], selection: null }).map((r) => r[0])).toEqual([v.nulls?.[1] === 1 ? null : rows[b.firstRow + 1]![1], null, v.nulls?.[0] === 1 ? null : rows[b.firstRow]![1]]);
        }
        got.push(...batchRows(b));
      }
      expect(coded).toBeGreaterThan(0);
      expect(got).toEqual(rows);
    }
  });

  it('abort drops appended rows and their files', async () => {
    const tx = store.beginWrite(TABLE.tableId);
    await tx.append(batchFromRows(KINDS, makeRows(0, 5000, 2)));
    await tx.abort();
    expect(store.rowCount(TABLE.tableId)).toBe(0);
    expect(await readdir(join(dir, 't7'))).toEqual([]);
  });

  it('rejects NULL in a NOT NULL column', async () => {
    const tx = store.beginWrite(TABLE.tableId);
    const rows = makeRows(0, 3, 3);
    rows[1]![0] = null;
    await expect(tx.append(batchFromRows(KINDS, rows))).rejects.toMatchObject({ code: '23502' });
    await tx.abort();
  });

  it('keeps decoded blocks between scans of pinned snapshots, and drops them with their files', async () => {
    const rows = makeRows(0, 6000, 9);
    await load(rows.slice(0, 4000));
    const reader = new SnapshotReader();
    const columns = TABLE.columns.map((_, i) => i);
    const read = async (): Promise<{ rows: unknown[][]; blocks: number }> => {
      const pinned = store.pin(TABLE.tableId)!;
      const stats = newScanStats();
      const out: unknown[][] = [];
      try {
        for await (const b of reader.scan(pinned.snapshot, { columns, stats, reuseBuffers: true, dictionaryCodes: true })) out.push(...batchRows(b));
      } finally {
        pinned.release();
      }
      return { rows: out, blocks: stats.blocksRead };
    };
    const first = await read();
    sameRows(first.rows, rows.slice(0, 4000));
    expect(first.blocks).toBeGreaterThan(0);
    const second = await read();
    sameRows(second.rows, rows.slice(0, 4000));
    expect(second.blocks).toBe(0);
    // New rows and a delete: the old blocks still serve, only the new segment is read.
    await load(rows.slice(4000));
    const tx = store.beginWrite(TABLE.tableId);
    const deleted = await tx.deleteWhere({ columns: [0] }, (b, m) => {
      const v = b.columns[0]!;
      if (v.kind !== 'int32') throw new Error('kind');
      for (let i = 0; i < b.length; i++) if (v.values[i]! % 10 === 0) m[i] = 1;
    });
    await tx.commit();
    expect(deleted).toBe(600);
    const third = await read();
    sameRows(third.rows, rows.filter((r) => (r[0] as number) % 10 !== 0));
    expect(third.blocks).toBeGreaterThan(0);
    expect(third.blocks).toBeLessThan(first.blocks + 1);
    // Vacuum rewrites every segment: the scan reads the new files and still sees the same rows.
    await store.vacuum(TABLE.tableId, 'full');
    const fourth = await read();
    sameRows(fourth.rows, rows.filter((r) => (r[0] as number) % 10 !== 0));
    expect(fourth.blocks).toBeGreaterThan(0);
  });

  it('skips blocks by zone maps for every filter kind', async () => {
    const rows = makeRows(0, 6000, 4);
    await load(rows);
    await store.vacuum(TABLE.tableId, 'sort only');
    const count = async (filters: Parameters<SegmentStore['scan']>[1]['filters']): Promise<{ rows: number; skipped: number; total: number }> => {
      const stats = newScanStats();
      let n = 0;
      for await (const b of store.scan(TABLE.tableId, { columns: [1], filters: filters ?? [], stats })) n += b.selection === null ? b.length : b.selection.length;
      return { rows: n, skipped: stats.rowGroupsSkipped, total: stats.rowGroupsTotal };
    };
    const all = await count([]);
    expect(all.rows).toBe(6000);
    const eq = await count([{ kind: 'compare', column: 1, op: '=', value: 9000 }]);
    expect(eq.skipped).toBeGreaterThan(all.total - 3);
    const range = await count([{ kind: 'between', column: 1, low: '1994-09-01', high: '1994-09-07' }]);
    expect(range.skipped).toBeGreaterThan(all.total - 3);
    // Every row matching the predicate is in a block that was read.
    const inRange = rows.filter((r) => r[1] !== null && (r[1] as number) >= 9009 && (r[1] as number) <= 9015).length;
    expect(inRange).toBeGreaterThan(0);
    const rangeRows: unknown[][] = [];
    for await (const b of store.scan(TABLE.tableId, { columns: [1], filters: [{ kind: 'between', column: 1, low: 9009, high: 9015 }] })) rangeRows.push(...batchRows(b));
    expect(rangeRows.filter((r) => r[0] !== null && (r[0] as number) >= 9009 && (r[0] as number) <= 9015).length).toBe(inRange);
    expect((await count([{ kind: 'compare', column: 1, op: '<', value: 8000 }])).skipped).toBe(all.total);
    expect((await count([{ kind: 'compare', column: 1, op: '>=', value: 10499 }])).skipped).toBeGreaterThan(all.total - 3);
    expect((await count([{ kind: 'in', column: 1, values: [1, 2, 3, 20000] }])).skipped).toBe(all.total);
    expect((await count([{ kind: 'isNull', column: 0, negated: false }])).skipped).toBe(all.total);
    expect((await count([{ kind: 'isNull', column: 0, negated: true }])).skipped).toBe(0);
    expect((await count([{ kind: 'compare', column: 6, op: '=', value: 'ZEPPELIN' }])).skipped).toBe(all.total);
    expect((await count([{ kind: 'compare', column: 2, op: '>', value: '50000.00' }])).skipped).toBe(all.total);
    expect((await count([{ kind: 'compare', column: 2, op: '>', value: '49000.00' }])).skipped).toBeLessThan(all.total);
    expect((await count([{ kind: 'compare', column: 9, op: '<', value: '2020-01-01' }])).skipped).toBe(all.total);
  });

  it('deletes rows by predicate and by row id; UPDATE is delete + insert', async () => {
    const rows = makeRows(0, 5000, 5);
    await load(rows);
    const tx = store.beginWrite(TABLE.tableId);
    const n = await tx.deleteWhere({ columns: [0] }, (b, m) => {
      const v = b.columns[0]!;
      if (v.kind !== 'int32') throw new Error('kind');
      for (let i = 0; i < b.length; i++) if (v.values[i]! % 10 === 0) m[i] = 1;
    });
    expect(n).toBe(500);
    expect(store.rowCount(TABLE.tableId)).toBe(5000);
    await tx.commit();
    expect(store.rowCount(TABLE.tableId)).toBe(4500);
    let expected = rows.filter((r) => (r[0] as number) % 10 !== 0);
    sameRows(await scanAll(store, TABLE.tableId), expected);
    // UPDATE id 1 → change its mode.
    const up = store.beginWrite(TABLE.tableId);
    for await (const b of store.scan(TABLE.tableId, { columns: [0] })) {
      const v = b.columns[0]!;
      if (v.kind !== 'int32') continue;
      const sel = b.selection;
      for (let k = 0; k < (sel === null ? b.length : sel.length); k++) {
        const i = sel === null ? k : sel[k]!;
        if (v.values[i] === 1) up.delete(b.segmentId, [b.firstRow + i]);
      }
    }
    const newRow = [...expected.find((r) => r[0] === 1)!];
    newRow[6] = 'RAIL';
    await up.append(batchFromRows(KINDS, [newRow]));
    await up.commit();
    expected = expected.map((r) => (r[0] === 1 ? newRow : r));
    sameRows(await scanAll(store, TABLE.tableId), expected);
    await store.close();
    store = await SegmentStore.open(opts());
    sameRows(await scanAll(store, TABLE.tableId), expected);
  });

  it('merges concurrent deletes on one segment', async () => {
    await load(makeRows(0, 1000, 6));
    const a = store.beginWrite(TABLE.tableId);
    const b = store.beginWrite(TABLE.tableId);
    const pick = (mod: number) => (batch: { columns: readonly unknown[]; length: number }, m: Uint8Array): void => {
      const v = batch.columns[0] as { values: Int32Array };
      for (let i = 0; i < batch.length; i++) if (v.values[i]! % 4 === mod) m[i] = 1;
    };
    await a.deleteWhere({ columns: [0] }, pick(0));
    await b.deleteWhere({ columns: [0] }, pick(1));
    await a.prepare();
    await b.prepare();
    await a.commit();
    await b.commit();
    expect(store.rowCount(TABLE.tableId)).toBe(500);
  });

  it('VACUUM sorts, reclaims and merges online; scans keep their snapshot', async () => {
    const rows = makeRows(0, 9000, 7);
    for (let a = 0; a < 9000; a += 1500) await load(rows.slice(a, a + 1500));
    let info = (await store.tableInfo(TABLE.tableId))[0]!;
    expect(info.segments).toBe(6);
    expect(info.unsortedPct!).toBeGreaterThan(50);
    const del = store.beginWrite(TABLE.tableId);
    await del.deleteWhere({ columns: [0] }, (b, m) => { const v = b.columns[0] as { values: Int32Array }; for (let i = 0; i < b.length; i++) if (v.values[i]! < 1000) m[i] = 1; });
    await del.commit();
    const expected = rows.filter((r) => (r[0] as number) >= 1000);
    // A scan started before VACUUM reads the old files to the end.
    const it = store.scan(TABLE.tableId, { columns: [0] })[Symbol.asyncIterator]();
    const first = await it.next();
    const r1 = await store.vacuum(TABLE.tableId, 'delete only');
    expect(r1.deletedRowsReclaimed).toBe(1000);
    const r2 = await store.vacuum(TABLE.tableId, 'full');
    expect(r2.skipped).toBe(false);
    let seen = first.done === true ? 0 : batchRows(first.value).length;
    for (;;) { const r = await it.next(); if (r.done === true) break; seen += batchRows(r.value).length; }
    expect(seen).toBe(8000);
    info = (await store.tableInfo(TABLE.tableId))[0]!;
    expect(info.unsortedPct).toBe(0);
    expect(info.deletedRows).toBe(0);
    expect(info.rows).toBe(8000);
    expect(info.segments).toBe(3);
    sameRows(await scanAll(store, TABLE.tableId), expected);
    // One sorted run across segments.
    let prev = -Infinity;
    for await (const b of store.scan(TABLE.tableId, { columns: [1] })) {
      for (const [d] of batchRows(b)) if (d !== null) { expect(d as number).toBeGreaterThanOrEqual(prev); prev = d as number; }
    }
    expect((await store.vacuum(TABLE.tableId, 'sort only')).skipped).toBe(true);
    // Old files are gone.
    const m = await readManifest(dir);
    const live = new Set(m.tables[0]!.segments.map((s) => s.file.split('/')[1]));
    expect((await readdir(join(dir, 't7'))).every((f) => live.has(f))).toBe(true);
  });

  it('interleaved sort keys prune on each key column after VACUUM', async () => {
    const t2: StoredTable = { tableId: 8, columns: [{ name: 'a', type: T.int4, notNull: true }, { name: 'b', type: T.int8, notNull: true }], sortKey: [0, 1], sortStyle: 'interleaved' };
    await store.createTable(t2);
    const r = rng(9);
    for (let part = 0; part < 4; part++) {
      const tx = store.beginWrite(8);
      const rows = Array.from({ length: 4096 }, () => [Math.floor(r() * 1e6), BigInt(Math.floor(r() * 1e6))]);
      await tx.append(batchFromRows([{ kind: 'int32' }, { kind: 'int64' }], rows));
      await tx.commit();
    }
    await store.vacuum(8, 'full');
    for (const f of [{ kind: 'compare', column: 0, op: '<', value: 50_000 }, { kind: 'compare', column: 1, op: '<', value: 50_000n }] as const) {
      const stats = newScanStats();
      let n = 0;
      for await (const b of store.scan(8, { columns: [0, 1], filters: [f], stats })) n += b.length;
      expect(stats.rowGroupsSkipped / stats.rowGroupsTotal).toBeGreaterThan(0.4);
      expect(n).toBeGreaterThan(0);
    }
    expect(store.rowCount(8)).toBe(4 * 4096);
  });

  it('ALTER TABLE ADD COLUMN reads old rows as NULL', async () => {
    await load(makeRows(0, 100, 10));
    const t = { ...TABLE, columns: [...TABLE.columns, { name: 'extra', type: T.int4, notNull: false }] };
    await store.alterTable(t);
    const rows = await scanAll(store, TABLE.tableId, [0, 11]);
    expect(rows.length).toBe(100);
    expect(rows.every((r) => r[1] === null)).toBe(true);
    const none: unknown[] = [];
    for await (const b of store.scan(TABLE.tableId, { columns: [0], filters: [{ kind: 'compare', column: 11, op: '=', value: 1 }] })) none.push(b);
    expect(none).toEqual([]);
    await expect(store.alterTable({ ...t, columns: t.columns.map((c) => (c.name === 'id' ? { ...c, type: T.text } : c)) })).rejects.toMatchObject({ code: '0A000' });
  });

  it('reports svv_table_info, stv_blocklist and ANALYZE COMPRESSION', async () => {
    await load(makeRows(0, 2000, 11));
    const [info] = await store.tableInfo(TABLE.tableId);
    expect(info).toMatchObject({ tableId: 7, rows: 2000, encoded: true, sortKey1: 'ship', unsortedPct: 0 });
    expect(info!.sizeBytes).toBeGreaterThan(1000);
    const blocks = await store.blockList(TABLE.tableId);
    expect(blocks.length).toBe(4 * TABLE.columns.length);
    const ship = blocks.filter((b) => b.column === 'ship');
    expect(ship[0]!.min).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(blocks.find((b) => b.column === 'mode')!.encoding).toMatch(/^dict/);
    const advice = await store.analyzeCompression(TABLE.tableId);
    expect(advice.map((a) => a.column)).toEqual(TABLE.columns.map((c) => c.name));
    expect(advice.find((a) => a.column === 'mode')!.estReductionPct).toBeGreaterThan(50);
  });

  it('sweeps orphan files on open', async () => {
    await load(makeRows(0, 100, 12));
    await writeFile(join(dir, 't7', 's00000099.seg'), 'junk');
    await writeFile(join(dir, 'MANIFEST.tmp'), 'junk');
    await writeFile(join(dir, 't9', 'x'), 'junk').catch(async () => { const { mkdir } = await import('node:fs/promises'); await mkdir(join(dir, 't9')); await writeFile(join(dir, 't9', 'x'), 'junk'); });
    await store.close();
    store = await SegmentStore.open(opts());
    const top = await readdir(dir);
    expect(top).not.toContain('MANIFEST.tmp');
    expect(top).not.toContain('t9');
    expect(await readdir(join(dir, 't7'))).not.toContain('s00000099.seg');
    expect(store.rowCount(TABLE.tableId)).toBe(100);
  });

  it('a corrupted block fails the scan with XX001 naming table and segment', async () => {
    await load(makeRows(0, 2000, 13));
    const m = await readManifest(dir);
    const file = m.tables[0]!.segments[0]!.file;
    const path = join(dir, file);
    const size = (await stat(path)).size;
    const fh = await open(path, 'r+');
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, Math.floor(size / 3));
    b[0] = b[0]! ^ 0x5a;
    await fh.write(b, 0, 1, Math.floor(size / 3));
    await fh.close();
    await store.close();
    store = await SegmentStore.open(opts());
    let err: unknown = null;
    try { await scanAll(store, TABLE.tableId); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(SqlError);
    expect((err as SqlError).code).toBe('XX001');
    expect((err as SqlError).message).toContain('table 7');
    expect((err as SqlError).message).toContain(file);
    await expect(store.verify(TABLE.tableId)).rejects.toMatchObject({ code: 'XX001' });
  });
});
