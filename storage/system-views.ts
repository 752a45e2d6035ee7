// Rows for the system views: svv_table_info (one row per table on this slice) and stv_blocklist
// (one row per block). The leader unions the rows of every slice.
import type { StoreContext } from './store-context.ts';
import type { TableManifest } from './manifest.ts';
import { layoutOf } from './column-kind.ts';
import { decodeZoneMap, formatZoneValue } from './zone-map.ts';
import { BlockFlag } from './segment/block-header.ts';
import { EncodingId, ENCODING_NAMES, type EncodingIdValue } from './encoding/codec.ts';
import { policyForEncodingName } from './encoding/encoding-policy.ts';

/** One svv_table_info row (per slice). */
export interface TableInfo {
  readonly tableId: number;
  readonly sliceId: number;
  /** Live rows (deleted rows excluded), as svv_table_info.tbl_rows counts after VACUUM. */
  readonly rows: number;
  /** Rows marked deleted but not yet reclaimed by VACUUM. */
  readonly deletedRows: number;
  /** Bytes on disk: segment files plus delete vectors. */
  readonly sizeBytes: number;
  readonly segments: number;
  /** True when any column has a non-RAW encoding (forced or chosen). */
  readonly encoded: boolean;
  /** Percent of rows outside the sorted run; null for a table without a sort key. */
  readonly unsortedPct: number | null;
  readonly unsortedRows: number;
  /** First sort-key column, or null. */
  readonly sortKey1: string | null;
  readonly sortKeyColumns: readonly string[];
  readonly sortStyle: 'compound' | 'interleaved';
  /** Rows per slice ([this slice] here; the leader concatenates). */
  readonly sliceRows: readonly { readonly sliceId: number; readonly rows: number }[];
}

/** One stv_blocklist row. */
export interface BlockInfo {
  readonly tableId: number;
  readonly sliceId: number;
  readonly column: string;
  readonly columnIndex: number;
  readonly segmentId: number;
  /** Block (row group) number within the segment. */
  readonly block: number;
  /** Encoding name, with "+lz4" when LZ4 is on top. */
  readonly encoding: string;
  readonly values: number;
  readonly nulls: number;
  /** Zone-map bounds as PostgreSQL text; null when the block has no non-NULL value. */
  readonly min: string | null;
  readonly max: string | null;
  readonly rawBytes: number;
  readonly storedBytes: number;
  /** Whether the segment belongs to the table's sorted run. */
  readonly sorted: boolean;
}

/** svv_table_info for one table on this slice. */
export async function tableInfo(ctx: StoreContext, t: TableManifest, sliceId: number): Promise<TableInfo> {
  let rows = 0, deletedRows = 0, sizeBytes = 0, unsortedRows = 0;
  let encoded = t.table.columns.some((c) => {
    const p = policyForEncodingName(c.encoding);
    return p.kind === 'forced' && (p.encoding !== EncodingId.RAW || p.lz4);
  });
  for (const s of t.segments) {
    const deleted = s.deletes?.count ?? 0;
    rows += s.rows - deleted;
    deletedRows += deleted;
    sizeBytes += s.bytes + (s.deletes === null ? 0 : 20 + 4 * deleted);
    if (!s.sorted) unsortedRows += s.rows - deleted;
    if (!encoded) {
      const f = await ctx.footer(t.table.tableId, s);
      encoded = f.blocks.some((b) => b.header.encoding !== EncodingId.RAW || (b.header.flags & BlockFlag.LZ4) !== 0);
    }
  }
  const hasKey = t.table.sortKey.length > 0;
  const names = t.table.sortKey.map((k) => t.table.columns[k]!.name);
  return {
    tableId: t.table.tableId, sliceId, rows, deletedRows, sizeBytes, segments: t.segments.length, encoded,
    unsortedPct: hasKey ? (rows === 0 ? 0 : (100 * unsortedRows) / rows) : null,
    unsortedRows: hasKey ? unsortedRows : 0,
    sortKey1: names[0] ?? null, sortKeyColumns: names, sortStyle: t.table.sortStyle,
    sliceRows: [{ sliceId, rows }],
  };
}

/** stv_blocklist rows of one table on this slice. */
export async function blockList(ctx: StoreContext, t: TableManifest, sliceId: number): Promise<BlockInfo[]> {
  const out: BlockInfo[] = [];
  for (const s of t.segments) {
    const f = await ctx.footer(t.table.tableId, s);
    const ncols = f.meta.columns.length;
    for (let g = 0; g < f.meta.rowGroups; g++) {
      for (let c = 0; c < ncols; c++) {
        const h = f.blocks[g * ncols + c]!.header;
        const col = f.meta.columns[c]!;
        const layout = layoutOf(col.type);
        const z = decodeZoneMap(h.zoneBytes, layout.kind, h.valueCount, h.nullCount, (h.flags & BlockFlag.MAX_UNBOUNDED) !== 0);
        const name = ENCODING_NAMES[h.encoding as EncodingIdValue] ?? `unknown(${h.encoding})`;
        out.push({
          tableId: t.table.tableId, sliceId, column: col.name,
          columnIndex: t.table.columns.findIndex((x) => x.name === col.name),
          segmentId: s.id, block: g,
          encoding: (h.flags & BlockFlag.LZ4) !== 0 ? `${name}+lz4` : name,
          values: h.valueCount, nulls: h.nullCount,
          min: formatZoneValue(z.min, layout, col.type),
          max: z.maxUnbounded ? null : formatZoneValue(z.max, layout, col.type),
          rawBytes: h.rawBytes, storedBytes: h.storedBytes, sorted: s.sorted,
        });
      }
    }
  }
  return out;
}
