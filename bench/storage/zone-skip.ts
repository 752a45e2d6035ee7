// Zone-map pruning on a sorted date column: 6M l_shipdate-like dates (1992-01-02 .. 1998-12-01,
// loaded in random order, as lineitem arrives), one-week range queries before and after VACUUM.
// Run: npx tsx bench/storage/zone-skip.ts [--rows 6000000]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../common/log.ts';
import { T } from '../../sql/types/sql-type.ts';
import { daysFromCivil } from '../../sql/types/datetime.ts';
import { SegmentStore } from '../../storage/segment-store.ts';
import { newScanStats } from '../../storage/scan-types.ts';
import { rng } from '../../storage/testing/vector-fixtures.ts';

const args = process.argv.slice(2);
const rowsArg = args.indexOf('--rows');
const ROWS = rowsArg >= 0 ? Number(args[rowsArg + 1]) : 6_000_000;
const START = daysFromCivil(1992, 1, 2);
const SPAN = daysFromCivil(1998, 12, 1) - START + 1;

async function weekQuery(store: SegmentStore, from: number): Promise<{ read: number; total: number; rows: number; ms: number }> {
  const stats = newScanStats();
  let rows = 0;
  const t0 = performance.now();
  for await (const b of store.scan(1, { columns: [0], filters: [{ kind: 'between', column: 0, low: from, high: from + 6 }], stats })) {
    const v = b.columns[0]!;
    if (v.kind !== 'int32') continue;
    for (let i = 0; i < b.length; i++) if (v.values[i]! >= from && v.values[i]! <= from + 6) rows++;
  }
  return { read: stats.rowGroupsTotal - stats.rowGroupsSkipped, total: stats.rowGroupsTotal, rows, ms: performance.now() - t0 };
}

async function report(store: SegmentStore, label: string): Promise<void> {
  const r = rng(5);
  let read = 0, total = 0, worst = 0, ms = 0;
  const Q = 20;
  for (let q = 0; q < Q; q++) {
    const res = await weekQuery(store, START + Math.floor(r() * (SPAN - 7)));
    read += res.read; total += res.total; ms += res.ms;
    worst = Math.max(worst, res.read / res.total);
  }
  const info = (await store.tableInfo(1))[0]!;
  console.log(`${label.padEnd(28)} segments ${String(info.segments).padStart(3)}  unsorted ${info.unsortedPct!.toFixed(0).padStart(3)}%  blocks read per one-week query: avg ${(100 * read / total).toFixed(2)}% (worst ${(100 * worst).toFixed(2)}%) of ${total / Q}, ${(ms / Q).toFixed(1)} ms/query`);
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'colonnade-zone-'));
  const store = await SegmentStore.open({ dir, log: silentLogger() });
  try {
    await store.createTable({ tableId: 1, columns: [{ name: 'l_shipdate', type: T.date, notNull: true }], sortKey: [0], sortStyle: 'compound' });
    const r = rng(1);
    const tx = store.beginWrite(1);
    const t0 = performance.now();
    for (let a = 0; a < ROWS; a += 65536) {
      const n = Math.min(65536, ROWS - a);
      const v = new Int32Array(n);
      for (let i = 0; i < n; i++) v[i] = START + Math.floor(r() * SPAN);
      await tx.append({ length: n, columns: [{ kind: 'int32', length: n, nulls: null, values: v }], selection: null });
    }
    await tx.commit();
    console.log(`${ROWS} rows loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${((await store.tableInfo(1))[0]!.sizeBytes / 1024).toFixed(0)} KiB on disk`);
    await report(store, 'after load (sorted per segment)');
    const t1 = performance.now();
    await store.vacuum(1, 'sort only');
    console.log(`vacuum sort only: ${((performance.now() - t1) / 1000).toFixed(1)} s`);
    await report(store, 'after VACUUM SORT ONLY');
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
