// Crash recovery of the on-disk Raft store with real files: torn tails, checksums, truncation, compaction.
import { appendFile, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqlError, SqlState } from '../../common/errors/index.ts';
import { silentLogger } from '../../common/log.ts';
import { FileStableStore } from './file-stable-store.ts';
import { encodeRecords } from './log-record.ts';
import { EntryType, type LogEntry, type Snapshot } from './raft-types.ts';
import { encodeSnapshotFile } from './snapshot-file.ts';

function entry(index: number, term: number, text = `cmd-${index}`): LogEntry {
  return { index, term, type: EntryType.Command, data: new TextEncoder().encode(text) };
}

function range(from: number, to: number, term: number): LogEntry[] {
  const out: LogEntry[] = [];
  for (let i = from; i <= to; i++) out.push(entry(i, term));
  return out;
}

function snapshotAt(index: number, term: number): Snapshot {
  return { meta: { index, term, config: { voters: [{ id: 'a', address: 'h:1' }] } }, data: new TextEncoder().encode(`state@${index}`) };
}

describe('FileStableStore', () => {
  let dir: string;
  const open = (segmentBytes?: number): Promise<FileStableStore> =>
    FileStableStore.open({ dir, log: silentLogger(), ...(segmentBytes === undefined ? {} : { segmentBytes }) });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'raft-store-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function segments(): Promise<string[]> {
    return (await readdir(join(dir, 'log'))).sort();
  }

  it('round-trips hard state, entries and a snapshot across reopen', async () => {
    const s = await open();
    const empty = await s.load();
    expect(empty).toEqual({ hardState: { term: 0, votedFor: null }, snapshot: null, entries: [] });
    await s.save({ hardState: { term: 3, votedFor: 'b' }, log: { from: 1, entries: range(1, 5, 3) } });
    await s.close();
    const r = await open();
    const st = await r.load();
    expect(st.hardState).toEqual({ term: 3, votedFor: 'b' });
    expect(st.entries.map((e) => [e.index, e.term, new TextDecoder().decode(e.data)])).toEqual(
      range(1, 5, 3).map((e) => [e.index, e.term, `cmd-${e.index}`]),
    );
    await r.close();
  });

  it('cuts off a record torn by a crash mid-write and keeps appending after it', async () => {
    const s = await open();
    await s.save({ log: { from: 1, entries: range(1, 4, 1) } });
    await s.close();
    const [seg] = await segments();
    const path = join(dir, 'log', seg!);
    const goodSize = (await stat(path)).size;
    // The first 11 bytes of the next record reached the disk, the rest did not.
    await appendFile(path, encodeRecords([entry(5, 1, 'torn entry')]).subarray(0, 11));
    const r = await open();
    expect((await r.load()).entries.map((e) => e.index)).toEqual([1, 2, 3, 4]);
    expect((await stat(path)).size).toBe(goodSize);
    await r.save({ log: { from: 5, entries: range(5, 6, 2) } });
    await r.close();
    const again = await open();
    expect((await again.load()).entries.map((e) => `${e.index}/${e.term}`)).toEqual(['1/1', '2/1', '3/1', '4/1', '5/2', '6/2']);
    await again.close();
  });

  it('treats a checksum mismatch in the last record as a torn tail', async () => {
    const s = await open();
    await s.save({ log: { from: 1, entries: range(1, 3, 1) } });
    await s.close();
    const [seg] = await segments();
    const path = join(dir, 'log', seg!);
    const buf = await readFile(path);
    buf[buf.length - 1] ^= 0xff;
    await writeFile(path, buf);
    const r = await open();
    expect((await r.load()).entries.map((e) => e.index)).toEqual([1, 2]);
    await r.close();
  });

  it('treats zeroed space after the last record (preallocated, never written) as a torn tail', async () => {
    const s = await open();
    await s.save({ log: { from: 1, entries: range(1, 2, 1) } });
    await s.close();
    const [seg] = await segments();
    await appendFile(join(dir, 'log', seg!), new Uint8Array(4096));
    const r = await open();
    expect((await r.load()).entries.map((e) => e.index)).toEqual([1, 2]);
    await r.close();
  });

  it('reports damage in an older segment as data corruption instead of dropping acknowledged entries', async () => {
    const s = await open(64);
    await s.save({ log: { from: 1, entries: range(1, 3, 1) } });
    await s.save({ log: { from: 4, entries: range(4, 6, 1) } });
    await s.close();
    const segs = await segments();
    expect(segs.length).toBe(2);
    const path = join(dir, 'log', segs[0]!);
    const buf = await readFile(path);
    buf[20] ^= 0x01;
    await writeFile(path, buf);
    const err = await open(64).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(SqlError);
    expect((err as SqlError).code).toBe(SqlState.DATA_CORRUPTED);
  });

  it('replaces a conflicting suffix, also across segment boundaries', async () => {
    const s = await open(100);
    for (let i = 1; i <= 10; i += 2) await s.save({ log: { from: i, entries: range(i, i + 1, 1) } });
    expect((await segments()).length).toBeGreaterThan(2);
    await s.save({ hardState: { term: 2, votedFor: null }, log: { from: 4, entries: range(4, 5, 2) } });
    await s.close();
    const r = await open(100);
    expect((await r.load()).entries.map((e) => `${e.index}/${e.term}`)).toEqual(['1/1', '2/1', '3/1', '4/2', '5/2']);
    await r.close();
  });

  it('compacts whole segments covered by a snapshot and reloads snapshot plus suffix', async () => {
    const s = await open(120);
    for (let i = 1; i <= 40; i += 4) await s.save({ log: { from: i, entries: range(i, i + 3, 1) } });
    const before = (await segments()).length;
    await s.save({ snapshot: snapshotAt(25, 1) });
    const after = await segments();
    expect(after.length).toBeLessThan(before);
    // The first remaining segment still holds index 26.
    expect(Number(after[0]!.slice(0, 20))).toBeLessThanOrEqual(26);
    await s.close();
    const r = await open(120);
    const st = await r.load();
    expect(st.snapshot?.meta.index).toBe(25);
    expect(new TextDecoder().decode(st.snapshot!.data)).toBe('state@25');
    expect(st.entries[0]!.index).toBe(26);
    expect(st.entries[st.entries.length - 1]!.index).toBe(40);
    await r.close();
  });

  it('drops the whole log when an installed snapshot does not continue it', async () => {
    const s = await open();
    await s.save({ log: { from: 1, entries: range(1, 10, 1) } });
    await s.save({ snapshot: snapshotAt(20, 3), log: { from: 21, entries: [] } });
    expect(await segments()).toEqual([]);
    await s.save({ log: { from: 21, entries: range(21, 23, 3) } });
    await s.close();
    const r = await open();
    const st = await r.load();
    expect(st.snapshot?.meta).toMatchObject({ index: 20, term: 3 });
    expect(st.entries.map((e) => e.index)).toEqual([21, 22, 23]);
    await r.close();
  });

  it('recovers from a crash between writing an installed snapshot and discarding the old log', async () => {
    const s = await open();
    await s.save({ log: { from: 1, entries: range(1, 30, 1) } });
    await s.close();
    // As if the process died right after the snapshot file's rename.
    await writeFile(join(dir, 'snapshot.bin'), encodeSnapshotFile(snapshotAt(20, 3)));
    const r = await open();
    const st = await r.load();
    expect(st.snapshot?.meta.index).toBe(20);
    expect(st.entries).toEqual([]);
    await r.save({ log: { from: 21, entries: range(21, 21, 3) } });
    await r.close();
    const again = await open();
    expect((await again.load()).entries.map((e) => `${e.index}/${e.term}`)).toEqual(['21/3']);
    await again.close();
  });

  it('keeps the suffix after a matching snapshot written just before a crash', async () => {
    const s = await open();
    await s.save({ log: { from: 1, entries: range(1, 30, 1) } });
    await s.close();
    await writeFile(join(dir, 'snapshot.bin'), encodeSnapshotFile(snapshotAt(20, 1)));
    const r = await open();
    expect((await r.load()).entries.map((e) => e.index)).toEqual(range(21, 30, 1).map((e) => e.index));
    await r.close();
  });

  it('rejects a damaged snapshot file', async () => {
    const s = await open();
    await s.save({ snapshot: snapshotAt(5, 1) });
    await s.close();
    const path = join(dir, 'snapshot.bin');
    const buf = await readFile(path);
    buf[buf.length - 1] ^= 0x01;
    await writeFile(path, buf);
    await expect(open()).rejects.toMatchObject({ code: SqlState.DATA_CORRUPTED });
  });

  it('removes an empty last segment left by a crash right after creating it', async () => {
    const s = await open(10);
    await s.save({ log: { from: 1, entries: range(1, 2, 1) } });
    await s.close();
    await writeFile(join(dir, 'log', `${String(3).padStart(20, '0')}.seg`), new Uint8Array(0));
    const r = await open(10);
    expect((await r.load()).entries.map((e) => e.index)).toEqual([1, 2]);
    await r.save({ log: { from: 3, entries: range(3, 3, 1) } });
    await r.close();
    const again = await open(10);
    expect((await again.load()).entries.map((e) => e.index)).toEqual([1, 2, 3]);
    await again.close();
  });
});
