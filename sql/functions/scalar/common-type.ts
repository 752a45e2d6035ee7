// The common type of several values (UNION/CASE/COALESCE resolution, PostgreSQL's
// select_common_type): unknown literals take the others' type, numerics widen, strings become text.
import { T, type SqlType, type TypeId } from '../../types/sql-type.ts';
import { canImplicitlyCast } from './common.ts';

const NUMERIC_RANK: Partial<Record<TypeId, number>> = { int2: 1, int4: 2, int8: 3, numeric: 4, float4: 5, float8: 6 };
const STRING: readonly TypeId[] = ['text', 'varchar', 'char', 'name'];
const TEMPORAL_RANK: Partial<Record<TypeId, number>> = { date: 1, timestamp: 2, timestamptz: 3 };

/** The type every one of `types` converts to, or undefined when they do not share a category. */
export function commonType(types: readonly SqlType[]): SqlType | undefined {
  const known = types.filter((t) => t.id !== 'unknown');
  if (known.length === 0) return T.text;
  let best = known[0]!;
  for (const t of known.slice(1)) {
    if (t.id === best.id) continue;
    const a = NUMERIC_RANK[best.id];
    const b = NUMERIC_RANK[t.id];
    if (a !== undefined && b !== undefined) { best = b > a ? t : best; continue; }
    if (STRING.includes(best.id) && STRING.includes(t.id)) { best = T.text; continue; }
    const x = TEMPORAL_RANK[best.id];
    const y = TEMPORAL_RANK[t.id];
    if (x !== undefined && y !== undefined) { best = y > x ? t : best; continue; }
    if (!canImplicitlyCast(t.id, best.id)) return undefined;
  }
  return best.id === 'numeric' ? T.numeric() : best.id === 'char' || best.id === 'varchar' ? T.text : best;
}
