// Recovery's table copy between two slice stores over a real interconnect connection: the behind
// copy becomes exactly the current one (rows, deletes, schema), only files it lacks travel, a
// damaged file is refused, and a table the current side no longer has is dropped.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/log.ts';
import { RpcPeer, type RpcHandler } from '../../cluster/transport/rpc-peer.ts';
import { T } from '../../sql/types/sql-type.ts';
import { SegmentStore } from '../../storage/segment-store.ts';
import type { StoredTable } from '../../storage/slice-store.ts';
import { batchFromRows } from '../batch/row-conversion.ts';
import { Fingerprints, fetchTable, sendTable } from './table-copy.ts';

const TABLE: StoredTable = {
  tableId: 3,
  columns: [{ name: 'k', type: T.int4, notNull: true }, { name: 'w', type: T.text, notNull: false }],
  sortKey: [],
  sortStyle: 'compound',
};

async function insert(store: SegmentStore, from: number, to: number): Promise<void> {
  const rows = Array.from({ length: to - from }, (_v, i) => [from + i, `w${from + i}`]);
  const w = store.beginWrite(TABLE.tableId);
  await w.append(batchFromRows(TABLE.columns.map((c) => c.type), rows));
  await w.commit();
}

async function rowsOf(store: SegmentStore): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const b of store.scan(TABLE.tableId, { columns: [0, 1] })) {
    const n = b.selection === null ? b.length : b.selection.length;
    for (let k = 0; k < n; k++) {
      const i = b.selection === null ? k : b.selection[k]!;
      const kv = b.columns[0]!;
      out.push((kv as { values: Int32Array }).values[i]);
    }
  }
  return out.sort((a, b) => (a as number) - (b as number));
}

describe('table copy (recovery)', () => {
  let dir: string;
  let current: SegmentStore;
  let behind: SegmentStore;
  let server: Server;
  let socket: Socket;
  let peer: RpcPeer;
  const fps = new Fingerprints();
  let sent = 0;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'table-copy-'));
    current = await SegmentStore.open({ dir: join(dir, 'current'), log: silentLogger(), blockRows: 64, segmentRows: 256 });
    behind = await SegmentStore.open({ dir: join(dir, 'behind'), log: silentLogger(), blockRows: 64, segmentRows: 256 });
    const handler: RpcHandler = async (_method, params, ctx) => {
      const p = params as { tableId: number; have: string[] };
      const wrapped = { ...ctx, sendData: (c: Uint8Array) => { sent += c.length; return ctx.sendData(c); } };
      return sendTable(current, p.tableId, new Set(p.have), fps, wrapped);
    };
    server = createServer((s) => { new RpcPeer(s, handler, silentLogger(), false, 'behind'); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    socket = connect((server.address() as { port: number }).port, '127.0.0.1');
    await new Promise<void>((r) => socket.once('connect', () => r()));
    peer = new RpcPeer(socket, null, silentLogger(), true, 'current');
    sent = 0;
  });

  afterEach(async () => {
    socket.destroy();
    server.close();
    await current.close();
    await behind.close();
    await rm(dir, { recursive: true, force: true });
  });

  const fetch = (final: boolean): ReturnType<typeof fetchTable> => fetchTable({
    store: behind, tableId: TABLE.tableId, source: peer, sourceSlice: 0, stagingDir: join(behind.dir, 'incoming', 't3'),
    fps, final, signal: new AbortController().signal,
  });

  it('makes the behind copy exactly the current one, shipping only the files it lacks', async () => {
    await current.createTable(TABLE);
    await behind.createTable(TABLE);
    await insert(current, 0, 500);
    await insert(behind, 0, 100); // a stale, different history
    const w = current.beginWrite(TABLE.tableId);
    await w.deleteWhere({ columns: [0] }, (b, m) => { const v = (b.columns[0] as { values: Int32Array }).values; for (let i = 0; i < b.length; i++) if (v[i]! % 3 === 0) m[i] = 1; });
    await w.commit();

    const first = await fetch(false);
    expect(first.files).toBeGreaterThan(0);
    expect(await rowsOf(behind)).toHaveLength(100); // a first pass only stages
    await insert(current, 500, 600); // a write between the passes
    sent = 0;
    const last = await fetch(true);
    expect(last.files).toBe(1); // only the new segment
    expect(sent).toBeLessThan(first.bytes);
    expect(await rowsOf(behind)).toEqual(await rowsOf(current));
    expect(behind.rowCount(TABLE.tableId)).toBe(current.rowCount(TABLE.tableId));
    // The staging directory is gone and old files are retired; writes after the copy go on.
    expect(await readdir(join(behind.dir, 'incoming'))).toEqual([]);
    await insert(behind, 600, 650);
    await insert(current, 600, 650);
    expect(await rowsOf(behind)).toEqual(await rowsOf(current));
    // It survives a restart as it is.
    await behind.close();
    behind = await SegmentStore.open({ dir: join(dir, 'behind'), log: silentLogger() });
    expect(await rowsOf(behind)).toEqual(await rowsOf(current));
    // A second copy of an identical table ships nothing.
    sent = 0;
    await fetch(true);
    expect(sent).toBe(0);
  });

  it('creates a table the behind side lacks and drops one the current side no longer has', async () => {
    await current.createTable(TABLE);
    await insert(current, 0, 300);
    await fetch(true);
    expect(await rowsOf(behind)).toHaveLength(300);
    await current.dropTable(TABLE.tableId);
    await fetch(true);
    expect(behind.hasTable(TABLE.tableId)).toBe(false);
  });

  it('refuses a file that does not match its checksum', async () => {
    await current.createTable(TABLE);
    await insert(current, 0, 300);
    // Damage one segment on the current side after its fingerprint was taken.
    const pin = current.pin(TABLE.tableId)!;
    const seg = pin.snapshot.manifest.segments[0]!;
    await fps.of(join(current.dir, seg.file));
    pin.release();
    await writeFile(join(current.dir, seg.file), 'not the segment it was');
    await expect(fetch(true)).rejects.toMatchObject({ code: 'XX001' });
    expect(behind.hasTable(TABLE.tableId)).toBe(false);
  });
});
