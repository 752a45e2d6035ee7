// Rows redistributed to this node's slices (DS_DIST_INNER / OUTER / BOTH): Arrow IPC batches kept,
// per exchange and target slice, from the moment producers send them until the leader drops the
// exchange after the query that reads them. Bounded: past the cap a query fails with 53200 rather
// than the node running out of memory; an exchange the leader never dropped (it died mid-query) is
// swept after an hour.
import { SqlError, SqlState } from '../../common/errors/index.ts';

/** Default cap on the bytes all exchanges may hold on a node. */
const DEFAULT_CAP_BYTES = 2 * 1024 ** 3;
const ORPHAN_MS = 60 * 60 * 1000;

interface Exchange {
  readonly bySlice: Map<number, Uint8Array[]>;
  bytes: number;
  readonly createdAt: number;
}

export class ExchangeBuffers {
  private readonly exchanges = new Map<string, Exchange>();
  private bytes = 0;

  constructor(private readonly capBytes = Number(process.env['COLONNADE_EXCHANGE_MEMORY_MB'] ?? 0) * 1024 ** 2 || DEFAULT_CAP_BYTES) {}

  /** Keeps one batch for `slice` (the buffer must not be reused by the caller). */
  add(id: string, slice: number, batch: Uint8Array): void {
    if (this.bytes + batch.length > this.capBytes) this.sweep();
    if (this.bytes + batch.length > this.capBytes) {
      throw new SqlError(SqlState.OUT_OF_MEMORY, 'redistributed rows exceed the compute node memory for exchanges',
        { detail: `The node holds ${this.bytes} bytes of redistributed rows; the cap is ${this.capBytes} (COLONNADE_EXCHANGE_MEMORY_MB).` });
    }
    let x = this.exchanges.get(id);
    if (x === undefined) this.exchanges.set(id, x = { bySlice: new Map(), bytes: 0, createdAt: Date.now() });
    let list = x.bySlice.get(slice);
    if (list === undefined) x.bySlice.set(slice, list = []);
    list.push(batch);
    x.bytes += batch.length;
    this.bytes += batch.length;
  }

  /** The batches sent to `slice` so far (none when nothing was). */
  batches(id: string, slice: number): readonly Uint8Array[] {
    return this.exchanges.get(id)?.bySlice.get(slice) ?? [];
  }

  drop(id: string): void {
    const x = this.exchanges.get(id);
    if (x === undefined) return;
    this.exchanges.delete(id);
    this.bytes -= x.bytes;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, x] of this.exchanges) if (now - x.createdAt > ORPHAN_MS) this.drop(id);
  }
}
