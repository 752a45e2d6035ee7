// Turns a parsed type name (INT, varchar(25), numeric(15,2), timestamptz, ...) into a SqlType.
import { SqlError, SqlState, featureNotSupported } from '../../common/errors/index.ts';
import { constValue, errorPosition, typeNameParts } from '../parser/index.ts';
import type { SqlType, TypeId } from '../types/sql-type.ts';

const NAMES: Record<string, TypeId> = {
  bool: 'bool', boolean: 'bool',
  int2: 'int2', smallint: 'int2',
  int4: 'int4', int: 'int4', integer: 'int4',
  int8: 'int8', bigint: 'int8',
  float4: 'float4', real: 'float4',
  float8: 'float8', 'double precision': 'float8', float: 'float8',
  numeric: 'numeric', decimal: 'numeric',
  bpchar: 'char', char: 'char', character: 'char', nchar: 'char',
  varchar: 'varchar', 'character varying': 'varchar', nvarchar: 'varchar',
  text: 'text', name: 'name', oid: 'oid',
  date: 'date',
  timestamp: 'timestamp', 'timestamp without time zone': 'timestamp',
  timestamptz: 'timestamptz', 'timestamp with time zone': 'timestamptz',
  interval: 'interval',
};

/** Resolves a TypeName node; 42704 for unknown types, 0A000 for arrays. */
export function resolveTypeName(n: unknown): SqlType {
  const parts = typeNameParts(n);
  const position = errorPosition(parts.location);
  const posField = position === undefined ? {} : { position };
  const name = parts.names[parts.names.length - 1]!.toLowerCase();
  if (parts.arrayBounds.length > 0) throw featureNotSupported('array types', posField);
  const id = NAMES[name];
  if (id === undefined) throw new SqlError(SqlState.UNDEFINED_OBJECT, `type "${name}" does not exist`, posField);
  const mods: number[] = [];
  for (const m of parts.typmods) {
    const c = constValue(m);
    if (c?.kind !== 'integer') throw new SqlError(SqlState.SYNTAX_ERROR, 'type modifiers must be simple constants or identifiers', posField);
    mods.push(c.value);
  }
  switch (id) {
    case 'numeric': {
      if (mods.length === 0) return { id };
      const precision = mods[0]!;
      const scale = mods[1] ?? 0;
      if (precision < 1 || precision > 1000) {
        throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `NUMERIC precision ${precision} must be between 1 and 1000`, posField);
      }
      if (scale < 0 || scale > precision) {
        throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `NUMERIC scale ${scale} must be between 0 and precision ${precision}`, posField);
      }
      return { id, precision, scale };
    }
    case 'char': return { id, length: mods[0] ?? 1 };
    case 'varchar': return mods.length > 0 ? { id, length: mods[0]! } : { id };
    case 'float8':
      // float(p): p ≤ 24 is real.
      if (name === 'float' && mods.length > 0 && mods[0]! <= 24) return { id: 'float4' };
      return { id };
    default:
      return { id };
  }
}
