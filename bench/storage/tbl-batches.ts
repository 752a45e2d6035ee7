// Parses TPC-H .tbl text ('|'-separated, one row per line) straight from bytes into column
// batches for a SegmentStore table, without building a JS string per field.
import type { Batch } from '../../compute/batch/batch.ts';
import type { Vector } from '../../compute/batch/vector.ts';
import type { StoredTable } from '../../storage/slice-store.ts';
import type { SqlType } from '../../sql/types/sql-type.ts';
import { daysFromCivil } from '../../sql/types/datetime.ts';
import type { TableDef } from '../tpch/queries/schema.ts';

/** The SqlType of a TPC-H DDL type string (INTEGER, BIGINT, DECIMAL(15,2), DATE, CHAR(n), VARCHAR(n)). */
export function sqlTypeOf(ddl: string): SqlType {
  const m = /^(\w+)(?:\((\d+)(?:,(\d+))?\))?$/.exec(ddl.replace(/\s+/g, ''));
  if (m === null) throw new Error(`unknown type ${ddl}`);
  const n = m[2] === undefined ? undefined : Number(m[2]);
  switch (m[1]!.toUpperCase()) {
    case 'INTEGER': return { id: 'int4' };
    case 'BIGINT': return { id: 'int8' };
    case 'DECIMAL': return { id: 'numeric', precision: n ?? 15, scale: Number(m[3] ?? 0) };
    case 'DATE': return { id: 'date' };
    case 'CHAR': return n === undefined ? { id: 'char', length: 1 } : { id: 'char', length: n };
    case 'VARCHAR': return n === undefined ? { id: 'varchar' } : { id: 'varchar', length: n };
    default: throw new Error(`unknown type ${ddl}`);
  }
}

/** The StoredTable for a TPC-H table definition, sorted by its SORTKEY. */
export function storedTableOf(def: TableDef, tableId: number): StoredTable {
  const columns = def.columns.map((c) => ({ name: c.name, type: sqlTypeOf(c.type), notNull: true }));
  const sortKey = def.sortKey === undefined ? [] : [columns.findIndex((c) => c.name === def.sortKey)];
  return { tableId, columns, sortKey, sortStyle: 'compound' };
}

type Col =
  | { kind: 'int32'; v: Int32Array }
  | { kind: 'int64'; v: BigInt64Array; w: Int32Array }
  | { kind: 'decimal'; v: Float64Array }
  | { kind: 'date'; v: Int32Array }
  | { kind: 'string'; off: Int32Array; bytes: Uint8Array; len: number };

/** Accumulates parsed rows and hands out full batches. */
export class TblBatcher {
  private cols: Col[] = [];
  private rows = 0;

  constructor(private readonly table: StoredTable, private readonly batchRows = 65536) {
    this.reset();
  }

  private reset(): void {
    const n = this.batchRows;
    this.cols = this.table.columns.map((c): Col => {
      switch (c.type.id) {
        case 'int4': return { kind: 'int32', v: new Int32Array(n) };
        case 'int8': { const v = new BigInt64Array(n); return { kind: 'int64', v, w: new Int32Array(v.buffer) }; }
        case 'numeric': return { kind: 'decimal', v: new Float64Array(n) };
        case 'date': return { kind: 'date', v: new Int32Array(n) };
        default: return { kind: 'string', off: new Int32Array(n + 1), bytes: new Uint8Array(n * 32), len: 0 };
      }
    });
    this.rows = 0;
  }

  /** Parses whole lines from a chunk; returns the batches completed along the way. */
  push(chunk: Uint8Array): Batch[] {
    const out: Batch[] = [];
    let pos = 0;
    const end = chunk.length;
    while (pos < end) {
      const r = this.rows;
      for (let c = 0; c < this.cols.length; c++) {
        let e = pos;
        while (chunk[e] !== 0x7c) e++;
        this.field(this.cols[c]!, r, chunk, pos, e);
        pos = e + 1;
      }
      while (pos < end && chunk[pos] !== 0x0a) pos++;
      pos++;
      this.rows++;
      if (this.rows === this.batchRows) out.push(this.take());
    }
    return out;
  }

  private field(col: Col, r: number, b: Uint8Array, a: number, e: number): void {
    switch (col.kind) {
      case 'int32': case 'int64': {
        let neg = false;
        let x = 0;
        for (let k = a; k < e; k++) { const ch = b[k]!; if (ch === 0x2d) neg = true; else x = x * 10 + (ch - 48); }
        if (neg) x = -x;
        if (col.kind === 'int32') col.v[r] = x;
        else if (x >= 0) { col.w[r * 2] = x % 4294967296; col.w[r * 2 + 1] = Math.floor(x / 4294967296); } else col.v[r] = BigInt(x);
        break;
      }
      case 'decimal': {
        let neg = false;
        let x = 0;
        for (let k = a; k < e; k++) { const ch = b[k]!; if (ch === 0x2d) neg = true; else if (ch !== 0x2e) x = x * 10 + (ch - 48); }
        col.v[r] = neg ? -x : x;
        break;
      }
      case 'date': {
        const y = (b[a]! - 48) * 1000 + (b[a + 1]! - 48) * 100 + (b[a + 2]! - 48) * 10 + (b[a + 3]! - 48);
        const m = (b[a + 5]! - 48) * 10 + (b[a + 6]! - 48);
        const d = (b[a + 8]! - 48) * 10 + (b[a + 9]! - 48);
        col.v[r] = daysFromCivil(y, m, d);
        break;
      }
      case 'string': {
        const len = e - a;
        if (col.len + len > col.bytes.length) { const nb = new Uint8Array((col.bytes.length + len) * 2); nb.set(col.bytes.subarray(0, col.len)); col.bytes = nb; }
        col.bytes.set(b.subarray(a, e), col.len);
        col.len += len;
        col.off[r + 1] = col.len;
        break;
      }
    }
  }

  /** The rows parsed so far as a batch (and starts a new one). */
  take(): Batch {
    const n = this.rows;
    const columns: Vector[] = this.cols.map((c, i): Vector => {
      switch (c.kind) {
        case 'int32': case 'date': return { kind: 'int32', length: n, nulls: null, values: c.v.subarray(0, n) };
        case 'int64': return { kind: 'int64', length: n, nulls: null, values: c.v.subarray(0, n) };
        case 'decimal': return { kind: 'decimal', length: n, nulls: null, values: c.v.subarray(0, n), scale: this.table.columns[i]!.type.scale ?? 0 };
        case 'string': return { kind: 'string', length: n, nulls: null, offsets: c.off.subarray(0, n + 1), bytes: c.bytes.subarray(0, c.len) };
      }
    });
    this.reset();
    return { length: n, columns, selection: null };
  }

  get pending(): number { return this.rows; }
}
