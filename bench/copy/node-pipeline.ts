// One compute node's work in a load, in one process, for profiling: a TPC-H .tbl file cut into
// chunks, parsed, routed to 2 slices (one "remote", reached through an Arrow encode + decode),
// sorted, encoded and prepared in SegmentStores under a temp directory. Prints the time per phase.
//   npx tsx bench/copy/node-pipeline.ts [--sf 0.1] [--table lineitem]
//   node --cpu-prof --import tsx bench/copy/node-pipeline.ts
import { readFile, rm, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createRootLogger } from '../../common/log.ts';
import { decodeBatch } from '../../compute/exchange/arrow-batch-codec.ts';
import { normalizeCopyOptions } from '../../compute/loading/parse-copy-options.ts';
import { LoadSession } from '../../compute/loading/load-session.ts';
import { RecordChunker } from '../../compute/loading/record-chunker.ts';
import { SegmentStore } from '../../storage/segment-store.ts';
import type { StoredTable } from '../../storage/slice-store.ts';
import type { SqlType } from '../../sql/types/sql-type.ts';
import { SCHEMA } from '../tpch/queries/schema.ts';
import { ensureData } from '../tpch/runner/data-cache.ts';

/** The SQL type of a TPC-H column type as the DDL writes it. */
function sqlTypeOf(t: string): SqlType {
  const m = /^(\w+)(?:\((\d+)(?:,(\d+))?\))?$/.exec(t)!;
  switch (m[1]) {
    case 'INTEGER': return { id: 'int4' };
    case 'BIGINT': return { id: 'int8' };
    case 'DATE': return { id: 'date' };
    case 'DECIMAL': return { id: 'numeric', precision: Number(m[2]), scale: Number(m[3]) };
    case 'CHAR': return { id: 'char', length: Number(m[2]) };
    default: return { id: 'varchar', length: Number(m[2]) };
  }
}

const { values } = parseArgs({ options: { sf: { type: 'string', default: '0.1' }, table: { type: 'string', default: 'lineitem' } } });
const def = SCHEMA.find((t) => t.name === values.table);
if (!def) throw new Error(`no TPC-H table ${values.table}`);
const log = createRootLogger({ role: 'bench', level: 'warn', pretty: false });
const data = await ensureData(join(resolve(import.meta.dirname, '../..'), 'bench/.cache'), Number(values.sf));
const dir = await mkdtemp(join(tmpdir(), 'colonnade-pipeline-'));
const table: StoredTable = {
  tableId: 1,
  columns: def.columns.map((c) => ({ name: c.name, type: sqlTypeOf(c.type), notNull: true })),
  sortKey: [0], sortStyle: 'compound',
};
const stores = await Promise.all([0, 1].map((i) => SegmentStore.open({ dir: join(dir, `slice-${i}`), log, sliceId: i })));
for (const s of stores) await s.createTable(table);
const options = normalizeCopyOptions([{ name: 'delimiter', value: { kind: 'string', value: '|' }, origin: 'postgres' }], { isFrom: true });
let shippedMs = 0;
const session: LoadSession = new LoadSession({
  txnId: 'bench', table, tableName: def.name, targets: table.columns.map((_c, i) => i), options,
  textIo: { timeZoneOffsetSeconds: 0 }, distStyle: 'key', distKey: 0, fill: table.columns.map(() => null),
  nodes: [{ nodeId: 'here', host: '', port: 0, slices: [0] }, { nodeId: 'there', host: '', port: 0, slices: [1] }],
}, {
  nodeId: 'here',
  beginWrite: async (slice) => stores[slice]!.beginWrite(1),
  // The "remote" slice lives here too: the rows still go through the Arrow codec.
  sendRows: async (_node, _txn, slice, body) => {
    const t = performance.now();
    const batch = decodeBatch(body);
    shippedMs += performance.now() - t;
    await remote(slice, batch);
  },
});
const remoteWrites = new Map<number, ReturnType<SegmentStore['beginWrite']>>();
async function remote(slice: number, batch: ReturnType<typeof decodeBatch>): Promise<void> {
  let w = remoteWrites.get(slice);
  if (!w) { w = stores[slice]!.beginWrite(1); remoteWrites.set(slice, w); }
  await w.append(batch);
}

await session.open();
const bytes = await readFile(join(data.dir, `${def.name}.tbl`));
const t0 = performance.now();
const chunker = new RecordChunker(options);
let rows = 0;
const chunks = chunker.push(bytes);
const last = chunker.end();
if (last) chunks.push(last);
const t1 = performance.now();
for (const c of chunks) rows += (await session.loadChunk({ fileName: '', firstLine: c.firstLine, atStart: c.atStart }, c.bytes)).rows;
const t2 = performance.now();
const txs = [...await session.prepare(), ...remoteWrites.values()];
for (const w of remoteWrites.values()) await w.prepare();
const t3 = performance.now();
for (const t of txs) await t.commit();
const t4 = performance.now();
const ms = (a: number, b: number): string => `${Math.round(b - a)} ms`;
process.stdout.write(`${def.name} SF ${values.sf}: ${rows} rows, ${(bytes.length / 1048576).toFixed(1)} MiB\n`
  + `  chunking ${ms(t0, t1)}; parse + route ${ms(t1, t2)} (Arrow decode ${Math.round(shippedMs)} ms); sort + encode + prepare ${ms(t2, t3)}; commit ${ms(t3, t4)}\n`
  + `  total ${ms(t0, t4)} = ${Math.round(rows / ((t4 - t0) / 1000))} rows/s on one core\n`);
for (const s of stores) await s.close();
await rm(dir, { recursive: true, force: true });
