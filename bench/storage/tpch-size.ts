// Bytes on disk for TPC-H LINEITEM and ORDERS: Colonnade segments vs the raw .tbl text vs a DuckDB
// database file holding the same rows (same run), plus load speed, per-column encodings, and the
// share of l_shipdate blocks a one-week range reads.
// Run: npx tsx bench/storage/tpch-size.ts [--sf 1] [--no-duckdb] [--keep DIR]
import { mkdtemp, rm, stat, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { silentLogger } from '../../common/log.ts';
import { SegmentStore } from '../../storage/segment-store.ts';
import { newScanStats } from '../../storage/scan-types.ts';
import { generateTableChunks } from '../tpch/gen/generate.ts';
import { tableDef, type TableDef } from '../tpch/queries/schema.ts';
import { storedTableOf, TblBatcher } from './tbl-batches.ts';

const args = process.argv.slice(2);
const sfArg = args.indexOf('--sf');
const SF = sfArg >= 0 ? Number(args[sfArg + 1]) : 1;
const WITH_DUCKDB = !args.includes('--no-duckdb');
const mb = (b: number): string => (b / 1048576).toFixed(1).padStart(8);

async function loadOurs(store: SegmentStore, def: TableDef, tableId: number, tblPath: string): Promise<{ rows: number; tblBytes: number; ms: number }> {
  const table = storedTableOf(def, tableId);
  await store.createTable(table);
  const batcher = new TblBatcher(table);
  const tx = store.beginWrite(tableId);
  const fh = await open(tblPath, 'w');
  let tblBytes = 0;
  let rows = 0;
  const t0 = performance.now();
  for (const chunk of generateTableChunks(def.name, { sf: SF })) {
    await fh.write(chunk);
    tblBytes += chunk.length;
    for (const b of batcher.push(chunk)) { await tx.append(b); rows += b.length; }
  }
  if (batcher.pending > 0) { const b = batcher.take(); await tx.append(b); rows += b.length; }
  await tx.commit();
  await fh.close();
  return { rows, tblBytes, ms: performance.now() - t0 };
}

async function duckdbBytes(def: TableDef, tblPath: string, dir: string): Promise<{ bytes: number; ms: number }> {
  const path = join(dir, `${def.name}.duckdb`);
  const db = await DuckDBInstance.create(path);
  const con = await db.connect();
  const t0 = performance.now();
  await con.run(`CREATE TABLE ${def.name} (${def.columns.map((c) => `${c.name} ${c.type} NOT NULL`).join(', ')})`);
  const cols = def.columns.map((c, i) => `'column${String(i).padStart(2, '0')}': '${c.type}'`).concat([`'column${def.columns.length}': 'VARCHAR'`]);
  await con.run(`INSERT INTO ${def.name} SELECT ${def.columns.map((_, i) => `column${String(i).padStart(2, '0')}`).join(', ')} FROM read_csv('${tblPath}', delim='|', header=false, columns={${cols.join(', ')}})`);
  await con.run('CHECKPOINT');
  const ms = performance.now() - t0;
  con.closeSync();
  db.closeSync();
  return { bytes: (await stat(path)).size, ms };
}

async function main(): Promise<void> {
  const keepArg = args.indexOf('--keep');
  const dir = keepArg >= 0 ? args[keepArg + 1]! : await mkdtemp(join(tmpdir(), 'colonnade-tpch-size-'));
  const store = await SegmentStore.open({ dir: join(dir, 'slice'), log: silentLogger() });
  console.log(`TPC-H SF ${SF}: bytes on disk (MiB); node ${process.version}; dir ${dir}\n`);
  console.log('table        rows      .tbl   colonnade  (ratio)   duckdb   load s (ours / duckdb)');
  try {
    for (const [name, id] of [['orders', 1], ['lineitem', 2]] as const) {
      const def = tableDef(name);
      const tbl = join(dir, `${name}.tbl`);
      const ours = await loadOurs(store, def, id, tbl);
      const vac = await store.vacuum(id, 'sort only');
      const info = (await store.tableInfo(id))[0]!;
      const duck = WITH_DUCKDB ? await duckdbBytes(def, tbl, dir) : { bytes: NaN, ms: NaN };
      console.log(`${name.padEnd(10)}${String(ours.rows).padStart(9)} ${mb(ours.tblBytes)}  ${mb(info.sizeBytes)}  (${(ours.tblBytes / info.sizeBytes).toFixed(2)}x) ${mb(duck.bytes)}   ${(ours.ms / 1000).toFixed(1)} / ${(duck.ms / 1000).toFixed(1)}   (vacuum ${vac.skipped ? 'skipped' : `${vac.segmentsBefore}→${vac.segmentsAfter} segments`}, unsorted ${info.unsortedPct?.toFixed(1)}%)`);
      // Per-column encodings and sizes.
      const blocks = await store.blockList(id);
      const perCol = new Map<string, { raw: number; stored: number; enc: Map<string, number> }>();
      for (const b of blocks) {
        const e = perCol.get(b.column) ?? { raw: 0, stored: 0, enc: new Map<string, number>() };
        e.raw += b.rawBytes; e.stored += b.storedBytes; e.enc.set(b.encoding, (e.enc.get(b.encoding) ?? 0) + 1);
        perCol.set(b.column, e);
      }
      for (const [col, e] of perCol) {
        const encs = [...e.enc].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}×${n}`).join(' ');
        console.log(`    ${col.padEnd(18)} ${mb(e.raw)} → ${mb(e.stored)}  (${(e.raw / e.stored).toFixed(1)}x)  ${encs}`);
      }
    }
    // One week of l_shipdate on the sorted table.
    const stats = newScanStats();
    let rows = 0;
    const t0 = performance.now();
    for await (const b of store.scan(2, { columns: [10], filters: [{ kind: 'between', column: 10, low: '1995-06-01', high: '1995-06-07' }], stats })) rows += b.length;
    const ms = performance.now() - t0;
    console.log(`\nl_shipdate BETWEEN 1995-06-01 AND 1995-06-07: read ${stats.rowGroupsTotal - stats.rowGroupsSkipped} of ${stats.rowGroupsTotal} blocks (${(100 * (stats.rowGroupsTotal - stats.rowGroupsSkipped) / stats.rowGroupsTotal).toFixed(2)}%), ${rows} rows returned before filtering, ${ms.toFixed(0)} ms`);
    const full = newScanStats();
    const t1 = performance.now();
    let sum = 0;
    for await (const b of store.scan(2, { columns: [4, 5, 6, 10], stats: full, reuseBuffers: true })) sum += b.length;
    const fullMs = performance.now() - t1;
    console.log(`full scan of 4 columns (quantity, extendedprice, discount, shipdate): ${sum} rows, ${fullMs.toFixed(0)} ms, ${(sum / fullMs / 1000).toFixed(1)} M rows/s, ${(full.bytesRead / 1048576).toFixed(1)} MiB read`);
  } finally {
    await store.close();
    if (keepArg < 0) await rm(dir, { recursive: true, force: true });
  }
}

await main();
