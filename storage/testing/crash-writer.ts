// Child process of the crash test: opens the store in argv[2] and runs the workload's
// transactions from the first uncommitted one on, printing "committed <i>" after each commit,
// until it is killed. Run as: node --import tsx storage/testing/crash-writer.ts <dir>
import { silentLogger } from '../../common/log.ts';
import { SegmentStore } from '../segment-store.ts';
import { CRASH_TABLE, batchesOfTxn, txnDeletes } from './crash-workload.ts';

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (dir === undefined) throw new Error('usage: crash-writer.ts <dir>');
  const store = await SegmentStore.open({ dir, log: silentLogger(), blockRows: 256, segmentRows: 1500 });
  if (!store.hasTable(CRASH_TABLE.tableId)) await store.createTable(CRASH_TABLE);
  let next = 0;
  for await (const b of store.scan(CRASH_TABLE.tableId, { columns: [1] })) {
    const v = b.columns[0]!;
    if (v.kind !== 'int64') continue;
    for (let i = 0; i < b.length; i++) next = Math.max(next, Number(v.values[i]!) + 1);
  }
  process.stdout.write(`ready ${next}\n`);
  for (let i = next; ; i++) {
    const tx = store.beginWrite(CRASH_TABLE.tableId);
    if (txnDeletes(i)) {
      await tx.deleteWhere({ columns: [0] }, (batch, m) => {
        const ids = batch.columns[0]!;
        if (ids.kind !== 'int32') return;
        for (let r = 0; r < batch.length; r++) if (ids.values[r]! % 7 === i % 7) m[r] = 1;
      });
    }
    for (const b of batchesOfTxn(i)) await tx.append(b);
    await tx.commit();
    process.stdout.write(`committed ${i}\n`);
    if (i % 4 === 3) await store.vacuum(CRASH_TABLE.tableId, i % 8 === 3 ? 'full' : 'delete only');
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
