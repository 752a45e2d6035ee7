// Leader-local system views: the cluster's nodes and slices, and the tables in the catalog.
import type { Datum } from '../../sql/types/datum.ts';
import { T, formatTypeName, type SqlType } from '../../sql/types/sql-type.ts';
import type { ServerContext } from '../server-context.ts';
import type { TableDef } from '../catalog/catalog-types.ts';
import { Decimal } from '../../sql/types/decimal.ts';
import { PG_TYPE_VIEW } from './pg-type-view.ts';
import { effectiveK, hostsOf } from '../catalog/placement.ts';

/** A system view: its columns and how to produce its rows now. */
export interface SystemView {
  readonly columns: readonly { name: string; type: SqlType }[];
  rows(ctx: ServerContext): Promise<Datum[][]>;
}

const micros = (d: Date): bigint => BigInt(d.getTime()) * 1000n;

/** DISTSTYLE as Redshift's system views print it: EVEN, ALL, KEY(col), AUTO(EVEN). */
function distStyleLabel(t: TableDef): string {
  if (t.distStyle === 'key') return `KEY(${t.columns[t.distKey!]!.name})`;
  return t.distStyleDeclared === 'auto' ? `AUTO(${t.distStyle.toUpperCase()})` : t.distStyle.toUpperCase();
}

/**
 * How stale a table's statistics are, 0 (current) to 100 (none, or the row count has changed by as
 * much as the table now holds), as Redshift's svv_table_info.stats_off.
 */
function statsOff(t: TableDef, rows: number): number {
  if (rows === 0) return 0;
  if (!t.stats) return 100;
  return Math.min(100, (Math.abs(rows - t.stats.rows) / Math.max(rows, t.stats.rows)) * 100);
}

/** A value as an element of an array literal: quoted when it holds separators, quotes or spaces. */
function arrayElement(v: string): string {
  return /^[^{}",\\\s]+$/.test(v) && v.toUpperCase() !== 'NULL' ? v : `"${v.replace(/["\\]/g, (m) => '\\' + m)}"`;
}

/** System views by name (visible in every schema search, like Redshift's STV/SVV views). */
export const SYSTEM_VIEWS: Record<string, SystemView> = {
  pg_type: PG_TYPE_VIEW,
  /**
   * One row per compute node: identity, address, process, state (up, joining, down, or recovering:
   * up and catching up on slices it missed writes to), the slices it is behind on, and how far
   * its catch-up has come.
   */
  stv_nodes: {
    columns: [
      { name: 'node', type: T.int4 }, { name: 'node_id', type: T.text }, { name: 'host', type: T.text },
      { name: 'port', type: T.int4 }, { name: 'pid', type: T.int4 }, { name: 'state', type: T.text },
      { name: 'slices', type: T.int4 }, { name: 'last_heartbeat', type: T.timestamptz },
      { name: 'behind_slices', type: T.text }, { name: 'recovered_pct', type: T.numeric(5, 1) }, { name: 'recovered_bytes', type: T.int8 },
    ],
    async rows(ctx) {
      const live = new Map(ctx.registry.statuses().map((s) => [s.nodeId, s]));
      return ctx.catalog.nodes.map((n) => {
        const s = live.get(n.nodeId);
        const behind = n.behind ?? [];
        const state = s?.state === 'up' && behind.length > 0 ? 'recovering' : s?.state ?? 'down';
        const p = ctx.recovery.progress(n.nodeId);
        const pct = p === undefined ? null : Decimal.parse((p.total === 0 ? 100 : (100 * p.done) / p.total).toFixed(1))!;
        return [n.index, n.nodeId, s?.host ?? null, s?.port ?? null, s?.pid ?? null, state, n.slices.length, s ? micros(s.lastHeartbeat) : null,
          behind.join(','), pct, p === undefined ? null : BigInt(p.bytes)];
      });
    },
  },
  /** One row per slice, as Redshift's STV_SLICES, plus the owning node's state. */
  stv_slices: {
    columns: [
      { name: 'node', type: T.int4 }, { name: 'slice', type: T.int4 }, { name: 'localslice', type: T.int4 },
      { name: 'type', type: T.text }, { name: 'state', type: T.text },
    ],
    async rows(ctx) {
      const live = new Map(ctx.registry.statuses().map((s) => [s.nodeId, s.state]));
      const out: Datum[][] = [];
      for (const n of ctx.catalog.nodes) {
        n.slices.forEach((slice, i) => out.push([n.index, slice, i, 'D', live.get(n.nodeId) ?? 'down']));
      }
      return out;
    },
  },
  /**
   * Every copy of every slice (K-safety, leader/catalog/placement.ts): the owner's and the other
   * nodes' copies, whether a copy holds every committed row (false: behind, waiting for recovery),
   * and its node's state.
   */
  stv_slice_copies: {
    columns: [
      { name: 'slice', type: T.int4 }, { name: 'node', type: T.int4 }, { name: 'role', type: T.text },
      { name: 'is_current', type: T.bool }, { name: 'state', type: T.text },
    ],
    async rows(ctx) {
      const live = new Map(ctx.registry.statuses().map((s) => [s.nodeId, s.state]));
      const out: Datum[][] = [];
      for (const owner of ctx.catalog.nodes) {
        for (const slice of owner.slices) {
          for (const h of hostsOf(ctx.catalog.nodes, slice)) {
            out.push([slice, h.node.index, h.node === owner ? 'owner' : 'copy', h.current, live.get(h.node.nodeId) ?? 'down']);
          }
        }
      }
      return out.sort((a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number));
    },
  },
  /**
   * The cluster's K-safety in one row: the K it keeps, how many more nodes it can lose now without
   * some slice losing its last live copy (-1 once one has), and the slices with no live copy.
   */
  svv_k_safety: {
    columns: [
      { name: 'k_safety', type: T.int4 }, { name: 'nodes', type: T.int4 }, { name: 'nodes_down', type: T.int4 },
      { name: 'can_lose', type: T.int4 }, { name: 'lost_slices', type: T.text },
    ],
    async rows(ctx) {
      const nodes = ctx.catalog.nodes;
      const up = new Set(ctx.registry.statuses().filter((s) => s.state === 'up').map((s) => s.nodeId));
      let fewest = Infinity;
      const lost: number[] = [];
      for (const owner of nodes) {
        for (const slice of owner.slices) {
          const copies = hostsOf(nodes, slice).filter((h) => h.current && up.has(h.node.nodeId)).length;
          fewest = Math.min(fewest, copies);
          if (copies === 0) lost.push(slice);
        }
      }
      const down = nodes.filter((n) => !up.has(n.nodeId)).length;
      return [[effectiveK(ctx.catalog.kSafety, nodes.length), nodes.length, down, fewest === Infinity ? 0 : fewest - 1, lost.sort((a, b) => a - b).join(',')]];
    },
  },
  /** Redshift's SVV_TABLE_INFO: size, encoding, sortedness and skew of every table with rows on disk. */
  svv_table_info: {
    columns: [
      { name: 'database', type: T.text }, { name: 'schema', type: T.text }, { name: 'table_id', type: T.int4 },
      { name: 'table', type: T.text }, { name: 'encoded', type: T.text }, { name: 'diststyle', type: T.text },
      { name: 'sortkey1', type: T.text }, { name: 'sortkey_num', type: T.int4 }, { name: 'size', type: T.int8 },
      { name: 'pct_used', type: T.numeric(10, 4) }, { name: 'unsorted', type: T.numeric(5, 2) },
      { name: 'stats_off', type: T.numeric(5, 2) }, { name: 'tbl_rows', type: T.int8 }, { name: 'skew_rows', type: T.numeric(19, 2) },
    ],
    async rows(ctx) {
      const { tables, diskBytes } = await ctx.dispatcher.tableInfo();
      const out: Datum[][] = [];
      for (const t of ctx.catalog.tables) {
        const parts = tables.filter((x) => x.tableId === t.oid);
        // A DISTSTYLE ALL table has a full copy per node: count one copy.
        const copies = t.distStyle === 'all' ? Math.max(1, ctx.catalog.nodes.length) : 1;
        const rows = parts.reduce((a, p) => a + p.rows, 0) / copies;
        const bytes = parts.reduce((a, p) => a + p.sizeBytes, 0);
        const unsortedRows = parts.reduce((a, p) => a + p.unsortedRows, 0) / copies;
        const sliceRows = parts.map((p) => p.rows);
        const max = sliceRows.length > 0 ? Math.max(...sliceRows) : 0;
        const min = sliceRows.length > 0 ? Math.min(...sliceRows) : 0;
        out.push([
          'dev', t.schema, t.oid, t.name, parts.some((p) => p.encoded) ? 'Y' : 'N', distStyleLabel(t),
          t.sortKey.length > 0 ? (t.sortStyle === 'interleaved' ? 'INTERLEAVED ' : '') + t.columns[t.sortKey[0]!]!.name : null,
          t.sortKey.length, BigInt(Math.ceil(bytes / 1048576)),
          diskBytes > 0 ? Decimal.parse(((bytes / diskBytes) * 100).toFixed(4))! : null,
          t.sortKey.length === 0 ? null : Decimal.parse((rows > 0 ? (unsortedRows / rows) * 100 : 0).toFixed(2))!,
          Decimal.parse(statsOff(t, rows).toFixed(2))!,
          BigInt(Math.round(rows)),
          min > 0 ? Decimal.parse((max / min).toFixed(2))! : null,
        ]);
      }
      return out;
    },
  },
  /**
   * PostgreSQL's pg_stats from the last ANALYZE: one row per analyzed column. n_distinct follows
   * PostgreSQL: a count, or minus the distinct fraction of the rows when it is above 10%;
   * histogram_bounds holds just {min,max}.
   */
  pg_stats: {
    columns: [
      { name: 'schemaname', type: T.text }, { name: 'tablename', type: T.text }, { name: 'attname', type: T.text },
      { name: 'inherited', type: T.bool }, { name: 'null_frac', type: T.float4 }, { name: 'avg_width', type: T.int4 },
      { name: 'n_distinct', type: T.float4 }, { name: 'histogram_bounds', type: T.text },
    ],
    async rows(ctx) {
      const out: Datum[][] = [];
      for (const t of ctx.catalog.tables) {
        const st = t.stats;
        if (!st) continue;
        st.columns.forEach((c, i) => {
          const col = t.columns[i];
          if (!col) return;
          const nonNull = st.rows * (1 - c.nullFrac);
          const nDistinct = nonNull > 0 && c.distinct > 0.1 * st.rows ? -Math.min(1, c.distinct / st.rows) : c.distinct;
          const bounds = c.min === null ? null : `{${arrayElement(c.min)},${arrayElement(c.max ?? c.min)}}`;
          out.push([t.schema, t.name, col.name, false, Math.fround(c.nullFrac), c.avgWidth, Math.fround(nDistinct), bounds]);
        });
      }
      return out;
    },
  },
  /**
   * Redshift's STL_QUERY: recent statements with their timing, plus rows (returned or affected),
   * bytes the compute nodes sent the leader and each other (bytes_redistributed, our addition), and
   * the SQLSTATE of a failure. Running ones have no endtime.
   */
  stl_query: {
    columns: [
      { name: 'query', type: T.int4 }, { name: 'pid', type: T.int4 }, { name: 'username', type: T.text },
      { name: 'database', type: T.text }, { name: 'querytxt', type: T.text }, { name: 'starttime', type: T.timestamp },
      { name: 'endtime', type: T.timestamp }, { name: 'elapsed', type: T.int8 }, { name: 'rows', type: T.int8 },
      { name: 'bytes', type: T.int8 }, { name: 'aborted', type: T.int4 }, { name: 'sqlstate', type: T.text },
      { name: 'bytes_redistributed', type: T.int8 },
    ],
    async rows(ctx) {
      return ctx.queries.all().map((q) => [
        q.query, q.pid, q.user, q.database, q.text, q.startMicros, q.endMicros,
        q.endMicros === null ? null : q.endMicros - q.startMicros, BigInt(q.rows), BigInt(q.bytes), q.aborted, q.sqlstate,
        BigInt(q.bytesRedistributed),
      ]);
    },
  },
  /** Redshift's STV_BLOCKLIST: one row per column block, with its encoding and zone map. */
  stv_blocklist: {
    columns: [
      { name: 'slice', type: T.int4 }, { name: 'col', type: T.int4 }, { name: 'tbl', type: T.int4 },
      { name: 'column_name', type: T.text }, { name: 'segment', type: T.int4 }, { name: 'blocknum', type: T.int4 },
      { name: 'encoding', type: T.text }, { name: 'num_values', type: T.int4 }, { name: 'num_nulls', type: T.int4 },
      { name: 'minvalue', type: T.text }, { name: 'maxvalue', type: T.text }, { name: 'raw_bytes', type: T.int8 },
      { name: 'stored_bytes', type: T.int8 }, { name: 'sorted', type: T.bool },
    ],
    async rows(ctx) {
      const blocks = await ctx.dispatcher.blockList();
      return blocks.map((b) => [
        b.sliceId, b.columnIndex, b.tableId, b.column, b.segmentId, b.block, b.encoding, b.values, b.nulls,
        b.min, b.max, BigInt(b.rawBytes), BigInt(b.storedBytes), b.sorted,
      ]);
    },
  },
  /** Redshift's STL_LOAD_ERRORS: rows COPY rejected (with MAXERROR), newest last. */
  stl_load_errors: {
    columns: [
      { name: 'query', type: T.int4 }, { name: 'session', type: T.int4 }, { name: 'tbl', type: T.int4 },
      { name: 'starttime', type: T.timestamp }, { name: 'filename', type: T.text }, { name: 'line_number', type: T.int8 },
      { name: 'colname', type: T.text }, { name: 'type', type: T.text }, { name: 'col_length', type: T.int4 },
      { name: 'position', type: T.int4 }, { name: 'raw_line', type: T.text }, { name: 'raw_field_value', type: T.text },
      { name: 'err_code', type: T.int4 }, { name: 'err_reason', type: T.text }, { name: 'sqlstate', type: T.text },
    ],
    async rows(ctx) {
      return ctx.loadErrors.all().map((e) => [
        e.query, e.session, e.table, e.startTime, e.record.fileName, BigInt(e.record.lineNumber), e.record.columnName,
        e.record.columnType, e.record.columnLength, e.record.fieldIndex, e.record.rawLine, e.record.rawFieldValue,
        e.record.redshiftCode, e.record.message, e.record.code,
      ]);
    },
  },
  /** Redshift's STV_LOAD_STATE: loads running now, with their progress. */
  stv_load_state: {
    columns: [
      { name: 'query', type: T.int4 }, { name: 'pid', type: T.int4 }, { name: 'table_name', type: T.text },
      { name: 'starttime', type: T.timestamp }, { name: 'bytes_loaded', type: T.int8 }, { name: 'lines', type: T.int8 },
      { name: 'num_files', type: T.int4 }, { name: 'num_files_complete', type: T.int4 }, { name: 'current_file', type: T.text },
    ],
    async rows(ctx) {
      return ctx.loads.all().map((l) => [l.query, l.pid, l.table, l.startedMicros, BigInt(l.bytes), BigInt(l.rows), l.files, l.filesDone, l.currentFile]);
    },
  },
  /** Tables with their physical design, from the catalog alone (no compute node needed). */
  svv_tables: {
    columns: [
      { name: 'table_id', type: T.int4 }, { name: 'schema', type: T.text }, { name: 'table', type: T.text },
      { name: 'diststyle', type: T.text }, { name: 'sortkey1', type: T.text }, { name: 'columns', type: T.int4 },
    ],
    async rows(ctx) {
      return ctx.catalog.tables.map((t) => [
        t.oid, t.schema, t.name,
        distStyleLabel(t),
        t.sortKey.length > 0 ? (t.sortStyle === 'interleaved' ? 'INTERLEAVED ' : '') + t.columns[t.sortKey[0]!]!.name : null,
        t.columns.length,
      ]);
    },
  },
  /** Columns of every table, in the shape of information_schema.columns' common subset. */
  svv_columns: {
    columns: [
      { name: 'table_schema', type: T.text }, { name: 'table_name', type: T.text }, { name: 'column_name', type: T.text },
      { name: 'ordinal_position', type: T.int4 }, { name: 'data_type', type: T.text }, { name: 'is_nullable', type: T.text },
      { name: 'column_default', type: T.text }, { name: 'encoding', type: T.text },
    ],
    async rows(ctx) {
      const out: Datum[][] = [];
      for (const t of ctx.catalog.tables) {
        t.columns.forEach((c, i) => out.push([t.schema, t.name, c.name, i + 1, formatTypeName(c.type), c.notNull ? 'NO' : 'YES', c.defaultAst !== undefined ? 'DEFAULT' : null, c.encoding ?? null]));
      }
      return out;
    },
  },
};
