// A deliberately simple SliceStore (one JSON file per committed write) that serves until the
// segment store of storage/ is wired in. Durable and atomic, not compact or fast.
import { mkdir, readdir, readFile, rename, rm, unlink, writeFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir } from '../common/atomic-file.ts';
import { fromTaggedJson, toTaggedJson } from '../common/tagged-json.ts';
import type { Batch } from './batch/batch.ts';
import { batchFromRows, rowsFromBatch } from './batch/row-conversion.ts';
import type { Datum } from '../sql/types/datum.ts';
import type { ScanOptions, SliceStore, StoredTable, WriteTransaction } from '../storage/slice-store.ts';

interface TableState {
  spec: StoredTable;
  files: string[];
  rows: number;
}

/** One directory per table; each committed write is a file `c<seq>.json` of rows. */
export class InterimStore implements SliceStore {
  private readonly tables = new Map<number, TableState>();
  private seq = 0;

  private constructor(private readonly dir: string) {}

  static async open(dir: string): Promise<InterimStore> {
    await mkdir(dir, { recursive: true });
    const store = new InterimStore(dir);
    for (const name of await readdir(dir)) {
      if (!name.startsWith('t')) continue;
      const tdir = join(dir, name);
      let spec: StoredTable;
      try {
        spec = JSON.parse(await readFile(join(tdir, 'table.json'), 'utf8')) as StoredTable;
      } catch {
        await rm(tdir, { recursive: true, force: true });
        continue;
      }
      const files: string[] = [];
      let rows = 0;
      for (const f of (await readdir(tdir)).sort()) {
        if (f.endsWith('.tmp')) await unlink(join(tdir, f));
        else if (f.startsWith('c')) {
          files.push(f);
          rows += (fromTaggedJson(await readFile(join(tdir, f), 'utf8')) as Datum[][]).length;
          store.seq = Math.max(store.seq, Number(f.slice(1, -5)) + 1);
        }
      }
      store.tables.set(spec.tableId, { spec, files, rows });
    }
    return store;
  }

  private tableDir(id: number): string {
    return join(this.dir, `t${id}`);
  }

  async createTable(table: StoredTable): Promise<void> {
    if (this.tables.has(table.tableId)) return;
    await mkdir(this.tableDir(table.tableId), { recursive: true });
    await writeFile(join(this.tableDir(table.tableId), 'table.json'), JSON.stringify(table));
    this.tables.set(table.tableId, { spec: table, files: [], rows: 0 });
  }

  async dropTable(tableId: number): Promise<void> {
    this.tables.delete(tableId);
    await rm(this.tableDir(tableId), { recursive: true, force: true });
  }

  async alterTable(table: StoredTable): Promise<void> {
    const t = this.tables.get(table.tableId);
    if (!t) return this.createTable(table);
    t.spec = table;
    await writeFile(join(this.tableDir(table.tableId), 'table.json'), JSON.stringify(table));
  }

  hasTable(tableId: number): boolean {
    return this.tables.has(tableId);
  }

  rowCount(tableId: number): number {
    return this.tables.get(tableId)?.rows ?? 0;
  }

  beginWrite(tableId: number): WriteTransaction {
    const rows: Datum[][] = [];
    let tmp: string | null = null;
    const store = this;
    return {
      async append(batch: Batch): Promise<void> {
        for (const r of rowsFromBatch(batch)) rows.push(r);
      },
      async prepare(): Promise<void> {
        const t = store.tables.get(tableId);
        if (!t) throw new Error(`table ${tableId} missing on this slice`);
        tmp = join(store.tableDir(tableId), `w${process.pid}-${store.seq++}.tmp`);
        const fh = await open(tmp, 'w');
        await fh.writeFile(toTaggedJson(rows));
        await fh.sync();
        await fh.close();
      },
      async commit(): Promise<void> {
        if (tmp === null) await this.prepare();
        const t = store.tables.get(tableId);
        if (!t || tmp === null) return;
        const name = `c${String(store.seq++).padStart(12, '0')}.json`;
        await rename(tmp, join(store.tableDir(tableId), name));
        await fsyncDir(store.tableDir(tableId));
        t.files.push(name);
        t.rows += rows.length;
      },
      async abort(): Promise<void> {
        if (tmp !== null) await unlink(tmp).catch(() => undefined);
      },
    };
  }

  async *scan(tableId: number, opts: ScanOptions): AsyncIterable<Batch> {
    const t = this.tables.get(tableId);
    if (!t) return;
    const files = [...t.files];
    const types = opts.columns.map((c) => t.spec.columns[c]!.type);
    for (const f of files) {
      opts.signal?.throwIfAborted();
      const rows = fromTaggedJson(await readFile(join(this.tableDir(tableId), f), 'utf8')) as Datum[][];
      // Rows written before ADD COLUMN are shorter: missing values read as NULL.
      const projected = rows.map((r) => opts.columns.map((c) => r[c] ?? null));
      yield batchFromRows(types, projected);
    }
  }

  async close(): Promise<void> {
    // Nothing is held open.
  }
}
