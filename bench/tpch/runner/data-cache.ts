// Generated .tbl files cached per scale factor under bench/.cache/tpch-sf<SF>/, regenerated when the generator changes.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GENERATOR_VERSION, tableRowCount, writeTableFiles } from '../gen/generate.ts';
import { TABLE_NAMES } from '../gen/table-spec.ts';
import { Progress } from './progress.ts';

/** The marker written after a complete generation. */
interface CacheMarker {
  sf: number;
  generatorVersion: number;
  rows: Record<string, number>;
  generatedMs: number;
}

/** Directory of the cached data for `sf`. */
export function cacheDirFor(cacheRoot: string, sf: number): string {
  return join(cacheRoot, `tpch-sf${sf}`);
}

/** What {@link ensureData} found or made. */
export interface CachedData {
  dir: string;
  rows: Record<string, number>;
  /** Generation time when generated now; undefined when taken from the cache. */
  generatedMs?: number;
}

/** Returns the data directory for `sf`, generating all eight tables first unless a complete copy is cached. */
export async function ensureData(cacheRoot: string, sf: number): Promise<CachedData> {
  const dir = cacheDirFor(cacheRoot, sf);
  const markerFile = join(dir, 'complete.json');
  if (existsSync(markerFile)) {
    const marker = JSON.parse(await readFile(markerFile, 'utf8')) as CacheMarker;
    if (marker.generatorVersion === GENERATOR_VERSION && marker.sf === sf
      && TABLE_NAMES.every((t) => existsSync(join(dir, `${t}.tbl`)))) {
      return { dir, rows: marker.rows };
    }
  }
  const totalRows = TABLE_NAMES.reduce((sum, t) => sum + tableRowCount(t, { sf }), 0);
  const progress = new Progress(`generate SF ${sf}`, totalRows);
  const doneByTable = new Map<string, number>();
  const start = performance.now();
  const results = await writeTableFiles(dir, { sf }, TABLE_NAMES, (table, done) => {
    doneByTable.set(table, done);
    let sum = 0;
    for (const n of doneByTable.values()) sum += n;
    progress.update(sum, table);
  });
  const rows: Record<string, number> = {};
  for (const r of results) rows[r.table] = r.rows;
  const generatedMs = performance.now() - start;
  progress.finish(`${totalRows} rows`);
  const marker: CacheMarker = { sf, generatorVersion: GENERATOR_VERSION, rows, generatedMs };
  await writeFile(markerFile, `${JSON.stringify(marker, null, 2)}\n`);
  return { dir, rows, generatedMs };
}
