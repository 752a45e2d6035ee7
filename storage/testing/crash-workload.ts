// The deterministic workload of the crash test: what transaction i writes and deletes, and the
// table content after k committed transactions, computed without the store.
import type { StoredTable } from '../slice-store.ts';
import { T } from '../../sql/types/sql-type.ts';
import { batchFromRows } from './vector-fixtures.ts';
import type { Batch } from '../../compute/batch/batch.ts';

/** The crash test's table. */
export const CRASH_TABLE: StoredTable = {
  tableId: 1,
  columns: [
    { name: 'id', type: T.int4, notNull: true },
    { name: 'txn', type: T.int8, notNull: true },
    { name: 'label', type: T.text, notNull: false },
  ],
  sortKey: [0],
  sortStyle: 'compound',
};

/** Rows transaction i appends, as [id, txn, label]. */
export function rowsOfTxn(i: number): unknown[][] {
  const n = 200 + ((i * 37) % 800);
  const rows: unknown[][] = [];
  for (let k = 0; k < n; k++) {
    const id = i * 1000 + k;
    rows.push([id, BigInt(i), k % 9 === 0 ? null : `row ${id} of txn ${i}`]);
  }
  return rows;
}

/** Whether transaction i deletes, before appending, committed rows with id % 7 === i % 7. */
export function txnDeletes(i: number): boolean {
  return i % 3 === 2;
}

/** The batches of transaction i (several, to cross segment boundaries). */
export function batchesOfTxn(i: number): Batch[] {
  const rows = rowsOfTxn(i);
  const out: Batch[] = [];
  for (let a = 0; a < rows.length; a += 300) {
    out.push(batchFromRows([{ kind: 'int32' }, { kind: 'int64' }, { kind: 'string' }], rows.slice(a, a + 300)));
  }
  return out;
}

/** Sorted ids present after transactions 0..k−1 committed. */
export function expectedIds(k: number): number[] {
  let ids: number[] = [];
  for (let i = 0; i < k; i++) {
    if (txnDeletes(i)) ids = ids.filter((id) => id % 7 !== i % 7);
    ids.push(...rowsOfTxn(i).map((r) => r[0] as number));
  }
  return ids.sort((a, b) => a - b);
}
