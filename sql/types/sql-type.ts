// SQL types Colonnade stores and computes with, their PostgreSQL OIDs, and type modifiers.

/** The scalar types Colonnade supports. 'unknown' is an untyped literal or parameter before binding. */
export type TypeId =
  | 'bool' | 'int2' | 'int4' | 'int8' | 'float4' | 'float8' | 'numeric'
  | 'char' | 'varchar' | 'text' | 'date' | 'timestamp' | 'timestamptz' | 'interval' | 'unknown' | 'name' | 'oid';

/** A type with its modifiers: numeric(precision, scale), char(length), varchar(length). */
export interface SqlType {
  readonly id: TypeId;
  /** numeric precision; absent for unconstrained numeric. */
  readonly precision?: number;
  /** numeric scale; absent for unconstrained numeric. */
  readonly scale?: number;
  /** char/varchar length; absent for unlimited. */
  readonly length?: number;
}

/** PostgreSQL type OIDs (pg_type.oid) as sent in RowDescription and ParameterDescription. */
export const TypeOid = {
  bool: 16, bytea: 17, char1: 18, name: 19, int8: 20, int2: 21, int4: 23, text: 25, oid: 26,
  float4: 700, float8: 701, unknown: 705, bpchar: 1042, varchar: 1043, date: 1082, time: 1083,
  timestamp: 1114, timestamptz: 1184, interval: 1186, numeric: 1700,
} as const;

const OID_BY_TYPE: Record<TypeId, number> = {
  bool: TypeOid.bool, int2: TypeOid.int2, int4: TypeOid.int4, int8: TypeOid.int8,
  float4: TypeOid.float4, float8: TypeOid.float8, numeric: TypeOid.numeric,
  char: TypeOid.bpchar, varchar: TypeOid.varchar, text: TypeOid.text, date: TypeOid.date,
  timestamp: TypeOid.timestamp, timestamptz: TypeOid.timestamptz, interval: TypeOid.interval,
  unknown: TypeOid.text, name: TypeOid.name, oid: TypeOid.oid,
};

/** pg_type.typlen for RowDescription: -1 for varlena types. */
const TYPLEN: Record<TypeId, number> = {
  bool: 1, int2: 2, int4: 4, int8: 8, float4: 4, float8: 8, numeric: -1, char: -1, varchar: -1,
  text: -1, date: 4, timestamp: 8, timestamptz: 8, interval: 16, unknown: -1, name: 64, oid: 4,
};

/** The OID PostgreSQL reports for this type. */
export function typeOid(t: SqlType): number {
  return OID_BY_TYPE[t.id];
}

export function typeLength(t: SqlType): number {
  return TYPLEN[t.id];
}

/** atttypmod as PostgreSQL encodes it: varchar(n) → n+4, numeric(p,s) → ((p<<16)|s)+4, else -1. */
export function typeModifier(t: SqlType): number {
  if ((t.id === 'varchar' || t.id === 'char') && t.length !== undefined) return t.length + 4;
  if (t.id === 'numeric' && t.precision !== undefined) return ((t.precision << 16) | (t.scale ?? 0)) + 4;
  return -1;
}

/** Maps a client-supplied parameter OID to our type; undefined for OIDs we do not support. */
export function typeFromOid(oid: number): SqlType | undefined {
  for (const [id, o] of Object.entries(OID_BY_TYPE) as [TypeId, number][]) {
    if (o === oid && id !== 'unknown') return { id };
  }
  if (oid === TypeOid.unknown || oid === 0) return { id: 'unknown' };
  return undefined;
}

/** The name PostgreSQL's format_type prints, e.g. "numeric(15,2)", "character varying(25)". */
export function formatTypeName(t: SqlType): string {
  switch (t.id) {
    case 'bool': return 'boolean';
    case 'int2': return 'smallint';
    case 'int4': return 'integer';
    case 'int8': return 'bigint';
    case 'float4': return 'real';
    case 'float8': return 'double precision';
    case 'numeric': return t.precision === undefined ? 'numeric' : `numeric(${t.precision},${t.scale ?? 0})`;
    case 'char': return `character(${t.length ?? 1})`;
    case 'varchar': return t.length === undefined ? 'character varying' : `character varying(${t.length})`;
    case 'timestamp': return 'timestamp without time zone';
    case 'timestamptz': return 'timestamp with time zone';
    default: return t.id;
  }
}

/** Short constructors. */
export const T = {
  bool: { id: 'bool' } as SqlType,
  int2: { id: 'int2' } as SqlType,
  int4: { id: 'int4' } as SqlType,
  int8: { id: 'int8' } as SqlType,
  float4: { id: 'float4' } as SqlType,
  float8: { id: 'float8' } as SqlType,
  numeric: (precision?: number, scale?: number): SqlType =>
    precision === undefined ? { id: 'numeric' } : { id: 'numeric', precision, scale: scale ?? 0 },
  text: { id: 'text' } as SqlType,
  varchar: (length?: number): SqlType => (length === undefined ? { id: 'varchar' } : { id: 'varchar', length }),
  char: (length = 1): SqlType => ({ id: 'char', length }),
  date: { id: 'date' } as SqlType,
  timestamp: { id: 'timestamp' } as SqlType,
  timestamptz: { id: 'timestamptz' } as SqlType,
  interval: { id: 'interval' } as SqlType,
  unknown: { id: 'unknown' } as SqlType,
};

export const isIntegerType = (t: SqlType): boolean => t.id === 'int2' || t.id === 'int4' || t.id === 'int8';
export const isFloatType = (t: SqlType): boolean => t.id === 'float4' || t.id === 'float8';
export const isNumericType = (t: SqlType): boolean => isIntegerType(t) || isFloatType(t) || t.id === 'numeric';
export const isStringType = (t: SqlType): boolean => t.id === 'text' || t.id === 'varchar' || t.id === 'char' || t.id === 'name' || t.id === 'unknown';
export const isTemporalType = (t: SqlType): boolean => t.id === 'date' || t.id === 'timestamp' || t.id === 'timestamptz';

/** Decimal numeric types with precision ≤ this fit exactly in a float64 as scaled integers. */
export const SMALL_DECIMAL_MAX_PRECISION = 15;
