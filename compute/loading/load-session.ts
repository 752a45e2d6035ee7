// One COPY on one compute node: parses the record-aligned chunks the leader sends, routes each row
// to the slice that owns it (local slices directly, other nodes' slices as Arrow record batches
// over the interconnect), and keeps every slice's rows in an unpublished write transaction until
// the leader's two-phase commit publishes or drops them.
import { SqlError, SqlState, internalError } from '../../common/errors/index.ts';
import type { Datum } from '../../sql/types/datum.ts';
import type { TextIoSettings } from '../../sql/types/text-io.ts';
import type { StoredTable, WriteTransaction } from '../../storage/slice-store.ts';
import type { Batch } from '../batch/batch.ts';
import { vectorFromRows } from '../batch/row-conversion.ts';
import type { Vector } from '../batch/vector.ts';
import { encodeBatch } from '../exchange/arrow-batch-codec.ts';
import { rowsByTarget, sliceIndexes } from '../exchange/distribution-hash.ts';
import type { CopyOptions } from './copy-options.ts';
import { createCopyParser, type CopyParser } from './copy-parser.ts';
import { LoadErrorBudget, type LoadErrorRecord } from './load-error.ts';

/** A node of the cluster as a load sees it. */
export interface LoadNode {
  readonly nodeId: string;
  readonly host: string;
  readonly port: number;
  /** Global slice numbers, ascending. */
  readonly slices: readonly number[];
  /** Other nodes' slices this node keeps a copy of (K-safety): their rows come here too. */
  readonly replicas?: readonly number[];
}

/** Everything a compute node needs to take part in one load (sent once, at `loadBegin`). */
export interface LoadSpec {
  readonly txnId: string;
  readonly table: StoredTable;
  /** The table's name, for messages. */
  readonly tableName: string;
  /** Table column index of each input field, in input order. */
  readonly targets: readonly number[];
  readonly options: CopyOptions;
  readonly textIo: TextIoSettings;
  readonly distStyle: 'key' | 'even' | 'all';
  /** Table column index of the DISTKEY (distStyle 'key'). */
  readonly distKey: number | null;
  /** Every node of the cluster (this one included). */
  readonly nodes: readonly LoadNode[];
  /** Nodes that are down: they take no rows (the other copies of their slices do). */
  readonly down?: readonly string[];
  /** Value of each table column the input does not supply (its DEFAULT, evaluated once), by column index. */
  readonly fill: readonly Datum[];
  /** ENCODE names for the load's blocks instead of the table's (COMPUPDATE ON / PRESET), by column; null: automatic. */
  readonly encodings?: readonly (string | null)[];
}

/** One chunk of input, as cut by the leader's record chunker. */
export interface ChunkMeta {
  readonly fileName: string;
  readonly firstLine: number;
  readonly atStart: boolean;
}

/** What parsing one chunk produced. */
export interface ChunkResult {
  readonly rows: number;
  /** Bad rows skipped in this chunk (MAXERROR). */
  readonly rejected: readonly LoadErrorRecord[];
  /** Rows of this chunk stored on other nodes (for the figures of the load). */
  readonly shipped: number;
}

/** Services of the compute node a load uses. */
export interface LoadHost {
  readonly nodeId: string;
  /** Opens an unpublished write on a local slice, tagged with the load's transaction id. */
  beginWrite(slice: number, table: StoredTable, txnId: string, encodings?: readonly (string | null)[]): Promise<WriteTransaction>;
  /** Sends rows (an Arrow IPC record batch) for `slice` to the node that owns it. */
  sendRows(node: LoadNode, txnId: string, slice: number, body: Uint8Array): Promise<void>;
}

/** One load's state on this node. */
export class LoadSession {
  /** The unpublished write of each local slice (opened by {@link open}). */
  private readonly writes = new Map<number, WriteTransaction>();
  /** Global slice numbers of the cluster, ascending; a key's hash indexes this list. */
  private readonly allSlices: number[];
  private readonly ownerOf = new Map<number, LoadNode>();
  private readonly localSlices: readonly number[];
  /** The nodes keeping a copy of each slice (besides its owner). */
  private readonly copiesOf = new Map<number, LoadNode[]>();
  /** Nodes that are down (see {@link LoadSpec.down}). */
  private readonly down: ReadonlySet<string>;
  /** Other nodes' slices this node keeps a copy of. */
  private readonly localCopies: readonly number[];
  /** Positions of the local slices in allSlices (what EVEN rows are routed to). */
  private readonly localSliceIndexes: Int32Array;
  private readonly budget: LoadErrorBudget;
  private readonly fillCache = new Map<number, Vector[]>();
  /** One parser for every chunk: a chunk is parsed in one synchronous step, so they never overlap. */
  private parser: CopyParser | null = null;
  /** Where the parser's output goes during the current chunk. */
  private sinkNow: { batch(b: Batch): void; rejected(r: LoadErrorRecord): void } | null = null;
  private nextEven = 0;
  private failed: unknown = null;

  constructor(readonly spec: LoadSpec, private readonly host: LoadHost) {
    this.down = new Set(spec.down ?? []);
    for (const n of spec.nodes) for (const s of n.slices) this.ownerOf.set(s, n);
    // A DISTSTYLE ALL table is whole on every node already: no copies.
    if (spec.distStyle !== 'all') {
      for (const n of spec.nodes) {
        if (this.down.has(n.nodeId)) continue;
        for (const s of n.replicas ?? []) {
          const list = this.copiesOf.get(s) ?? [];
          list.push(n);
          this.copiesOf.set(s, list);
        }
      }
    }
    this.allSlices = [...this.ownerOf.keys()].sort((a, b) => a - b);
    const me = spec.nodes.find((n) => n.nodeId === host.nodeId);
    if (!me) throw internalError(`node ${host.nodeId} is not part of load ${spec.txnId}`);
    this.localSlices = me.slices;
    this.localCopies = spec.distStyle === 'all' ? [] : me.replicas ?? [];
    this.localSliceIndexes = Int32Array.from(me.slices, (s) => this.allSlices.indexOf(s));
    this.budget = new LoadErrorBudget(spec.options.maxErrors, spec.options.errorScope === 'conversion' ? 'conversion' : 'all', 10_000);
    this.nextEven = Math.floor(Math.random() * Math.max(1, this.localSlices.length));
  }

  /** Opens the write of every local slice (none under NOLOAD). */
  async open(): Promise<void> {
    if (this.spec.options.noLoad) return;
    for (const slice of [...this.localSlices, ...this.localCopies]) {
      this.writes.set(slice, await this.host.beginWrite(slice, this.spec.table, this.spec.txnId, this.spec.encodings));
    }
  }

  private write(slice: number): WriteTransaction {
    const w = this.writes.get(slice);
    if (!w) throw internalError(`slice ${slice} is not on node ${this.host.nodeId}`);
    return w;
  }

  /** Parses one chunk and routes its rows. */
  async loadChunk(meta: ChunkMeta, bytes: Uint8Array): Promise<ChunkResult> {
    if (this.failed !== null) throw this.failed;
    const spec = this.spec;
    const rejected: LoadErrorRecord[] = [];
    const pending: Promise<void>[] = [];
    let shipped = 0;
    const position = { fileName: meta.fileName, startLine: meta.firstLine, atFileStart: meta.atStart };
    const sink = {
      batch: (b: Batch): void => {
        const full = this.complete(b, meta);
        if (!spec.options.noLoad) shipped += this.route(full, pending);
      },
      rejected: (r: LoadErrorRecord): void => { rejected.push(r); },
    };
    let rows: number;
    try {
      if (this.parser === null) {
        this.parser = createCopyParser(spec.options, spec.targets.map((i) => {
          const c = spec.table.columns[i]!;
          return { name: c.name, type: c.type, notNull: c.notNull };
        }), { batch: (b) => this.sinkNow!.batch(b), rejected: (r) => this.sinkNow!.rejected(r) }, {
          tableName: spec.tableName, errorBudget: this.budget, textIo: spec.textIo, reuseBatchMemory: true, ...position,
        });
      } else {
        this.parser.restart(position);
      }
      this.sinkNow = sink;
      this.parser.write(bytes);
      rows = this.parser.end().rowsLoaded;
    } catch (err) {
      this.failed ??= err;
      for (const p of pending) p.catch(() => undefined);
      throw err;
    } finally {
      this.sinkNow = null;
    }
    await Promise.all(pending);
    return { rows, rejected, shipped };
  }

  /** Rows sent by another node for one of this node's slices. */
  async acceptRows(slice: number, batch: Batch): Promise<void> {
    if (this.failed !== null) throw this.failed;
    await this.write(slice).append(batch);
  }

  /** Phase one: every local slice's rows durable and unpublished; returns the prepared writes. */
  async prepare(): Promise<WriteTransaction[]> {
    if (this.failed !== null) throw this.failed;
    const out: WriteTransaction[] = [];
    try {
      for (const w of this.writes.values()) {
        await w.prepare();
        out.push(w);
      }
    } catch (err) {
      await this.abort(err);
      throw err;
    }
    return out;
  }

  /** Drops everything this node holds for the load. */
  async abort(reason: unknown = new SqlError(SqlState.QUERY_CANCELED, 'load aborted')): Promise<void> {
    this.failed ??= reason;
    for (const w of this.writes.values()) await w.abort().catch(() => undefined);
    this.writes.clear();
  }

  /** The parsed target columns widened to the table's columns (defaults for the others). */
  private complete(b: Batch, meta: ChunkMeta): Batch {
    const spec = this.spec;
    const ncols = spec.table.columns.length;
    if (spec.targets.length === ncols && spec.targets.every((t, i) => t === i)) return b;
    spec.table.columns.forEach((c, i) => {
      if (c.notNull && spec.fill[i] === null && !spec.targets.includes(i) && b.length > 0) {
        throw new SqlError(SqlState.NOT_NULL_VIOLATION, `null value in column "${c.name}" of relation "${spec.tableName}" violates not-null constraint`, {
          table: spec.tableName, column: c.name, where: `COPY ${spec.tableName}, line ${meta.firstLine + 1}`,
        });
      }
    });
    let fill = this.fillCache.get(b.length);
    if (!fill) {
      fill = spec.table.columns.map((c, i) => vectorFromRows(c.type, new Array<Datum[]>(b.length).fill([spec.fill[i] ?? null]), 0));
      this.fillCache.set(b.length, fill);
    }
    const columns = fill.slice();
    spec.targets.forEach((t, i) => { columns[t] = b.columns[i]!; });
    return { length: b.length, columns, selection: b.selection };
  }

  /**
   * Sends each row to its slice: copies it into a local slice's write or into an Arrow batch for
   * another node before returning (the batch's memory is reused by the parser), and adds the
   * writes and sends still running to `pending`. Returns how many rows went to other nodes.
   */
  private route(b: Batch, pending: Promise<void>[]): number {
    const spec = this.spec;
    const n = b.selection === null ? b.length : b.selection.length;
    if (n === 0) return 0;
    if (spec.distStyle === 'all') {
      // A full copy on every node, in its first slice.
      let shipped = 0;
      for (const node of spec.nodes) {
        if (this.down.has(node.nodeId)) continue;
        const slice = node.slices[0]!;
        if (node.nodeId === this.host.nodeId) pending.push(this.write(slice).append(b));
        else { pending.push(this.host.sendRows(node, spec.txnId, slice, encodeBatch(b))); shipped += n; }
      }
      return shipped;
    }
    const slices = new Int32Array(n);
    if (spec.distStyle === 'key') {
      sliceIndexes(b.columns[spec.distKey!]!, b.selection, n, this.allSlices.length, slices);
    } else {
      // EVEN: round robin over this node's slices; the leader spreads chunks over the nodes.
      const local = this.localSliceIndexes.length;
      const indexes = this.localSliceIndexes;
      let next = this.nextEven;
      for (let k = 0; k < n; k++) {
        slices[k] = indexes[next]!;
        next = next + 1 === local ? 0 : next + 1;
      }
      this.nextEven = next;
    }
    const nslices = this.allSlices.length;
    const { starts, order } = rowsByTarget(slices, n, b.selection, nslices);
    let shipped = 0;
    for (let s = 0; s < nslices; s++) {
      const from = starts[s]!;
      const to = starts[s + 1]!;
      if (from === to) continue;
      const slice = this.allSlices[s]!;
      const rows = order.subarray(from, to);
      // The slice's owner and every node keeping a copy of it take the rows (those that are up).
      let encoded: Uint8Array | null = null;
      for (const holder of [this.ownerOf.get(slice)!, ...(this.copiesOf.get(slice) ?? [])]) {
        if (this.down.has(holder.nodeId)) continue;
        if (holder.nodeId === this.host.nodeId) {
          pending.push(this.write(slice).append({ length: b.length, columns: b.columns, selection: rows }));
        } else {
          pending.push(this.host.sendRows(holder, spec.txnId, slice, encoded ??= encodeBatch(b, rows, rows.length)));
          shipped += rows.length;
        }
      }
    }
    return shipped;
  }
}
