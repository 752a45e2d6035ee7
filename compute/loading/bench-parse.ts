// Micro-benchmark: parses a generated TPC-H lineitem-like .tbl ('|'-separated, trailing '|') on one core.
// Run: npx tsx compute/loading/bench-parse.ts [rows=1000000] [chunkKiB=256]
import { T } from '../../sql/types/sql-type.ts';
import { createCopyParser, type CopyColumn } from './copy-parser.ts';
import { normalizeCopyOptions } from './parse-copy-options.ts';

const rows = Number(process.argv[2] ?? 1_000_000);
const chunkBytes = Number(process.argv[3] ?? 256) * 1024;

const columns: CopyColumn[] = [
  ['l_orderkey', T.int8], ['l_partkey', T.int4], ['l_suppkey', T.int4], ['l_linenumber', T.int4],
  ['l_quantity', T.numeric(15, 2)], ['l_extendedprice', T.numeric(15, 2)], ['l_discount', T.numeric(15, 2)],
  ['l_tax', T.numeric(15, 2)], ['l_returnflag', T.char(1)], ['l_linestatus', T.char(1)], ['l_shipdate', T.date],
  ['l_commitdate', T.date], ['l_receiptdate', T.date], ['l_shipinstruct', T.char(25)], ['l_shipmode', T.char(10)],
  ['l_comment', T.varchar(44)],
].map(([name, type]) => ({ name: name as string, type: type as CopyColumn['type'], notNull: true }));

const INSTRUCT = ['DELIVER IN PERSON', 'COLLECT COD', 'NONE', 'TAKE BACK RETURN'];
const MODES = ['REG AIR', 'AIR', 'RAIL', 'SHIP', 'TRUCK', 'MAIL', 'FOB'];
const WORDS = ['furiously', 'quickly', 'carefully', 'blithely', 'regular', 'express', 'final', 'pending', 'deposits',
  'accounts', 'packages', 'ironic', 'requests', 'slyly', 'bold', 'even', 'special', 'theodolites'];

/** Deterministic lineitem-like text, as dbgen writes it (every line ends with '|'). */
function generate(n: number): Uint8Array {
  let seed = 42;
  const rnd = (m: number): number => { seed = (seed * 1103515245 + 12345) >>> 0; return (seed >>> 8) % m; };
  const date = (): string => {
    const y = 1992 + rnd(7);
    const m = 1 + rnd(12);
    const d = 1 + rnd(28);
    return `${y}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
  };
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    let comment = WORDS[rnd(WORDS.length)]!;
    while (comment.length < 10 + rnd(30)) comment += ' ' + WORDS[rnd(WORDS.length)]!;
    const qty = 1 + rnd(50);
    const price = (qty * (900 + rnd(100000) / 100)).toFixed(2);
    parts.push(`${1 + (i >> 2)}|${1 + rnd(200000)}|${1 + rnd(10000)}|${1 + (i & 3)}|${qty}.00|${price}|0.0${rnd(10)}|0.0${rnd(9)}|`
      + `${'RAN'[rnd(3)]}|${'OF'[rnd(2)]}|${date()}|${date()}|${date()}|${INSTRUCT[rnd(4)]}|${MODES[rnd(7)]}|${comment.slice(0, 44)}|\n`);
  }
  return new TextEncoder().encode(parts.join(''));
}

const data = generate(rows);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc !== undefined) gc(); // drop the generator's strings before timing
const options = normalizeCopyOptions([{ name: 'delimiter', value: { kind: 'string', value: '|' }, origin: 'postgres' }], { isFrom: true });
let best = Infinity;
let bestCpu = Infinity;
for (let run = 0; run < 3; run++) {
  let loaded = 0;
  const parser = createCopyParser(options, columns, { batch: (b) => { loaded += b.length; } }, { tableName: 'lineitem' });
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let pos = 0; pos < data.length; pos += chunkBytes) parser.write(data.subarray(pos, pos + chunkBytes));
  parser.end();
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  // CPU time of this process: the per-core figure even when other processes share the cores.
  const cpuSecs = (cpu.user + cpu.system) / 1e6;
  bestCpu = Math.min(bestCpu, cpuSecs);
  if (loaded !== rows) throw new Error(`loaded ${loaded} of ${rows} rows`);
  best = Math.min(best, secs);
  console.log(`run ${run + 1}: ${secs.toFixed(3)} s wall, ${cpuSecs.toFixed(3)} s CPU`);
}
const mb = data.length / 1e6;
console.log(`lineitem-like .tbl: ${rows} rows, ${mb.toFixed(1)} MB, chunks of ${chunkBytes / 1024} KiB`);
console.log(`best wall: ${(mb / best).toFixed(1)} MB/s, ${Math.round(rows / best).toLocaleString('en-US')} rows/s`);
console.log(`best CPU:  ${(mb / bestCpu).toFixed(1)} MB/s, ${Math.round(rows / bestCpu).toLocaleString('en-US')} rows/s per core`);
