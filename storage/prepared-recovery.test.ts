// Tests of durable prepared transactions: a write prepared under a txnId survives a restart and
// can then be committed or aborted; its files escape the orphan sweep and its ids are not reused.
import { describe, it, expect, beforeEach, afterEach, vi } from 'vitest';
import { mkdtemp, rm, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { silentLogger } from '../common/log.ts';
import { T } from '../sql/types/sql-type.ts';
import { SqlError } from '../common/errors/index.ts';
import type { StoredTable } from './slice-store.ts';
import { SegmentStore } from './segment-store.ts';
import type { SegmentWriteTransaction } from './write-transaction.ts';
import { layoutOf } from './column-kind.ts';
import { batchFromRows, batchRows } from './testing/vector-fixtures.ts';
import { readManifest, filesOf } from './manifest.ts';
import { PREPARED_DIR } from './prepared-record.ts';

// Lets a test keep a record that a commit would remove: a crash right after the manifest swap.
const crash = vi.hoisted(() => ({ keepRecords: false }));
vi.mock('./prepared-record.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('./prepared-record.ts')>();
  return {
    ...real,
    removePreparedRecord: (dir: string, txnId: string, tableId: number): Promise<void> =>
      crash.keepRecords ? Promise.resolve() : real.removePreparedRecord(dir, txnId, tableId),
  };
});

const TABLE: StoredTable = {
  tableId: 3,
  columns: [{ name: 'id', type: T.int4, notNull: true }, { name: 'v', type: T.int8, notNull: false }],
  sortKey: [0],
  sortStyle: 'compound',
};
const KINDS = TABLE.columns.map((c) => layoutOf(c.type));
const rows = (from: number, to: number): unknown[][] => Array.from({ length: to - from }, (_, k) => [from + k, BigInt((from + k) * 10)]);

describe('durable prepared transactions', () => {
  let dir: string;
  let store: SegmentStore;
  const log = silentLogger();
  const open = (): Promise<SegmentStore> => SegmentStore.open({ dir, log, blockRows: 256, segmentRows: 1000 });
  /** Closes the current store and opens a new one on the same directory. */
  const reopen = async (): Promise<void> => { await store.close(); store = await open(); };
  const recordNames = async (): Promise<string[]> => readdir(join(dir, PREPARED_DIR));

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'colonnade-prepared-'));
    store = await open();
    await store.createTable(TABLE);
    const tx = store.beginWrite(TABLE.tableId);
    await tx.append(batchFromRows(KINDS, rows(0, 100)));
    await tx.commit();
  });
  afterEach(async () => {
    crash.keepRecords = false;
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function ids(s: SegmentStore = store): Promise<number[]> {
    const out: number[] = [];
    for await (const b of s.scan(TABLE.tableId, { columns: [0] })) for (const [id] of batchRows(b)) out.push(id as number);
    return out.sort((a, b) => a - b);
  }

  const deleteMod = (tx: SegmentWriteTransaction, mod: number, rem: number): Promise<number> =>
    tx.deleteWhere({ columns: [0] }, (b, m) => {
      const v = b.columns[0]!;
      if (v.kind !== 'int32') throw new Error('kind');
      for (let i = 0; i < b.length; i++) if (v.values[i]! % mod === rem) m[i] = 1;
    });

  /** Appends ids [from, to) (a segment per 1000 rows) and deletes committed ids ≡ 0 mod 10 under a txnId, then prepares. */
  async function prepareMixed(txnId: string, from: number, to: number): Promise<void> {
    const tx = store.beginWrite(TABLE.tableId, { txnId });
    for (let a = from; a < to; a += 500) await tx.append(batchFromRows(KINDS, rows(a, Math.min(a + 500, to))));
    expect(await deleteMod(tx, 10, 0)).toBe(10);
    await tx.prepare();
  }

  it('survives a crash after prepare, stays invisible, and commits after the restart', async () => {
    const txnId = randomUUID();
    await prepareMixed(txnId, 100, 2500);
    expect(await recordNames()).toEqual([`${txnId}.t3.json`]);
    expect(store.preparedTransactions().map((p) => p.txnId)).toEqual([txnId]);
    // Crash: a new store on the directory while the first one is simply abandoned.
    const crashed = store;
    store = await open();
    const listed = store.preparedTransactions();
    expect(listed.map(({ txnId: t, tableId }) => ({ t, tableId }))).toEqual([{ t: txnId, tableId: 3 }]);
    expect(store.preparedTransaction(txnId, 3)).toBe(listed[0]!.tx);
    expect(store.preparedTransaction(randomUUID(), 3)).toBeUndefined();
    expect(await ids()).toEqual(rows(0, 100).map((r) => r[0]));
    expect(store.rowCount(3)).toBe(100);
    await listed[0]!.tx.commit();
    await crashed.close();
    const expected = rows(0, 2500).map((r) => r[0] as number).filter((id) => id >= 100 || id % 10 !== 0);
    expect(await ids()).toEqual(expected);
    expect(store.preparedTransactions()).toEqual([]);
    expect(await recordNames()).toEqual([]);
    await reopen();
    expect(store.preparedTransactions()).toEqual([]);
    expect(await ids()).toEqual(expected);
    expect(await store.verify(3)).toMatchObject({ segments: 4 });
  });

  it('aborts after a restart: rows never visible, files and record gone', async () => {
    const before = await readdir(join(dir, 't3'));
    await prepareMixed(randomUUID(), 100, 2500);
    await reopen();
    const [p] = store.preparedTransactions();
    await p!.tx.abort();
    expect(await ids()).toEqual(rows(0, 100).map((r) => r[0]));
    expect((await readdir(join(dir, 't3'))).sort()).toEqual(before.sort());
    expect(await recordNames()).toEqual([]);
    expect(store.preparedTransactions()).toEqual([]);
    await expect(p!.tx.commit()).rejects.toMatchObject({ code: '25000' });
    await reopen();
    expect(store.preparedTransactions()).toEqual([]);
    expect(store.rowCount(3)).toBe(100);
  });

  it('refuses to commit a restored transaction whose files were lost (XX001) and cleans up', async () => {
    const before = await readdir(join(dir, 't3'));
    await prepareMixed(randomUUID(), 100, 300);
    const del = (await readdir(join(dir, 't3'))).find((f) => f.endsWith('.del') && !before.includes(f))!;
    await reopen();
    await rm(join(dir, 't3', del));
    await expect(store.preparedTransactions()[0]!.tx.commit()).rejects.toMatchObject({ code: 'XX001' });
    expect(store.preparedTransactions()).toEqual([]);
    expect(await recordNames()).toEqual([]);
    expect((await readdir(join(dir, 't3'))).sort()).toEqual(before.sort());
    expect(store.rowCount(3)).toBe(100);
  });

  it('keeps prepared files through the orphan sweep and never reuses their segment ids', async () => {
    const txnId = randomUUID();
    const before = await readdir(join(dir, 't3'));
    await prepareMixed(txnId, 100, 2500);
    const preparedFiles = (await readdir(join(dir, 't3'))).filter((f) => !before.includes(f));
    expect(preparedFiles.filter((f) => f.endsWith('.seg')).length).toBe(3);
    expect(preparedFiles.filter((f) => f.endsWith('.del')).length).toBe(1);
    await writeFile(join(dir, 't3', 's00000077.seg'), 'junk');
    await reopen();
    const files = await readdir(join(dir, 't3'));
    expect(files).not.toContain('s00000077.seg');
    for (const f of preparedFiles) expect(files).toContain(f);
    // A write after the restart gets a fresh segment id, commits first, and both survive.
    const tx = store.beginWrite(3);
    await tx.append(batchFromRows(KINDS, rows(5000, 5100)));
    await tx.commit();
    await store.preparedTransaction(txnId, 3)!.commit();
    const segIds = (await readManifest(dir)).tables[0]!.segments.map((s) => s.id);
    expect(new Set(segIds).size).toBe(segIds.length);
    expect(segIds.length).toBe(5);
    expect(segIds[1]).toBeGreaterThan(4); // the post-restart write skipped the prepared ids 2..4
    expect(store.rowCount(3)).toBe(100 - 10 + 2400 + 100);
  });

  it('re-merges a restored delete when another transaction deleted from the same segment', async () => {
    const txnId = randomUUID();
    const tx = store.beginWrite(3, { txnId });
    expect(await deleteMod(tx, 4, 0)).toBe(25);
    await tx.prepare();
    await reopen();
    const other = store.beginWrite(3);
    expect(await deleteMod(other, 4, 1)).toBe(25);
    await other.commit();
    await store.preparedTransaction(txnId, 3)!.commit();
    const expected = rows(0, 100).map((r) => r[0] as number).filter((id) => id % 4 > 1);
    expect(await ids()).toEqual(expected);
    await reopen();
    expect(await ids()).toEqual(expected);
    const t = (await readManifest(dir)).tables[0]!;
    expect((await readdir(join(dir, 't3'))).sort()).toEqual(filesOf(t).map((f) => f.split('/')[1]).sort());
  });

  it('treats a record left after its manifest swap as committed', async () => {
    const a = randomUUID();
    const b = randomUUID();
    await prepareMixed(a, 100, 300);
    const recA = await readFile(join(dir, PREPARED_DIR, `${a}.t3.json`));
    await store.preparedTransaction(a, 3)!.commit();
    const del = store.beginWrite(3, { txnId: b });
    await deleteMod(del, 10, 1);
    await del.prepare();
    const recB = await readFile(join(dir, PREPARED_DIR, `${b}.t3.json`));
    await del.commit();
    const expected = await ids();
    // Crash between the manifest swap and the record's removal.
    await writeFile(join(dir, PREPARED_DIR, `${a}.t3.json`), recA);
    await writeFile(join(dir, PREPARED_DIR, `${b}.t3.json`), recB);
    await reopen();
    expect(store.preparedTransactions()).toEqual([]);
    expect(await recordNames()).toEqual([]);
    expect(await ids()).toEqual(expected);
    await store.verify(3);
  });

  it('recognises a commit that re-merged its delete vector as committed', async () => {
    const txnId = randomUUID();
    const tx = store.beginWrite(3, { txnId });
    await deleteMod(tx, 4, 0);
    await tx.prepare();
    const other = store.beginWrite(3);
    await deleteMod(other, 4, 1);
    await other.commit();
    crash.keepRecords = true;
    await tx.commit(); // re-merges onto the other's delete vector, then "crashes" before removing the record
    crash.keepRecords = false;
    expect(await recordNames()).toEqual([`${txnId}.t3.json`]);
    await reopen();
    expect(store.preparedTransactions()).toEqual([]);
    expect(await recordNames()).toEqual([]);
    expect(store.rowCount(3)).toBe(50);
  });

  it('DROP TABLE aborts its prepared transactions; a record of a dropped table fails to commit with 42P01', async () => {
    const a = randomUUID();
    await prepareMixed(a, 100, 300);
    await reopen();
    const restored = store.preparedTransaction(a, 3)!;
    await store.dropTable(3);
    expect(store.preparedTransactions()).toEqual([]);
    expect(await recordNames()).toEqual([]);
    await expect(restored.commit()).rejects.toBeInstanceOf(SqlError);

    // A crash after the drop's manifest swap but before its prepared transactions were aborted.
    await store.createTable({ ...TABLE, tableId: 4 });
    const b = randomUUID();
    const c = randomUUID();
    for (const txnId of [b, c]) {
      const tx = store.beginWrite(4, { txnId });
      await tx.append(batchFromRows(KINDS, rows(0, 10)));
      await tx.prepare();
    }
    const saved = await Promise.all([b, c].map((t) => readFile(join(dir, PREPARED_DIR, `${t}.t4.json`))));
    await store.dropTable(4);
    await Promise.all([b, c].map((t, i) => writeFile(join(dir, PREPARED_DIR, `${t}.t4.json`), saved[i]!)));
    await reopen();
    expect(store.preparedTransactions().map((p) => p.tableId)).toEqual([4, 4]);
    await expect(store.preparedTransaction(b, 4)!.commit()).rejects.toMatchObject({ code: '42P01' });
    await store.preparedTransaction(c, 4)!.abort();
    expect(store.preparedTransactions()).toEqual([]);
    expect(await recordNames()).toEqual([]);
  });

  it('VACUUM leaves segments a prepared transaction deletes from', async () => {
    const more = store.beginWrite(3);
    await more.append(batchFromRows(KINDS, rows(100, 200)));
    await more.commit();
    const txnId = randomUUID();
    const tx = store.beginWrite(3, { txnId });
    await deleteMod(tx, 10, 0);
    await tx.prepare();
    expect(await store.vacuum(3, 'full')).toMatchObject({ skipped: true, reason: expect.stringContaining('a prepared transaction deletes') });
    await tx.commit();
    expect(await store.vacuum(3, 'full')).toMatchObject({ skipped: false, deletedRowsReclaimed: 20 });
    expect(store.rowCount(3)).toBe(180);
  });

  it('validates txnIds, allows one write per (txnId, table), writes no record without a txnId', async () => {
    const codeOf = (f: () => unknown): string | null => {
      try { f(); } catch (err) { return err instanceof SqlError ? err.code : 'not an SqlError'; }
      return null;
    };
    expect(codeOf(() => store.beginWrite(3, { txnId: '../MANIFEST' }))).toBe('XX000');
    expect(codeOf(() => store.beginWrite(3, { txnId: 'x'.repeat(65) }))).toBe('XX000');
    const txnId = randomUUID();
    const tx = store.beginWrite(3, { txnId });
    expect(codeOf(() => store.beginWrite(3, { txnId }))).toBe('XX000');
    await tx.abort();
    const again = store.beginWrite(3, { txnId });
    await again.append(batchFromRows(KINDS, rows(100, 110)));
    await again.commit();
    expect(store.rowCount(3)).toBe(110);
    const plain = store.beginWrite(3);
    await plain.append(batchFromRows(KINDS, rows(200, 210)));
    await plain.prepare();
    expect(await recordNames()).toEqual([]);
    expect(store.preparedTransactions()).toEqual([]);
    await plain.commit();
  });

  it('ignores temp files and malformed records on open', async () => {
    const txnId = randomUUID();
    await prepareMixed(txnId, 100, 200);
    const bad = randomUUID();
    await writeFile(join(dir, PREPARED_DIR, `.${bad}.t3.json.123.456.tmp`), '{"format":');
    await writeFile(join(dir, PREPARED_DIR, `${bad}.t3.json`), '{"format":"colonnade-prepared","version":1,"txnId":"x"}');
    await reopen();
    expect(store.preparedTransactions().map((p) => p.txnId)).toEqual([txnId]);
    expect((await recordNames()).sort()).toEqual([`${bad}.t3.json`, `${txnId}.t3.json`].sort());
    await store.preparedTransaction(txnId, 3)!.commit();
    expect(store.rowCount(3)).toBe(190);
  });
});
