// pg_catalog.pg_type for the types Colonnade speaks, with their array types, so drivers that
// look types up at connect time (postgres.js, pgjdbc) find what PostgreSQL 15 would tell them.
import type { Datum } from '../../sql/types/datum.ts';
import { T, type SqlType } from '../../sql/types/sql-type.ts';
import type { SystemView } from './system-views.ts';

const OID: SqlType = { id: 'oid' };
const PG_CATALOG_NAMESPACE = 11;

/** [oid, name, length, category, array oid] of each base type, as in PostgreSQL 15's pg_type. */
const BASE_TYPES: readonly [number, string, number, string, number][] = [
  [16, 'bool', 1, 'B', 1000], [17, 'bytea', -1, 'U', 1001], [18, 'char', 1, 'Z', 1002], [19, 'name', 64, 'S', 1003],
  [20, 'int8', 8, 'N', 1016], [21, 'int2', 2, 'N', 1005], [23, 'int4', 4, 'N', 1007], [25, 'text', -1, 'S', 1009],
  [26, 'oid', 4, 'N', 1028], [114, 'json', -1, 'U', 199], [700, 'float4', 4, 'N', 1021], [701, 'float8', 8, 'N', 1022],
  [705, 'unknown', -2, 'X', 0], [1042, 'bpchar', -1, 'S', 1014], [1043, 'varchar', -1, 'S', 1015],
  [1082, 'date', 4, 'D', 1182], [1083, 'time', 8, 'D', 1183], [1114, 'timestamp', 8, 'D', 1115],
  [1184, 'timestamptz', 8, 'D', 1185], [1186, 'interval', 16, 'T', 1187], [1700, 'numeric', -1, 'N', 1231],
  [2950, 'uuid', 16, 'U', 2951], [3802, 'jsonb', -1, 'U', 3807],
];

function rows(): Datum[][] {
  const out: Datum[][] = [];
  for (const [oid, name, len, cat, arr] of BASE_TYPES) {
    out.push([oid, name, PG_CATALOG_NAMESPACE, len, len > 0 && len <= 8, 'b', cat, 0, arr, 0, false, -1, 0, 0]);
  }
  for (const [oid, name, , , arr] of BASE_TYPES) {
    if (arr === 0) continue;
    out.push([arr, `_${name}`, PG_CATALOG_NAMESPACE, -1, false, 'b', 'A', oid, 0, 0, false, -1, 0, 0]);
  }
  return out;
}

/** The pg_type view. */
export const PG_TYPE_VIEW: SystemView = {
  columns: [
    { name: 'oid', type: OID }, { name: 'typname', type: T.text }, { name: 'typnamespace', type: OID },
    { name: 'typlen', type: T.int2 }, { name: 'typbyval', type: T.bool }, { name: 'typtype', type: T.text },
    { name: 'typcategory', type: T.text }, { name: 'typelem', type: OID }, { name: 'typarray', type: OID },
    { name: 'typrelid', type: OID }, { name: 'typnotnull', type: T.bool }, { name: 'typtypmod', type: T.int4 },
    { name: 'typbasetype', type: OID }, { name: 'typndims', type: T.int4 },
  ],
  rows: async () => rows(),
};
