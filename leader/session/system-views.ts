// Leader-local system views: the cluster's nodes and slices, and the tables in the catalog.
import type { Datum } from '../../sql/types/datum.ts';
import { T, formatTypeName, type SqlType } from '../../sql/types/sql-type.ts';
import type { ServerContext } from '../server-context.ts';
import { PG_TYPE_VIEW } from './pg-type-view.ts';

/** A system view: its columns and how to produce its rows now. */
export interface SystemView {
  readonly columns: readonly { name: string; type: SqlType }[];
  rows(ctx: ServerContext): Promise<Datum[][]>;
}

const micros = (d: Date): bigint => BigInt(d.getTime()) * 1000n;

/** System views by name (visible in every schema search, like Redshift's STV/SVV views). */
export const SYSTEM_VIEWS: Record<string, SystemView> = {
  pg_type: PG_TYPE_VIEW,
  /** One row per compute node: identity, address, process, liveness. */
  stv_nodes: {
    columns: [
      { name: 'node', type: T.int4 }, { name: 'node_id', type: T.text }, { name: 'host', type: T.text },
      { name: 'port', type: T.int4 }, { name: 'pid', type: T.int4 }, { name: 'state', type: T.text },
      { name: 'slices', type: T.int4 }, { name: 'last_heartbeat', type: T.timestamptz },
    ],
    async rows(ctx) {
      const live = new Map(ctx.registry.statuses().map((s) => [s.nodeId, s]));
      return ctx.catalog.nodes.map((n) => {
        const s = live.get(n.nodeId);
        return [n.index, n.nodeId, s?.host ?? null, s?.port ?? null, s?.pid ?? null, s?.state ?? 'down', n.slices.length, s ? micros(s.lastHeartbeat) : null];
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
  /** Tables with their physical design (the storage issue extends this to Redshift's SVV_TABLE_INFO). */
  svv_tables: {
    columns: [
      { name: 'table_id', type: T.int4 }, { name: 'schema', type: T.text }, { name: 'table', type: T.text },
      { name: 'diststyle', type: T.text }, { name: 'sortkey1', type: T.text }, { name: 'columns', type: T.int4 },
    ],
    async rows(ctx) {
      return ctx.catalog.tables.map((t) => [
        t.oid, t.schema, t.name,
        t.distStyle === 'key' ? `KEY(${t.columns[t.distKey!]!.name})` : t.distStyleDeclared === 'auto' ? `AUTO(${t.distStyle.toUpperCase()})` : t.distStyle.toUpperCase(),
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
